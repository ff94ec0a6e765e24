import path from 'node:path';
import { z } from 'zod';
import { ValidationError } from './errors.js';

/** Every environment variable Alignboard reads, parsed once at start-up. */
export const EnvSchema = z.object({
  ALIGNBOARD_DATA_DIR: z.string().min(1).default('./.alignboard'),
  ALIGNBOARD_DATABASE_URL: z
    .string()
    .regex(/^(sqlite:|postgres(ql)?:\/\/)/, 'must start with sqlite: or postgres://')
    .optional(),
  ALIGNBOARD_HOST: z.string().min(1).default('127.0.0.1'),
  ALIGNBOARD_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  /** Upstream benchmark files for the built-in judged tasks (`<dir>/mt_bench`, `<dir>/arena_hard_v0.1`). */
  ALIGNBOARD_BENCHMARKS_DIR: z.string().min(1).optional(),
  ALIGNBOARD_LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info'),
});

export interface Config {
  dataDir: string;
  /** `sqlite:<file>` or `postgres://…`; defaults to `sqlite:<dataDir>/alignboard.db`. */
  databaseUrl: string;
  host: string;
  port: number;
  logLevel: string;
  /** Where built-in tasks (`mt-bench`, `arena-hard`) find their data; defaults to `<dataDir>/benchmarks`. */
  benchmarksDir: string;
}

/** Parses the environment; every bad variable is listed at once, not only the first. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ValidationError('AB_CONFIG_INVALID', `bad environment: ${lines.join('; ')}`, {
      field: String(parsed.error.issues[0]?.path[0] ?? ''),
    });
  }
  const e = parsed.data;
  const dataDir = path.resolve(cwd, e.ALIGNBOARD_DATA_DIR);
  return {
    dataDir,
    databaseUrl: e.ALIGNBOARD_DATABASE_URL ?? `sqlite:${path.join(dataDir, 'alignboard.db')}`,
    host: e.ALIGNBOARD_HOST,
    port: e.ALIGNBOARD_PORT,
    logLevel: e.ALIGNBOARD_LOG_LEVEL,
    benchmarksDir: path.resolve(cwd, e.ALIGNBOARD_BENCHMARKS_DIR ?? path.join(dataDir, 'benchmarks')),
  };
}
