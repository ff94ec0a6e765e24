// What a successful run does for the evaluations its recipe asks for: bind the new model to an
// endpoint on the engine API that serves registry models, and queue the suites for it there.
import type { Logger } from '../common/logger.js';
import { bindModel, enqueueRuns, ensureEndpoint, listEndpoints } from '../eval/index.js';
import { getModel } from '../registry/index.js';
import type { Store } from '../store/index.js';
import type { Recipe } from './recipe.js';
import type { EvaluationRequest } from './run-schemas.js';
import type { TrainDeps } from './start-run.js';

const ENGINE_ENDPOINT_PREFIX = 'alignboard-engine.';
const ENGINE_API_PATH = '/engine/v1';

/**
 * The endpoint that serves a registry model on the engine API: one per model (an endpoint is a
 * URL and a model), named `alignboard-engine.<name>.<version>`. Endpoint names allow letters,
 * digits, ".", "_" and "-" up to 100 characters; a name that had to be changed to fit gets the
 * model id's first 8 characters so that it stays unique.
 */
export function engineEndpointName(model: { id: string; name: string; version: string }): string {
  const raw = `${model.name}.${model.version}`;
  const fit = raw.replace(/[^\w.-]/g, '_').slice(0, 100 - ENGINE_ENDPOINT_PREFIX.length - 9);
  return `${ENGINE_ENDPOINT_PREFIX}${fit}${fit === raw ? '' : `.${model.id.slice(0, 8)}`}`;
}

/**
 * Points every model's engine endpoint at `baseUrl`, where this server now serves registry models
 * (a restart may listen on another port): evaluations queued before keep working. Idempotent.
 */
export async function repointEngineEndpoints(store: Store, baseUrl: string): Promise<number> {
  let changed = 0;
  for (const e of await listEndpoints(store)) {
    const isEngineEndpoint = e.name.startsWith(ENGINE_ENDPOINT_PREFIX) && e.baseUrl.endsWith(ENGINE_API_PATH);
    if (!isEngineEndpoint || e.baseUrl === baseUrl) continue;
    await ensureEndpoint(store, { name: e.name, baseUrl, model: e.model });
    changed++;
  }
  return changed;
}

/**
 * Queues the evaluation suites the recipe asks for: the new model is bound to its endpoint on the
 * engine API that serves registry models (its base model as the regression baseline) and each
 * suite is queued for it. Without a serving API, or when binding fails, the request is recorded
 * on the run with what to do; a suite that cannot be queued is marked failed. Never fails the run.
 */
export async function requestEvaluations(
  deps: TrainDeps,
  recipe: Recipe,
  modelId: string,
  log: Logger,
): Promise<EvaluationRequest[]> {
  const { store } = deps;
  const suites = recipe.evaluation.suites;
  if (!suites.length) return [];
  const model = await getModel(store, modelId);
  const ref = `${model.name}@${model.version}`;
  const recorded = (why: string) =>
    suites.map((suite) => ({
      suite,
      status: 'recorded' as const,
      jobIds: [],
      note: `recorded, not queued (${why}): bind model ${ref} to an endpoint, then queue suite "${suite}" for it`,
    }));
  const baseUrl = deps.engineBaseUrl?.();
  if (!baseUrl) return recorded('no engine API serves registry models in this process');
  let endpointName: string;
  try {
    const endpoint = await ensureEndpoint(store, { name: engineEndpointName(model), baseUrl, model: ref });
    await bindModel(store, model.id, {
      endpointId: endpoint.id,
      baselineModelId: model.baseModel?.id ?? null,
    });
    endpointName = endpoint.name;
  } catch (err) {
    log.warn({ err, modelId }, 'model not bound for evaluation');
    return recorded(`binding failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  const out: EvaluationRequest[] = [];
  for (const suite of suites) {
    try {
      const jobs = await enqueueRuns(store, { targets: [{ modelId: model.id }], suite });
      out.push({
        suite,
        status: 'queued',
        jobIds: jobs.map((j) => j.id),
        note: `queued on endpoint "${endpointName}": ${jobs.map((j) => j.task).join(', ')}`,
      });
    } catch (err) {
      log.warn({ err, suite }, 'evaluation suite not queued');
      out.push({
        suite,
        status: 'failed',
        jobIds: [],
        note: `not queued: ${err instanceof Error ? err.message : String(err)}`,
      });
    }
  }
  log.info({ modelId, suites: out.map((e) => `${e.suite}:${e.status}`) }, 'evaluations requested');
  return out;
}
