import { parseAt } from '../../common/errors.js';
import type { Recipe } from '../recipe.js';
import { commandAdapter } from './command-engine.js';
import {
  ENGINES,
  type EngineAdapter,
  type EngineLaunch,
  type EngineName,
  type EngineOptionsInput,
  EngineOptionsSchema,
  type EnginePaths,
} from './engine-launch.js';
import { EngineAdapterError } from './errors.js';
import { openRlhfAdapter } from './openrlhf-adapter.js';
import { trlAdapter } from './trl-adapter.js';
import { verlAdapter } from './verl-adapter.js';

export const ENGINE_ADAPTERS: Readonly<Record<EngineName, EngineAdapter>> = {
  trl: trlAdapter,
  openrlhf: openRlhfAdapter,
  verl: verlAdapter,
  command: commandAdapter,
};

const isEngineName = (name: string): name is EngineName => (ENGINES as readonly string[]).includes(name);

/**
 * The exact launch of `recipe` on `engine`: argv, env and config files, checked against the
 * engine version's argument list. Throws AB_TRAIN_ENGINE_UNSUPPORTED, naming the engine and the
 * recipe field, when the engine cannot express the recipe.
 */
export function translateRecipe(
  engine: string,
  recipe: Recipe,
  paths: EnginePaths,
  options: EngineOptionsInput = {},
): EngineLaunch {
  if (!isEngineName(engine))
    throw new EngineAdapterError(
      'AB_TRAIN_ENGINE_INPUT',
      engine,
      `unknown engine; known: ${ENGINES.join(', ')}`,
      {
        field: 'engine',
      },
    );
  const parsed = parseAt(EngineOptionsSchema, options, { field: 'engine_options' });
  return ENGINE_ADAPTERS[engine].translate(recipe, paths, parsed);
}
