import { Link } from 'react-router';
import { useDatasets } from '../../api/data';
import { ErrorBoundary } from '../../components/error-boundary';
import { PageHeader } from '../../components/page-header';
import { StatusBadge } from '../../components/status-badge';
import { datasetHref, dataVersionHref } from '../../paths';
import { formatMb, STATUS_TONE } from './status';

/** Every dataset with the gate status of its latest version. */
export function DatasetListPage() {
  const datasets = useDatasets();
  if (datasets.isError) throw datasets.error;
  return (
    <section>
      <PageHeader title="Datasets">
        <p className="muted">
          Versions taken in through the gate:{' '}
          <code>alignboard data intake FILE --dataset NAME --contract C</code>
        </p>
      </PageHeader>
      <ErrorBoundary area="Datasets">
        {datasets.data?.length === 0 && <p className="card muted">No dataset versions yet.</p>}
        {datasets.data && datasets.data.length > 0 && (
          <table className="table" aria-label="Datasets">
            <thead>
              <tr>
                <th>Dataset</th>
                <th>Latest version</th>
                <th>Status</th>
                <th className="num">Rows</th>
                <th className="num">Size</th>
                <th>Format</th>
                <th>Contract</th>
                <th className="num">Versions</th>
              </tr>
            </thead>
            <tbody>
              {datasets.data.map((d) => (
                <tr key={d.name}>
                  <td>
                    <Link to={datasetHref(d.name)}>{d.name}</Link>
                  </td>
                  <td>
                    <Link to={dataVersionHref(d.latest.id)}>{d.latest.id}</Link>
                  </td>
                  <td>
                    <StatusBadge tone={STATUS_TONE[d.latest.status] ?? 'neutral'}>
                      {d.latest.status}
                    </StatusBadge>
                  </td>
                  <td className="num">{d.latest.rows}</td>
                  <td className="num">{formatMb(d.latest.sizeBytes)}</td>
                  <td>{d.latest.format ?? '–'}</td>
                  <td>
                    {d.latest.contract ? `${d.latest.contract.name} v${d.latest.contract.version}` : '–'}
                  </td>
                  <td className="num">{d.versions}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </ErrorBoundary>
    </section>
  );
}
