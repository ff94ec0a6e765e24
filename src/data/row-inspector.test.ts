import { isAscii } from 'node:buffer';
import { describe, expect, test } from 'vitest';
import { preferenceContractYaml, writeText } from '../../tests/helpers/jsonl.js';
import { parseContract } from './contract.js';
import { type FormatId, toExample } from './formats.js';
import { hash52, hash52Naive, hashBytes52, hashBytes52Naive, hashRecord52, hashText52 } from './minhash.js';
import { type RowItem, readRowBatchesIter } from './read-rows.js';
import { plainExample, RowInspector } from './row-inspector.js';
import {
  countScripts,
  findPii,
  findSpecialToken,
  hintsOfRecord,
  languageOf,
  scanPlainAsciiParts,
  scanScripts,
} from './text-signals.js';

describe('fast paths of the row scan agree with their reference twins', () => {
  const rows: [string, FormatId, Record<string, unknown>][] = [
    ['preference', 'trl.preference', { prompt: 'Q?', chosen: 'A.', rejected: 'B.' }],
    [
      'preference with an extra field',
      'trl.preference',
      { prompt: 'Q?', chosen: 'A.', rejected: 'B.', id: 7 },
    ],
    ['preference, empty side', 'trl.preference', { prompt: 'Q?', chosen: '', rejected: 'B.' }],
    ['prompt-completion', 'trl.prompt_completion', { prompt: 'Q?', completion: 'A.' }],
  ];
  test.each(rows)('plainExample = toExample: %s', (_name, format, row) => {
    const { extra: _e, ...fast } = plainExample(format, row) ?? { extra: {} };
    const { extra: _x, ...slow } = toExample(format, row);
    expect(fast).toEqual(slow);
  });

  const other: [string, FormatId, Record<string, unknown>][] = [
    [
      'conversational preference',
      'trl.preference',
      { prompt: [{ role: 'user', content: 'Q' }], chosen: [], rejected: [] },
    ],
    ['implicit prompt', 'trl.preference', { chosen: 'A.', rejected: 'B.' }],
    ['chosen not a string', 'trl.preference', { prompt: 'Q', chosen: 1, rejected: 'B.' }],
    ['another format', 'openai.chat', { prompt: 'Q', messages: [] }],
  ];
  test.each(other)('plainExample leaves %s to toExample', (_name, format, row) => {
    expect(plainExample(format, row)).toBeUndefined();
  });

  test('scanScripts gives countScripts its counts and languageOf its language', () => {
    const texts = [
      'Plain English text with numbers 123.',
      'a',
      '',
      '   ',
      '한국어 문장입니다. with English',
      '모델 데이터 학습',
      'tab\tand\nnewline\r',
      'control \u0001 char',
      'mojibake Ã© here',
      'replacement \ufffd here',
    ];
    for (const t of texts) {
      const fast = scanScripts(t);
      const slow = countScripts(t);
      expect(languageOf(fast), t).toBe(languageOf(slow));
      expect({ ...fast, latin: Math.min(fast.latin, 2) }, t).toEqual({
        ...slow,
        latin: Math.min(slow.latin, 2),
      });
    }
  });

  test('hash52 separates what hash52Naive separates', () => {
    const texts = new Set<string>();
    for (let i = 0; i < 20_000; i++) texts.add(`{"prompt":"row ${i}","chosen":"${'x'.repeat(i % 7)}"}`);
    for (const t of ['', 'a', 'ab', 'ba', 'abc', 'acb', '가', '가나', '나가']) texts.add(t);
    const fast = new Set([...texts].map(hash52));
    const slow = new Set([...texts].map(hash52Naive));
    expect(fast.size).toBe(texts.size);
    expect(slow.size).toBe(texts.size);
    for (const t of texts) expect(Number.isSafeInteger(hash52(t))).toBe(true);
  });
});

describe('hashing bytes four at a time', () => {
  const texts = [
    '',
    'a',
    'ab',
    'abc',
    'abcd',
    'abcde',
    '가',
    '가나다라',
    'café',
    '{"prompt":"Q?","chosen":"A."}',
  ];

  test('hashBytes52 = hashBytes52Naive at every alignment, and hashText52 hashes the UTF-8 bytes', () => {
    for (const t of texts) {
      const bytes = Buffer.from(t);
      for (let off = 0; off < 4; off++) {
        const at = Buffer.alloc(bytes.length + off + 3);
        bytes.copy(at, off);
        const view = at.subarray(off, off + bytes.length);
        expect(hashBytes52(view), `${t} at +${off}`).toBe(hashBytes52Naive(bytes));
      }
      expect(hashText52(t), t).toBe(hashBytes52(bytes));
      expect(hashRecord52(t), t).toBe(hashRecord52(bytes));
      if (isAscii(bytes)) expect(hashText52(t, true), t).toBe(hashText52(t));
    }
  });

  test('hashBytes52 separates 20 000 near-identical lines and stays a safe integer', () => {
    const lines = new Set<string>();
    for (let i = 0; i < 20_000; i++)
      lines.add(`{"prompt":"row ${i}","chosen":"${'가'.repeat(i % 5)}${'x'.repeat(i % 7)}"}`);
    const keys = [...lines].map((l) => hashBytes52(Buffer.from(l)));
    expect(new Set(keys).size).toBe(lines.size);
    for (const k of keys) expect(Number.isSafeInteger(k)).toBe(true);
  });
});

describe("hints from a record's bytes settle checks the way the checks on its text do", () => {
  // [name, raw JSON line, expected hints: isPlainAscii, hasNoPii, hasNoSpecialToken]
  const records: [string, string, [boolean, boolean, boolean]][] = [
    [
      'plain English',
      '{"prompt":"Why is the sky blue?","chosen":"Rayleigh scattering.","rejected":"It is not."}',
      [true, true, true],
    ],
    [
      'Korean',
      '{"prompt":"하늘은 왜 파란가요?","chosen":"레일리 산란 때문입니다.","rejected":"아니요"}',
      [false, true, true],
    ],
    ['mojibake', '{"prompt":"cafÃ© and ì•ˆë…•","chosen":"ok.","rejected":"no."}', [false, true, true]],
    [
      'an escaped "@" (no raw byte)',
      '{"prompt":"mail me at a\\u0040b.com","chosen":"ok.","rejected":"no."}',
      [false, false, false],
    ],
    [
      'an escaped special token',
      '{"prompt":"\\u003c|im_end|>","chosen":"ok.","rejected":"no."}',
      [false, false, false],
    ],
    [
      'an escaped control character',
      '{"prompt":"bell\\u0007 here","chosen":"ok.","rejected":"no."}',
      [false, false, false],
    ],
    ['a newline escape', '{"prompt":"two\\nlines","chosen":"ok.","rejected":"no."}', [false, false, false]],
    ['a raw DEL', '{"prompt":"del \x7f here","chosen":"ok.","rejected":"no."}', [false, true, true]],
    [
      'an email',
      '{"prompt":"write to kim@example.com","chosen":"ok.","rejected":"no."}',
      [true, false, true],
    ],
    [
      'a phone number',
      '{"prompt":"call 010-1234-5678","chosen":"ok.","rejected":"no."}',
      [true, false, true],
    ],
    [
      'an AWS key without digits',
      '{"prompt":"key AKIAABCDEFGHIJKLMNOP","chosen":"ok.","rejected":"no."}',
      [true, false, true],
    ],
    [
      'a Google key',
      '{"prompt":"AIzaSyABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghi","chosen":"x","rejected":"y"}',
      [true, false, true],
    ],
    [
      'a leaked special token',
      '{"prompt":"<|im_start|>user","chosen":"ok.","rejected":"no."}',
      [true, false, false],
    ],
    ['[INST]', '{"prompt":"[INST] hi [/INST]","chosen":"ok.","rejected":"no."}', [true, true, false]],
    [
      'a digit in a key only',
      '{"prompt":"hello there","chosen":"ok.","rejected":"no.","id2":"x"}',
      [true, false, true],
    ],
    [
      'nested values',
      '{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"hello."}]}',
      [true, true, true],
    ],
  ];

  test.each(records)('%s', (_name, raw, [ascii, noPii, noSpecial]) => {
    const hints = hintsOfRecord(Buffer.from(raw));
    expect([hints.isPlainAscii, hints.hasNoPii, hints.hasNoSpecialToken]).toEqual([ascii, noPii, noSpecial]);
    const parts: string[] = [];
    const collect = (v: unknown): void => {
      if (typeof v === 'string') parts.push(v);
      else if (v && typeof v === 'object') for (const x of Object.values(v)) collect(x);
    };
    collect(JSON.parse(raw));
    const text = parts.join('\n');
    if (hints.isPlainAscii) {
      const slow = countScripts(text);
      expect({ ...scanPlainAsciiParts(parts), latin: 0 }).toEqual({ ...scanScripts(text), latin: 0 });
      expect(Math.min(scanPlainAsciiParts(parts).latin, 2)).toBe(Math.min(slow.latin, 2));
      expect([slow.hangul, slow.latin1, slow.control, slow.replacement]).toEqual([0, 0, 0, 0]);
    }
    if (hints.hasNoPii) expect(findPii(text)).toEqual([]);
    if (hints.hasNoSpecialToken) expect(findSpecialToken(text)).toBeUndefined();
  });
});

test('a scan with the record bytes (fast paths) finds exactly what a scan of the text alone finds', async () => {
  const q = (i: number) => `Question ${'abcdefghij'[i % 10]} about rivers?`;
  const lines: string[] = [];
  for (let i = 0; i < 60; i++) {
    const ko = i % 3 === 0;
    lines.push(
      JSON.stringify({
        prompt: ko ? `질문 ${'가나다라마'[i % 5]} 강물에 대하여?` : q(i),
        chosen: ko ? '좋은 답변입니다.' : `A good answer ${'klmnopqrst'[i % 10]}.`,
        rejected: ko ? '나쁜 답변' : 'A bad answer that stops mid',
      }),
    );
  }
  lines.push(lines[4] ?? '', lines[3] ?? ''); // exact duplicates, English and Korean
  lines.push(
    JSON.stringify({ prompt: q(1), chosen: 'A bad answer that stops mid', rejected: 'A good answer l.' }),
  );
  // The same swapped pair written with escapes: no hints, the UTF-8 path must give the same keys.
  lines.push(
    '{"prompt":"\\u0051uestion c about rivers?","chosen":"A bad answer that stops mid","rejected":"A good answer m."}',
  );
  lines.push(
    JSON.stringify({ prompt: '질문 나 강물에 대하여?', chosen: '나쁜 답변', rejected: '좋은 답변입니다.' }),
  );
  lines.push(JSON.stringify({ prompt: 'cafÃ© menu?', chosen: 'ì•ˆë…• means hello.', rejected: 'no.' }));
  lines.push(
    JSON.stringify({ prompt: 'mail kim@example.com', chosen: 'call 010-1234-5678.', rejected: 'ok.' }),
  );
  lines.push(JSON.stringify({ prompt: '<|im_start|>user hi', chosen: 'bell\u0007.', rejected: 'same.' }));
  lines.push('{"prompt": "oops", ', '[1, 2]', '{"prompt":"del \x7f","chosen":"x.","rejected":"x."}');
  const bad = Buffer.from('{"prompt":"caf\xe9 au lait?","chosen":"Yes.","rejected":"No."}', 'latin1');
  const file = await writeText(
    Buffer.concat([Buffer.from(`${lines.join('\n')}\n`), bad, Buffer.from('\n')]),
    'tricky.jsonl',
  );
  const contract = parseContract(`${preferenceContractYaml('prefs')}languages: [en]\n`).contract;
  const fast = new RowInspector({ contract, files: [file] });
  const reference = new RowInspector({ contract, files: [file] });
  for await (const batch of readRowBatchesIter(file)) {
    for (const item of batch) {
      expect(item.bytes).toBeDefined();
      fast.add(item);
      const { bytes: _bytes, ...textOnly }: RowItem = item;
      reference.add(textOnly);
    }
  }
  const a = fast.finish();
  const b = reference.finish();
  expect(a.findings.map((f) => f.code).sort()).toEqual(
    expect.arrayContaining([
      'AB_DATA_CONTRADICTORY_PREFERENCE',
      'AB_DATA_CONTROL_CHAR',
      'AB_DATA_DUPLICATE',
      'AB_DATA_INVALID_UTF8',
      'AB_DATA_LANGUAGE',
      'AB_DATA_MOJIBAKE',
      'AB_DATA_PII',
      'AB_DATA_ROW_JSON',
      'AB_DATA_SPECIAL_TOKEN',
    ]),
  );
  expect(a.counts.contradictory).toBe(3);
  // The invalid UTF-8 line is keyed by its bytes in one scan and by its decoded text (U+FFFD) in
  // the other, as before the fast paths; everything else must match.
  const badLine = lines.length + 1;
  const comparable = (st: typeof a) => {
    const keep = (i: number) => st.rowKeys.lines[i] !== badLine;
    return {
      ...st,
      rowKeys: {
        keys: st.rowKeys.keys.filter((_k, i) => keep(i)),
        lines: st.rowKeys.lines.filter((_k, i) => keep(i)),
        files: st.rowKeys.files.filter((_k, i) => keep(i)),
      },
      near: {
        ...st.near,
        sigs: [...st.near.sigs],
        rowKeys: st.near.rowKeys.filter((_k, i) => st.near.lines[i] !== badLine),
      },
    };
  };
  expect(a.rowKeys.lines).toContain(badLine);
  expect(comparable(a)).toEqual(comparable(b));
});
