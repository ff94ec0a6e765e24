/** The only route table: every URL of the app, with its label in the navigation. */
export const paths = {
  home: { path: '/', label: 'Home' },
  models: { path: '/models', label: 'Models' },
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
