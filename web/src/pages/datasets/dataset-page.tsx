import { Link, useParams } from 'react-router';
import { useVersions } from '../../api/data';
import { ErrorBoundary } from '../../components/error-boundary';
import { PageHeader } from '../../components/page-header';
import { StatusBadge } from '../../components/status-badge';
import { dataDiffHref, dataVersionHref } from '../../paths';
import { formatMb, STATUS_TONE } from './status';

/** The versions of one dataset, newest first, each with its gate status and reasons. */
export function DatasetPage() {
  const name = useParams().name ?? '';
  const versions = useVersions(name);
  if (versions.isError) throw versions.error;
  return (
    <section>
      <PageHeader title={name}>
        <p className="muted">Versions, newest first.</p>
      </PageHeader>
      <ErrorBoundary area="Versions">
        {versions.data && (
          <table className="table" aria-label="Versions">
            <thead>
              <tr>
                <th>Version</th>
                <th>Status</th>
                <th className="num">Rows</th>
                <th className="num">Size</th>
                <th>Reasons</th>
                <th>Taken in</th>
                <th>Compare</th>
              </tr>
            </thead>
            <tbody>
              {versions.data.map((v, i) => {
                const older = versions.data[i + 1];
                return (
                  <tr key={v.id}>
                    <td>
                      <Link to={dataVersionHref(v.id)}>{v.id}</Link>
                    </td>
                    <td>
                      <StatusBadge tone={STATUS_TONE[v.status] ?? 'neutral'}>{v.status}</StatusBadge>
                    </td>
                    <td className="num">{v.rows}</td>
                    <td className="num">{formatMb(v.sizeBytes)}</td>
                    <td>
                      {v.reasons.map((r) => (
                        <div key={r.metric}>{r.message}</div>
                      ))}
                    </td>
                    <td>{new Date(v.createdAt).toLocaleString()}</td>
                    <td>{older && <Link to={dataDiffHref(older.id, v.id)}>diff with previous</Link>}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </ErrorBoundary>
    </section>
  );
}
