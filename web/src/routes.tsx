import type { ComponentType } from 'react';
import { createBrowserRouter } from 'react-router';
import { Layout } from './components/layout';
import { NotBuiltYet } from './components/not-built-yet';
import { HomePage } from './pages/home/home';
import { paths } from './paths';

/**
 * Route-level code splitting: a page's module (and heavy libraries only it uses, such as the
 * lineage graph) loads when its route is first visited, so the first screen stays small.
 */
/** The names of a module's exports that are components. */
type PageName<M> = { [P in keyof M]: M[P] extends ComponentType ? P : never }[keyof M];

function page<M>(load: () => Promise<M>, name: PageName<M>) {
  return { lazy: async () => ({ Component: (await load())[name] as ComponentType }) };
}

/** URL → page. Pages lay out components; areas not built yet say so. */
export const router = createBrowserRouter([
  {
    path: paths.home.path,
    element: <Layout />,
    hydrateFallbackElement: <p className="muted">Loading…</p>,
    children: [
      { index: true, element: <HomePage /> },
      {
        path: paths.models.path,
        ...page(() => import('./pages/models/catalog'), 'ModelCatalogPage'),
      },
      {
        path: paths.modelDiff.path,
        ...page(() => import('./pages/models/diff-page'), 'ModelDiffPage'),
      },
      {
        path: paths.model.path,
        ...page(() => import('./pages/models/model-page'), 'ModelPage'),
      },
      {
        path: paths.datasets.path,
        ...page(() => import('./pages/datasets/dataset-list'), 'DatasetListPage'),
      },
      {
        path: paths.dataDiff.path,
        ...page(() => import('./pages/datasets/diff-page'), 'DataDiffPage'),
      },
      {
        path: paths.dataVersion.path,
        ...page(() => import('./pages/datasets/version-page'), 'VersionPage'),
      },
      {
        path: paths.dataConsumption.path,
        ...page(() => import('./pages/datasets/consumption-page'), 'ConsumptionPage'),
      },
      {
        path: paths.dataset.path,
        ...page(() => import('./pages/datasets/dataset-page'), 'DatasetPage'),
      },
      {
        path: paths.evaluations.path,
        ...page(() => import('./pages/evaluations/run-page'), 'RunPage'),
      },
      {
        path: paths.leaderboard.path,
        ...page(() => import('./pages/evaluations/leaderboard-page'), 'LeaderboardPage'),
      },
      {
        path: paths.evalRun.path,
        ...page(() => import('./pages/evaluations/run-detail-page'), 'RunDetailPage'),
      },
      {
        path: paths.evalCompare.path,
        ...page(() => import('./pages/evaluations/compare-page'), 'ComparePage'),
      },
      {
        path: paths.outbox.path,
        ...page(() => import('./pages/evaluations/outbox-page'), 'OutboxPage'),
      },
      {
        path: paths.training.path,
        ...page(() => import('./pages/training/runs-page'), 'TrainingRunsPage'),
      },
      {
        path: paths.trainingRun.path,
        ...page(() => import('./pages/training/run-page'), 'TrainingRunPage'),
      },
      {
        path: paths.attention.path,
        ...page(() => import('./pages/attention/attention'), 'AttentionPage'),
      },
      {
        path: paths.papers.path,
        ...page(() => import('./pages/papers/papers-page'), 'PapersPage'),
      },
      { path: '*', element: <NotBuiltYet title="Not found" summary="No page at this address." /> },
    ],
  },
]);
