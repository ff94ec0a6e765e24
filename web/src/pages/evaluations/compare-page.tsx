import './evaluations.css';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useComparison } from '../../api/eval';
import { ErrorBoundary } from '../../components/error-boundary';
import { PageHeader } from '../../components/page-header';
import { StatusBadge } from '../../components/status-badge';
import { UntrustedText } from '../../components/untrusted-text';
import { evalRunHref, paths } from '../../paths';

const f3 = (v: number) => v.toFixed(3);

function ComparisonView({ a, b }: { a: string; b: string }) {
  const cmp = useComparison(a, b);
  const [flippedOnly, setFlippedOnly] = useState(false);
  if (cmp.error) throw cmp.error;
  const c = cmp.data;
  if (!c) return <p className="muted">Loading…</p>;
  const name = (r: typeof c.a) => r.modelName ?? r.model;
  const items = flippedOnly ? c.items.filter((i) => i.isFlipped) : c.items;
  return (
    <>
      {c.comparable ? (
        <p className="alert">
          <StatusBadge tone="ok">same contract</StatusBadge> These runs are comparable item by item.
        </p>
      ) : (
        <div role="alert" className="alert alert-error contract-banner">
          <strong>Not comparable:</strong> {c.statement}
        </div>
      )}
      <section className="card" aria-label="Runs compared">
        <table className="table">
          <thead>
            <tr>
              <th />
              <th>A</th>
              <th>B</th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <th>run</th>
              <td>
                <Link to={evalRunHref(c.a.id)}>{name(c.a)}</Link> · {c.a.taskName}
              </td>
              <td>
                <Link to={evalRunHref(c.b.id)}>{name(c.b)}</Link> · {c.b.taskName}
              </td>
            </tr>
          </tbody>
        </table>
        <h2>Per-metric deltas (B − A, paired)</h2>
        <table className="table" aria-label="Deltas">
          <thead>
            <tr>
              <th>metric</th>
              <th className="num">A</th>
              <th className="num">B</th>
              <th className="num">B − A</th>
              <th className="num">95% interval</th>
              <th className="num">McNemar p</th>
            </tr>
          </thead>
          <tbody>
            {c.metrics.map((m) => (
              <tr key={m.metric}>
                <td>{m.metric}</td>
                <td className="num">{f3(m.a)}</td>
                <td className="num">{f3(m.b)}</td>
                <td className="num">{f3(m.paired.diff)}</td>
                <td className="num">
                  [{f3(m.paired.ci95[0])}, {f3(m.paired.ci95[1])}]
                </td>
                <td className="num">{m.mcnemar ? m.mcnemar.pValue.toPrecision(3) : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {c.modelDifferences.length ? (
        <section className="card" aria-label="What differs between these models">
          <h2>What differs between these models</h2>
          <table className="table">
            <tbody>
              {c.modelDifferences.map((d) => (
                <tr key={`${d.section}.${d.field}`}>
                  <th>
                    {d.section} · {d.field}
                  </th>
                  <td>{d.a}</td>
                  <td>{d.b}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
      <section className="card" aria-label="Per-item diff">
        <h2>Per-item diff</h2>
        <p className="muted">
          {c.flippedCount} flipped on {c.primaryMetric ?? 'the primary metric'} · {c.items.length} shared
          items{' '}
          <label className="check">
            <input type="checkbox" checked={flippedOnly} onChange={(e) => setFlippedOnly(e.target.checked)} />{' '}
            flipped only
          </label>
        </p>
        <table className="table item-diff">
          <thead>
            <tr>
              <th>item</th>
              <th>target</th>
              <th>A: {name(c.a)}</th>
              <th>B: {name(c.b)}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((i) => (
              <tr key={i.id} className={i.isFlipped ? 'flipped' : ''}>
                <td>
                  <code>{i.id}</code> {i.isFlipped ? <StatusBadge tone="warn">flipped</StatusBadge> : null}
                  <details>
                    <summary>prompt</summary>
                    <UntrustedText text={i.prompt} />
                  </details>
                </td>
                <td>
                  <UntrustedText text={i.target} />
                </td>
                <td>
                  <UntrustedText text={i.a.response} label={`A answer ${i.id}`} />
                  <span className="muted">
                    → <code>{i.a.extracted}</code> score {i.a.score}
                  </span>
                </td>
                <td>
                  <UntrustedText text={i.b.response} label={`B answer ${i.id}`} />
                  <span className="muted">
                    → <code>{i.b.extracted}</code> score {i.b.score}
                  </span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  );
}

/** Two runs side by side; the URL (`?a=&b=`) is shareable. */
export function ComparePage() {
  const [params] = useSearchParams();
  const a = params.get('a') ?? '';
  const b = params.get('b') ?? '';
  return (
    <div>
      <PageHeader title="Compare runs">
        <p className="muted">
          <Link to={paths.leaderboard.path}>Leaderboard</Link> ·{' '}
          <Link to={paths.evaluations.path}>Run page</Link>
        </p>
      </PageHeader>
      {a && b ? (
        <ErrorBoundary area="Comparison">
          <ComparisonView a={a} b={b} />
        </ErrorBoundary>
      ) : (
        <p className="muted">Pick two runs: open a link from the run page or the leaderboard.</p>
      )}
    </div>
  );
}
