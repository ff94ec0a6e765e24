import { type Logger, type LoggerOptions, pino } from 'pino';

export type { Logger };

/**
 * Paths pino censors at the root logger. Secrets never reach a log line, whatever code path
 * (request headers, an endpoint config, a notifier) carries them.
 */
export const REDACT_PATHS = [
  'authorization',
  'apiKey',
  'token',
  'password',
  'secret',
  '*.authorization',
  '*.apiKey',
  '*.api_key',
  '*.token',
  '*.password',
  '*.secret',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
];

export function createLogger(opts: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  const options: LoggerOptions = {
    level: opts.level ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}

/** A logger that writes nothing: the default for domain functions called without one. */
export const silentLogger: Logger = pino({ level: 'silent' });
