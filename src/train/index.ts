/**
 * train — the training pipeline: YAML recipes with a content hash, preflight gates (accepted
 * dataset versions, the field-consumption check with the recipe's template, tokenizer and
 * max_length, format fit, truncation impact), sequence packing, and SFT / reward model / DPO /
 * online DPO / PPO on the embedded engine with atomic checkpoints and resume. Trained models are
 * registered with lineage.
 *
 * Does not own: datasets and their gate (data), models and lineage (registry), the numerics
 * (engine). Other engines and executors (TRL, OpenRLHF, verl, Slurm, Ray) plug into the
 * interfaces here.
 */

export { TRAIN_ERROR_CODES, TrainError, type TrainErrorCode } from './errors.js';
export {
  lowerBoundL1,
  lowerBoundL2,
  type Packing,
  type PackingReport,
  packBestFitDecreasing,
  packBestFitDecreasingNaive,
  packFirstFitDecreasing,
  packingReport,
  packPadding,
  packPaddingFree,
  packSequences,
  sortDecreasing,
} from './pack-sequences.js';
export {
  assertPreflight,
  type PreflightCheck,
  type PreflightOptions,
  type PreflightReport,
  preflight,
} from './preflight.js';
export {
  ALGORITHMS,
  type Algorithm,
  canonicalJson,
  hashRecipe,
  type LoadedRecipe,
  loadRecipe,
  PACKING_STRATEGIES,
  type PackingStrategy,
  parseRecipe,
  type Recipe,
  type RecipeInput,
  RecipeSchema,
} from './recipe.js';
export { type RegisterTrainedModelInput, registerTrainedModel } from './register-trained-model.js';
export {
  type TrainEmbeddedOptions,
  type TrainEvent,
  type TrainExamples,
  type TrainResult,
  train,
  trainIter,
} from './train-embedded.js';
