import { getModel } from '../registry/index.js';
import type { Store } from '../store/index.js';
import type { EvalContract } from './build-contract.js';
import type { RunRow } from './hub-schemas.js';
import type { RunSummary } from './summarize-run.js';

export interface StoredRun extends RunRow {
  contract: EvalContract;
  taskSpec: string;
}

/** Runs joined with their job and registry model, newest first. */
export async function listRunRows(
  store: Store,
  opts: { ids?: string[]; statuses?: string[]; limit?: number } = {},
): Promise<StoredRun[]> {
  let q = store.db
    .selectFrom('eval_runs as r')
    .leftJoin('eval_run_links as l', 'l.run_id', 'r.id')
    .select([
      'r.id',
      'r.task_name',
      'r.task_spec',
      'r.model',
      'r.endpoint_id',
      'r.status',
      'r.total',
      'r.contract',
      'r.contract_hash',
      'r.summary',
      'r.created_at',
      'l.job_id',
      'l.model_id',
    ])
    .orderBy('r.created_at', 'desc')
    .limit(opts.limit ?? 1000);
  if (opts.ids) q = q.where('r.id', 'in', opts.ids.length ? opts.ids : ['']);
  if (opts.statuses) q = q.where('r.status', 'in', opts.statuses);
  const rows = await q.execute();
  const names = new Map<string, string | null>();
  for (const id of new Set(rows.map((r) => r.model_id).filter((x): x is string => !!x))) {
    const m = await getModel(store, id).catch(() => null);
    names.set(id, m ? `${m.name}@${m.version}` : null);
  }
  return rows.map((r) => ({
    id: r.id,
    taskName: r.task_name,
    model: r.model,
    modelId: r.model_id ?? null,
    modelName: r.model_id ? (names.get(r.model_id) ?? null) : null,
    endpointId: r.endpoint_id,
    jobId: r.job_id ?? null,
    status: r.status,
    total: Number(r.total),
    contractHash: r.contract_hash,
    summary: r.summary ? (JSON.parse(r.summary) as RunSummary) : null,
    createdAt: r.created_at,
    contract: JSON.parse(r.contract) as EvalContract,
    taskSpec: r.task_spec,
  }));
}

/** The number a leaderboard shows for a run: the task's first metric under its first filter. */
export function primaryMetric(contract: EvalContract, summary: RunSummary | null): string | null {
  if (!summary) return null;
  const keys = Object.keys(summary.metrics);
  const metrics = Array.isArray(contract.scoring.metrics)
    ? (contract.scoring.metrics as { metric?: unknown }[])
    : [];
  const filters = Array.isArray(contract.scoring.filters)
    ? (contract.scoring.filters as { name?: unknown }[])
    : [];
  const m = typeof metrics[0]?.metric === 'string' ? metrics[0].metric : undefined;
  const f = typeof filters[0]?.name === 'string' ? filters[0].name : undefined;
  const candidates = [m && f ? `${m},${f}` : undefined, m, ...keys.sort()];
  return candidates.find((k): k is string => k !== undefined && keys.includes(k)) ?? null;
}

export function toRunRow(r: StoredRun): RunRow {
  const { contract: _c, taskSpec: _t, ...row } = r;
  return row;
}

/** Runs for the hub's lists, newest first. */
export async function listHubRuns(store: Store, opts: { limit?: number } = {}): Promise<RunRow[]> {
  return (await listRunRows(store, { limit: opts.limit ?? 200 })).map(toRunRow);
}
