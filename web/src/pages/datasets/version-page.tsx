import { useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { type DataVersion, type InspectionReport, useVersion, useVersionRows } from '../../api/data';
import { ErrorBoundary } from '../../components/error-boundary';
import { LengthHistogram } from '../../components/length-histogram';
import { PageHeader } from '../../components/page-header';
import { StatusBadge } from '../../components/status-badge';
import { dataConsumptionHref, dataDiffHref, datasetHref } from '../../paths';
import { formatMb, formatPct, SEVERITY_TONE, STATUS_TONE } from './status';

/**
 * One dataset version: the gate's decision and reasons, the inspection report as tables and
 * length histograms, and findings whose example lines open the row they point at
 * (`?line=N&file=F`, so a finding's example can be shared).
 */
export function VersionPage() {
  const id = useParams().id ?? '';
  const version = useVersion(id);
  if (version.isError) throw version.error;
  const v = version.data;
  return (
    <section>
      <PageHeader title={v ? v.dataset : 'Dataset version'}>
        {v && (
          <p className="version-title">
            <code>{v.id}</code>{' '}
            <StatusBadge tone={STATUS_TONE[v.status] ?? 'neutral'}>{v.status}</StatusBadge>
          </p>
        )}
      </PageHeader>
      {v && (
        <>
          <ErrorBoundary area="Gate">
            <VersionFacts v={v} />
          </ErrorBoundary>
          <ErrorBoundary area="Row">
            <RowViewer id={v.id} />
          </ErrorBoundary>
          <ErrorBoundary area="Findings">
            <Findings report={v.report} />
          </ErrorBoundary>
          <ErrorBoundary area="Fields">
            <Fields report={v.report} />
          </ErrorBoundary>
          <ErrorBoundary area="Checks">
            <Checks report={v.report} />
          </ErrorBoundary>
        </>
      )}
    </section>
  );
}

function VersionFacts({ v }: { v: DataVersion }) {
  return (
    <div className="card">
      <dl className="facts">
        <dt>Dataset</dt>
        <dd>
          <Link to={datasetHref(v.dataset)}>{v.dataset}</Link>
        </dd>
        <dt>Rows</dt>
        <dd>
          {v.rows} ({v.report.badRows} unreadable)
        </dd>
        <dt>Size</dt>
        <dd>{formatMb(v.sizeBytes)}</dd>
        <dt>Format</dt>
        <dd>{v.format ?? '–'}</dd>
        <dt>Contract</dt>
        <dd>{v.contract ? `${v.contract.name} v${v.contract.version}` : '–'}</dd>
        <dt>Source</dt>
        <dd>
          <code>{v.source}</code>
        </dd>
        <dt>Content hash</dt>
        <dd>
          <code>{v.contentHash}</code>
        </dd>
        {v.consumption && (
          <>
            <dt>Consumption</dt>
            <dd>
              <Link to={dataConsumptionHref(v.id)}>
                {v.consumption.passed ? 'passed' : 'failed'} ({v.consumption.template})
              </Link>
            </dd>
          </>
        )}
        {v.previousId && (
          <>
            <dt>Previous accepted</dt>
            <dd>
              <Link to={dataDiffHref(v.previousId, v.id)}>diff with {v.previousId}</Link>
            </dd>
          </>
        )}
      </dl>
      {v.reasons.length > 0 && (
        <>
          <h2>Why {v.status}</h2>
          <ul className="reasons">
            {v.reasons.map((r) => (
              <li key={r.metric}>{r.message}</li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

function RowViewer({ id }: { id: string }) {
  const [params] = useSearchParams();
  const line = Number(params.get('line')) || undefined;
  const file = params.get('file') ?? undefined;
  const rows = useVersionRows(id, file, line);
  if (rows.isError) throw rows.error;
  if (line === undefined) return null;
  return (
    <section className="card" aria-label="Example row">
      <h2>
        Line {line}
        {file ? ` of ${file}` : ''}
      </h2>
      {rows.data?.rows.map((r) => (
        <pre key={r.line} className="row-text" data-line={r.line}>
          {r.text}
          {r.isTruncated ? ' …' : ''}
        </pre>
      ))}
      {rows.data?.rows.length === 0 && <p className="muted">no record at this line</p>}
    </section>
  );
}

function Findings({ report }: { report: InspectionReport }) {
  return (
    <div className="card">
      <h2>Findings</h2>
      {report.findings.length === 0 && <p className="muted">No findings.</p>}
      {report.findings.length > 0 && (
        <table className="table" aria-label="Findings">
          <thead>
            <tr>
              <th>Severity</th>
              <th>Code</th>
              <th>Field</th>
              <th className="num">Rows</th>
              <th>Message</th>
              <th>Examples</th>
            </tr>
          </thead>
          <tbody>
            {report.findings.map((f) => (
              <tr key={`${f.code}/${f.field ?? ''}`}>
                <td>
                  <StatusBadge tone={SEVERITY_TONE[f.severity] ?? 'neutral'}>{f.severity}</StatusBadge>
                </td>
                <td>
                  <code>{f.code}</code>
                </td>
                <td>{f.field ?? ''}</td>
                <td className="num">{f.count}</td>
                <td>{f.message}</td>
                <td className="examples">
                  {f.examples.map((e) => (
                    <Link
                      key={`${e.file}:${e.line}`}
                      to={`?${new URLSearchParams({ line: String(e.line), file: e.file })}`}
                      title={e.excerpt}
                    >
                      line {e.line}
                    </Link>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function Fields({ report }: { report: InspectionReport }) {
  const [shown, setShown] = useState<string | undefined>(undefined);
  const field = report.fields.find((f) => f.name === shown) ?? report.fields[0];
  return (
    <div className="card">
      <h2>Fields</h2>
      <table className="table" aria-label="Fields">
        <thead>
          <tr>
            <th>Field</th>
            <th>Status</th>
            <th className="num">Present</th>
            <th className="num">Null or empty</th>
            <th>Types</th>
            <th className="num">Mean chars</th>
            <th className="num">p50</th>
            <th className="num">p90</th>
            <th className="num">p99</th>
            <th className="num">Max</th>
            {report.tokens && <th className="num">p90 tokens</th>}
          </tr>
        </thead>
        <tbody>
          {report.fields.map((f) => (
            <tr key={f.name} className={f.name === field?.name ? 'selected' : undefined}>
              <td>
                <button type="button" className="link-button" onClick={() => setShown(f.name)}>
                  {f.name}
                </button>
              </td>
              <td>{f.status}</td>
              <td className="num">{f.present}</td>
              <td className="num">{formatPct(f.nullOrEmptyRate)}</td>
              <td>
                {Object.entries(f.types)
                  .map(([t, n]) => `${t} ${n}`)
                  .join(', ')}
              </td>
              <td className="num">{f.chars.mean.toFixed(0)}</td>
              <td className="num">{f.chars.p50}</td>
              <td className="num">{f.chars.p90}</td>
              <td className="num">{f.chars.p99}</td>
              <td className="num">{f.chars.max}</td>
              {report.tokens && <td className="num">{f.tokens?.p90 ?? '–'}</td>}
            </tr>
          ))}
        </tbody>
      </table>
      {field && (
        <div className="histograms">
          <LengthHistogram histogram={field.chars.histogram} label={`"${field.name}" length in characters`} />
          {field.tokens && (
            <LengthHistogram histogram={field.tokens.histogram} label={`"${field.name}" length in tokens`} />
          )}
        </div>
      )}
    </div>
  );
}

function Bars({ label, values }: { label: string; values: [string, number][] }) {
  const total = values.reduce((a, [, n]) => a + n, 0) || 1;
  return (
    <ul className="bars" aria-label={label}>
      {values.map(([k, n]) => (
        <li key={k} className="bar-row">
          <span className="bar-label">{k}</span>
          <span className="bar-track">
            <span className="bar-fill" style={{ width: `${(n / total) * 100}%` }} />
          </span>
          <span className="bar-value">{n}</span>
        </li>
      ))}
    </ul>
  );
}

function Checks({ report: r }: { report: InspectionReport }) {
  return (
    <div className="check-grid">
      <div className="card">
        <h2>Languages</h2>
        <Bars label="Languages" values={Object.entries(r.languages)} />
      </div>
      <div className="card">
        <h2>Duplicates</h2>
        <Bars
          label="Duplicates"
          values={[
            ['exact', r.duplicates.exact],
            ['across splits', r.duplicates.crossSplit],
            [`near (of ${r.duplicates.nearSampledRows} sampled)`, r.duplicates.near],
          ]}
        />
      </div>
      {r.preference.rows > 0 && (
        <div className="card">
          <h2>Preference pairs</h2>
          <Bars
            label="Preference pairs"
            values={[
              ['chosen = rejected', r.preference.chosenEqualsRejected],
              ['empty side', r.preference.emptySide],
              ['chosen is a prefix', r.preference.chosenPrefix],
              ['contradictory', r.preference.contradictory],
            ]}
          />
        </div>
      )}
      <div className="card">
        <h2>Text</h2>
        <Bars
          label="Text"
          values={[
            ['invalid UTF-8', r.text.invalidUtf8Rows],
            ['mojibake', r.text.mojibakeRows],
            ['control characters', r.text.controlCharRows],
            ['special tokens', r.text.specialTokenRows],
            ...Object.entries(r.pii).map(([k, n]): [string, number] => [`PII: ${k}`, n]),
          ]}
        />
      </div>
      {r.tokens && (
        <div className="card">
          <h2>Truncation</h2>
          <p>
            {r.tokens.answerTruncatedRows} of {r.tokens.answerRows} answers lose tokens at max_length{' '}
            {r.tokens.maxLength ?? '–'} ({r.tokens.sampledRows} rows sampled)
          </p>
        </div>
      )}
    </div>
  );
}
