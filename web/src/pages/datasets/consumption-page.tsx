import { Link, useParams } from 'react-router';
import { type ConsumptionReport, useConsumption } from '../../api/data';
import { ErrorBoundary } from '../../components/error-boundary';
import { MarkedText } from '../../components/marked-text';
import { PageHeader } from '../../components/page-header';
import { StatusBadge } from '../../components/status-badge';
import { dataVersionHref } from '../../paths';
import { CONSUMPTION_TONE } from './status';

/**
 * The field-consumption check of a version: per field, where its text landed in the training
 * text; and one sampled row rendered through the template with each field's marker highlighted.
 */
export function ConsumptionPage() {
  const id = useParams().id ?? '';
  const report = useConsumption(id);
  if (report.isError) throw report.error;
  const c = report.data;
  return (
    <section>
      <PageHeader title="Field consumption">
        <p className="muted">
          <Link to={dataVersionHref(id)}>{id}</Link>
          {c && ` · template ${c.template} · format ${c.format} · ${c.rowsChecked} rows checked`}{' '}
          {c && <StatusBadge tone={c.passed ? 'ok' : 'bad'}>{c.passed ? 'passed' : 'failed'}</StatusBadge>}
        </p>
      </PageHeader>
      {c && (
        <>
          <ErrorBoundary area="Fields">
            <table className="table card" aria-label="Consumption by field">
              <thead>
                <tr>
                  <th>Field</th>
                  <th>Belongs in</th>
                  <th>Status</th>
                  <th className="num">Rows</th>
                  <th className="num">Rendered</th>
                  <th className="num">Dropped</th>
                  <th className="num">Wrong part</th>
                  <th className="num">Cut</th>
                  <th>Found in</th>
                  <th>Example lines</th>
                </tr>
              </thead>
              <tbody>
                {c.fields.map((f) => (
                  <tr key={f.field}>
                    <td>
                      {f.field}
                      {f.deprecated && (
                        <span className="muted">
                          {' '}
                          (deprecated since v{f.deprecated.since}
                          {f.deprecated.replacedBy ? `, use ${f.deprecated.replacedBy}` : ''})
                        </span>
                      )}
                    </td>
                    <td>{f.expected}</td>
                    <td>
                      <StatusBadge tone={CONSUMPTION_TONE[f.status] ?? 'neutral'}>{f.status}</StatusBadge>
                    </td>
                    <td className="num">{f.rows}</td>
                    <td className="num">{f.renderedRows}</td>
                    <td className="num">{f.droppedRows}</td>
                    <td className="num">{f.wrongPartRows}</td>
                    <td className="num">{f.truncatedRows}</td>
                    <td>
                      {Object.entries(f.foundIn)
                        .map(([p, n]) => `${p} ${n}`)
                        .join(', ')}
                    </td>
                    <td className="examples">
                      {f.exampleLines.map((line) => (
                        <Link key={line} to={`${dataVersionHref(id)}?line=${line}`}>
                          line {line}
                        </Link>
                      ))}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ErrorBoundary>
          <ErrorBoundary area="Rendered sample">
            {c.sample && <RenderedSample sample={c.sample} template={c.template} />}
          </ErrorBoundary>
        </>
      )}
    </section>
  );
}

/** One row rendered through the template, with each field's marker shown as the field's name. */
function RenderedSample({
  sample,
  template,
}: {
  sample: NonNullable<ConsumptionReport['sample']>;
  template: string;
}) {
  return (
    <div className="card">
      <h2>
        Line {sample.line} rendered through {template}
      </h2>
      <p className="muted">
        Each field's text starts with a marker, shown here as the field's name. A field with no marker below
        never reached the training text.
      </p>
      <ul className="legend" aria-label="Markers">
        {[...new Set(sample.markers.map((m) => m.field))].map((field) => (
          <li key={field}>
            <mark className="field-marker">{field}</mark>
          </li>
        ))}
      </ul>
      <h3>Prompt</h3>
      <MarkedText text={sample.rendered.prompt} markers={sample.markers} />
      {sample.rendered.sides.map((s) => (
        <div key={s.part}>
          <h3>{s.part} (the span after the prompt is trained on)</h3>
          <MarkedText text={s.text} start={s.start} markers={sample.markers} />
        </div>
      ))}
    </div>
  );
}
