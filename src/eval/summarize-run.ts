import { NotFoundError } from '../common/errors.js';
import type { Store } from '../store/index.js';
import type { SampleRecord } from './run-eval.js';
import {
  type Battle,
  bradleyTerryWithIntervals,
  type MetricSummary,
  type Rating,
  summarizeMetric,
} from './statistics.js';

export interface RunSummary {
  samples: number;
  metrics: Record<string, MetricSummary>;
  /** Samples whose reasoning block never closed (scored as empty answers). */
  truncatedReasoning: number;
  /** Pairwise judging: Bradley–Terry ratings (Elo scale, baseline at 1000) with bootstrap intervals. */
  ratings?: Record<string, Rating>;
  /** Pairwise judging: position-swapped verdicts that disagreed (counted as ties). */
  inconsistentVerdicts?: number;
  /** Pairwise judging: samples scored as a tie (a tie verdict, or inconsistent across the swap). */
  ties?: number;
  /** Judged tasks: judge replies whose verdict could not be read; their samples lack that score. */
  unreadableVerdicts?: number;
}

export async function listSampleRecords(store: Store, runId: string): Promise<SampleRecord[]> {
  const rows = await store.db
    .selectFrom('eval_samples')
    .select(['record'])
    .where('run_id', '=', runId)
    .orderBy('sample_index')
    .execute();
  return rows.map((r) => JSON.parse(r.record) as SampleRecord);
}

/**
 * Per metric: mean, standard error and a seeded bootstrap 95% interval over the stored samples.
 * Multi-turn tasks also get each metric per turn (`judge_score_turn_2`); the metric itself is the
 * mean over every scored turn, as FastChat's MT-Bench "average" is.
 */
export function summarizeRecords(records: readonly SampleRecord[], opts: { seed?: number } = {}): RunSummary {
  const byMetric = new Map<string, number[]>();
  const add = (k: string, v: number) => {
    const xs = byMetric.get(k);
    if (xs) xs.push(v);
    else byMetric.set(k, [v]);
  };
  for (const r of records)
    for (const [k, v] of Object.entries(r.scores)) {
      add(k, v);
      if (r.turn !== undefined) add(`${k}_turn_${r.turn}`, v);
    }
  const summary: RunSummary = {
    samples: records.length,
    metrics: Object.fromEntries(
      [...byMetric].map(([k, xs]) => [k, summarizeMetric(xs, { seed: opts.seed ?? 1234 })]),
    ),
    truncatedReasoning: records.filter((r) => r.isTruncatedReasoning).length,
  };
  const judged = records.filter((r) => r.judge !== undefined);
  if (judged.length > 0)
    summary.unreadableVerdicts = judged.reduce((n, r) => n + (r.judge?.unreadable ?? 0), 0);
  const pairwise = records.filter((r) => r.judge?.outcome !== null && r.judge?.outcome !== undefined);
  if (pairwise.length > 0) {
    const battles: Battle[] = pairwise.map((r) => ({
      a: 'candidate',
      b: 'baseline',
      outcome: r.judge?.outcome as number,
    }));
    summary.ratings = bradleyTerryWithIntervals(battles, {
      anchor: 'baseline',
      seed: opts.seed ?? 1234,
      rounds: 500,
    });
    summary.inconsistentVerdicts = pairwise.filter((r) => r.judge?.isInconsistent).length;
    summary.ties = pairwise.filter((r) => r.judge?.outcome === 0.5).length;
  }
  return summary;
}

export async function summarizeRun(store: Store, runId: string): Promise<RunSummary> {
  const run = await store.db.selectFrom('eval_runs').select('id').where('id', '=', runId).executeTakeFirst();
  if (!run) throw new NotFoundError('AB_EVAL_RUN_NOT_FOUND', `no run "${runId}"`, { field: 'runId' });
  return summarizeRecords(await listSampleRecords(store, runId));
}
