import type { Bot } from 'grammy';
import { type Logger, silentLogger } from '../common/logger.js';
import type { Inline, TelegramSender } from '../notify/index.js';
import type { Store } from '../store/index.js';
import type { InterestProfile } from './config.js';
import {
  type FeedbackKind,
  getDigest,
  getProfile,
  listDigests,
  recordFeedback,
  searchPapers,
} from './paper-store.js';
import { renderDigestHeader } from './render-digest.js';

export interface PaperBotDeps {
  store: Store;
  sender: TelegramSender;
  /** The profile used until feedback creates a stored one. */
  initialProfile: InterestProfile;
  log?: Logger;
}

const ACK: Record<FeedbackKind, string> = {
  like: '👍 noted: more papers like this one',
  dislike: '👎 noted: fewer papers like this one',
  more: 'noted: tomorrow ranks similar papers higher',
};

/**
 * Adds the digest's interactive parts to a grammY bot: the 👍/👎/"more like this" buttons under
 * each paper (callback data `pf:<kind>:<arxiv id>`) update the interest profile, and the commands
 * `/digest` (the latest digest), `/search QUERY` (the archive) and `/topics` (the profile) answer
 * in the chat. Replies go through the sender, so they are escaped, split and paced like the digest.
 */
export function attachPaperBot(bot: Bot, deps: PaperBotDeps): void {
  const log = (deps.log ?? silentLogger).child({ domain: 'papers', component: 'bot' });

  bot.callbackQuery(/^pf:(like|dislike|more):(.{1,40})$/, async (ctx) => {
    const kind = ctx.match[1] as FeedbackKind;
    const arxivId = ctx.match[2] as string;
    try {
      await recordFeedback(
        deps.store,
        { arxivId, kind, source: `telegram:${ctx.from.id}` },
        deps.initialProfile,
      );
      log.info({ arxivId, kind }, 'feedback recorded');
      await ctx.answerCallbackQuery({ text: ACK[kind] });
    } catch (err) {
      log.error({ arxivId, kind, reason: (err as Error).message }, 'feedback failed');
      await ctx.answerCallbackQuery({ text: `could not record: ${(err as Error).message}`.slice(0, 190) });
    }
  });

  bot.command('digest', async (ctx) => {
    const [latest] = await listDigests(deps.store, 1);
    const digest = latest && (await getDigest(deps.store, latest.id));
    await deps.sender.send(
      ctx.chat.id,
      digest ? renderDigestHeader(digest) : { paragraphs: [['No digest yet.']] },
    );
  });

  bot.command('search', async (ctx) => {
    const query = ctx.match.trim();
    if (!query) {
      await deps.sender.send(ctx.chat.id, { paragraphs: [['Usage: ', { code: '/search QUERY' }]] });
      return;
    }
    const found = await searchPapers(deps.store, query, 5);
    const paragraphs: Inline[][] = [[{ bold: `Search: ${query}` }, ` (${found.length})`]];
    for (const p of found)
      paragraphs.push([{ link: p.title, href: p.url }, '\n', p.authors.slice(0, 3).join(', ')]);
    if (!found.length) paragraphs.push(['Nothing in the archive matches.']);
    await deps.sender.send(ctx.chat.id, { paragraphs });
  });

  bot.command('topics', async (ctx) => {
    const profile = await getProfile(deps.store, deps.initialProfile);
    const line = (label: string, items: string[]): Inline[] => [
      { bold: `${label}: ` },
      items.length ? items.join(', ') : '—',
    ];
    await deps.sender.send(ctx.chat.id, {
      paragraphs: [
        line('Keywords', profile.keywords),
        line('Authors', profile.authors),
        line('Categories', profile.categories),
        [{ bold: 'Feedback: ' }, `${profile.liked.length} liked, ${profile.disliked.length} disliked`],
      ],
    });
  });
}
