import './evaluations.css';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useLeaderboard } from '../../api/eval';
import { ErrorBoundary } from '../../components/error-boundary';
import { IntervalBars } from '../../components/interval-bars';
import { LeaderboardTable } from '../../components/leaderboard-table';
import { PageHeader } from '../../components/page-header';
import { paths } from '../../paths';

/** Models × tasks, one table per evaluation contract; filters and the baseline live in the URL. */
export function LeaderboardPage() {
  const [params, setParams] = useSearchParams();
  const get = (k: string) => params.get(k) ?? '';
  const set = (k: string, v: string) => {
    const next = new URLSearchParams(params);
    if (v) next.set(k, v);
    else next.delete(k);
    setParams(next, { replace: true });
  };
  const board = useLeaderboard({
    task: get('task') || undefined,
    family: get('family') || undefined,
    owner: get('owner') || undefined,
    tag: get('tag') || undefined,
    baseline: get('baseline') || undefined,
  });
  const [sortTask, setSortTask] = useState<string | null>(null);
  const groups = board.data?.groups ?? [];
  const reference = groups.find((g) => g.isReference);
  const models = reference?.rows ?? [];
  const firstTask = reference?.tasks[0]?.task;
  return (
    <div>
      <PageHeader title="Leaderboard">
        <p className="muted">
          Scores with 95% intervals. Numbers are only shown side by side when the evaluation contract is the
          same; runs under another contract get their own table that names the difference.{' '}
          <Link to={paths.evaluations.path}>Run an evaluation</Link>
        </p>
      </PageHeader>
      <div className="filters card">
        {(['task', 'family', 'owner', 'tag'] as const).map((k) => (
          <label key={k}>
            {k}{' '}
            <input
              className="input"
              value={get(k)}
              onChange={(e) => set(k, e.target.value)}
              aria-label={`Filter by ${k}`}
            />
          </label>
        ))}
        <label>
          baseline{' '}
          <select
            className="input"
            value={get('baseline')}
            onChange={(e) => set('baseline', e.target.value)}
            aria-label="Baseline model"
          >
            <option value="">none</option>
            {models.map((m) => (
              <option key={m.key} value={m.key}>
                {m.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorBoundary area="Leaderboard">
        {board.isLoading ? <p className="muted">Loading…</p> : null}
        {board.error ? <p role="alert">{(board.error as Error).message}</p> : null}
        {board.data && groups.length === 0 ? <p className="muted">No finished runs yet.</p> : null}
        {groups.map((g) => (
          <LeaderboardTable key={g.id} group={g} sortTask={sortTask} onSort={setSortTask} />
        ))}
        {reference && firstTask ? (
          <IntervalBars
            title={`${firstTask} (reference contract)`}
            bars={reference.rows.flatMap((r) => {
              const c = r.cells[firstTask];
              return c ? [{ label: r.label, value: c.score, low: c.ci95[0], high: c.ci95[1] }] : [];
            })}
          />
        ) : null}
      </ErrorBoundary>
    </div>
  );
}
