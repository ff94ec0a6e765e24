import type { Config } from '../common/config.js';
import type { Logger } from '../common/logger.js';
import type { Store } from '../store/index.js';

/** What every route plugin receives: passed in, never imported as a singleton. */
export interface RouteDeps {
  store: Store;
  log: Logger;
  config: Config;
  /** Where this server serves registry models (`<origin>/engine/v1`); undefined until it listens. */
  engineBaseUrl: () => string | undefined;
}
