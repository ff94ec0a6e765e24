import { Link, useParams } from 'react-router';
import {
  type MetricPoint,
  type TrainRun,
  useRunAction,
  useTrainMetrics,
  useTrainRun,
  useTrainRunEvents,
} from '../../api/train';
import { ErrorBoundary } from '../../components/error-boundary';
import { LineChart, type Series } from '../../components/line-chart';
import { PageHeader } from '../../components/page-header';
import { StatusBadge } from '../../components/status-badge';
import { UntrustedText } from '../../components/untrusted-text';
import { dataVersionHref, evalRunHref, modelHref } from '../../paths';
import { RUN_TONE } from './run-status';

const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2'];

/** The chart groups: which metric names go on which chart. */
const GROUPS: { title: string; isIn: (name: string) => boolean }[] = [
  { title: 'Loss', isIn: (n) => /loss/.test(n) },
  { title: 'Reward', isIn: (n) => /reward|margin|accuracy|win/.test(n) },
  { title: 'KL', isIn: (n) => /(^|_)kl/.test(n) },
];

function seriesOf(points: MetricPoint[], isIn: (name: string) => boolean): Series[] {
  const names = [...new Set(points.flatMap((p) => Object.keys(p.metrics)))].filter(isIn).sort();
  return names.map((name, i) => ({
    name,
    color: COLORS[i % COLORS.length] ?? '#2563eb',
    points: points.flatMap((p) => {
      const y = p.metrics[name];
      return y === undefined ? [] : [{ x: p.step, y }];
    }),
  }));
}

/** One run: status, curves (live while it runs), preflight report, lineage links, recipe and log. */
export function TrainingRunPage() {
  const id = useParams().id ?? '';
  const run = useTrainRun(id);
  const log = useTrainRunEvents(id);
  if (run.isError) throw run.error;
  const r = run.data;
  return (
    <section>
      <PageHeader title={r ? r.name : 'Training run'}>
        {r && (
          <p>
            <code>{r.id}</code> <StatusBadge tone={RUN_TONE[r.status] ?? 'neutral'}>{r.status}</StatusBadge>{' '}
            <RunActions run={r} />
          </p>
        )}
      </PageHeader>
      {r && (
        <>
          <ErrorBoundary area="Run">
            <RunFacts run={r} />
          </ErrorBoundary>
          <ErrorBoundary area="Metrics">
            <Curves id={r.id} />
          </ErrorBoundary>
          <ErrorBoundary area="Preflight">
            <PreflightTable run={r} />
          </ErrorBoundary>
          <div className="card">
            <h2>Recipe</h2>
            <UntrustedText text={r.recipe} label="Recipe" />
          </div>
          <div className="card">
            <h2>Log</h2>
            <UntrustedText text={log || '(no output yet)'} label="Log" />
          </div>
        </>
      )}
    </section>
  );
}

function RunActions({ run }: { run: TrainRun }) {
  const cancel = useRunAction(run.id, 'cancel');
  const resume = useRunAction(run.id, 'resume');
  if (run.status === 'failed' || run.status === 'cancelled')
    return (
      <button type="button" onClick={() => resume.mutate()} disabled={resume.isPending}>
        Resume
      </button>
    );
  if (run.status === 'succeeded' || run.status === 'registering') return null;
  return (
    <button type="button" onClick={() => cancel.mutate()} disabled={cancel.isPending}>
      Cancel
    </button>
  );
}

function RunFacts({ run }: { run: TrainRun }) {
  return (
    <dl className="facts card">
      <dt>Algorithm</dt>
      <dd>{run.algorithm}</dd>
      <dt>Engine / executor</dt>
      <dd>
        {run.engine} / {run.executor}
        {run.executorJobId ? ` (job ${run.executorJobId})` : ''}
      </dd>
      <dt>Recipe hash</dt>
      <dd>
        <code>{run.recipeHash}</code>
      </dd>
      <dt>Base model</dt>
      <dd>{run.baseModel}</dd>
      <dt>Datasets</dt>
      <dd>
        {run.datasets.map((d) => (
          <span key={d.version}>
            <Link to={dataVersionHref(d.version)}>
              {d.version.length > 40 ? `${d.version.slice(0, 40)}…` : d.version}
            </Link>{' '}
            ({d.role}){' '}
          </span>
        ))}
      </dd>
      <dt>Progress</dt>
      <dd>
        step {run.lastStep ?? 0}
        {run.totalSteps ? ` of ${run.totalSteps}` : ''}
      </dd>
      <dt>Registered model</dt>
      <dd>
        {run.registeredModelId ? (
          <Link to={modelHref(run.registeredModelId)}>model and lineage</Link>
        ) : (
          'not yet'
        )}
      </dd>
      <dt>Evaluations</dt>
      <dd>
        {run.evaluations.length === 0
          ? 'none requested'
          : run.evaluations.map((e) => (
              <div key={e.suite}>
                {e.suite}: {e.status} — {e.note}
                {e.jobs.map((j) => (
                  <div key={j.id}>
                    {j.task}: {j.status}
                    {j.evalRunId && (
                      <>
                        {' '}
                        — <Link to={evalRunHref(j.evalRunId)}>results</Link>
                      </>
                    )}
                    {j.error && <> — {j.error}</>}
                  </div>
                ))}
              </div>
            ))}
      </dd>
      {run.error && (
        <>
          <dt>Error</dt>
          <dd role="alert">{run.error}</dd>
        </>
      )}
    </dl>
  );
}

function Curves({ id }: { id: string }) {
  const metrics = useTrainMetrics(id);
  if (metrics.isError) throw metrics.error;
  const points = metrics.data ?? [];
  if (points.length === 0) return <p className="card muted">No metrics yet.</p>;
  return (
    <div className="card">
      <h2>Curves</h2>
      {GROUPS.map((g) => (
        <LineChart key={g.title} title={g.title} xLabel="step" series={seriesOf(points, g.isIn)} />
      ))}
    </div>
  );
}

function PreflightTable({ run }: { run: TrainRun }) {
  const p = run.preflight;
  return (
    <div className="card">
      <h2>
        Preflight{' '}
        <StatusBadge tone={p.passed ? 'ok' : 'bad'}>
          {p.passed ? 'passed' : p.overridden ? 'failed, overridden' : 'failed'}
        </StatusBadge>
      </h2>
      <table className="table" aria-label="Preflight">
        <thead>
          <tr>
            <th>Dataset</th>
            <th>Check</th>
            <th>Result</th>
            <th>Details</th>
          </tr>
        </thead>
        <tbody>
          {p.checks.map((c) => (
            <tr key={`${c.dataset}/${c.check}`}>
              <td>{c.dataset}</td>
              <td>{c.check}</td>
              <td>
                <StatusBadge tone={c.passed ? 'ok' : 'bad'}>{c.passed ? 'ok' : 'failed'}</StatusBadge>
              </td>
              <td>{c.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
