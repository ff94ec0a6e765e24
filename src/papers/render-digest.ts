import type { Inline, NotifyMessage } from '../notify/index.js';
import type { DigestEntryView, DigestView } from './paper-store.js';

/** Fixed labels of the digest in each supported language; paper text itself is never translated here. */
const LABELS = {
  en: {
    digest: 'Paper digest',
    papers: 'papers',
    none: 'No new papers matched today.',
    missing: 'Missing from this digest',
    why: 'Why',
    summaryFailed: 'Summary unavailable',
    wrongLanguage: 'Summary is not in English (model answered in another language)',
    updated: 'new version',
    more: 'More like this',
    score: 'score',
  },
  ko: {
    digest: '오늘의 논문',
    papers: '편',
    none: '오늘은 관심 주제에 맞는 새 논문이 없습니다.',
    missing: '이번 다이제스트에서 빠진 것',
    why: '선정 이유',
    summaryFailed: '요약 실패',
    wrongLanguage: '요약이 한국어가 아닙니다 (모델이 다른 언어로 답함)',
    updated: '새 버전',
    more: '비슷한 논문 더 보기',
    score: '점수',
  },
} as const;

function labels(language: string) {
  return language === 'ko' ? LABELS.ko : LABELS.en;
}

/** Callback data of the feedback buttons: `pf:<kind>:<arxiv id>` (under Telegram's 64 bytes). */
export function feedbackData(kind: 'like' | 'dislike' | 'more', arxivId: string): string {
  return `pf:${kind}:${arxivId}`;
}

/** The first message of a digest: the day, what is missing, and the ranked list of titles. */
export function renderDigestHeader(
  digest: Pick<DigestView, 'id' | 'language' | 'problems' | 'entries'>,
): NotifyMessage {
  const L = labels(digest.language);
  const paragraphs: Inline[][] = [
    [{ bold: `📰 ${L.digest} — ${digest.id}` }, ` (${digest.entries.length} ${L.papers})`],
  ];
  if (digest.problems.length) {
    paragraphs.push([{ bold: `⚠️ ${L.missing}:` }, ...digest.problems.map((p) => `\n• ${p}`)]);
  }
  if (!digest.entries.length) paragraphs.push([L.none]);
  else paragraphs.push(digest.entries.flatMap((e, i) => [i ? '\n' : '', `${e.rank}. ${e.title}`]));
  return { paragraphs };
}

/** One paper: title, authors, why it was picked, the summary (or why there is none), link and buttons. */
export function renderDigestEntry(entry: DigestEntryView, language: string): NotifyMessage {
  const L = labels(language);
  const authors =
    entry.authors.length > 6 ? `${entry.authors.slice(0, 6).join(', ')} et al.` : entry.authors.join(', ');
  const meta = [
    `arXiv:${entry.arxivId}v${entry.version}`,
    entry.categories.slice(0, 3).join(', '),
    entry.hfUpvotes ? `▲${entry.hfUpvotes}` : '',
    `${L.score} ${entry.score.toFixed(1)}`,
  ].filter(Boolean);
  const paragraphs: Inline[][] = [
    [{ bold: `${entry.rank}. ${entry.title}` }],
    [authors || '—', '\n', { italic: meta.join(' · ') }],
    [{ bold: `${L.why}: ` }, entry.reasons.join('; ')],
  ];
  if (entry.summaryStatus === 'failed' || !entry.summary) {
    paragraphs.push([{ italic: `${L.summaryFailed}: ${entry.summaryError ?? 'no summarizer configured'}` }]);
  } else {
    paragraphs.push(entry.summary.split(/\n+/).flatMap((line, i) => (i ? ['\n', line] : [line])));
    if (entry.summaryStatus === 'wrong-language') paragraphs.push([{ italic: `⚠️ ${L.wrongLanguage}` }]);
  }
  paragraphs.push([{ link: entry.url, href: entry.url }]);
  return {
    paragraphs,
    buttons: [
      [
        { text: '👍', data: feedbackData('like', entry.arxivId) },
        { text: '👎', data: feedbackData('dislike', entry.arxivId) },
        { text: L.more, data: feedbackData('more', entry.arxivId) },
      ],
    ],
  };
}

/** The whole digest as one message, for Slack. */
export function renderDigestCompact(digest: DigestView): NotifyMessage {
  const header = renderDigestHeader({ ...digest, entries: [] });
  const body: Inline[][] = digest.entries.map((e) => [
    { link: `${e.rank}. ${e.title}`, href: e.url },
    '\n',
    { italic: e.reasons.join('; ') },
    ...(e.summary && e.summaryStatus !== 'failed' ? ['\n', e.summary] : []),
  ]);
  return { paragraphs: [...header.paragraphs.slice(0, digest.problems.length ? 2 : 1), ...body] };
}
