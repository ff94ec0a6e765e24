import type { z } from 'zod';

/** Where an expected failure happened: a file, a 1-based line, and a field path. */
export interface Where {
  file?: string;
  line?: number;
  field?: string;
}

/** "rag/train.jsonl:1042 field \"meta\": " — the prefix every located message starts with. */
export function formatWhere(where: Where): string {
  const place = where.file ? (where.line !== undefined ? `${where.file}:${where.line}` : where.file) : '';
  const field = where.field ? `field "${where.field}"` : '';
  const head = [place, field].filter(Boolean).join(' ');
  return head ? `${head}: ` : '';
}

/** Cuts a value for quoting in a message, so a 10 MB row never lands in a log line. */
export function excerpt(value: unknown, maxChars = 80): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > maxChars ? `${text.slice(0, maxChars - 1)}…` : text;
}

/**
 * The base of every expected failure (bad data, bad config, an unreachable remote).
 * Bugs stay plain `Error`s. Each shell maps this once: the server to `{ code, message, where }`
 * with `status`, the CLI to a message on stderr and exit code 2.
 */
export class AlignboardError extends Error {
  readonly status: number;
  constructor(
    readonly code: string,
    message: string,
    readonly where: Where = {},
    opts: { status?: number; cause?: unknown } = {},
  ) {
    super(formatWhere(where) + message, { cause: opts.cause });
    this.name = new.target.name;
    this.status = opts.status ?? 400;
  }
}

/** Input that does not match its schema: a request body, a CLI option, an env var, a config file. */
export class ValidationError extends AlignboardError {}

/** A resource that does not exist (HTTP 404). */
export class NotFoundError extends AlignboardError {
  constructor(code: string, message: string, where: Where = {}) {
    super(code, message, where, { status: 404 });
  }
}

/** Parses outside data once, at the edge; the first issue becomes a located `AB_INPUT_INVALID`. */
export function parseAt<T>(schema: z.ZodType<T>, value: unknown, where: Where = {}): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const [issue] = result.error.issues;
  const path = issue?.path.map(String).join('.');
  throw new ValidationError('AB_INPUT_INVALID', issue?.message ?? 'invalid value', {
    ...where,
    field: [where.field, path].filter(Boolean).join('.') || undefined,
  });
}

/** `JSON.parse` that fails with `AB_INPUT_JSON` and a location instead of a bare SyntaxError. */
export function parseJsonAt(text: string, where: Where = {}): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ValidationError('AB_INPUT_JSON', `not valid JSON (${(err as Error).message})`, where, {
      cause: err,
    });
  }
}
