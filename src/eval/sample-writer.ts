import type { Database, Store } from '../store/index.js';

type SampleRow = Database['eval_samples'];

/** At most this many rows per INSERT: 5 columns each stays far below SQLite's 32,766 bound variables. */
const MAX_ROWS_PER_COMMIT = 256;

interface Pending {
  row: SampleRow;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit for finished samples. Rows written in the same event-loop turn, and those that
 * arrive while a commit runs, go to the store in one multi-row INSERT: one transaction and one
 * WAL sync serve many samples instead of one each. `write` resolves once its row is committed, so
 * a caller that reports a sample only after that never reports work a crash can lose.
 * A row already stored under (run id, sample index) is left as it is.
 */
export class SampleWriter {
  private pending: Pending[] = [];
  private isFlushing = false;

  constructor(private readonly store: Store) {}

  write(row: SampleRow): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ row, resolve, reject });
      if (this.isFlushing) return;
      this.isFlushing = true;
      // After the current turn, so that every answer read in it joins the same commit.
      setImmediate(() => {
        void this.flush(); // owns its errors: each batch's writers receive them
      });
    });
  }

  private async flush(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, MAX_ROWS_PER_COMMIT);
      try {
        await this.store.db
          .insertInto('eval_samples')
          .values(batch.map((p) => p.row))
          .onConflict((oc) => oc.columns(['run_id', 'sample_index']).doNothing())
          .execute();
        for (const p of batch) p.resolve();
      } catch (err) {
        for (const p of batch) p.reject(err);
      }
    }
    this.isFlushing = false;
  }
}
