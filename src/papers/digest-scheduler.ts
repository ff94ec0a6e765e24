import { Cron } from 'croner';
import { type Logger, silentLogger } from '../common/logger.js';
import type { Store } from '../store/index.js';
import { PapersError } from './errors.js';
import { getDigest } from './paper-store.js';

export interface DigestSchedulerOptions {
  /** Local time HH:MM. */
  time: string;
  /** IANA time zone, e.g. Asia/Seoul. */
  timezone: string;
  store: Store;
  /** Builds and posts the digest of a day; `runDigest` bound to its deps. */
  run: (day: string) => Promise<unknown>;
  log?: Logger;
  /** Clock (tests). */
  now?: () => Date;
}

/** The calendar date (YYYY-MM-DD) and minutes since midnight of `at` in `timezone`. */
export function localParts(at: Date, timezone: string): { day: string; minutes: number } {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '00';
  return {
    day: `${get('year')}-${get('month')}-${get('day')}`,
    minutes: Number(get('hour')) * 60 + Number(get('minute')),
  };
}

function previousDay(day: string): string {
  const d = new Date(`${day}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

/** The day of the latest scheduled digest at or before `now`: today once its time has passed, else yesterday. */
export function latestDueDay(now: Date, time: string, timezone: string): string {
  const [h, m] = time.split(':').map(Number);
  const local = localParts(now, timezone);
  return local.minutes >= (h ?? 0) * 60 + (m ?? 0) ? local.day : previousDay(local.day);
}

/**
 * The daily digest schedule (croner, in the configured time zone). `start()` first catches up:
 * when the latest due digest was not posted (the process was down at its time) it is posted now,
 * once. Runs never overlap in a process, and the digest's stored state makes them idempotent
 * across processes, so a restart inside the digest window does not post twice.
 */
export function createDigestScheduler(opts: DigestSchedulerOptions) {
  const log = (opts.log ?? silentLogger).child({ domain: 'papers', component: 'scheduler' });
  const now = opts.now ?? (() => new Date());
  const [h, m] = opts.time.split(':').map(Number);
  try {
    new Intl.DateTimeFormat('en', { timeZone: opts.timezone });
  } catch (err) {
    throw new PapersError(
      'AB_PAPERS_CONFIG_INVALID',
      `unknown time zone "${opts.timezone}"`,
      { field: 'schedule.timezone' },
      { cause: err },
    );
  }
  let job: Cron | undefined;
  let running: Promise<void> = Promise.resolve();

  async function runDay(day: string, why: 'schedule' | 'catch-up'): Promise<void> {
    const digest = await getDigest(opts.store, day);
    if (digest?.status === 'posted') {
      log.debug({ day, why }, 'digest already posted');
      return;
    }
    log.info({ day, why }, 'digest run');
    try {
      await opts.run(day);
    } catch (err) {
      // The scheduler must keep running; the failure is logged for a person and stored on the digest.
      log.error({ day, why, reason: (err as Error).message }, 'scheduled digest failed');
    }
  }

  function enqueue(day: string, why: 'schedule' | 'catch-up'): Promise<void> {
    running = running.then(() => runDay(day, why));
    return running;
  }

  return {
    /** Catches up on a missed digest, then schedules the daily one. Resolves after the catch-up. */
    async start(): Promise<void> {
      await enqueue(latestDueDay(now(), opts.time, opts.timezone), 'catch-up');
      job = new Cron(
        `${m} ${h} * * *`,
        { timezone: opts.timezone, protect: true, name: 'papers-digest' },
        async () => {
          await enqueue(localParts(now(), opts.timezone).day, 'schedule');
        },
      );
    },
    /** The next scheduled run, or null when stopped. */
    nextRun(): Date | null {
      return job?.nextRun() ?? null;
    },
    /** Stops the schedule and waits for a run in progress. */
    async stop(): Promise<void> {
      job?.stop();
      job = undefined;
      await running;
    },
  };
}

export type DigestScheduler = ReturnType<typeof createDigestScheduler>;
