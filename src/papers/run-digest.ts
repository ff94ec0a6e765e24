import { AlignboardError } from '../common/errors.js';
import { type Logger, silentLogger } from '../common/logger.js';
import { deliver, type TelegramSender, type WebhookSender, webhookChannel } from '../notify/index.js';
import type { Store } from '../store/index.js';
import type { PapersConfig } from './config.js';
import { PapersError } from './errors.js';
import {
  fetchArxivDetails,
  fetchArxivListing,
  fetchHfDaily,
  mergePapers,
  type SourceContext,
} from './fetch-sources.js';
import type { Paper } from './paper.js';
import {
  claimDigest,
  type DigestView,
  digestHeaderPosted,
  getDigest,
  getPapers,
  getProfile,
  markEntryPosted,
  type NewEntry,
  papersAnnouncedOn,
  saveEntries,
  updateDigest,
  upsertPapers,
  versionsInOtherDigests,
} from './paper-store.js';
import { type Embed, type RankedPaper, rankPapers } from './rank-papers.js';
import { createRateGate, type RateGate } from './rate-gate.js';
import { renderDigestCompact, renderDigestEntry, renderDigestHeader } from './render-digest.js';
import type { Summarizer } from './summarize-paper.js';

export type DigestEvent =
  | { type: 'skipped'; digestId: string; reason: 'already-posted' | 'in-progress' }
  | { type: 'source'; source: string; ok: true; count: number }
  | { type: 'source'; source: string; ok: false; code: string; reason: string }
  | { type: 'ranked'; candidates: number; selected: number }
  | { type: 'summary'; arxivId: string; status: 'ok' | 'wrong-language' | 'failed'; reason?: string }
  | { type: 'posted'; what: 'header' | 'paper' | 'slack'; arxivId?: string; messageIds: number[] }
  | { type: 'delivery-failed'; code: string; reason: string }
  | { type: 'done'; digest: DigestView };

export interface DigestDeps {
  store: Store;
  config: PapersConfig;
  log?: Logger;
  summarizer?: Summarizer;
  embed?: Embed;
  /** Where the digest is posted; without it the digest is built and stored only. */
  telegram?: { sender: TelegramSender; chatId: string };
  slack?: WebhookSender;
  /** Shared arXiv rate gate; one is made from the config when absent. */
  gate?: RateGate;
  signal?: AbortSignal;
  /** A claim older than this is taken over (a crashed run); default 15 minutes. */
  staleClaimMs?: number;
}

function reasonOf(err: unknown): { code: string; reason: string } {
  if (err instanceof AlignboardError) return { code: err.code, reason: err.message };
  return { code: 'AB_INTERNAL', reason: err instanceof Error ? err.message : String(err) };
}

const FEED_TYPES = new Set(['new', 'cross', 'hf']);

/**
 * Fetches the day's listings (every configured category), Hugging Face Daily Papers and arXiv
 * details, merges them into one paper per arXiv id and stores them. Each source that fails adds
 * a problem (and an error log line) instead of stopping the others.
 */
export async function* fetchDayIter(
  day: string,
  deps: Pick<DigestDeps, 'store' | 'config' | 'log' | 'gate' | 'signal'>,
  problems: string[] = [],
): AsyncGenerator<DigestEvent, Paper[]> {
  const { store, config } = deps;
  const log = (deps.log ?? silentLogger).child({ domain: 'papers', day });
  const gate = deps.gate ?? createRateGate({ minIntervalMs: config.arxiv.minIntervalMs });
  const ctx: SourceContext = { config, gate, log, ...(deps.signal && { signal: deps.signal }) };
  const lists: Paper[][] = [];
  for (const category of config.categories) {
    const source = `arXiv ${category}`;
    try {
      const listing = await fetchArxivListing(category, ctx);
      lists.push(listing.papers);
      yield { type: 'source', source, ok: true, count: listing.papers.length };
      if (!listing.papers.length)
        problems.push(`${source}: the feed lists no papers today (weekend or holiday)`);
    } catch (err) {
      const r = reasonOf(err);
      log.error({ source, ...r }, 'paper source failed');
      problems.push(`${source}: ${r.reason}`);
      yield { type: 'source', source, ok: false, ...r };
    }
  }
  if (config.hf.enabled) {
    const source = 'Hugging Face Daily Papers';
    try {
      const hf = await fetchHfDaily(day, ctx);
      lists.push(hf);
      yield { type: 'source', source, ok: true, count: hf.length };
    } catch (err) {
      const r = reasonOf(err);
      log.error({ source, ...r }, 'paper source failed');
      problems.push(`${source}: ${r.reason}`);
      yield { type: 'source', source, ok: false, ...r };
    }
  }
  let merged = mergePapers(lists);
  const wanted = merged.filter(
    (p) =>
      FEED_TYPES.has(p.announceType) || (config.includeReplacements && p.announceType.startsWith('replace')),
  );
  if (config.arxiv.details && wanted.length) {
    try {
      const details = await fetchArxivDetails(
        wanted.map((p) => p.arxivId),
        ctx,
      );
      // Details fill in dates and full author lists; the listing's announce type is kept.
      const typed = details.map((d) => ({
        ...d,
        announceType: merged.find((m) => m.arxivId === d.arxivId)?.announceType ?? d.announceType,
      }));
      merged = mergePapers([merged, typed]);
    } catch (err) {
      const r = reasonOf(err);
      log.warn(r, 'arXiv details unavailable');
      problems.push(`arXiv API details: ${r.reason} (feed data used instead)`);
    }
  }
  await upsertPapers(store, merged, day);
  return merged;
}

/**
 * Builds and posts the digest of `day` (YYYY-MM-DD), yielding what happens. Idempotent: a posted
 * day is skipped, a day another run is building is skipped, and a day that failed half-way resumes
 * where it stopped (entries already chosen and summarized are reused, messages already sent are not
 * sent again). A source down, a malformed feed, an empty day or a failed summary becomes a listed
 * problem in the digest, never a crash; a failed delivery marks the digest failed and is reported.
 */
export async function* runDigestIter(day: string, deps: DigestDeps): AsyncGenerator<DigestEvent> {
  const { store, config } = deps;
  const log = (deps.log ?? silentLogger).child({ domain: 'papers', digest: day });
  const claim = await claimDigest(store, day, config.language, deps.staleClaimMs ?? 15 * 60_000);
  if (claim !== 'claimed') {
    yield { type: 'skipped', digestId: day, reason: claim === 'posted' ? 'already-posted' : 'in-progress' };
    return;
  }
  const existing = await getDigest(store, day);
  const problems = [...(existing?.problems ?? [])];

  if (!existing?.entries.length) {
    const merged = yield* fetchDayIter(day, deps, problems);

    const posted = await versionsInOtherDigests(store, day);
    const candidates: Paper[] = [];
    const updated = new Set<string>();
    for (const p of merged) {
      const eligible =
        FEED_TYPES.has(p.announceType) ||
        (config.includeReplacements && p.announceType.startsWith('replace'));
      const before = posted.get(p.arxivId);
      if (before === undefined) {
        if (eligible) candidates.push(p);
      } else if (config.notifyNewVersions && p.version > before) {
        candidates.push(p);
        updated.add(p.arxivId);
      }
    }
    const profile = await getProfile(store, config.profile);
    const [liked, disliked] = await Promise.all([
      getPapers(store, profile.liked),
      getPapers(store, profile.disliked),
    ]);
    const ranked = await rankPapers(candidates, profile, {
      liked: liked.filter((p) => !candidates.some((c) => c.arxivId === p.arxivId)),
      disliked,
      ...(deps.embed && { embed: deps.embed }),
      log,
      ...(deps.signal && { signal: deps.signal }),
    });
    const selected = ranked.slice(0, config.maxPapers);
    yield { type: 'ranked', candidates: candidates.length, selected: selected.length };

    const entries: NewEntry[] = [];
    for (const [i, r] of selected.entries()) {
      const reasons = updated.has(r.paper.arxivId)
        ? [`new version v${r.paper.version} of a paper posted before`, ...r.reasons]
        : r.reasons;
      const entry: NewEntry = {
        arxivId: r.paper.arxivId,
        version: r.paper.version,
        rank: i + 1,
        score: r.score,
        reasons,
        summary: null,
        summaryLanguage: null,
        summaryStatus: 'failed',
        summaryError: deps.summarizer ? null : 'no summarizer configured',
      };
      if (deps.summarizer) {
        try {
          const s = await deps.summarizer.summarize(r.paper, deps.signal ? { signal: deps.signal } : {});
          entry.summary = s.text;
          entry.summaryLanguage = s.detected === 'unknown' ? null : s.detected;
          entry.summaryStatus = s.status;
          yield { type: 'summary', arxivId: r.paper.arxivId, status: s.status };
        } catch (err) {
          const rr = reasonOf(err);
          log.error({ arxivId: r.paper.arxivId, ...rr }, 'summary failed');
          entry.summaryError = rr.reason;
          problems.push(`summary of ${r.paper.arxivId}: ${rr.reason}`);
          yield { type: 'summary', arxivId: r.paper.arxivId, status: 'failed', reason: rr.reason };
        }
      }
      entries.push(entry);
    }
    if (!merged.length && !problems.length) problems.push('no source returned any paper');
    await saveEntries(store, day, entries);
    await updateDigest(store, day, { problems });
  }

  const digest = (await getDigest(store, day)) as DigestView;
  if (!deps.telegram && !deps.slack) {
    // Built but not posted: `papers post` (or the next scheduled run) delivers it.
    await updateDigest(store, day, { status: 'built' });
    yield { type: 'done', digest: (await getDigest(store, day)) as DigestView };
    return;
  }
  try {
    if (deps.telegram) {
      const { sender, chatId } = deps.telegram;
      const opts = deps.signal ? { signal: deps.signal } : {};
      if (!(await digestHeaderPosted(store, day))) {
        const sent = await sender.send(chatId, renderDigestHeader(digest), opts);
        await updateDigest(store, day, { headerMessageIds: sent.messageIds });
        yield { type: 'posted', what: 'header', messageIds: sent.messageIds };
      }
      for (const entry of digest.entries) {
        if (entry.postedAt) continue;
        const sent = await sender.send(chatId, renderDigestEntry(entry, digest.language), opts);
        await markEntryPosted(store, day, entry.arxivId, sent.messageIds);
        yield { type: 'posted', what: 'paper', arxivId: entry.arxivId, messageIds: sent.messageIds };
      }
    }
    if (deps.slack) {
      await deliver(store, webhookChannel(deps.slack), renderDigestCompact(digest), {
        key: `papers:digest:${day}:slack`,
        event: 'papers_digest',
        log,
        ...(deps.signal && { signal: deps.signal }),
      });
      yield { type: 'posted', what: 'slack', messageIds: [] };
    }
    await updateDigest(store, day, { status: 'posted', postedAt: new Date().toISOString() });
    log.info({ papers: digest.entries.length, problems: digest.problems.length }, 'digest posted');
  } catch (err) {
    const r = reasonOf(err);
    log.error(r, 'digest delivery failed');
    await updateDigest(store, day, {
      status: 'failed',
      problems: [...digest.problems, `delivery: ${r.reason}`],
    });
    yield { type: 'delivery-failed', ...r };
  }
  yield { type: 'done', digest: (await getDigest(store, day)) as DigestView };
}

/**
 * Drains `runDigestIter` and returns the digest. Throws `AB_PAPERS_DELIVERY_FAILED` when the
 * digest could not be delivered, so a caller (CLI, scheduler) cannot miss it; the stored digest
 * keeps what was sent, and the next run resumes from there.
 */
export async function runDigest(
  day: string,
  deps: DigestDeps,
  onEvent?: (e: DigestEvent) => void,
): Promise<{ digest?: DigestView; skipped?: 'already-posted' | 'in-progress' }> {
  let result: { digest?: DigestView; skipped?: 'already-posted' | 'in-progress' } = {};
  let failure: string | undefined;
  for await (const e of runDigestIter(day, deps)) {
    onEvent?.(e);
    if (e.type === 'skipped') result = { skipped: e.reason };
    if (e.type === 'delivery-failed') failure = e.reason;
    if (e.type === 'done') result = { digest: e.digest };
  }
  if (failure) {
    throw new PapersError('AB_PAPERS_DELIVERY_FAILED', `digest ${day} was not fully delivered: ${failure}`, {
      field: day,
    });
  }
  return result;
}

/**
 * Ranks the papers stored for `day` (fetched earlier) against the current profile, leaving out
 * papers already in another digest: what `alignboard papers rank` shows, without summaries.
 */
export async function rankDay(
  day: string,
  deps: Pick<DigestDeps, 'store' | 'config' | 'embed' | 'log' | 'signal'>,
): Promise<RankedPaper[]> {
  const { store, config } = deps;
  const posted = await versionsInOtherDigests(store, day);
  const papers = (await papersAnnouncedOn(store, day)).filter(
    (p) => !posted.has(p.arxivId) && (FEED_TYPES.has(p.announceType) || config.includeReplacements),
  );
  const profile = await getProfile(store, config.profile);
  const [liked, disliked] = await Promise.all([
    getPapers(store, profile.liked),
    getPapers(store, profile.disliked),
  ]);
  return rankPapers(papers, profile, {
    liked,
    disliked,
    ...(deps.embed && { embed: deps.embed }),
    ...(deps.log && { log: deps.log }),
    ...(deps.signal && { signal: deps.signal }),
  });
}
