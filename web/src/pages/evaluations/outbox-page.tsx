import './evaluations.css';
import { Link } from 'react-router';
import { useOutbox, useRetryDelivery } from '../../api/notify';
import { ErrorBoundary } from '../../components/error-boundary';
import { PageHeader } from '../../components/page-header';
import { StatusBadge } from '../../components/status-badge';
import { paths } from '../../paths';

function Outbox() {
  const outbox = useOutbox();
  const retry = useRetryDelivery();
  if (outbox.error) throw outbox.error;
  const rows = outbox.data ?? [];
  return (
    <section className="card" aria-label="Outbox">
      {rows.length === 0 ? <p className="muted">No notifications sent yet.</p> : null}
      <table className="table">
        <thead>
          <tr>
            <th>when</th>
            <th>event</th>
            <th>channel</th>
            <th>status</th>
            <th className="num">attempts</th>
            <th>message</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rows.map((d) => (
            <tr key={d.id}>
              <td>{d.createdAt.replace('T', ' ').slice(0, 19)}</td>
              <td>{d.event}</td>
              <td>
                {d.channel} <code>{d.target}</code>
              </td>
              <td>
                <StatusBadge tone={d.status === 'sent' ? 'ok' : d.status === 'failed' ? 'bad' : 'neutral'}>
                  {d.status}
                </StatusBadge>
                {d.errorCode ? <code className="error-code">{d.errorCode}</code> : null}
                {d.lastError ? <div className="muted">{d.lastError}</div> : null}
              </td>
              <td className="num">{d.attempts}</td>
              <td>{d.summary}</td>
              <td>
                {d.status === 'failed' ? (
                  <button type="button" className="button button-ghost" onClick={() => retry.mutate(d.id)}>
                    Retry
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** Every notification delivery: sent, failed (with its code), retried. */
export function OutboxPage() {
  return (
    <div>
      <PageHeader title="Notifications outbox">
        <p className="muted">
          <Link to={paths.evaluations.path}>Evaluations</Link>
        </p>
      </PageHeader>
      <ErrorBoundary area="Outbox">
        <Outbox />
      </ErrorBoundary>
    </div>
  );
}
