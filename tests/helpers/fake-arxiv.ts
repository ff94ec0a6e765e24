import Fastify, { type FastifyInstance } from 'fastify';
import { onTestFinished } from 'vitest';

/**
 * Local fakes of arXiv (RSS listings at `/rss/<category>`, the API at `/api/query`) and Hugging
 * Face Daily Papers (`/api/daily_papers?date=`), serving fixtures the test describes in the
 * recorded formats: arXiv's RSS 2.0 with `arxiv:announce_type` (https://info.arxiv.org/help/rss.html),
 * the API's Atom feed (https://info.arxiv.org/help/api/user-manual.html), and the Hub's JSON.
 * It records when each request arrived and the most requests in flight at once.
 */

export interface FixturePaper {
  id: string;
  version?: number;
  title: string;
  abstract: string;
  authors: string[];
  categories: string[];
  announce?: 'new' | 'cross' | 'replace' | 'replace-cross';
}

export interface HfFixture {
  id: string;
  title: string;
  summary: string;
  authors: string[];
  upvotes: number;
}

export interface FakeArxivSetup {
  /** Listing per category; a string is served as the raw body (for malformed XML). */
  feeds?: Record<string, FixturePaper[] | string>;
  /** Papers the API knows (defaults to every paper in the feeds). */
  api?: FixturePaper[];
  hf?: HfFixture[] | string;
  /** Status to answer per path prefix, e.g. { '/api/daily_papers': 503 }. */
  fail?: Record<string, number>;
  /** Delay of every answer, to make overlapping requests visible. */
  delayMs?: number;
}

export interface FakeArxiv {
  base: string;
  requests: { path: string; startedAt: number; endedAt: number }[];
  maxInFlight: number;
  setup: FakeArxivSetup;
  app: FastifyInstance;
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function arxivRss(
  category: string,
  papers: FixturePaper[],
  pubDate = 'Mon, 15 Jan 2024 00:30:00 -0500',
): string {
  const items = papers
    .map((p) => {
      const v = `v${p.version ?? 1}`;
      const announce = p.announce ?? 'new';
      return `
    <item>
      <title>${xml(p.title)}</title>
      <link>https://arxiv.org/abs/${p.id}</link>
      <description>arXiv:${p.id}${v} Announce Type: ${announce} 
Abstract: ${xml(p.abstract)}</description>
      <guid isPermaLink="false">oai:arXiv.org:${p.id}${v}</guid>
${p.categories.map((c) => `      <category>${c}</category>`).join('\n')}
      <pubDate>${pubDate}</pubDate>
      <arxiv:announce_type>${announce}</arxiv:announce_type>
      <dc:rights>http://creativecommons.org/licenses/by/4.0/</dc:rights>
      <dc:creator>${xml(p.authors.join(', '))}</dc:creator>
    </item>`;
    })
    .join('');
  return `<?xml version='1.0' encoding='UTF-8'?>
<rss xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/" version="2.0">
  <channel>
    <title>${category} updates on arXiv.org</title>
    <link>http://rss.arxiv.org/rss/${category}</link>
    <description>${category} updates on the arXiv.org e-print archive.</description>
    <atom:link href="http://rss.arxiv.org/rss/${category}" rel="self" type="application/rss+xml"/>
    <docs>http://www.rssboard.org/rss-specification</docs>
    <language>en-us</language>
    <lastBuildDate>${pubDate}</lastBuildDate>
    <managingEditor>rss-help@arxiv.org</managingEditor>
    <pubDate>${pubDate}</pubDate>
    <skipDays>
      <day>Saturday</day>
      <day>Sunday</day>
    </skipDays>${items}
  </channel>
</rss>
`;
}

export function arxivAtom(papers: FixturePaper[]): string {
  const entries = papers
    .map((p) => {
      const v = `v${p.version ?? 1}`;
      return `
  <entry>
    <id>http://arxiv.org/abs/${p.id}${v}</id>
    <updated>2024-01-12T18:59:59Z</updated>
    <published>2024-01-11T10:00:00Z</published>
    <title>${xml(p.title)}</title>
    <summary>  ${xml(p.abstract)}
</summary>
${p.authors.map((a) => `    <author>\n      <name>${xml(a)}</name>\n    </author>`).join('\n')}
    <arxiv:comment>12 pages</arxiv:comment>
    <link href="http://arxiv.org/abs/${p.id}${v}" rel="alternate" type="text/html"/>
    <link title="pdf" href="http://arxiv.org/pdf/${p.id}${v}" rel="related" type="application/pdf"/>
    <arxiv:primary_category xmlns:arxiv="http://arxiv.org/schemas/atom" term="${p.categories[0]}" scheme="http://arxiv.org/schemas/atom"/>
${p.categories.map((c) => `    <category term="${c}" scheme="http://arxiv.org/schemas/atom"/>`).join('\n')}
  </entry>`;
    })
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <link href="http://arxiv.org/api/query?id_list=" rel="self" type="application/atom+xml"/>
  <title type="html">ArXiv Query: id_list</title>
  <id>http://arxiv.org/api/cHxbiOdZaP56ODnBPIenZhzg5f8</id>
  <updated>2024-01-15T00:00:00-05:00</updated>
  <opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">${papers.length}</opensearch:totalResults>
  <opensearch:startIndex xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">0</opensearch:startIndex>
  <opensearch:itemsPerPage xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">${papers.length}</opensearch:itemsPerPage>${entries}
</feed>
`;
}

export function hfDaily(papers: HfFixture[]): string {
  return JSON.stringify(
    papers.map((p, i) => ({
      paper: {
        id: p.id,
        authors: p.authors.map((name, j) => ({ _id: `a${i}${j}`, name, hidden: false })),
        publishedAt: '2024-01-12T18:59:59.000Z',
        title: p.title,
        summary: p.summary,
        upvotes: p.upvotes,
        discussionId: `d${i}`,
      },
      publishedAt: '2024-01-15T03:00:00.000Z',
      title: p.title,
      thumbnail: `https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/${p.id}.png`,
      numComments: 2,
      submittedBy: { _id: 's', avatarUrl: '', fullname: 'Someone', name: 'someone', type: 'user' },
    })),
  );
}

export async function startFakeArxiv(setup: FakeArxivSetup): Promise<FakeArxiv> {
  const app = Fastify({ logger: false });
  const state: FakeArxiv = { base: '', requests: [], maxInFlight: 0, setup, app };
  let inFlight = 0;
  app.addHook('onRequest', async () => {
    inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, inFlight);
  });
  app.addHook('onResponse', async () => {
    inFlight--;
  });
  app.get('/*', async (req, reply) => {
    const startedAt = Date.now();
    const url = new URL(req.url, 'http://x');
    if (state.setup.delayMs) await new Promise((r) => setTimeout(r, state.setup.delayMs));
    const record = () =>
      state.requests.push({ path: url.pathname + url.search, startedAt, endedAt: Date.now() });
    record();
    const fail = Object.entries(state.setup.fail ?? {}).find(([prefix]) => url.pathname.startsWith(prefix));
    if (fail) return reply.status(fail[1]).type('text/plain').send(`fixture failure ${fail[1]}`);
    if (url.pathname.startsWith('/rss/')) {
      const category = decodeURIComponent(url.pathname.slice('/rss/'.length));
      const feed = state.setup.feeds?.[category];
      if (feed === undefined) return reply.status(404).type('text/plain').send('Not Found');
      return reply
        .type('application/rss+xml')
        .send(typeof feed === 'string' ? feed : arxivRss(category, feed));
    }
    if (url.pathname === '/api/query') {
      const ids = (url.searchParams.get('id_list') ?? '').split(',').filter(Boolean);
      const all =
        state.setup.api ??
        Object.values(state.setup.feeds ?? {}).flatMap((f) => (typeof f === 'string' ? [] : f));
      const known = ids
        .map((id) => all.find((p) => p.id === id))
        .filter((p): p is FixturePaper => p !== undefined);
      return reply.type('application/atom+xml').send(arxivAtom(known));
    }
    if (url.pathname === '/api/daily_papers') {
      const hf = state.setup.hf ?? [];
      return reply.type('application/json').send(typeof hf === 'string' ? hf : hfDaily(hf));
    }
    return reply.status(404).send('Not Found');
  });
  state.base = await app.listen({ host: '127.0.0.1', port: 0 });
  onTestFinished(() => app.close());
  return state;
}
