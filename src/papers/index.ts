/**
 * papers — the team's daily paper digest: arXiv listings (new papers, cross-lists, replacements)
 * and the arXiv API within arXiv's rate rule, Hugging Face Daily Papers as a popularity signal,
 * dedupe by arXiv id across versions, sources and days, ranking against the team's interest
 * profile with reasons, LLM summaries in the team's language, and delivery to Telegram (with
 * feedback buttons and commands) and Slack through notify. A daily schedule with catch-up.
 */

export { parseArxivId } from './arxiv-id.js';
export { buildDigestDeps, type PapersSecrets } from './build-digest-deps.js';
// Commonly used
export {
  type InterestProfile,
  InterestProfileSchema,
  type PapersConfig,
  type PapersConfigInput,
  PapersConfigSchema,
  parsePapersConfig,
} from './config.js';
export { createDigestScheduler, type DigestScheduler, latestDueDay } from './digest-scheduler.js';
export { PAPERS_ERROR_CODES, PapersError, type PapersErrorCode } from './errors.js';
// Parts, for tests and expert use
export { fetchArxivDetails, fetchArxivListing, fetchHfDaily, mergePapers } from './fetch-sources.js';
export { loadPapersSettings, PAPERS_ENV, type PapersSettings } from './load-papers-settings.js';
export type { AnnounceType, Paper } from './paper.js';
export { attachPaperBot, type PaperBotDeps } from './paper-bot.js';
export {
  type DigestEntryView,
  type DigestView,
  type FeedbackKind,
  getDigest,
  getProfile,
  listDigests,
  papersAnnouncedOn,
  recordFeedback,
  saveProfile,
  searchPapers,
} from './paper-store.js';
export { parseArxivAtom, parseArxivRss } from './parse-arxiv-feeds.js';
export { parseHfDaily } from './parse-hf-daily.js';
export { type Embed, lexicalSimilarity, RANK_WEIGHTS, type RankedPaper, rankPapers } from './rank-papers.js';
export { ARXIV_MIN_INTERVAL_MS, createRateGate, type RateGate } from './rate-gate.js';
export { feedbackData, renderDigestEntry, renderDigestHeader } from './render-digest.js';
export {
  type DigestDeps,
  type DigestEvent,
  fetchDayIter,
  rankDay,
  runDigest,
  runDigestIter,
} from './run-digest.js';
export {
  buildSummaryPrompt,
  createEmbedder,
  createSummarizer,
  detectLanguage,
  SUMMARY_PROMPT_VERSION,
  type Summarizer,
  type SummaryLanguage,
  type SummaryResult,
} from './summarize-paper.js';
export type { PaperView, ProfileView } from './views.js';
