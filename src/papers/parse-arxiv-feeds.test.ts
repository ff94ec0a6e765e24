import { describe, expect, test } from 'vitest';
import { arxivAtom, arxivRss } from '../../tests/helpers/fake-arxiv.js';
import { parseArxivId } from './arxiv-id.js';
import { parseArxivAtom, parseArxivRss } from './parse-arxiv-feeds.js';
import { parseHfDaily } from './parse-hf-daily.js';

const paper = {
  id: '2401.00001',
  title: 'Reward <models> & a_b',
  abstract: 'We study\n   reward models.',
  authors: ['Alice Kim', 'Bob Lee'],
  categories: ['cs.CL', 'cs.LG'],
};

describe('parseArxivId', () => {
  test.each([
    ['2401.12345', { id: '2401.12345', version: 1 }],
    ['oai:arXiv.org:2401.12345v3', { id: '2401.12345', version: 3 }],
    ['http://arxiv.org/abs/2401.1234v2', { id: '2401.1234', version: 2 }],
    ['https://arxiv.org/abs/hep-th/9901001v1', { id: 'hep-th/9901001', version: 1 }],
    ['not an id', undefined],
  ])('%s', (text, want) => expect(parseArxivId(text)).toEqual(want));
});

describe('parseArxivRss', () => {
  test('reads announce types, abstract, authors and categories; entities decode', () => {
    const xml = arxivRss('cs.CL', [
      paper,
      { ...paper, id: '2401.00002', announce: 'cross' },
      { ...paper, id: '2312.00003', version: 2, announce: 'replace' },
    ]);
    const { papers } = parseArxivRss(xml, 'feed', 'cs.CL');
    expect(papers.map((p) => [p.arxivId, p.version, p.announceType])).toEqual([
      ['2401.00001', 1, 'new'],
      ['2401.00002', 1, 'cross'],
      ['2312.00003', 2, 'replace'],
    ]);
    expect(papers[0]).toMatchObject({
      title: 'Reward <models> & a_b',
      abstract: 'We study reward models.',
      authors: ['Alice Kim', 'Bob Lee'],
      categories: ['cs.CL', 'cs.LG'],
      primaryCategory: 'cs.CL',
    });
  });

  test('an empty day is a channel without items', () => {
    expect(parseArxivRss(arxivRss('cs.CL', []), 'feed', 'cs.CL').papers).toEqual([]);
  });
});

describe('feed errors name the source and the line', () => {
  test.each([
    {
      name: 'unclosed tag',
      xml: '<rss><channel><item><title>x</item></channel></rss>',
      code: 'AB_PAPERS_FEED_INVALID',
      line: 1,
    },
    { name: 'not RSS', xml: '<html><body>maintenance</body></html>', code: 'AB_PAPERS_FEED_INVALID' },
    {
      name: 'item without id',
      xml: '<rss><channel><item><title>t</title><guid>none</guid></item></channel></rss>',
      code: 'AB_PAPERS_FEED_INVALID',
      field: 'item[0]',
    },
  ])('$name', ({ xml, code, line, field }) => {
    let err: unknown;
    try {
      parseArxivRss(xml, 'https://rss.arxiv.org/rss/cs.CL', 'cs.CL');
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({
      code,
      where: { file: 'https://rss.arxiv.org/rss/cs.CL', ...(line && { line }), ...(field && { field }) },
    });
  });
});

describe('parseArxivAtom', () => {
  test('reads the API entry with dates and the primary category', () => {
    const [p] = parseArxivAtom(arxivAtom([{ ...paper, categories: ['cs.LG', 'cs.CL'] }]), 'api');
    expect(p).toMatchObject({
      arxivId: '2401.00001',
      title: 'Reward <models> & a_b',
      authors: ['Alice Kim', 'Bob Lee'],
      primaryCategory: 'cs.LG',
      publishedAt: '2024-01-11T10:00:00Z',
    });
  });

  test('an API error entry is a rejection', () => {
    const xml = `<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://arxiv.org/api/errors#incorrect_id_format_for_x</id><title>Error</title><summary>incorrect id format for x</summary></entry></feed>`;
    expect(() => parseArxivAtom(xml, 'api')).toThrow(/incorrect id format/);
  });
});

describe('parseHfDaily', () => {
  test('reads upvotes; a malformed body is a located error', () => {
    const body = JSON.stringify([
      { paper: { id: '2401.00001', title: 'T', summary: 'S', authors: [{ name: 'A' }], upvotes: 7 } },
    ]);
    expect(parseHfDaily(body, 'hf')[0]).toMatchObject({
      arxivId: '2401.00001',
      hfUpvotes: 7,
      announceType: 'hf',
    });
    expect(() => parseHfDaily('{"error":"x"}', 'hf')).toThrow(/unexpected shape/);
    expect(() => parseHfDaily('<html>', 'hf')).toThrow(/not JSON/);
  });
});
