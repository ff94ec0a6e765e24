import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { ApiError } from '../../api/client';
import { type TrainRun, useStartTrainRun, useTrainRuns } from '../../api/train';
import { ErrorBoundary } from '../../components/error-boundary';
import { PageHeader } from '../../components/page-header';
import { StatusBadge } from '../../components/status-badge';
import { trainingRunHref } from '../../paths';
import { RUN_TONE } from './run-status';

/** Every training run, newest first, and a form that starts a new run from a recipe. */
export function TrainingRunsPage() {
  const runs = useTrainRuns();
  if (runs.isError) throw runs.error;
  return (
    <section>
      <PageHeader title="Training">
        <p className="muted">
          Runs start after preflight: <code>alignboard train run RECIPE.yaml</code>
        </p>
      </PageHeader>
      <ErrorBoundary area="Runs">
        {runs.data?.length === 0 && <p className="card muted">No training runs yet.</p>}
        {runs.data && runs.data.length > 0 && <RunsTable runs={runs.data} />}
      </ErrorBoundary>
      <ErrorBoundary area="New run">
        <NewRunForm runs={runs.data ?? []} />
      </ErrorBoundary>
    </section>
  );
}

function RunsTable({ runs }: { runs: TrainRun[] }) {
  return (
    <table className="table" aria-label="Training runs">
      <thead>
        <tr>
          <th>Run</th>
          <th>Algorithm</th>
          <th>Engine / executor</th>
          <th>Status</th>
          <th className="num">Step</th>
          <th className="num">Loss</th>
          <th>Created</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((r) => (
          <tr key={r.id}>
            <td>
              <Link to={trainingRunHref(r.id)}>{r.name}</Link>
            </td>
            <td>{r.algorithm}</td>
            <td>
              {r.engine} / {r.executor}
            </td>
            <td>
              <StatusBadge tone={RUN_TONE[r.status] ?? 'neutral'}>{r.status}</StatusBadge>
            </td>
            <td className="num">
              {r.lastStep ?? '–'}
              {r.totalSteps ? `/${r.totalSteps}` : ''}
            </td>
            <td className="num">{r.metricsSummary?.loss?.toFixed(4) ?? '–'}</td>
            <td>{r.createdAt.slice(0, 19).replace('T', ' ')}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A recipe (typed, or taken from an earlier run) goes to the server; preflight decides. */
function NewRunForm({ runs }: { runs: TrainRun[] }) {
  const [recipe, setRecipe] = useState('');
  const [override, setOverride] = useState(false);
  const start = useStartTrainRun();
  const navigate = useNavigate();
  const error = start.error instanceof ApiError ? start.error : null;
  return (
    <form
      className="card"
      aria-label="New run"
      onSubmit={(e) => {
        e.preventDefault();
        start.mutate({ recipe, override }, { onSuccess: (r) => navigate(trainingRunHref(r.run.id)) });
      }}
    >
      <h2>New run</h2>
      <label>
        Start from{' '}
        <select
          aria-label="Start from"
          value=""
          onChange={(e) => setRecipe(runs.find((r) => r.id === e.target.value)?.recipe ?? recipe)}
        >
          <option value="">an earlier run's recipe…</option>
          {runs.map((r) => (
            <option key={r.id} value={r.id}>
              {r.name} ({r.id.slice(0, 8)})
            </option>
          ))}
        </select>
      </label>
      <textarea
        aria-label="Recipe"
        rows={14}
        spellCheck={false}
        value={recipe}
        onChange={(e) => setRecipe(e.target.value)}
        style={{ width: '100%', fontFamily: 'monospace' }}
      />
      <label>
        <input type="checkbox" checked={override} onChange={(e) => setOverride(e.target.checked)} /> Override
        a failed preflight (recorded in the run and the lineage)
      </label>{' '}
      <button type="submit" disabled={!recipe.trim() || start.isPending}>
        Run preflight and start
      </button>
      {error && (
        <p role="alert" className="error">
          <code>{error.code}</code> {error.message}
        </p>
      )}
    </form>
  );
}
