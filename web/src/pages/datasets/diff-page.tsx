import { Link, useSearchParams } from 'react-router';
import { useVersionDiff } from '../../api/data';
import { ErrorBoundary } from '../../components/error-boundary';
import { PageHeader } from '../../components/page-header';
import { StatusBadge } from '../../components/status-badge';
import { dataVersionHref } from '../../paths';
import { formatPct, STATUS_TONE } from './status';

/** Two versions compared: `/datasets/diff?before=A&after=B`. The server computes the drift. */
export function DataDiffPage() {
  const [params] = useSearchParams();
  const before = params.get('before') ?? '';
  const after = params.get('after') ?? '';
  const diff = useVersionDiff(before, after);
  if (diff.isError) throw diff.error;
  const d = diff.data;
  return (
    <section>
      <PageHeader title="Compare dataset versions" />
      {(!before || !after) && <p className="muted">Open a diff from a dataset's version list.</p>}
      <ErrorBoundary area="Diff">
        {d && (
          <>
            <div className="card diff-heads">
              {[d.before, d.after].map((v, i) => (
                <div key={v.id}>
                  <span className="muted">{i === 0 ? 'before' : 'after'}</span>{' '}
                  <Link to={dataVersionHref(v.id)}>{v.id}</Link>{' '}
                  <StatusBadge tone={STATUS_TONE[v.status] ?? 'neutral'}>{v.status}</StatusBadge>
                </div>
              ))}
            </div>
            <div className="card">
              <h2>Summary</h2>
              <ul aria-label="Summary">
                {d.diff.summary.map((s) => (
                  <li key={s}>{s}</li>
                ))}
              </ul>
            </div>
            <div className="card">
              <h2>Field lengths</h2>
              <table className="table" aria-label="Length drift">
                <thead>
                  <tr>
                    <th>Field</th>
                    <th className="num">Mean before</th>
                    <th className="num">Mean after</th>
                    <th className="num">p90 before</th>
                    <th className="num">p90 after</th>
                    <th className="num">Change</th>
                  </tr>
                </thead>
                <tbody>
                  {d.diff.lengthDrift.map((l) => (
                    <tr key={l.field}>
                      <td>{l.field}</td>
                      <td className="num">{l.meanBefore.toFixed(0)}</td>
                      <td className="num">{l.meanAfter.toFixed(0)}</td>
                      <td className="num">{l.p90Before}</td>
                      <td className="num">{l.p90After}</td>
                      <td className="num">{formatPct(l.relativeChange)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {d.diff.fieldsAdded.length > 0 && <p>Fields added: {d.diff.fieldsAdded.join(', ')}</p>}
              {d.diff.fieldsRemoved.length > 0 && <p>Fields removed: {d.diff.fieldsRemoved.join(', ')}</p>}
              {d.diff.typeChanges.map((t) => (
                <p key={t.field}>
                  Type of {t.field}: {Object.keys(t.before).join('/')} → {Object.keys(t.after).join('/')}
                </p>
              ))}
              {d.diff.presenceDrift.map((p) => (
                <p key={p.field}>
                  {p.field} present in {formatPct(p.before)} → {formatPct(p.after)} of rows
                </p>
              ))}
            </div>
            <div className="card">
              <h2>Languages (drift {formatPct(d.diff.languageDrift)})</h2>
              <table className="table" aria-label="Languages">
                <thead>
                  <tr>
                    <th>Language</th>
                    <th>Before</th>
                    <th>After</th>
                  </tr>
                </thead>
                <tbody>
                  {Object.keys({ ...d.diff.languagesBefore, ...d.diff.languagesAfter }).map((k) => (
                    <tr key={k}>
                      <td>{k}</td>
                      {[d.diff.languagesBefore[k] ?? 0, d.diff.languagesAfter[k] ?? 0].map((x, i) => (
                        <td key={i === 0 ? 'b' : 'a'}>
                          <span className="bar-track">
                            <span className="bar-fill" style={{ width: `${x * 100}%` }} />
                          </span>{' '}
                          {formatPct(x)}
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </ErrorBoundary>
    </section>
  );
}
