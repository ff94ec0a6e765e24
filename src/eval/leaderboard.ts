import { parseAt } from '../common/errors.js';
import { getModel, type ModelDetail } from '../registry/index.js';
import type { Store } from '../store/index.js';
import { describeDifferences, diffContracts, type EvalContract } from './build-contract.js';
import { compareRuns } from './compare-runs.js';
import {
  type ContractGroup,
  type Leaderboard,
  type LeaderboardCell,
  type LeaderboardQuery,
  LeaderboardQuerySchema,
  type LeaderboardRow,
} from './hub-schemas.js';
import { listRunRows, primaryMetric, type StoredRun } from './run-rows.js';

const rowKey = (r: StoredRun) => r.modelId ?? `endpoint:${r.endpointId}`;

/**
 * Models × tasks, grouped by evaluation contract. For each task the contract with the most runs
 * is the reference; the reference contracts of all tasks form the main table, and every other
 * contract forms its own group that names what differs from the reference — numbers from two
 * contracts are never put in one column. With a baseline, each cell carries its paired delta
 * against the baseline's run under the same contract.
 */
export async function buildLeaderboard(store: Store, query: LeaderboardQuery = {}): Promise<Leaderboard> {
  const q = parseAt(LeaderboardQuerySchema, query, { field: 'query' });
  let runs = await listRunRows(store, { statuses: ['finished', 'incomplete'] });
  if (q.task) runs = runs.filter((r) => r.taskName === q.task);
  const models = new Map<string, ModelDetail | null>();
  for (const id of new Set(runs.map((r) => r.modelId).filter((x): x is string => !!x)))
    models.set(id, await getModel(store, id).catch(() => null));
  if (q.family || q.owner || q.tag) {
    runs = runs.filter((r) => {
      const m = r.modelId ? models.get(r.modelId) : null;
      if (!m) return false;
      return (
        (!q.family || m.family === q.family) &&
        (!q.owner || m.owner === q.owner) &&
        (!q.tag || m.tags.includes(q.tag))
      );
    });
  }

  // task → contract hash → runs (newest first, as listed)
  const byTask = new Map<string, Map<string, StoredRun[]>>();
  for (const r of runs) {
    const byHash = byTask.get(r.taskName) ?? new Map<string, StoredRun[]>();
    byHash.set(r.contractHash, [...(byHash.get(r.contractHash) ?? []), r]);
    byTask.set(r.taskName, byHash);
  }
  const reference = new Map<string, { hash: string; contract: EvalContract }>();
  for (const [task, byHash] of byTask) {
    const [hash, list] = [...byHash].sort(
      (a, b) =>
        b[1].length - a[1].length ||
        (a[1].at(-1)?.createdAt ?? '').localeCompare(b[1].at(-1)?.createdAt ?? ''),
    )[0] as [string, StoredRun[]];
    reference.set(task, { hash, contract: (list[0] as StoredRun).contract });
  }

  const baselineKey = q.baseline ?? null;
  async function cellOf(run: StoredRun, sameContract: StoredRun[]): Promise<LeaderboardCell | null> {
    const metric = primaryMetric(run.contract, run.summary);
    const s = metric ? run.summary?.metrics[metric] : undefined;
    if (!metric || !s) return null;
    let delta: LeaderboardCell['delta'] = null;
    const base = baselineKey ? sameContract.find((x) => rowKey(x) === baselineKey) : undefined;
    if (base && base.id !== run.id) {
      const cmp = await compareRuns(store, base.id, run.id);
      const m = cmp.metrics.find((x) => x.metric === metric);
      if (m) {
        const pValue = m.mcnemar?.pValue ?? null;
        const isSignificant = pValue !== null ? pValue < 0.05 : m.paired.ci95[0] > 0 || m.paired.ci95[1] < 0;
        delta = { diff: m.paired.diff, ci95: m.paired.ci95, pValue, isSignificant };
      }
    }
    return { runId: run.id, metric, score: s.mean, ci95: s.ci95, n: s.n, delta };
  }

  function rowShell(run: StoredRun): LeaderboardRow {
    const m = run.modelId ? models.get(run.modelId) : null;
    return {
      key: rowKey(run),
      label: m ? `${m.name}@${m.version}` : `${run.model} (endpoint)`,
      modelId: run.modelId,
      family: m?.family ?? null,
      parameterCount: m?.parameterCount ?? null,
      owner: m?.owner ?? null,
      tags: m?.tags ?? [],
      cells: {},
    };
  }

  async function buildRows(entries: { task: string; runs: StoredRun[] }[]): Promise<LeaderboardRow[]> {
    const rows = new Map<string, LeaderboardRow>();
    for (const { task, runs: list } of entries) {
      // Newest run of each model under this contract.
      const latest = new Map<string, StoredRun>();
      for (const r of list) if (!latest.has(rowKey(r))) latest.set(rowKey(r), r);
      for (const [key, run] of latest) {
        const cell = await cellOf(run, [...latest.values()]);
        if (!cell) continue;
        const row = rows.get(key) ?? rowShell(run);
        row.cells[task] = cell;
        rows.set(key, row);
      }
    }
    return [...rows.values()];
  }

  const groups: ContractGroup[] = [];
  const tasks = [...byTask.keys()].sort();
  const mainEntries = tasks.map((task) => ({
    task,
    runs: byTask.get(task)?.get(reference.get(task)?.hash ?? '') ?? [],
  }));
  if (mainEntries.length > 0) {
    groups.push({
      id: 'reference',
      isReference: true,
      tasks: mainEntries.map((e) => ({ task: e.task, contractHash: reference.get(e.task)?.hash ?? '' })),
      differences: [],
      statement: null,
      rows: await buildRows(mainEntries),
    });
  }
  for (const task of tasks) {
    const ref = reference.get(task);
    for (const [hash, list] of byTask.get(task) ?? []) {
      if (!ref || hash === ref.hash) continue;
      const differences = diffContracts(ref.contract, (list[0] as StoredRun).contract);
      groups.push({
        id: hash,
        isReference: false,
        tasks: [{ task, contractHash: hash }],
        differences,
        statement: describeDifferences(differences),
        rows: await buildRows([{ task, runs: list }]),
      });
    }
  }
  return { groups, baseline: baselineKey };
}
