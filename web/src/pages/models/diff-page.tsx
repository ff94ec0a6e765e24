import './models.css';
import { Link, useSearchParams } from 'react-router';
import { useModelDiff } from '../../api/registry';
import { ErrorBoundary } from '../../components/error-boundary';
import { PageHeader } from '../../components/page-header';
import { modelHref } from '../../paths';

/**
 * Models side by side: `/models/diff?ids=a,b[&only=1]`. The URL is the state, so a diff can be
 * shared. The server decides which rows differ; "Show only differences" asks it for just those.
 */
export function ModelDiffPage() {
  const [params, setParams] = useSearchParams();
  const ids = (params.get('ids') ?? '').split(',').filter(Boolean);
  const only = params.get('only') === '1';
  const diff = useModelDiff(ids, only);
  if (diff.isError) throw diff.error;
  const toggle = () => {
    const next = new URLSearchParams(params);
    if (only) next.delete('only');
    else next.set('only', '1');
    setParams(next, { replace: true });
  };
  return (
    <section>
      <PageHeader title="Compare models">
        <label className="switch">
          <input
            type="checkbox"
            role="switch"
            aria-checked={only}
            checked={only}
            onChange={toggle}
            aria-label="Show only differences"
          />{' '}
          Show only differences
        </label>
      </PageHeader>
      {ids.length < 2 && <p className="muted">Pick two or more models in the catalog to compare them.</p>}
      <ErrorBoundary area="Diff">
        {diff.data && (
          <>
            <p className="muted" aria-live="polite">
              {diff.data.differentCount} differing fields
            </p>
            <table className="table diff-table" aria-label="Model diff">
              <thead>
                <tr>
                  <th>Section</th>
                  <th>Field</th>
                  {diff.data.models.map((m) => (
                    <th key={m.id}>
                      <Link to={modelHref(m.id)}>{`${m.name}@${m.version}`}</Link>
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {diff.data.rows.map((r) => (
                  <tr
                    key={`${r.section}:${r.field}`}
                    className={r.isDifferent ? 'diff-row-different' : undefined}
                  >
                    <td className="muted">{r.section}</td>
                    <td>
                      <code>{r.field}</code>
                    </td>
                    {r.values.map((v, i) => (
                      // biome-ignore lint/suspicious/noArrayIndexKey: one cell per model, in model order
                      <td key={i}>{v === null ? '–' : String(v)}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
            {diff.data.chatTemplateDiffs
              .filter((d) => !only || d.isDifferent)
              .map((d) => {
                const to = diff.data.models.find((m) => m.id === d.toId);
                const from = diff.data.models.find((m) => m.id === d.fromId);
                return (
                  <div className="card" key={d.toId}>
                    <h2>
                      Chat template: {from?.name}@{from?.version} → {to?.name}@{to?.version}
                    </h2>
                    {d.isDifferent ? (
                      <pre className="text-diff" data-testid="chat-template-diff">
                        {d.lines.map((l, i) => (
                          // biome-ignore lint/suspicious/noArrayIndexKey: diff lines have no identity but their order
                          <div key={i} className={`diff-${l.op}`}>
                            {l.op === 'add' ? '+ ' : l.op === 'remove' ? '- ' : '  '}
                            {l.text}
                          </div>
                        ))}
                      </pre>
                    ) : (
                      <p className="muted">Identical.</p>
                    )}
                  </div>
                );
              })}
          </>
        )}
      </ErrorBoundary>
    </section>
  );
}
