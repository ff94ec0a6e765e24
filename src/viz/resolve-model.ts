// A model reference is a folder path or a registry model (id, name@version or name) whose
// location is a local folder. Loaded models are kept in a small cache owned by the caller.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type Logger, silentLogger } from '../common/logger.js';
import { getModel } from '../registry/index.js';
import type { Store } from '../store/index.js';
import { type AttentionModel, loadAttentionModel } from './attention-model.js';
import { VizError } from './errors.js';

async function isDir(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false; // missing or unreadable: not a folder we can use
  }
}

/** The local folder of `ref`: the path itself, or the registry model's location. */
export async function resolveModelDir(ref: string, store?: Store): Promise<{ dir: string; name: string }> {
  if (await isDir(ref)) return { dir: resolve(ref), name: ref };
  if (store) {
    let location: string | null = null;
    try {
      const m = await getModel(store, ref);
      location = m.location;
    } catch (err) {
      if (!(err instanceof Error && 'code' in err && err.code === 'AB_REGISTRY_MODEL_NOT_FOUND')) throw err;
    }
    if (location !== null) {
      if (await isDir(location)) return { dir: location, name: ref };
      throw new VizError(
        'AB_VIZ_MODEL',
        `registry model "${ref}" lives at ${location}, which is not a local folder; download it first`,
        { field: 'model' },
      );
    }
  }
  throw new VizError('AB_VIZ_MODEL', `"${ref}" is neither a model folder nor a registry model`, {
    field: 'model',
  });
}

export interface ModelCache {
  get(ref: string): Promise<AttentionModel>;
  clear(): void;
  /** Where requests over this cache log (the fast path's fallbacks). */
  readonly log: Logger;
}

/** Frees an evicted model's fast-path session; a model that failed to load has nothing to free. */
function releaseModel(p: Promise<AttentionModel>): void {
  p.then((m) => m.release?.()).catch(() => {
    // load failures were already reported to the request that loaded it
  });
}

/** Loads models by reference and keeps the `max` most recently used. */
export function createModelCache(opts: { store?: Store; max?: number; log?: Logger } = {}): ModelCache {
  const max = opts.max ?? 2;
  const cache = new Map<string, Promise<AttentionModel>>();
  return {
    log: opts.log ?? silentLogger,
    async get(ref) {
      const { dir, name } = await resolveModelDir(ref, opts.store);
      let p = cache.get(dir);
      if (p) cache.delete(dir);
      else {
        p = loadAttentionModel(dir, name);
        p.catch(() => cache.delete(dir)); // a failed load is not cached; the caller awaits p and sees the error
      }
      cache.set(dir, p);
      while (cache.size > max) {
        const oldest = cache.keys().next().value;
        if (oldest === undefined) break;
        const evicted = cache.get(oldest);
        cache.delete(oldest);
        if (evicted) releaseModel(evicted);
      }
      return p;
    },
    clear: () => {
      for (const p of cache.values()) releaseModel(p);
      cache.clear();
    },
  };
}
