import { NotFoundError } from '../common/errors.js';
import type { Store } from '../store/index.js';
import {
  assertComparable,
  type ContractDifference,
  describeDifferences,
  diffContracts,
  type EvalContract,
} from './build-contract.js';
import type { SampleRecord } from './run-eval.js';
import { type McNemar, mcnemar, type PairedDiff, pairedBootstrap } from './statistics.js';
import { listSampleRecords, type RunSummary } from './summarize-run.js';

export interface RunInfo {
  id: string;
  taskName: string;
  model: string;
  endpointId: string;
  status: string;
  total: number;
  contractHash: string;
  contract: EvalContract;
  summary: RunSummary | null;
  createdAt: string;
}

export async function getRun(store: Store, runId: string): Promise<RunInfo> {
  const r = await store.db.selectFrom('eval_runs').selectAll().where('id', '=', runId).executeTakeFirst();
  if (!r)
    throw new NotFoundError(
      'AB_EVAL_RUN_NOT_FOUND',
      `no run "${runId}"; list them with \`alignboard eval list\``,
      { field: 'runId' },
    );
  return {
    id: r.id,
    taskName: r.task_name,
    model: r.model,
    endpointId: r.endpoint_id,
    status: r.status,
    total: r.total,
    contractHash: r.contract_hash,
    contract: JSON.parse(r.contract) as EvalContract,
    summary: r.summary ? (JSON.parse(r.summary) as RunSummary) : null,
    createdAt: r.created_at,
  };
}

export async function listRuns(store: Store): Promise<Omit<RunInfo, 'contract'>[]> {
  const rows = await store.db
    .selectFrom('eval_runs')
    .selectAll()
    .orderBy('created_at', 'desc')
    .limit(500)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    taskName: r.task_name,
    model: r.model,
    endpointId: r.endpoint_id,
    status: r.status,
    total: r.total,
    contractHash: r.contract_hash,
    summary: r.summary ? (JSON.parse(r.summary) as RunSummary) : null,
    createdAt: r.created_at,
  }));
}

export interface MetricComparison {
  metric: string;
  a: number;
  b: number;
  paired: PairedDiff;
  mcnemar: McNemar | null;
  /** Items scored differently: right in A only, right in B only. */
  flipped: { toA: string[]; toB: string[] };
}

export interface RunComparison {
  a: string;
  b: string;
  comparable: boolean;
  differences: ContractDifference[];
  /** Set when incomparable runs were shown anyway: "incomparable: X differs". */
  statement: string | null;
  metrics: MetricComparison[];
}

/**
 * Compares two runs item by item. Runs under different contracts are refused with every
 * differing field named, unless `allowIncomparable` is set, in which case the comparison carries
 * the "incomparable: X differs" statement.
 */
export async function compareRuns(
  store: Store,
  runA: string,
  runB: string,
  opts: { allowIncomparable?: boolean; seed?: number } = {},
): Promise<RunComparison> {
  const a = await getRun(store, runA);
  const b = await getRun(store, runB);
  const differences = diffContracts(a.contract, b.contract);
  if (!opts.allowIncomparable) assertComparable(a.contract, b.contract);
  const ra = await listSampleRecords(store, a.id);
  const rb = new Map((await listSampleRecords(store, b.id)).map((r) => [r.id, r]));
  const shared = ra.filter((r) => rb.has(r.id));
  const metricNames = [...new Set(shared.flatMap((r) => Object.keys(r.scores)))].sort();
  const metrics = metricNames.map((metric): MetricComparison => {
    const pairs = shared
      .map((r) => [r, rb.get(r.id) as SampleRecord] as const)
      .filter(([x, y]) => metric in x.scores && metric in y.scores);
    const xs = pairs.map(([x]) => x.scores[metric] as number);
    const ys = pairs.map(([, y]) => y.scores[metric] as number);
    const isBinary = [...xs, ...ys].every((v) => v === 0 || v === 1);
    const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / Math.max(1, v.length);
    return {
      metric,
      a: mean(xs),
      b: mean(ys),
      paired: pairedBootstrap(xs, ys, { seed: opts.seed ?? 1234 }),
      mcnemar: isBinary ? mcnemar(xs, ys) : null,
      flipped: {
        toA: pairs
          .filter(([x, y]) => (x.scores[metric] as number) > (y.scores[metric] as number))
          .map(([x]) => x.id),
        toB: pairs
          .filter(([x, y]) => (x.scores[metric] as number) < (y.scores[metric] as number))
          .map(([x]) => x.id),
      },
    };
  });
  return {
    a: a.id,
    b: b.id,
    comparable: differences.length === 0,
    differences,
    statement: differences.length ? describeDifferences(differences) : null,
    metrics,
  };
}
