/** The only route table: every URL of the app, with its label in the navigation. */
export const paths = {
  home: { path: '/', label: 'Home' },
  models: { path: '/models', label: 'Models' },
  modelDiff: { path: '/models/diff', label: 'Compare models' },
  model: { path: '/models/:id', label: 'Model' },
  datasets: { path: '/datasets', label: 'Datasets' },
  dataDiff: { path: '/datasets/diff', label: 'Compare dataset versions' },
  dataVersion: { path: '/datasets/versions/:id', label: 'Dataset version' },
  dataConsumption: { path: '/datasets/versions/:id/consumption', label: 'Field consumption' },
  dataset: { path: '/datasets/:name', label: 'Dataset' },
  evaluations: { path: '/evaluations', label: 'Evaluations' },
  leaderboard: { path: '/evaluations/leaderboard', label: 'Leaderboard' },
  evalRun: { path: '/evaluations/runs/:id', label: 'Run' },
  evalCompare: { path: '/evaluations/compare', label: 'Compare runs' },
  outbox: { path: '/evaluations/outbox', label: 'Notifications outbox' },
  training: { path: '/training', label: 'Training' },
  trainingRun: { path: '/training/runs/:id', label: 'Training run' },
  attention: { path: '/attention', label: 'Attention' },
  papers: { path: '/papers', label: 'Papers' },
} as const;

/** Navigation order of the domain areas. */
export const navigation = [
  paths.models,
  paths.datasets,
  paths.evaluations,
  paths.training,
  paths.attention,
  paths.papers,
] as const;

/** The page of one registry model. */
export const modelHref = (id: string): string => `/models/${encodeURIComponent(id)}`;

/** The shareable diff page of registry models; `only` turns on "show only differences". */
export const modelDiffHref = (ids: string[], only = false): string =>
  `/models/diff?ids=${ids.map(encodeURIComponent).join(',')}${only ? '&only=1' : ''}`;

/** The versions of one dataset. */
export const datasetHref = (name: string): string => `/datasets/${encodeURIComponent(name)}`;

/** One dataset version with its report. */
export const dataVersionHref = (id: string): string => `/datasets/versions/${encodeURIComponent(id)}`;

/** The field-consumption view of a dataset version. */
export const dataConsumptionHref = (id: string): string => `${dataVersionHref(id)}/consumption`;

/** Two dataset versions compared. */
export const dataDiffHref = (before: string, after: string): string =>
  `/datasets/diff?before=${encodeURIComponent(before)}&after=${encodeURIComponent(after)}`;

/** One evaluation run's page. */
export const evalRunHref = (id: string): string => `/evaluations/runs/${encodeURIComponent(id)}`;

/** The shareable comparison of two runs. */
export const evalCompareHref = (a: string, b: string): string =>
  `/evaluations/compare?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}`;

/** One training run's page. */
export const trainingRunHref = (id: string): string => `/training/runs/${encodeURIComponent(id)}`;
