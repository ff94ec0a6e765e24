/** The only route table: every URL of the app, with its label in the navigation. */
export const paths = {
  home: { path: '/', label: 'Home' },
  models: { path: '/models', label: 'Models' },
  modelDiff: { path: '/models/diff', label: 'Compare models' },
  model: { path: '/models/:id', label: 'Model' },
  datasets: { path: '/datasets', label: 'Datasets' },
  evaluations: { path: '/evaluations', label: 'Evaluations' },
  training: { path: '/training', label: 'Training' },
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
