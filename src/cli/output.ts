import { loadConfig } from '../common/config.js';
import { createStore, type Store } from '../store/index.js';

/** A result line on stdout (logs and progress go to stderr). */
export function print(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** A machine-readable result on stdout, for `--json`. */
export function printJson(value: unknown): void {
  print(JSON.stringify(value, null, 2));
}

/** Opens and migrates the configured store for one command, and always closes it. */
export async function withStore<T>(fn: (store: Store) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const store = createStore({ databaseUrl: config.databaseUrl });
  try {
    await store.migrate();
    return await fn(store);
  } finally {
    await store.close();
  }
}
