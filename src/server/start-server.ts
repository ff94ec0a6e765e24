import type { Config } from '../common/config.js';
import { type App, buildServer } from './build-server.js';

/**
 * Builds and listens, then closes gracefully on SIGINT/SIGTERM: in-flight requests finish,
 * plugins' `onClose` hooks release the store. A second signal exits at once.
 */
export async function startServer(config: Config): Promise<App> {
  const app = await buildServer({ config });
  await app.listen({ host: config.host, port: config.port });
  let closing = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (closing) process.exit(130);
    closing = true;
    app.log.info({ signal }, 'shutting down');
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        app.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  return app;
}
