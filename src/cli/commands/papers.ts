// `alignboard papers fetch|rank|digest|post|schedule`: the paper digest. Thin: parse options, call papers.
import type { Command } from 'commander';
import type { Bot } from 'grammy';
import { z } from 'zod';
import { loadConfig } from '../../common/config.js';
import { parseAt } from '../../common/errors.js';
import { createLogger, type Logger } from '../../common/logger.js';
import {
  attachPaperBot,
  buildDigestDeps,
  createDigestScheduler,
  type DigestEvent,
  type DigestView,
  fetchDayIter,
  latestDueDay,
  loadPapersSettings,
  PapersError,
  type PapersSettings,
  rankDay,
  runDigest,
} from '../../papers/index.js';
import { createStore, type Store } from '../../store/index.js';
import { print, printJson } from '../output.js';

const DayOptionsSchema = z.object({
  day: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'a day, YYYY-MM-DD')
    .optional(),
  json: z.boolean().optional(),
});

async function withPapers<T>(
  fn: (ctx: { store: Store; settings: PapersSettings; log: Logger }) => Promise<T>,
): Promise<T> {
  const config = loadConfig();
  const log = createLogger({ level: config.logLevel, destination: process.stderr });
  const settings = await loadPapersSettings({ dataDir: config.dataDir });
  const store = createStore({ databaseUrl: config.databaseUrl });
  try {
    await store.migrate();
    return await fn({ store, settings, log });
  } finally {
    await store.close();
  }
}

/** Today in the schedule's time zone (UTC without a schedule). */
function today(settings: PapersSettings): string {
  const s = settings.config.schedule;
  return latestDueDay(new Date(), '00:00', s?.timezone ?? 'UTC');
}

/** Progress to stderr, one line per event, the same events the scheduler and server see. */
function progress(e: DigestEvent): void {
  const line =
    e.type === 'source'
      ? e.ok
        ? `source ${e.source}: ${e.count} papers`
        : `source ${e.source}: FAILED ${e.code} ${e.reason}`
      : e.type === 'ranked'
        ? `ranked ${e.candidates} candidates, selected ${e.selected}`
        : e.type === 'summary'
          ? `summary ${e.arxivId}: ${e.status}${e.reason ? ` (${e.reason})` : ''}`
          : e.type === 'posted'
            ? `posted ${e.what}${e.arxivId ? ` ${e.arxivId}` : ''}`
            : e.type === 'delivery-failed'
              ? `DELIVERY FAILED ${e.code} ${e.reason}`
              : e.type === 'skipped'
                ? `skipped ${e.digestId}: ${e.reason}`
                : '';
  if (line) process.stderr.write(`${line}\n`);
}

function formatDigest(d: DigestView): string {
  const head = [`digest ${d.id} (${d.status}, ${d.language}): ${d.entries.length} papers`];
  for (const p of d.problems) head.push(`  missing: ${p}`);
  for (const e of d.entries) {
    head.push(`${String(e.rank).padStart(2)}. [${e.score.toFixed(1)}] ${e.title} (arXiv:${e.arxivId})`);
    head.push(`     why: ${e.reasons.join('; ')}`);
    if (e.summary)
      head.push(
        `     ${e.summaryStatus === 'ok' ? '' : `(${e.summaryStatus}) `}${e.summary.replace(/\n/g, ' ')}`,
      );
  }
  return head.join('\n');
}

export function registerPapersCommands(program: Command): void {
  const papers = program
    .command('papers')
    .description('the daily paper digest: arXiv and Hugging Face papers, ranked, summarized, posted');

  papers
    .command('fetch')
    .description("fetch the day's arXiv listings, Hugging Face Daily Papers and details into the archive")
    .option('--day <YYYY-MM-DD>', 'the day (default: today)')
    .option('--json', 'machine-readable output')
    .action(async (raw: unknown) => {
      const opts = parseAt(DayOptionsSchema, raw, { field: 'options' });
      await withPapers(async ({ store, settings, log }) => {
        const day = opts.day ?? today(settings);
        const problems: string[] = [];
        const iter = fetchDayIter(day, { store, config: settings.config, log }, problems);
        let next = await iter.next();
        while (!next.done) {
          progress(next.value);
          next = await iter.next();
        }
        const fetched = next.value;
        if (opts.json) printJson({ day, papers: fetched, problems });
        else
          print(
            `${fetched.length} papers fetched for ${day}${problems.length ? `; missing: ${problems.join('; ')}` : ''}`,
          );
        if (problems.length) process.exitCode = 1;
      });
    });

  papers
    .command('rank')
    .description("rank the day's fetched papers against the interest profile, with reasons")
    .option('--day <YYYY-MM-DD>', 'the day (default: today)')
    .option('--json', 'machine-readable output')
    .action(async (raw: unknown) => {
      const opts = parseAt(DayOptionsSchema, raw, { field: 'options' });
      await withPapers(async ({ store, settings, log }) => {
        const day = opts.day ?? today(settings);
        const deps = buildDigestDeps(
          { ...settings.config, telegram: undefined },
          { store, log, secrets: settings.secrets },
        );
        const ranked = await rankDay(day, deps);
        if (opts.json)
          printJson(
            ranked.map((r) => ({
              arxivId: r.paper.arxivId,
              title: r.paper.title,
              score: r.score,
              reasons: r.reasons,
            })),
          );
        else
          for (const [i, r] of ranked.entries())
            print(`${i + 1}. [${r.score.toFixed(1)}] ${r.paper.title}\n   why: ${r.reasons.join('; ')}`);
      });
    });

  papers
    .command('digest')
    .description("build the day's digest (fetch, rank, summarize) and store it without posting")
    .option('--day <YYYY-MM-DD>', 'the day (default: today)')
    .option('--json', 'machine-readable output')
    .action(async (raw: unknown) => {
      const opts = parseAt(DayOptionsSchema, raw, { field: 'options' });
      await withPapers(async ({ store, settings, log }) => {
        const day = opts.day ?? today(settings);
        const deps = buildDigestDeps(
          { ...settings.config, telegram: undefined },
          { store, log, secrets: { ...settings.secrets, slackWebhookUrl: undefined } },
        );
        const { digest, skipped } = await runDigest(day, deps, progress);
        if (opts.json) printJson(digest ?? { skipped });
        else print(digest ? formatDigest(digest) : `digest ${day}: ${skipped}`);
      });
    });

  papers
    .command('post')
    .description(
      "post the day's digest to the configured Telegram chat and Slack (builds it first if needed); never twice",
    )
    .option('--day <YYYY-MM-DD>', 'the day (default: today)')
    .option('--json', 'machine-readable output')
    .action(async (raw: unknown) => {
      const opts = parseAt(DayOptionsSchema, raw, { field: 'options' });
      await withPapers(async ({ store, settings, log }) => {
        const day = opts.day ?? today(settings);
        const deps = buildDigestDeps(settings.config, { store, log, secrets: settings.secrets });
        const { digest, skipped } = await runDigest(day, deps, progress);
        if (opts.json) printJson(digest ?? { skipped });
        else print(digest ? formatDigest(digest) : `digest ${day}: ${skipped}`);
      });
    });

  papers
    .command('schedule')
    .description(
      'run the daily digest schedule and the Telegram bot (feedback buttons, /digest, /search, /topics) until stopped',
    )
    .action(async () => {
      await withPapers(async ({ store, settings, log }) => {
        const schedule = settings.config.schedule;
        if (!schedule) {
          throw new PapersError('AB_PAPERS_CONFIG_INVALID', 'no schedule in the papers config', {
            ...(settings.file && { file: settings.file }),
            field: 'schedule',
          });
        }
        const deps = buildDigestDeps(settings.config, { store, log, secrets: settings.secrets });
        const scheduler = createDigestScheduler({
          ...schedule,
          store,
          log,
          run: (day) => runDigest(day, deps, progress),
        });
        let bot: Bot | undefined;
        if (deps.telegram) {
          bot = deps.telegram.sender.bot;
          attachPaperBot(bot, {
            store,
            sender: deps.telegram.sender,
            initialProfile: settings.config.profile,
            log,
          });
          bot.catch((err) => log.error({ reason: err.message }, 'telegram update failed'));
        }
        await scheduler.start();
        log.info({ next: scheduler.nextRun()?.toISOString() }, 'paper digest scheduled');
        const stopped = new Promise<void>((resolve) => {
          const stop = () => resolve();
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
        // bot.start() resolves only when polling stops; it is owned by `stopped` below.
        const polling = bot ? bot.start({ drop_pending_updates: false }) : Promise.resolve();
        await stopped;
        await bot?.stop();
        await polling;
        await scheduler.stop();
      });
    });
}
