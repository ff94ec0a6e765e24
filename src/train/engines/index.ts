/**
 * train/engines — engine adapters: a validated recipe plus resolved paths become the exact launch
 * command, environment and config files for TRL 1.9.0, OpenRLHF 0.11.0, verl 0.7.0, or an in-house
 * trainer (`command` engine, contract in docs/command-engine.md). Every generated command is checked
 * against the engine version's argument list (fixtures/, recorded from the engine's source), and a
 * recipe an engine cannot express is refused with the engine, the recipe field and the reason.
 *
 * Does not own: running the command (executors), converting datasets (the adapters only say which
 * format and keys they need), reading metrics back (tracking).
 */

export {
  type CommandMetricRow,
  CommandMetricRowSchema,
  commandAdapter,
  commandOutputs,
  commandPlaceholders,
  renderCommandTemplate,
  splitCommandLine,
} from './command-engine.js';
export {
  checkArgsAgainstFixture,
  type EngineFixture,
  type EntryPointFixture,
  type OptionKind,
  type OptionSyntax,
  splitLaunch,
} from './engine-fixture.js';
export {
  ENGINES,
  type EngineAdapter,
  type EngineFile,
  type EngineLaunch,
  type EngineName,
  type EngineOptions,
  type EngineOptionsInput,
  EngineOptionsSchema,
  type EnginePaths,
} from './engine-launch.js';
export { ENGINE_ADAPTER_ERROR_CODES, EngineAdapterError, type EngineAdapterErrorCode } from './errors.js';
export { OPENRLHF_0_11_0 } from './fixtures/openrlhf-0.11.0.js';
export { TRL_1_9_0 } from './fixtures/trl-1.9.0.js';
export { VERL_0_7_0 } from './fixtures/verl-0.7.0.js';
export { openRlhfAdapter } from './openrlhf-adapter.js';
export { ENGINE_ADAPTERS, translateRecipe } from './translate-recipe.js';
export { trlAdapter } from './trl-adapter.js';
export { hydraValue, verlAdapter } from './verl-adapter.js';
