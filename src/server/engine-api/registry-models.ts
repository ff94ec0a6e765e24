// The registry's local models as an engine API's model list: a request names a model by registry
// id or name@version; its folder is loaded on first use and kept in a small LRU cache, each
// model with its own batching loop. This is how a freshly trained model is served for evaluation.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { EngineError, loadModelDir, parseModelConfig } from '../../engine/index.js';
import { getModel, listModels } from '../../registry/index.js';
import type { Store } from '../../store/index.js';
import type { ModelProvider, ServedModel } from './openai-routes.js';
import { createScheduler } from './scheduler.js';

export interface RegistryModelProviderOptions {
  store: Store;
  /** Models kept loaded at once; the least recently used is dropped first. */
  cacheSize?: number;
}

/** The name a registry model is served under, and the `model` its built-in endpoint sends. */
export function servedModelName(m: { name: string; version: string }): string {
  return `${m.name}@${m.version}`;
}

export function registryModelProvider(opts: RegistryModelProviderOptions): ModelProvider {
  const { store } = opts;
  const cacheSize = opts.cacheSize ?? 2;
  // Map order is recency order: a hit moves its entry to the end, eviction takes the first.
  const cache = new Map<string, Promise<ServedModel>>();

  async function load(location: string, name: string): Promise<ServedModel> {
    const loaded = await loadModelDir(location);
    return { name, loaded, scheduler: createScheduler(loaded.model) };
  }

  return {
    async list() {
      const { items } = await listModels(store, { limit: 500 });
      const out = [];
      for (const m of items) {
        if (m.sourceKind !== 'local' || m.isAdapter) continue;
        out.push({ id: servedModelName(m), root: m.location, maxModelLen: await maxPositions(m.location) });
      }
      return out;
    },

    async get(ref) {
      if (!ref)
        throw new EngineError('AB_ENGINE_INPUT', 'name the model: a registry id or name@version', {
          field: 'model',
        });
      const m = await getModel(store, ref);
      if (m.sourceKind !== 'local' || m.isAdapter)
        throw new EngineError(
          'AB_ENGINE_INPUT',
          `model "${servedModelName(m)}" is ${m.isAdapter ? 'an adapter' : `a ${m.sourceKind} model`}; the engine serves full local folders only`,
          { field: 'model' },
        );
      const hit = cache.get(m.id);
      if (hit) {
        cache.delete(m.id);
        cache.set(m.id, hit);
        return hit;
      }
      const loading = load(m.location, servedModelName(m));
      cache.set(m.id, loading);
      for (const key of cache.keys()) if (cache.size > cacheSize) cache.delete(key);
      try {
        return await loading;
      } catch (err) {
        if (cache.get(m.id) === loading) cache.delete(m.id); // a broken folder may be fixed; try again next time
        throw err;
      }
    },
  };
}

/** The context length from config.json, read without loading weights; null if it cannot be read. */
async function maxPositions(dir: string): Promise<number | null> {
  const file = path.join(dir, 'config.json');
  try {
    return parseModelConfig(JSON.parse(await readFile(file, 'utf8')), file).maxPositions;
  } catch {
    // A folder that is gone or broken is still listed; requests for it fail with the located error.
    return null;
  }
}
