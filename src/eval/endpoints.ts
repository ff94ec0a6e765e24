import { randomUUID } from 'node:crypto';
import { NotFoundError, parseAt } from '../common/errors.js';
import { type Logger, silentLogger } from '../common/logger.js';
import type { Store } from '../store/index.js';
import { EndpointClient, type EndpointTarget } from './endpoint-client.js';
import { EvaluationError } from './errors.js';
import { probeEndpoint } from './probe-endpoint.js';
import {
  type Capabilities,
  CapabilitiesSchema,
  type Endpoint,
  type EndpointInput,
  EndpointInputSchema,
} from './schemas.js';

type Row = {
  id: string;
  name: string;
  base_url: string;
  model: string;
  api_key_env: string | null;
  capabilities: string | null;
  created_at: string;
};

function toEndpoint(r: Row): Endpoint {
  return {
    id: r.id,
    name: r.name,
    baseUrl: r.base_url,
    model: r.model,
    ...(r.api_key_env && { apiKeyEnv: r.api_key_env }),
    capabilities: r.capabilities
      ? parseAt(CapabilitiesSchema, JSON.parse(r.capabilities), { field: 'capabilities' })
      : null,
    createdAt: r.created_at,
  };
}

/** Registers an endpoint. The API key is named by an env var; the key itself is never stored. */
export async function addEndpoint(store: Store, input: EndpointInput): Promise<Endpoint> {
  const e = parseAt(EndpointInputSchema, input);
  const exists = await store.db
    .selectFrom('eval_endpoints')
    .select('id')
    .where('name', '=', e.name)
    .executeTakeFirst();
  if (exists)
    throw new EvaluationError(
      'AB_EVAL_ENDPOINT_EXISTS',
      `an endpoint named "${e.name}" exists; pick another name`,
      { field: 'name' },
      { status: 409 },
    );
  const now = new Date().toISOString();
  const row: Row & { updated_at: string } = {
    id: randomUUID(),
    name: e.name,
    base_url: e.baseUrl,
    model: e.model,
    api_key_env: e.apiKeyEnv ?? null,
    capabilities: null,
    created_at: now,
    updated_at: now,
  };
  await store.db.insertInto('eval_endpoints').values(row).execute();
  return toEndpoint(row);
}

/**
 * The endpoint named `input.name`, registered if missing and re-pointed if its URL or model
 * changed (its capabilities are then probed again). Idempotent: built-in endpoints use it.
 */
export async function ensureEndpoint(store: Store, input: EndpointInput): Promise<Endpoint> {
  const e = parseAt(EndpointInputSchema, input);
  const row = await store.db
    .selectFrom('eval_endpoints')
    .selectAll()
    .where('name', '=', e.name)
    .executeTakeFirst();
  if (!row) return addEndpoint(store, e);
  const apiKeyEnv = e.apiKeyEnv ?? null;
  if (row.base_url === e.baseUrl && row.model === e.model && row.api_key_env === apiKeyEnv)
    return toEndpoint(row);
  const changed = { base_url: e.baseUrl, model: e.model, api_key_env: apiKeyEnv, capabilities: null };
  await store.db
    .updateTable('eval_endpoints')
    .set({ ...changed, updated_at: new Date().toISOString() })
    .where('id', '=', row.id)
    .execute();
  return toEndpoint({ ...row, ...changed });
}

export async function listEndpoints(store: Store): Promise<Endpoint[]> {
  const rows = await store.db.selectFrom('eval_endpoints').selectAll().orderBy('name').execute();
  return rows.map(toEndpoint);
}

/** By name or id. */
export async function getEndpoint(store: Store, nameOrId: string): Promise<Endpoint> {
  const row = await store.db
    .selectFrom('eval_endpoints')
    .selectAll()
    .where((eb) => eb.or([eb('name', '=', nameOrId), eb('id', '=', nameOrId)]))
    .executeTakeFirst();
  if (!row)
    throw new NotFoundError(
      'AB_EVAL_ENDPOINT_NOT_FOUND',
      `no endpoint "${nameOrId}"; list them with \`alignboard eval endpoint list\``,
      { field: 'endpoint' },
    );
  return toEndpoint(row);
}

/** The client target, with the key read from the named env var (never from the store). */
export function resolveEndpointTarget(
  e: Pick<Endpoint, 'name' | 'baseUrl' | 'model' | 'apiKeyEnv'>,
  env: NodeJS.ProcessEnv = process.env,
): EndpointTarget {
  let apiKey: string | undefined;
  if (e.apiKeyEnv) {
    apiKey = env[e.apiKeyEnv];
    if (!apiKey)
      throw new EvaluationError(
        'AB_EVAL_API_KEY_MISSING',
        `endpoint "${e.name}" reads its key from $${e.apiKeyEnv}, which is not set`,
        { field: 'apiKeyEnv' },
      );
  }
  return { name: e.name, baseUrl: e.baseUrl, model: e.model, ...(apiKey && { apiKey }) };
}

/** Probes an endpoint's capabilities and records them. */
export async function probeAndSaveEndpoint(
  store: Store,
  nameOrId: string,
  opts: { env?: NodeJS.ProcessEnv; log?: Logger; signal?: AbortSignal } = {},
): Promise<Endpoint> {
  const e = await getEndpoint(store, nameOrId);
  const client = new EndpointClient(resolveEndpointTarget(e, opts.env), { timeoutMs: 30_000 });
  let caps: Capabilities;
  try {
    caps = await probeEndpoint(client, { signal: opts.signal });
  } finally {
    client.close();
  }
  (opts.log ?? silentLogger).info(
    { endpoint: e.name, server: caps.server, promptLogprobs: caps.promptLogprobs },
    'endpoint probed',
  );
  await store.db
    .updateTable('eval_endpoints')
    .set({ capabilities: JSON.stringify(caps), updated_at: new Date().toISOString() })
    .where('id', '=', e.id)
    .execute();
  return { ...e, capabilities: caps };
}
