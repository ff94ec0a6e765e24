import { createBrowserRouter } from 'react-router';
import { Layout } from './components/layout';
import { NotBuiltYet } from './components/not-built-yet';
import { AttentionPage } from './pages/attention/attention';
import { ConsumptionPage } from './pages/datasets/consumption-page';
import { DatasetListPage } from './pages/datasets/dataset-list';
import { DatasetPage } from './pages/datasets/dataset-page';
import { DataDiffPage } from './pages/datasets/diff-page';
import { VersionPage } from './pages/datasets/version-page';
import { ComparePage } from './pages/evaluations/compare-page';
import { LeaderboardPage } from './pages/evaluations/leaderboard-page';
import { OutboxPage } from './pages/evaluations/outbox-page';
import { RunDetailPage } from './pages/evaluations/run-detail-page';
import { RunPage } from './pages/evaluations/run-page';
import { HomePage } from './pages/home/home';
import { ModelCatalogPage } from './pages/models/catalog';
import { ModelDiffPage } from './pages/models/diff-page';
import { ModelPage } from './pages/models/model-page';
import { PapersPage } from './pages/papers/papers-page';
import { TrainingRunPage } from './pages/training/run-page';
import { TrainingRunsPage } from './pages/training/runs-page';
import { paths } from './paths';

/** URL → page. Pages lay out components; areas not built yet say so. */
export const router = createBrowserRouter([
  {
    path: paths.home.path,
    element: <Layout />,
    children: [
      { index: true, element: <HomePage /> },
      { path: paths.models.path, element: <ModelCatalogPage /> },
      { path: paths.modelDiff.path, element: <ModelDiffPage /> },
      { path: paths.model.path, element: <ModelPage /> },
      { path: paths.datasets.path, element: <DatasetListPage /> },
      { path: paths.dataDiff.path, element: <DataDiffPage /> },
      { path: paths.dataVersion.path, element: <VersionPage /> },
      { path: paths.dataConsumption.path, element: <ConsumptionPage /> },
      { path: paths.dataset.path, element: <DatasetPage /> },
      { path: paths.evaluations.path, element: <RunPage /> },
      { path: paths.leaderboard.path, element: <LeaderboardPage /> },
      { path: paths.evalRun.path, element: <RunDetailPage /> },
      { path: paths.evalCompare.path, element: <ComparePage /> },
      { path: paths.outbox.path, element: <OutboxPage /> },
      { path: paths.training.path, element: <TrainingRunsPage /> },
      { path: paths.trainingRun.path, element: <TrainingRunPage /> },
      {
        path: paths.attention.path,
        element: <AttentionPage />,
      },
      { path: paths.papers.path, element: <PapersPage /> },
      { path: '*', element: <NotBuiltYet title="Not found" summary="No page at this address." /> },
    ],
  },
]);
