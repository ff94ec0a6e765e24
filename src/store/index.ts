/**
 * store — the database every domain persists to: Kysely over better-sqlite3 (embedded
 * default, WAL) or PostgreSQL, with versioned migrations. Owns the schema and connections;
 * owns no domain rules. Domains receive a `Store` and query `store.db`.
 */
export {
  type CreateStoreOptions,
  createStore,
  type Dialect,
  redactDatabaseUrl,
  type Store,
} from './create-store.js';
export { StoreError } from './errors.js';
export {
  cancelJob,
  claimNextJob,
  enqueueJob,
  finishJob,
  getJob,
  isJobHeld,
  type Job,
  type JobContext,
  type JobHandler,
  type JobStatus,
  type JobWorkerOptions,
  listJobs,
  renewJobLease,
  startJobWorker,
} from './job-queue.js';
export type { Database, JobsTable, MetaTable } from './schema.js';
