import { useHealth } from '../../api/system';
import { PageHeader } from '../../components/page-header';
import { StatusBadge } from '../../components/status-badge';

/** The hub's status, from `/api/health`. */
export function HomePage() {
  const health = useHealth();
  return (
    <section>
      <PageHeader title="Alignboard">
        <p className="muted">Models, data, training and evaluation of the alignment team, in one place.</p>
      </PageHeader>
      <div className="card" aria-live="polite">
        <h2>Hub status</h2>
        {health.isPending && <p className="muted">Checking…</p>}
        {health.isError && (
          <p>
            <StatusBadge tone="bad">unreachable</StatusBadge> {health.error.message}
          </p>
        )}
        {health.data && (
          <dl className="facts">
            <dt>Status</dt>
            <dd>
              <StatusBadge tone="ok">{health.data.status}</StatusBadge>
            </dd>
            <dt>Version</dt>
            <dd>{health.data.version}</dd>
            <dt>Database</dt>
            <dd>
              {health.data.database.dialect} · {health.data.database.migrations} migrations ·{' '}
              <code>{health.data.database.location}</code>
            </dd>
            <dt>Uptime</dt>
            <dd>{health.data.uptimeSeconds} s</dd>
            <dt>Instance</dt>
            <dd>
              <code>{health.data.instanceId}</code>
            </dd>
          </dl>
        )}
      </div>
    </section>
  );
}
