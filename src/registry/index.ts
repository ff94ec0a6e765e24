/**
 * registry — the model registry: model versions (name, version, owner, tags, notes, status,
 * location), their base model (a registry model or an external placeholder), the spec read from
 * a Hugging Face folder or Hub repo without loading weights (config.json v4/v5, safetensors
 * headers, tokenizer and chat template, card, adapter, trainer state), the training run and
 * dataset versions behind each model, attached evaluations, the lineage graph and model diffs.
 *
 * Does not own: training runs themselves (training registers its outputs here with
 * `registerModel`), dataset contents and gates (data), evaluation runs (evaluation attaches
 * results with `attachEvaluation`).
 */

export {
  type AttachEvaluationInput,
  AttachEvaluationInputSchema,
  attachEvaluation,
} from './attach-evaluation.js';
export { deleteModel } from './delete-model.js';
export { diffModels } from './diff-models.js';
export { diffText } from './diff-text.js';
export { REGISTRY_ERROR_CODES, RegistryError, type RegistryErrorCode } from './errors.js';
export { extractSpec } from './extract-spec.js';
export { getLineage } from './get-lineage.js';
export { getModel } from './get-model.js';
export {
  type ImportModelInput,
  ImportModelInputSchema,
  type ImportModelOptions,
  importModel,
} from './import-model.js';
export { listModels } from './list-models.js';
export {
  type HubSourceOptions,
  hubModelSource,
  localModelSource,
  type ModelSource,
  type SourceFile,
} from './model-source.js';
export { parseModelCard } from './parse-model-card.js';
export { readModelFile } from './read-model-file.js';
export { readModelFolder } from './read-model-folder.js';
export { type RegisterModelInput, RegisterModelInputSchema, registerModel } from './register-model.js';
export { readSafetensorsHeader, type SafetensorsHeader, type TensorEntry } from './safetensors-header.js';

export {
  type AdapterInfo,
  AdapterInfoSchema,
  type BaseModelRef,
  BaseModelRefSchema,
  type BaseRelation,
  BaseRelationSchema,
  type ChatTemplate,
  ChatTemplateSchema,
  type CurvePoint,
  CurvePointSchema,
  type DatasetVersionRef,
  DatasetVersionRefSchema,
  type DiffRow,
  DiffRowSchema,
  type Evaluation,
  EvaluationSchema,
  type ImportedModel,
  ImportedModelSchema,
  type Lineage,
  type LineageEdge,
  LineageEdgeSchema,
  type LineageNode,
  LineageNodeSchema,
  LineageSchema,
  type ListModelsQuery,
  ListModelsQuerySchema,
  type ModelCard,
  ModelCardSchema,
  type ModelDetail,
  ModelDetailSchema,
  type ModelDiff,
  ModelDiffSchema,
  type ModelList,
  ModelListSchema,
  type ModelSpec,
  ModelSpecSchema,
  type ModelStatus,
  ModelStatusSchema,
  type ModelSummary,
  ModelSummarySchema,
  type Scalar,
  type TextDiffLine,
  type TrainingInfo,
  type TrainingInfoInput,
  TrainingInfoSchema,
  type UpdateModelInput,
  UpdateModelInputSchema,
  type Weights,
  WeightsSchema,
} from './schemas.js';
export { updateModel } from './update-model.js';
