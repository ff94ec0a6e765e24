import { z } from 'zod';

/** A scalar that can be compared and shown in a diff cell. */
export const ScalarSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export type Scalar = z.infer<typeof ScalarSchema>;

export const ModelStatusSchema = z.enum(['candidate', 'released', 'archived']);
export type ModelStatus = z.infer<typeof ModelStatusSchema>;

/** How a model derives from its base, as in the Hub's model card `base_model_relation`. */
export const BaseRelationSchema = z.enum(['finetune', 'adapter', 'quantized', 'merge', 'distillation']);
export type BaseRelation = z.infer<typeof BaseRelationSchema>;

/** A dataset version a training run consumed; content hash and gate status come from the data domain. */
export const DatasetVersionRefSchema = z.object({
  name: z.string().min(1),
  version: z.string().optional(),
  contentHash: z.string().optional(),
  contractVersion: z.string().optional(),
  gateStatus: z.enum(['accepted', 'quarantined', 'pending']).optional(),
  /** What the run used it for: `train`, `eval`, `preference`, `prompts`. */
  role: z.string().optional(),
});
export type DatasetVersionRef = z.infer<typeof DatasetVersionRefSchema>;

/** The training run that produced a model: what training registers, and what import infers. */
export const TrainingInfoSchema = z.object({
  runId: z.string().optional(),
  /** `sft`, `reward`, `dpo`, `online-dpo`, `ppo`, … */
  algorithm: z.string().optional(),
  recipe: z.string().optional(),
  recipeHash: z.string().optional(),
  engine: z.string().optional(),
  /** The registry model whose scores the run optimised (online DPO, PPO); a lineage edge of its own. */
  rewardModelId: z.string().optional(),
  hyperparameters: z.record(z.string(), ScalarSchema).default({}),
  datasets: z.array(DatasetVersionRefSchema).default([]),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
});
export type TrainingInfo = z.infer<typeof TrainingInfoSchema>;
export type TrainingInfoInput = z.input<typeof TrainingInfoSchema>;

export const RopeSchema = z.object({
  theta: z.number().nullable(),
  type: z.string().nullable(),
  /** The remaining rope settings (factor, original context, …) as written in config.json. */
  scaling: z.record(z.string(), ScalarSchema).nullable(),
});

/** What config.json and the safetensors headers say about a model's shape. */
export const ModelSpecSchema = z.object({
  family: z.string().nullable(),
  architecture: z.string().nullable(),
  /** Which config.json key layout was read: transformers v4 or v5. */
  configLayout: z.enum(['v4', 'v5']),
  layers: z.number().nullable(),
  hiddenSize: z.number().nullable(),
  attentionHeads: z.number().nullable(),
  kvHeads: z.number().nullable(),
  /** Query heads per KV head; 1 is plain multi-head attention. */
  gqaRatio: z.number().nullable(),
  headDim: z.number().nullable(),
  intermediateSize: z.number().nullable(),
  vocabSize: z.number().nullable(),
  contextLength: z.number().nullable(),
  rope: RopeSchema.nullable(),
  tiedEmbeddings: z.boolean().nullable(),
  activation: z.string().nullable(),
  dtype: z.string().nullable(),
});
export type ModelSpec = z.infer<typeof ModelSpecSchema>;

/** Exact counts summed over the safetensors headers. */
export const WeightsSchema = z.object({
  sharded: z.boolean(),
  files: z.array(z.object({ path: z.string(), sizeBytes: z.number(), tensors: z.number() })),
  tensorCount: z.number(),
  parameterCount: z.number(),
  parametersByDtype: z.record(z.string(), z.number()),
  parametersByComponent: z.record(z.string(), z.number()),
  sizeBytes: z.number(),
});
export type Weights = z.infer<typeof WeightsSchema>;

export const ChatTemplateSchema = z.object({
  text: z.string(),
  /** `sha256:<hex>` of the template text: equal hashes mean the same template. */
  hash: z.string(),
  source: z.string(),
});
export type ChatTemplate = z.infer<typeof ChatTemplateSchema>;

export const TokenizerInfoSchema = z.object({
  specialTokens: z.record(z.string(), z.string()),
  modelMaxLength: z.number().nullable(),
  tokenizerClass: z.string().nullable(),
});
export type TokenizerInfo = z.infer<typeof TokenizerInfoSchema>;

export const ModelCardSchema = z.object({
  baseModels: z.array(z.string()),
  baseModelRelation: z.string().nullable(),
  datasets: z.array(z.string()),
  license: z.string().nullable(),
  languages: z.array(z.string()),
  tags: z.array(z.string()),
  pipelineTag: z.string().nullable(),
  libraryName: z.string().nullable(),
  /** The card's markdown body, cut to 20,000 characters; render it as text. */
  body: z.string(),
});
export type ModelCard = z.infer<typeof ModelCardSchema>;

export const AdapterInfoSchema = z.object({
  peftType: z.string().nullable(),
  baseModel: z.string().nullable(),
  rank: z.number().nullable(),
  alpha: z.number().nullable(),
  dropout: z.number().nullable(),
  targetModules: z.array(z.string()),
  taskType: z.string().nullable(),
});
export type AdapterInfo = z.infer<typeof AdapterInfoSchema>;

export const CurvePointSchema = z.object({
  step: z.number(),
  epoch: z.number().nullable(),
  loss: z.number().nullable(),
  learningRate: z.number().nullable(),
  gradNorm: z.number().nullable(),
  evalLoss: z.number().nullable(),
});
export type CurvePoint = z.infer<typeof CurvePointSchema>;

export const FileEntrySchema = z.object({ path: z.string(), sizeBytes: z.number() });

/** Everything read from a model folder, before anything is written. */
export const ImportedModelSchema = z.object({
  isAdapter: z.boolean(),
  spec: ModelSpecSchema.nullable(),
  weights: WeightsSchema.nullable(),
  chatTemplate: ChatTemplateSchema.nullable(),
  tokenizer: TokenizerInfoSchema.nullable(),
  generation: z.record(z.string(), ScalarSchema).nullable(),
  card: ModelCardSchema.nullable(),
  adapter: AdapterInfoSchema.nullable(),
  curves: z.array(CurvePointSchema).nullable(),
  hyperparameters: z.record(z.string(), ScalarSchema).nullable(),
  files: z.array(FileEntrySchema),
});
export type ImportedModel = z.infer<typeof ImportedModelSchema>;

export const BaseModelRefSchema = z.object({
  /** The registry model id, or null for an external placeholder such as `meta-llama/Llama-3.1-8B`. */
  id: z.string().nullable(),
  name: z.string(),
  version: z.string().nullable(),
  relation: z.string().nullable(),
});
export type BaseModelRef = z.infer<typeof BaseModelRefSchema>;

/** One row of the catalog. */
export const ModelSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  version: z.string(),
  owner: z.string().nullable(),
  tags: z.array(z.string()),
  status: ModelStatusSchema,
  location: z.string(),
  sourceKind: z.enum(['local', 'hub', 'manual']),
  family: z.string().nullable(),
  architecture: z.string().nullable(),
  isAdapter: z.boolean(),
  parameterCount: z.number().nullable(),
  sizeBytes: z.number().nullable(),
  baseModel: BaseModelRefSchema.nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  deletedAt: z.string().nullable(),
});
export type ModelSummary = z.infer<typeof ModelSummarySchema>;

export const EvaluationSchema = z.object({
  id: z.string(),
  modelId: z.string(),
  name: z.string(),
  metrics: z.record(z.string(), z.number()),
  contractHash: z.string().nullable(),
  createdAt: z.string(),
});
export type Evaluation = z.infer<typeof EvaluationSchema>;

/** A model page: the summary plus everything imported and attached. */
export const ModelDetailSchema = ModelSummarySchema.extend({
  notes: z.string(),
  spec: ModelSpecSchema.nullable(),
  weights: WeightsSchema.nullable(),
  files: z.array(FileEntrySchema),
  card: ModelCardSchema.nullable(),
  adapter: AdapterInfoSchema.nullable(),
  tokenizer: TokenizerInfoSchema.nullable(),
  chatTemplate: ChatTemplateSchema.nullable(),
  generation: z.record(z.string(), ScalarSchema).nullable(),
  training: TrainingInfoSchema.nullable(),
  curves: z.array(CurvePointSchema).nullable(),
  evaluations: z.array(EvaluationSchema),
});
export type ModelDetail = z.infer<typeof ModelDetailSchema>;

export const ListModelsQuerySchema = z.object({
  /** Words matched against name, version, owner, family, tags, notes and location. */
  q: z.string().max(200).optional(),
  family: z.string().max(100).optional(),
  owner: z.string().max(200).optional(),
  tag: z.string().max(100).optional(),
  status: ModelStatusSchema.optional(),
  minParams: z.coerce.number().int().min(0).optional(),
  maxParams: z.coerce.number().int().min(0).optional(),
  includeDeleted: z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]).optional(),
  sort: z.enum(['created', 'name', 'params']).default('created'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
export type ListModelsQuery = z.input<typeof ListModelsQuerySchema>;

export const ModelListSchema = z.object({
  total: z.number(),
  items: z.array(ModelSummarySchema),
  facets: z.object({
    families: z.array(z.object({ value: z.string(), count: z.number() })),
    owners: z.array(z.object({ value: z.string(), count: z.number() })),
    statuses: z.array(z.object({ value: z.string(), count: z.number() })),
  }),
});
export type ModelList = z.infer<typeof ModelListSchema>;

export const UpdateModelInputSchema = z
  .object({
    notes: z.string().max(100_000).optional(),
    tags: z.array(z.string().min(1).max(100)).max(100).optional(),
    status: ModelStatusSchema.optional(),
    owner: z.string().min(1).max(200).nullable().optional(),
    /** A registry ref (id, `name@version`, name) or an external id; null removes the link. */
    baseModel: z.string().min(1).max(300).nullable().optional(),
    baseModelRelation: BaseRelationSchema.nullable().optional(),
  })
  .strict();
export type UpdateModelInput = z.infer<typeof UpdateModelInputSchema>;

export const LineageNodeSchema = z.object({
  id: z.string(),
  kind: z.enum(['model', 'external-model', 'run', 'dataset', 'evaluation']),
  label: z.string(),
  /** The registry model this node links to, for clickable nodes. */
  modelId: z.string().nullable(),
  details: z.record(z.string(), ScalarSchema),
});
export const LineageEdgeSchema = z.object({
  id: z.string(),
  source: z.string(),
  target: z.string(),
  kind: z.enum(['base-model', 'trained-by', 'used-dataset', 'used-reward-model', 'evaluated-by']),
  label: z.string().nullable(),
});
export const LineageSchema = z.object({
  rootId: z.string(),
  nodes: z.array(LineageNodeSchema),
  edges: z.array(LineageEdgeSchema),
});
export type LineageNode = z.infer<typeof LineageNodeSchema>;
export type LineageEdge = z.infer<typeof LineageEdgeSchema>;
export type Lineage = z.infer<typeof LineageSchema>;

export const DiffRowSchema = z.object({
  section: z.enum([
    'model',
    'spec',
    'weights',
    'training',
    'hyperparameters',
    'datasets',
    'generation',
    'chat-template',
  ]),
  field: z.string(),
  /** One value per model, in the order the models were given. */
  values: z.array(ScalarSchema),
  isDifferent: z.boolean(),
});
export type DiffRow = z.infer<typeof DiffRowSchema>;

export const TextDiffLineSchema = z.object({ op: z.enum(['equal', 'add', 'remove']), text: z.string() });
export type TextDiffLine = z.infer<typeof TextDiffLineSchema>;

export const ModelDiffSchema = z.object({
  models: z.array(z.object({ id: z.string(), name: z.string(), version: z.string() })),
  rows: z.array(DiffRowSchema),
  /** Chat template of each model after the first, as a line diff against the first. */
  chatTemplateDiffs: z.array(
    z.object({
      fromId: z.string(),
      toId: z.string(),
      isDifferent: z.boolean(),
      lines: z.array(TextDiffLineSchema),
    }),
  ),
  differentCount: z.number(),
});
export type ModelDiff = z.infer<typeof ModelDiffSchema>;
