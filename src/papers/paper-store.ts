import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Store } from '../store/index.js';
import { type InterestProfile, InterestProfileSchema } from './config.js';
import { PapersError } from './errors.js';
import type { AnnounceType, Paper } from './paper.js';
import type { DigestView } from './views.js';

/**
 * Persistence of the paper digest: papers, digests and their entries, feedback, and the interest
 * profile. Portable Kysely (JSON as text, ISO timestamps) so SQLite and PostgreSQL run the same code.
 */

type ItemRow = Awaited<ReturnType<typeof selectItems>>[number];

function selectItems(store: Store, ids: readonly string[]) {
  return store.db
    .selectFrom('papers_items')
    .selectAll()
    .where('arxiv_id', 'in', ids.length ? [...ids] : [''])
    .execute();
}

function json<T>(text: string | null, fallback: T): T {
  if (!text) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    // Rows are written only by this module; an unreadable value is shown as empty, not fatal.
    return fallback;
  }
}

function toPaper(r: ItemRow): Paper {
  return {
    arxivId: r.arxiv_id,
    version: Number(r.version),
    title: r.title,
    abstract: r.abstract,
    authors: json<string[]>(r.authors, []),
    categories: json<string[]>(r.categories, []),
    ...(r.primary_category && { primaryCategory: r.primary_category }),
    announceType: r.announce_type as AnnounceType,
    sources: json<string[]>(r.sources, []),
    ...(r.hf_upvotes !== null && { hfUpvotes: Number(r.hf_upvotes) }),
    ...(r.published_at && { publishedAt: r.published_at }),
    url: r.url,
  };
}

/** Inserts or refreshes papers seen on `day`; `announced_on` and `first_seen_at` keep their first value. */
export async function upsertPapers(store: Store, papers: readonly Paper[], day: string): Promise<void> {
  const now = new Date().toISOString();
  for (const p of papers) {
    const values = {
      version: p.version,
      title: p.title,
      abstract: p.abstract,
      authors: JSON.stringify(p.authors),
      categories: JSON.stringify(p.categories),
      primary_category: p.primaryCategory ?? null,
      announce_type: p.announceType,
      sources: JSON.stringify(p.sources),
      hf_upvotes: p.hfUpvotes ?? null,
      published_at: p.publishedAt ?? null,
      url: p.url,
      updated_at: now,
    };
    await store.db
      .insertInto('papers_items')
      .values({ arxiv_id: p.arxivId, announced_on: day, first_seen_at: now, ...values })
      .onConflict((oc) => oc.column('arxiv_id').doUpdateSet(values))
      .execute();
  }
}

export async function getPapers(store: Store, ids: readonly string[]): Promise<Paper[]> {
  const rows = await selectItems(store, ids);
  const byId = new Map(rows.map((r) => [r.arxiv_id, toPaper(r)]));
  return ids.map((id) => byId.get(id)).filter((p): p is Paper => p !== undefined);
}

/** Papers first seen on `day` (YYYY-MM-DD). */
export async function papersAnnouncedOn(store: Store, day: string): Promise<Paper[]> {
  const rows = await store.db
    .selectFrom('papers_items')
    .selectAll()
    .where('announced_on', '=', day)
    .orderBy('arxiv_id')
    .execute();
  return rows.map(toPaper);
}

/** Papers whose title, abstract or authors contain `query` (case-insensitive), newest first. */
export async function searchPapers(store: Store, query: string, limit = 20): Promise<Paper[]> {
  const like = `%${query.toLowerCase().replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
  const rows = await store.db
    .selectFrom('papers_items')
    .selectAll()
    // ESCAPE makes `\_` and `\%` literal on SQLite too (PostgreSQL escapes with `\` by default).
    .where((eb) =>
      eb.or(
        (['title', 'abstract', 'authors'] as const).map(
          (col) => sql<boolean>`lower(${sql.ref(col)}) like ${like} escape '\\'`,
        ),
      ),
    )
    .orderBy('announced_on', 'desc')
    .orderBy('arxiv_id', 'desc')
    .limit(limit)
    .execute();
  return rows.map(toPaper);
}

const PROFILE_ID = 'default';

/** The stored profile, or `initial` (from config) saved as the first one. */
export async function getProfile(store: Store, initial: InterestProfile): Promise<InterestProfile> {
  const row = await store.db
    .selectFrom('papers_profiles')
    .selectAll()
    .where('id', '=', PROFILE_ID)
    .executeTakeFirst();
  if (row) return InterestProfileSchema.parse(json(row.profile, {}));
  await saveProfile(store, initial);
  return initial;
}

export async function saveProfile(store: Store, profile: InterestProfile): Promise<InterestProfile> {
  const parsed = InterestProfileSchema.parse(profile);
  const now = new Date().toISOString();
  await store.db
    .insertInto('papers_profiles')
    .values({ id: PROFILE_ID, profile: JSON.stringify(parsed), updated_at: now })
    .onConflict((oc) => oc.column('id').doUpdateSet({ profile: JSON.stringify(parsed), updated_at: now }))
    .execute();
  return parsed;
}

export type FeedbackKind = 'like' | 'dislike' | 'more';

/**
 * Records 👍, 👎 or "more like this" on a paper and folds it into the profile: a like or "more"
 * makes the paper a liked example (and no longer disliked), a dislike the reverse. Returns the
 * updated profile, which the next ranking uses.
 */
export async function recordFeedback(
  store: Store,
  feedback: { arxivId: string; kind: FeedbackKind; source: string },
  initial: InterestProfile,
): Promise<InterestProfile> {
  const known = await getPapers(store, [feedback.arxivId]);
  if (!known.length)
    throw new PapersError('AB_PAPERS_NOT_FOUND', `no paper ${feedback.arxivId} in the archive`, {
      field: 'arxivId',
    });
  await store.db
    .insertInto('papers_feedback')
    .values({
      id: randomUUID(),
      arxiv_id: feedback.arxivId,
      kind: feedback.kind,
      source: feedback.source,
      created_at: new Date().toISOString(),
    })
    .execute();
  const profile = await getProfile(store, initial);
  const id = feedback.arxivId;
  const positive = feedback.kind !== 'dislike';
  const next: InterestProfile = {
    ...profile,
    liked: positive ? [...profile.liked.filter((x) => x !== id), id] : profile.liked.filter((x) => x !== id),
    disliked: positive
      ? profile.disliked.filter((x) => x !== id)
      : [...profile.disliked.filter((x) => x !== id), id],
  };
  return saveProfile(store, next);
}

export type { DigestEntryView, DigestView } from './views.js';

function digestStatus(s: string): DigestView['status'] {
  return s === 'posted' || s === 'failed' || s === 'built' ? s : 'building';
}

export async function getDigest(store: Store, id: string): Promise<DigestView | undefined> {
  const row = await store.db.selectFrom('papers_digests').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  const entries = await store.db
    .selectFrom('papers_digest_entries as e')
    .innerJoin('papers_items as p', 'p.arxiv_id', 'e.arxiv_id')
    .select([
      'e.rank',
      'e.arxiv_id',
      'e.version',
      'e.score',
      'e.reasons',
      'e.summary',
      'e.summary_language',
      'e.summary_status',
      'e.summary_error',
      'e.posted_at',
      'p.title',
      'p.authors',
      'p.url',
      'p.categories',
      'p.announce_type',
      'p.hf_upvotes',
    ])
    .where('e.digest_id', '=', id)
    .orderBy('e.rank')
    .execute();
  return {
    id: row.id,
    status: digestStatus(row.status),
    language: row.language,
    problems: json<string[]>(row.problems, []),
    createdAt: row.created_at,
    postedAt: row.posted_at,
    entries: entries.map((e) => ({
      rank: Number(e.rank),
      arxivId: e.arxiv_id,
      version: Number(e.version),
      title: e.title,
      authors: json<string[]>(e.authors, []),
      url: e.url,
      categories: json<string[]>(e.categories, []),
      announceType: e.announce_type,
      hfUpvotes: e.hf_upvotes === null ? null : Number(e.hf_upvotes),
      score: Number(e.score),
      reasons: json<string[]>(e.reasons, []),
      summary: e.summary,
      summaryLanguage: e.summary_language,
      summaryStatus:
        e.summary_status === 'ok'
          ? 'ok'
          : e.summary_status === 'wrong-language'
            ? 'wrong-language'
            : 'failed',
      summaryError: e.summary_error,
      postedAt: e.posted_at,
    })),
  };
}

/** Digests newest first (without entries), for the archive page. */
export async function listDigests(store: Store, limit = 30): Promise<Omit<DigestView, 'entries'>[]> {
  const rows = await store.db
    .selectFrom('papers_digests')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    status: digestStatus(row.status),
    language: row.language,
    problems: json<string[]>(row.problems, []),
    createdAt: row.created_at,
    postedAt: row.posted_at,
  }));
}

/**
 * Claims the digest of `id` for building: creates its row, or takes over one that is not posted
 * and whose claim is older than `staleMs` (a crashed run). False when another run holds it.
 */
export async function claimDigest(
  store: Store,
  id: string,
  language: string,
  staleMs: number,
): Promise<'claimed' | 'posted' | 'busy'> {
  const now = new Date();
  const row = await store.db.selectFrom('papers_digests').selectAll().where('id', '=', id).executeTakeFirst();
  if (row?.status === 'posted') return 'posted';
  if (!row) {
    try {
      await store.db
        .insertInto('papers_digests')
        .values({
          id,
          status: 'building',
          language,
          problems: '[]',
          header_message_ids: null,
          claimed_at: now.toISOString(),
          created_at: now.toISOString(),
          updated_at: now.toISOString(),
          posted_at: null,
        })
        .execute();
      return 'claimed';
    } catch {
      // Another run inserted the same day first (primary key): it holds the claim.
      return 'busy';
    }
  }
  if (row.status === 'building' && now.getTime() - Date.parse(row.claimed_at) < staleMs) return 'busy';
  const taken = await store.db
    .updateTable('papers_digests')
    .set({ status: 'building', claimed_at: now.toISOString(), updated_at: now.toISOString() })
    .where('id', '=', id)
    .where('claimed_at', '=', row.claimed_at)
    .executeTakeFirst();
  return Number(taken.numUpdatedRows) === 1 ? 'claimed' : 'busy';
}

export async function updateDigest(
  store: Store,
  id: string,
  set: { status?: string; problems?: string[]; headerMessageIds?: number[]; postedAt?: string },
): Promise<void> {
  await store.db
    .updateTable('papers_digests')
    .set({
      ...(set.status && { status: set.status }),
      ...(set.problems && { problems: JSON.stringify(set.problems) }),
      ...(set.headerMessageIds && { header_message_ids: JSON.stringify(set.headerMessageIds) }),
      ...(set.postedAt && { posted_at: set.postedAt }),
      updated_at: new Date().toISOString(),
    })
    .where('id', '=', id)
    .execute();
}

export async function digestHeaderPosted(store: Store, id: string): Promise<boolean> {
  const row = await store.db
    .selectFrom('papers_digests')
    .select('header_message_ids')
    .where('id', '=', id)
    .executeTakeFirst();
  return Boolean(row?.header_message_ids);
}

export interface NewEntry {
  arxivId: string;
  version: number;
  rank: number;
  score: number;
  reasons: string[];
  summary: string | null;
  summaryLanguage: string | null;
  summaryStatus: 'ok' | 'wrong-language' | 'failed';
  summaryError: string | null;
}

export async function saveEntries(
  store: Store,
  digestId: string,
  entries: readonly NewEntry[],
): Promise<void> {
  for (const e of entries) {
    await store.db
      .insertInto('papers_digest_entries')
      .values({
        digest_id: digestId,
        arxiv_id: e.arxivId,
        version: e.version,
        rank: e.rank,
        score: e.score,
        reasons: JSON.stringify(e.reasons),
        summary: e.summary,
        summary_language: e.summaryLanguage,
        summary_status: e.summaryStatus,
        summary_error: e.summaryError,
        message_ids: null,
        posted_at: null,
      })
      .onConflict((oc) => oc.columns(['digest_id', 'arxiv_id']).doNothing())
      .execute();
  }
}

export async function markEntryPosted(
  store: Store,
  digestId: string,
  arxivId: string,
  messageIds: number[],
): Promise<void> {
  await store.db
    .updateTable('papers_digest_entries')
    .set({ posted_at: new Date().toISOString(), message_ids: JSON.stringify(messageIds) })
    .where('digest_id', '=', digestId)
    .where('arxiv_id', '=', arxivId)
    .execute();
}

/** The highest version of each paper already in another digest: what dedupe across runs checks. */
export async function versionsInOtherDigests(store: Store, digestId: string): Promise<Map<string, number>> {
  const rows = await store.db
    .selectFrom('papers_digest_entries')
    .select(['arxiv_id', 'version'])
    .where('digest_id', '!=', digestId)
    .execute();
  const out = new Map<string, number>();
  for (const r of rows) out.set(r.arxiv_id, Math.max(out.get(r.arxiv_id) ?? 0, Number(r.version)));
  return out;
}
