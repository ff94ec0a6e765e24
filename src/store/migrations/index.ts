import type { Migration } from 'kysely';
import * as m0001 from './0001-meta.js';
import * as m0002 from './0002-registry.js';
import * as m0003 from './0003-data.js';
import * as m0004 from './0004-eval.js';
import * as m0005 from './0005-papers.js';
import * as m0006 from './0006-notify.js';
import * as m0008 from './0008-jobs.js';
import * as m0009 from './0009-eval-hub.js';
import * as m0009train from './0009-train.js';
import * as m0010 from './0010-notify-routing.js';

/**
 * Every migration, by name; Kysely applies them in name order. Listed statically (not read
 * from disk) so the compiled build and the tests run the same set. Names never change once
 * released; add a new file and a line here.
 */
export const MIGRATIONS: Record<string, Migration> = {
  '0001-meta': m0001,
  '0002-registry': m0002,
  '0003-data': m0003,
  '0004-eval': m0004,
  '0005-papers': m0005,
  '0006-notify': m0006,
  '0008-jobs': m0008,
  '0009-eval-hub': m0009,
  '0009-train': m0009train,
  '0010-notify-routing': m0010,
};
