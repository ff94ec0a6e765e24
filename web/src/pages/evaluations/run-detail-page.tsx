import './evaluations.css';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { useRun, useRunSamples } from '../../api/eval';
import { ErrorBoundary } from '../../components/error-boundary';
import { IntervalBars } from '../../components/interval-bars';
import { PageHeader } from '../../components/page-header';
import { StatusBadge } from '../../components/status-badge';
import { UntrustedText } from '../../components/untrusted-text';
import { modelHref, paths } from '../../paths';

function Summary({ id }: { id: string }) {
  const run = useRun(id);
  if (run.error) throw run.error;
  const r = run.data;
  if (!r) return <p className="muted">Loading…</p>;
  const metrics = Object.entries(r.summary?.metrics ?? {});
  return (
    <>
      <section className="card" aria-label="Summary">
        <dl className="facts">
          <dt>task</dt>
          <dd>{r.taskName}</dd>
          <dt>model</dt>
          <dd>{r.modelId ? <Link to={modelHref(r.modelId)}>{r.modelName ?? r.model}</Link> : r.model}</dd>
          <dt>status</dt>
          <dd>
            <StatusBadge tone={r.status === 'finished' ? 'ok' : r.status === 'running' ? 'warn' : 'neutral'}>
              {r.status}
            </StatusBadge>
          </dd>
          <dt>samples</dt>
          <dd>
            {r.summary?.samples ?? 0} of {r.total}
          </dd>
          <dt>contract</dt>
          <dd>
            <code>{r.contractHash.slice(0, 19)}</code>
          </dd>
        </dl>
        <table className="table" aria-label="Metrics">
          <thead>
            <tr>
              <th>metric</th>
              <th className="num">mean</th>
              <th className="num">95% interval</th>
              <th className="num">stderr</th>
              <th className="num">n</th>
            </tr>
          </thead>
          <tbody>
            {metrics.map(([k, m]) => (
              <tr key={k}>
                <td>
                  {k}
                  {k === r.primaryMetric ? ' (primary)' : ''}
                </td>
                <td className="num">{m.mean.toFixed(3)}</td>
                <td className="num">
                  [{m.ci95[0].toFixed(3)}, {m.ci95[1].toFixed(3)}]
                </td>
                <td className="num">{m.stderr.toFixed(3)}</td>
                <td className="num">{m.n}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <IntervalBars
          title="Metrics with 95% intervals"
          bars={metrics.map(([k, m]) => ({ label: k, value: m.mean, low: m.ci95[0], high: m.ci95[1] }))}
        />
      </section>
      <details className="card" aria-label="Contract">
        <summary>Evaluation contract (everything that changes a number)</summary>
        <table className="table contract">
          <tbody>
            {r.contractFields.map((f) => (
              <tr key={f.field}>
                <th>{f.field}</th>
                <td>
                  <code className="contract-value">
                    {f.value.length > 300 ? `${f.value.slice(0, 299)}…` : f.value}
                  </code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </>
  );
}

function Samples({ id }: { id: string }) {
  const [wrongOnly, setWrongOnly] = useState(false);
  const [q, setQ] = useState('');
  const [flippedVs, setFlippedVs] = useState('');
  const samples = useRunSamples(id, {
    ...(wrongOnly && { wrongOnly: 'true' as const }),
    ...(q && { q }),
    ...(flippedVs && { flippedVs }),
    limit: 100,
  });
  if (samples.error) throw samples.error;
  return (
    <section className="card" aria-label="Samples">
      <h2>Samples</h2>
      <div className="inline-form">
        <label className="check">
          <input type="checkbox" checked={wrongOnly} onChange={(e) => setWrongOnly(e.target.checked)} /> wrong
          only
        </label>
        <input
          className="input"
          placeholder="search prompt, response, target"
          aria-label="Search samples"
          value={q}
          onChange={(e) => setQ(e.target.value)}
        />
        <input
          className="input"
          placeholder="flipped versus run id"
          aria-label="Flipped versus run"
          value={flippedVs}
          onChange={(e) => setFlippedVs(e.target.value)}
        />
      </div>
      <p className="muted">{samples.data ? `${samples.data.total} samples` : 'Loading…'}</p>
      <table className="table samples">
        <thead>
          <tr>
            <th>#</th>
            <th>prompt</th>
            <th>response</th>
            <th>extracted</th>
            <th>target</th>
            <th className="num">score</th>
          </tr>
        </thead>
        <tbody>
          {samples.data?.items.map((s) => (
            <tr key={s.index} className={s.score === 1 ? 'right' : 'wrong'}>
              <td>
                {s.index}
                {s.turn !== null ? <div className="muted">turn {s.turn}</div> : null}
              </td>
              <td>
                <UntrustedText text={s.prompt} label={`Prompt ${s.index}`} />
              </td>
              <td>
                <UntrustedText text={s.response} label={`Response ${s.index}`} />
                {s.judgeRationale ? (
                  <UntrustedText text={s.judgeRationale} label={`Judge rationale ${s.index}`} />
                ) : null}
              </td>
              <td>
                {Object.entries(s.extracted).map(([k, v]) => (
                  <div key={k}>
                    <span className="muted">{k}:</span> <code>{v}</code>
                  </div>
                ))}
              </td>
              <td>
                <UntrustedText text={s.target} label={`Target ${s.index}`} />
              </td>
              <td className="num">{s.score ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** One run: summary with statistics, its contract, and the per-sample table. */
export function RunDetailPage() {
  const { id = '' } = useParams();
  return (
    <div>
      <PageHeader title="Evaluation run">
        <p className="muted">
          <Link to={paths.leaderboard.path}>Leaderboard</Link> ·{' '}
          <Link to={paths.evaluations.path}>Run page</Link> · <code>{id}</code>
        </p>
      </PageHeader>
      <ErrorBoundary area="Run summary">
        <Summary id={id} />
      </ErrorBoundary>
      <ErrorBoundary area="Samples">
        <Samples id={id} />
      </ErrorBoundary>
    </div>
  );
}
