import { NotFoundError, parseAt } from '../common/errors.js';
import { diffModels, getModel } from '../registry/index.js';
import { getJob, type Store } from '../store/index.js';
import { type EvalSample, withEarlierAnswers } from './build-samples.js';
import { compareRuns } from './compare-runs.js';
import { toEvalJob } from './hub-runs.js';
import {
  type Comparison,
  type RunDetail,
  type SamplePage,
  type SampleRow,
  type SamplesQuery,
  SamplesQuerySchema,
} from './hub-schemas.js';
import { prepareSamples, type SampleRecord } from './run-eval.js';
import { listRunRows, primaryMetric, type StoredRun, toRunRow } from './run-rows.js';
import { TaskSpecSchema } from './schemas.js';
import { listSampleRecords } from './summarize-run.js';

async function requireRun(store: Store, runId: string): Promise<StoredRun> {
  const [run] = await listRunRows(store, { ids: [runId] });
  if (!run)
    throw new NotFoundError('AB_EVAL_RUN_NOT_FOUND', `no run "${runId}"; the leaderboard lists them`, {
      field: 'runId',
    });
  return run;
}

function flattenContract(value: unknown, prefix: string, out: { field: string; value: string }[]): void {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flattenContract(v, prefix ? `${prefix}.${k}` : k, out);
  } else
    out.push({ field: prefix, value: typeof value === 'string' ? value : (JSON.stringify(value) ?? 'null') });
}

/** A run's page: summary, its contract in readable form, and the job that ran it. */
export async function getRunDetail(store: Store, runId: string): Promise<RunDetail> {
  const run = await requireRun(store, runId);
  const contractFields: { field: string; value: string }[] = [];
  flattenContract(run.contract, '', contractFields);
  const job = run.jobId ? await getJob(store, run.jobId) : undefined;
  return {
    ...toRunRow(run),
    contract: { ...run.contract },
    contractFields,
    primaryMetric: primaryMetric(run.contract, run.summary),
    job: job ? await toEvalJob(store, job) : null,
  };
}

/** Rendered prompts of a run's samples, rebuilt from its task spec (the same code that sent them). */
const promptCache = new Map<string, Map<number, EvalSample>>();
async function samplesOf(run: StoredRun): Promise<Map<number, EvalSample>> {
  const hit = promptCache.get(run.id);
  if (hit) return hit;
  const task = parseAt(TaskSpecSchema, JSON.parse(run.taskSpec), { field: 'task_spec' });
  let samples: EvalSample[] = [];
  try {
    samples = await prepareSamples({ task, limit: run.total });
  } catch {
    // The dataset moved or is gone: the page still shows responses and scores, without prompts.
    samples = [];
  }
  const map = new Map(samples.map((s) => [s.index, s]));
  if (promptCache.size > 20) promptCache.delete(promptCache.keys().next().value as string);
  promptCache.set(run.id, map);
  return map;
}

const asText = (v: unknown): string => (typeof v === 'string' ? v : (JSON.stringify(v) ?? ''));

/** What was sent: the prompt, or for a later turn the conversation with the stored earlier answers. */
function promptText(s: EvalSample | undefined, records: ReadonlyMap<number, SampleRecord>): string {
  if (!s) return '';
  const earlier = s.turn?.earlierQuestions ?? [];
  if (earlier.length === 0) return s.prompt || s.messages.map((m) => `${m.role}: ${m.content}`).join('\n\n');
  // A conversation's turns have consecutive indices.
  const answers = earlier.map((_, k) => records.get(s.index - earlier.length + k)?.responses[0] ?? '');
  return withEarlierAnswers(s, answers)
    .messages.map((m) => `${m.role}: ${m.content}`)
    .join('\n\n');
}

const byIndex = (records: readonly SampleRecord[]) => new Map(records.map((r) => [r.index, r]));

function toSampleRow(
  r: SampleRecord,
  s: EvalSample | undefined,
  metric: string | null,
  records: ReadonlyMap<number, SampleRecord>,
): SampleRow {
  return {
    index: r.index,
    id: r.id,
    turn: r.turn ?? null,
    prompt: promptText(s, records),
    response: r.responses[0] ?? (r.extracted.pred !== undefined ? r.extracted.pred : ''),
    extracted: r.extracted,
    target: asText(r.target),
    scores: r.scores,
    score: metric !== null ? (r.scores[metric] ?? null) : null,
    judgeRationale: r.judge ? asText((r.judge as { rationale?: unknown }).rationale ?? r.judge) : null,
  };
}

/** The per-sample table with its filters: wrong only, flipped versus another run, and search. */
export async function listRunSamples(store: Store, runId: string, query: SamplesQuery): Promise<SamplePage> {
  const q = parseAt(SamplesQuerySchema, query, { field: 'query' });
  const run = await requireRun(store, runId);
  const metric = q.metric ?? primaryMetric(run.contract, run.summary);
  const prompts = await samplesOf(run);
  let records = await listSampleRecords(store, run.id);
  const all = byIndex(records);
  if (q.wrongOnly === 'true' && metric) records = records.filter((r) => (r.scores[metric] ?? 0) < 1);
  if (q.flippedVs && metric) {
    const other = new Map((await listSampleRecords(store, q.flippedVs)).map((r) => [r.id, r]));
    records = records.filter((r) => {
      const o = other.get(r.id);
      return o !== undefined && o.scores[metric] !== r.scores[metric];
    });
  }
  let rows = records.map((r) => toSampleRow(r, prompts.get(r.index), metric, all));
  if (q.q) {
    const needle = q.q.toLowerCase();
    rows = rows.filter((r) =>
      [r.prompt, r.response, r.target, ...Object.values(r.extracted)].some((t) =>
        t.toLowerCase().includes(needle),
      ),
    );
  }
  return { total: rows.length, items: rows.slice(q.offset, q.offset + q.limit) };
}

/**
 * Two runs side by side: per-metric deltas with paired statistics (refusal stated when the
 * contracts differ), every shared item with both answers (flipped ones first), and what differs
 * between the two registry models.
 */
export async function compareHubRuns(store: Store, a: string, b: string): Promise<Comparison> {
  const ra = await requireRun(store, a);
  const rb = await requireRun(store, b);
  const cmp = await compareRuns(store, ra.id, rb.id, { allowIncomparable: true });
  const metric = primaryMetric(ra.contract, ra.summary);
  const pa = await samplesOf(ra);
  const recA = await listSampleRecords(store, ra.id);
  const allA = byIndex(recA);
  const recB = new Map((await listSampleRecords(store, rb.id)).map((r) => [r.id, r]));
  const items: Comparison['items'] = [];
  for (const x of recA) {
    const y = recB.get(x.id);
    if (!y) continue;
    const sa = metric ? (x.scores[metric] ?? 0) : 0;
    const sb = metric ? (y.scores[metric] ?? 0) : 0;
    const ex = (r: SampleRecord) =>
      (metric?.includes(',') ? r.extracted[metric.split(',')[1] ?? ''] : r.extracted.pred) ?? '';
    const ansA = x.responses[0] ?? ex(x);
    const ansB = y.responses[0] ?? ex(y);
    items.push({
      id: x.id,
      isFlipped: sa !== sb,
      isSameAnswer: ansA === ansB,
      prompt: promptText(pa.get(x.index), allA),
      target: asText(x.target),
      a: { response: ansA, extracted: ex(x), score: sa },
      b: { response: ansB, extracted: ex(y), score: sb },
    });
  }
  items.sort((p, q) => Number(q.isFlipped) - Number(p.isFlipped));
  let modelDifferences: Comparison['modelDifferences'] = [];
  if (ra.modelId && rb.modelId && ra.modelId !== rb.modelId) {
    const diff = await diffModels(store, [ra.modelId, rb.modelId], { onlyDifferences: true }).catch(
      () => null,
    );
    modelDifferences = (diff?.rows ?? [])
      .filter((r) => r.isDifferent)
      .map((r) => ({
        section: r.section,
        field: r.field,
        a: asText(r.values[0] ?? null),
        b: asText(r.values[1] ?? null),
      }));
  }
  return {
    a: toRunRow(ra),
    b: toRunRow(rb),
    comparable: cmp.comparable,
    differences: cmp.differences,
    statement: cmp.statement,
    metrics: cmp.metrics.map(({ flipped: _f, ...m }) => m),
    primaryMetric: metric,
    flippedCount: items.filter((i) => i.isFlipped).length,
    items: items.slice(0, 500),
    modelDifferences,
  };
}

/** A regression: the run is significantly worse than the model's baseline under the same contract. */
export interface Regression {
  runId: string;
  modelId: string;
  modelName: string;
  owner: string | null;
  baselineModelId: string;
  baselineRunId: string;
  task: string;
  metric: string;
  diff: number;
  ci95: [number, number];
  pValue: number | null;
}

/**
 * Regression watch: when a finished run's model has a baseline, compares the run with the
 * baseline's newest run under the same contract; significantly worse (paired interval below zero,
 * or McNemar p < 0.05 with a negative difference) is a regression.
 */
export async function checkRegression(store: Store, runId: string): Promise<Regression | null> {
  const run = await requireRun(store, runId);
  if (!run.modelId || run.status !== 'finished') return null;
  const binding = await store.db
    .selectFrom('eval_bindings')
    .select('baseline_model_id')
    .where('model_id', '=', run.modelId)
    .executeTakeFirst();
  const baselineId = binding?.baseline_model_id;
  if (!baselineId) return null;
  const candidates = await listRunRows(store, { statuses: ['finished'] });
  const base = candidates.find((r) => r.modelId === baselineId && r.contractHash === run.contractHash);
  const metric = primaryMetric(run.contract, run.summary);
  if (!base || !metric) return null;
  const cmp = await compareRuns(store, base.id, run.id);
  const m = cmp.metrics.find((x) => x.metric === metric);
  if (!m) return null;
  const isWorse =
    m.paired.diff < 0 && (m.paired.ci95[1] < 0 || (m.mcnemar !== null && m.mcnemar.pValue < 0.05));
  if (!isWorse) return null;
  const model = await getModel(store, run.modelId);
  return {
    runId: run.id,
    modelId: model.id,
    modelName: `${model.name}@${model.version}`,
    owner: model.owner,
    baselineModelId: baselineId,
    baselineRunId: base.id,
    task: run.taskName,
    metric,
    diff: m.paired.diff,
    ci95: m.paired.ci95,
    pValue: m.mcnemar?.pValue ?? null,
  };
}
