import { type Logger, silentLogger } from '../common/logger.js';
import type { InterestProfile } from './config.js';
import type { Paper } from './paper.js';

/** Turns texts into vectors (an OpenAI-compatible `/v1/embeddings` endpoint); see `createEmbedder`. */
export type Embed = (texts: string[], signal?: AbortSignal) => Promise<number[][]>;

export interface RankedPaper {
  paper: Paper;
  score: number;
  /** Why it was picked, in the order the score was built: shown with every posted paper. */
  reasons: string[];
}

/**
 * The weights of the score. Keyword and author matches are what the team asked for explicitly,
 * so they dominate; similarity to liked papers captures what the words miss; popularity breaks
 * ties between otherwise equal papers.
 */
export const RANK_WEIGHTS = {
  keywordInTitle: 3,
  keywordInAbstract: 1.5,
  author: 4,
  category: 1,
  liked: 5,
  disliked: -4,
  /** Times log2(1 + upvotes). */
  popularity: 0.5,
  /** A similarity below this is noise and is not shown as a reason. */
  minSimilarity: 0.15,
} as const;

const STOP = new Set(
  'the and for with from that this are was were our their its into via using use based can also these those than then such not but have has been which when where what how who whose while each other more most less'.split(
    ' ',
  ),
);

function tokens(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((t) => t.length > 2 && !STOP.has(t));
}

function paperText(p: Paper): string {
  return `${p.title}. ${p.abstract}`;
}

function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}

/** TF-IDF cosine similarity between each target and each reference: the fallback without embeddings. */
export function lexicalSimilarity(targets: readonly string[], refs: readonly string[]): number[][] {
  const docs = [...targets, ...refs].map(tokens);
  const df = new Map<string, number>();
  for (const d of docs) for (const t of new Set(d)) df.set(t, (df.get(t) ?? 0) + 1);
  const vocab = [...df.keys()];
  const index = new Map(vocab.map((t, i) => [t, i]));
  const vec = (d: string[]) => {
    const v = new Array<number>(vocab.length).fill(0);
    for (const t of d) {
      const i = index.get(t) as number;
      v[i] = (v[i] ?? 0) + 1;
    }
    return v.map((tf, i) => tf * Math.log(1 + docs.length / (df.get(vocab[i] as string) ?? 1)));
  };
  const vs = docs.map(vec);
  const tv = vs.slice(0, targets.length);
  const rv = vs.slice(targets.length);
  return tv.map((t) => rv.map((r) => cosine(t, r)));
}

function phrase(keyword: string): RegExp {
  const escaped = keyword
    .trim()
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    .replace(/\s+/g, '\\s+');
  // A plural ending still matches: "reward model" finds "Reward Models".
  return new RegExp(`(?<![\\p{L}\\p{N}])${escaped}(?:s|es)?(?![\\p{L}\\p{N}])`, 'iu');
}

function normName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^\p{L}\s]/gu, '')
    .replace(/\s+/g, ' ')
    .trim();
}

async function similarities(
  papers: readonly Paper[],
  refs: readonly Paper[],
  embed: Embed | undefined,
  log: Logger,
  signal?: AbortSignal,
): Promise<{ matrix: number[][]; method: 'embedding' | 'lexical' }> {
  if (refs.length === 0 || papers.length === 0) return { matrix: papers.map(() => []), method: 'lexical' };
  if (embed) {
    try {
      const vectors = await embed([...papers, ...refs].map(paperText), signal);
      const pv = vectors.slice(0, papers.length);
      const rv = vectors.slice(papers.length);
      return { matrix: pv.map((p) => rv.map((r) => cosine(p, r))), method: 'embedding' };
    } catch (err) {
      log.warn({ reason: (err as Error).message }, 'embeddings unavailable, using lexical similarity');
    }
  }
  return { matrix: lexicalSimilarity(papers.map(paperText), refs.map(paperText)), method: 'lexical' };
}

/**
 * Scores papers against the team's profile and returns them best first, each with its reasons:
 * keyword and phrase matches (title counts double), author and category matches, similarity to
 * liked papers (embeddings when `embed` is given and answers, lexical TF-IDF otherwise) minus
 * similarity to disliked ones, and Hugging Face popularity.
 */
export async function rankPapers(
  papers: readonly Paper[],
  profile: InterestProfile,
  opts: {
    liked?: readonly Paper[];
    disliked?: readonly Paper[];
    embed?: Embed;
    log?: Logger;
    signal?: AbortSignal;
  } = {},
): Promise<RankedPaper[]> {
  const log = opts.log ?? silentLogger;
  const W = RANK_WEIGHTS;
  const liked = opts.liked ?? [];
  const disliked = opts.disliked ?? [];
  const sims = await similarities(papers, [...liked, ...disliked], opts.embed, log, opts.signal);
  const keywords = profile.keywords.map((k) => ({ k, re: phrase(k) }));
  const authors = new Set(profile.authors.map(normName));
  const categories = new Set(profile.categories);

  const ranked = papers.map((paper, pi): RankedPaper => {
    let score = 0;
    const reasons: string[] = [];
    for (const { k, re } of keywords) {
      if (re.test(paper.title)) {
        score += W.keywordInTitle;
        reasons.push(`keyword "${k}" in title`);
      } else if (re.test(paper.abstract)) {
        score += W.keywordInAbstract;
        reasons.push(`keyword "${k}" in abstract`);
      }
    }
    for (const a of paper.authors) {
      if (authors.has(normName(a))) {
        score += W.author;
        reasons.push(`author ${a}`);
      }
    }
    const cats = paper.categories.filter((c) => categories.has(c));
    if (cats.length) {
      score += W.category;
      reasons.push(`category ${cats.join(', ')}`);
    }
    const row = sims.matrix[pi] ?? [];
    const best = (from: number, to: number) => {
      let at = -1;
      for (let i = from; i < to; i++) if (at < 0 || (row[i] ?? 0) > (row[at] ?? 0)) at = i;
      return at;
    };
    const li = best(0, liked.length);
    const likedSim = li >= 0 ? (row[li] ?? 0) : 0;
    if (likedSim >= W.minSimilarity) {
      score += W.liked * likedSim;
      reasons.push(`similar to liked "${liked[li]?.title}" (${sims.method} ${likedSim.toFixed(2)})`);
    }
    const di = best(liked.length, liked.length + disliked.length);
    const dislikedSim = di >= 0 ? (row[di] ?? 0) : 0;
    if (dislikedSim >= W.minSimilarity) {
      score += W.disliked * dislikedSim;
      reasons.push(
        `similar to disliked "${disliked[di - liked.length]?.title}" (${sims.method} ${dislikedSim.toFixed(2)})`,
      );
    }
    if (paper.hfUpvotes) {
      score += W.popularity * Math.log2(1 + paper.hfUpvotes);
      reasons.push(`${paper.hfUpvotes} upvotes on Hugging Face`);
    }
    if (reasons.length === 0) reasons.push('no profile match; listed as new in a followed category');
    return { paper, score: Math.round(score * 1000) / 1000, reasons };
  });
  return ranked.sort((a, b) => b.score - a.score || a.paper.arxivId.localeCompare(b.paper.arxivId));
}
