import { Link } from 'react-router';
import type { ContractGroup, LeaderboardRow } from '../api/eval';
import { evalRunHref, modelHref } from '../paths';

const fmt = (v: number) => v.toFixed(3);

/**
 * One contract group of the leaderboard: rows are models, columns are tasks. A group that is not
 * the reference is marked, and its banner (and each cell's tooltip) names what differs.
 */
export function LeaderboardTable({
  group,
  sortTask,
  onSort,
}: {
  group: ContractGroup;
  sortTask: string | null;
  onSort: (task: string | null) => void;
}) {
  const tasks = group.tasks.map((t) => t.task);
  const rows = [...group.rows].sort((a, b) => {
    if (!sortTask) return a.label.localeCompare(b.label);
    return (b.cells[sortTask]?.score ?? -1) - (a.cells[sortTask]?.score ?? -1);
  });
  const differs = group.isReference ? undefined : (group.statement ?? 'different contract');
  return (
    <section
      className={`card leaderboard-group${group.isReference ? '' : ' contract-other'}`}
      aria-label={group.isReference ? 'Reference contract' : `Different contract: ${tasks.join(', ')}`}
    >
      {group.isReference ? (
        <h2>Reference contract</h2>
      ) : (
        <div className="contract-banner" title={differs}>
          <strong>Different contract</strong> — not comparable with the reference table.{' '}
          <span className="contract-differences">
            {group.differences.map((d) => (
              <code key={d.field}>
                {d.field}: {JSON.stringify(d.a)} → {JSON.stringify(d.b)}
              </code>
            ))}
          </span>
        </div>
      )}
      <table className="table leaderboard-table">
        <thead>
          <tr>
            <th>
              <button type="button" className="link-button" onClick={() => onSort(null)}>
                Model
              </button>
            </th>
            {tasks.map((t) => (
              <th key={t} className="num">
                <button
                  type="button"
                  className="link-button"
                  onClick={() => onSort(t)}
                  aria-label={`Sort by ${t}`}
                >
                  {t}
                  {sortTask === t ? ' ▼' : ''}
                </button>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <Row key={r.key} row={r} tasks={tasks} differs={differs} />
          ))}
        </tbody>
      </table>
    </section>
  );
}

function Row({ row, tasks, differs }: { row: LeaderboardRow; tasks: string[]; differs: string | undefined }) {
  return (
    <tr>
      <td>
        {row.modelId ? <Link to={modelHref(row.modelId)}>{row.label}</Link> : row.label}
        {row.family ? <span className="muted"> · {row.family}</span> : null}
      </td>
      {tasks.map((t) => {
        const c = row.cells[t];
        if (!c)
          return (
            <td key={t} className="num muted">
              —
            </td>
          );
        return (
          <td key={t} className="num" title={differs ? `${c.metric} — ${differs}` : c.metric}>
            <Link to={evalRunHref(c.runId)}>{fmt(c.score)}</Link>
            <span className="muted ci">
              {' '}
              [{fmt(c.ci95[0])}, {fmt(c.ci95[1])}] n={c.n}
            </span>
            {c.delta ? (
              <span
                className={`delta ${c.delta.isSignificant ? (c.delta.diff < 0 ? 'delta-bad' : 'delta-ok') : ''}`}
              >
                {' '}
                Δ {c.delta.diff >= 0 ? '+' : ''}
                {fmt(c.delta.diff)}
                {c.delta.isSignificant ? ' *' : ''}
              </span>
            ) : null}
          </td>
        );
      })}
    </tr>
  );
}
