import path from 'node:path';
import { onTestFinished } from 'vitest';
import { loadConfig } from '../../src/common/config.js';
import { type App, type BuildServerOptions, buildServer } from '../../src/server/index.js';
import { makeTempDir } from './temp-dir.js';

/**
 * A real server on 127.0.0.1 with a fresh SQLite data dir, closed when the test finishes.
 * `prepare` may register test routes before it listens.
 */
export async function startTestServer(
  opts: Partial<BuildServerOptions> & { prepare?: (app: App) => unknown } = {},
): Promise<{ app: App; base: string; dataDir: string }> {
  const dataDir = await makeTempDir();
  const config = loadConfig({ ALIGNBOARD_DATA_DIR: dataDir, ALIGNBOARD_PORT: '0' });
  const app = await buildServer({ logger: false, ...opts, config: opts.config ?? config });
  await opts.prepare?.(app);
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  onTestFinished(() => app.close());
  return { app, base, dataDir: path.resolve(dataDir) };
}
