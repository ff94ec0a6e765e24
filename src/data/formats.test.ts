import { describe, expect, test } from 'vitest';
import { DataError } from './errors.js';
import { convertRow, detectRowFormat, type FormatId, toExample } from './formats.js';

const SAMPLES: Record<
  string,
  {
    row: Record<string, unknown>;
    format: FormatId;
    kind: string;
    style?: string;
    implicit?: boolean;
    also?: FormatId[];
  }
> = {
  'TRL language modeling, standard': {
    row: { text: 'The sky is blue.' },
    format: 'trl.language_modeling',
    kind: 'language_modeling',
    style: 'standard',
  },
  'TRL language modeling, conversational': {
    row: {
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello.' },
      ],
    },
    format: 'trl.language_modeling',
    kind: 'language_modeling',
    style: 'conversational',
    also: ['openai.chat'],
  },
  'TRL prompt-only': { row: { prompt: 'The sky is' }, format: 'trl.prompt_only', kind: 'prompt_only' },
  'TRL prompt-completion': {
    row: { prompt: 'The sky is', completion: ' blue.' },
    format: 'trl.prompt_completion',
    kind: 'prompt_completion',
  },
  'TRL preference, explicit prompt': {
    row: { prompt: 'The sky is', chosen: ' blue.', rejected: ' green.' },
    format: 'trl.preference',
    kind: 'preference',
    implicit: false,
  },
  'TRL preference, implicit prompt': {
    row: { chosen: 'The sky is blue.', rejected: 'The sky is green.' },
    format: 'trl.preference',
    kind: 'preference',
    implicit: true,
  },
  'TRL preference, conversational': {
    row: {
      prompt: [{ role: 'user', content: 'Sky color?' }],
      chosen: [{ role: 'assistant', content: 'Blue.' }],
      rejected: [{ role: 'assistant', content: 'Green.' }],
    },
    format: 'trl.preference',
    kind: 'preference',
    style: 'conversational',
  },
  'TRL unpaired preference': {
    row: { prompt: 'The sky is', completion: ' blue.', label: true },
    format: 'trl.unpaired_preference',
    kind: 'unpaired_preference',
  },
  'OpenAI chat fine-tuning': {
    row: {
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello.', weight: 1 },
      ],
    },
    format: 'openai.chat',
    kind: 'language_modeling',
  },
  'OpenAI preference': {
    row: {
      input: { messages: [{ role: 'user', content: 'Sky?' }] },
      preferred_output: [{ role: 'assistant', content: 'Blue.' }],
      non_preferred_output: [{ role: 'assistant', content: 'Green.' }],
    },
    format: 'openai.preference',
    kind: 'preference',
  },
  'OpenAI preference, older names': {
    row: {
      input: { messages: [{ role: 'user', content: 'Sky?' }] },
      preferred_completion: [{ role: 'assistant', content: 'Blue.' }],
      non_preferred_completion: [{ role: 'assistant', content: 'Green.' }],
    },
    format: 'openai.preference',
    kind: 'preference',
  },
  'LLaMA-Factory alpaca': {
    row: { instruction: 'Translate', input: 'hello', output: '안녕', system: 'You translate.' },
    format: 'llamafactory.alpaca',
    kind: 'prompt_completion',
  },
  'LLaMA-Factory alpaca ranking': {
    row: { instruction: 'Sky?', input: '', chosen: 'Blue.', rejected: 'Green.' },
    format: 'llamafactory.alpaca',
    kind: 'preference',
  },
  'LLaMA-Factory sharegpt': {
    row: {
      conversations: [
        { from: 'human', value: 'Hi' },
        { from: 'gpt', value: 'Hello.' },
      ],
      system: 'Be kind.',
    },
    format: 'llamafactory.sharegpt',
    kind: 'language_modeling',
  },
  'LLaMA-Factory sharegpt ranking': {
    row: {
      conversations: [{ from: 'human', value: 'Sky?' }],
      chosen: { from: 'gpt', value: 'Blue.' },
      rejected: { from: 'gpt', value: 'Green.' },
    },
    format: 'llamafactory.sharegpt',
    kind: 'preference',
  },
  RAG: {
    row: {
      question: 'Who wrote it?',
      documents: [{ id: 'd1', text: 'Ann wrote it.' }],
      answer: 'Ann.',
      gold_doc_ids: ['d1'],
    },
    format: 'rag',
    kind: 'prompt_completion',
  },
  'RAG preference': {
    row: { question: 'Who?', documents: [{ id: 1, text: 'Ann.' }], chosen: 'Ann.', rejected: 'Bob.' },
    format: 'rag',
    kind: 'preference',
  },
};

describe('format detection', () => {
  test.each(Object.entries(SAMPLES))('%s', (_name, s) => {
    const d = detectRowFormat(s.row);
    expect(d?.format).toBe(s.format);
    expect(d?.kind).toBe(s.kind);
    if (s.style) expect(d?.style).toBe(s.style);
    if (s.implicit !== undefined) expect(d?.implicitPrompt).toBe(s.implicit);
    if (s.also) expect(d?.alsoMatches).toEqual(s.also);
  });

  test('OpenRLHF needs its keys, then maps them', () => {
    const row = { query: 'Sky?', good: 'Blue.', bad: 'Green.' };
    const e = toExample('openrlhf', row, { inputKey: 'query', chosenKey: 'good', rejectedKey: 'bad' });
    expect(e).toMatchObject({ kind: 'preference', prompt: 'Sky?', chosen: 'Blue.', rejected: 'Green.' });
  });

  test('LLaMA-Factory column mapping from dataset_info.json', () => {
    const e = toExample(
      'llamafactory.sharegpt',
      {
        msgs: [
          { role: 'user', text: 'Hi' },
          { role: 'assistant', text: 'Yo.' },
        ],
      },
      {
        columns: { messages: 'msgs' },
        tags: { role_tag: 'role', content_tag: 'text', user_tag: 'user', assistant_tag: 'assistant' },
      },
    );
    expect(e).toMatchObject({
      prompt: [{ role: 'user', content: 'Hi' }],
      completion: [{ role: 'assistant', content: 'Yo.' }],
    });
  });
});

describe('conversion', () => {
  const ok: [string, FormatId, FormatId, Record<string, unknown>][] = [
    [
      'TRL preference → OpenAI preference',
      'trl.preference',
      'openai.preference',
      SAMPLES['TRL preference, conversational']?.row ?? {},
    ],
    [
      'OpenAI preference → TRL preference',
      'openai.preference',
      'trl.preference',
      SAMPLES['OpenAI preference']?.row ?? {},
    ],
    [
      'sharegpt ranking → TRL preference',
      'llamafactory.sharegpt',
      'trl.preference',
      SAMPLES['LLaMA-Factory sharegpt ranking']?.row ?? {},
    ],
    [
      'TRL messages → OpenAI chat',
      'trl.language_modeling',
      'openai.chat',
      SAMPLES['TRL language modeling, conversational']?.row ?? {},
    ],
    [
      'alpaca ranking → TRL preference',
      'llamafactory.alpaca',
      'trl.preference',
      SAMPLES['LLaMA-Factory alpaca ranking']?.row ?? {},
    ],
    ['RAG → RAG', 'rag', 'rag', SAMPLES.RAG?.row ?? {}],
  ];
  test.each(ok)('%s round-trips', (_n, from, to, row) => {
    const out = convertRow(row, from, to);
    expect(toExample(to, out)).toEqual(toExample(from, row));
  });

  test('OpenAI preference → TRL preference keeps the conversation', () => {
    expect(
      convertRow(SAMPLES['OpenAI preference']?.row ?? {}, 'openai.preference', 'trl.preference'),
    ).toEqual({
      prompt: [{ role: 'user', content: 'Sky?' }],
      chosen: [{ role: 'assistant', content: 'Blue.' }],
      rejected: [{ role: 'assistant', content: 'Green.' }],
    });
  });

  const refused: [string, FormatId, FormatId, Record<string, unknown>, string][] = [
    [
      'preference → chat drops the rejected side',
      'trl.preference',
      'openai.chat',
      SAMPLES['TRL preference, explicit prompt']?.row ?? {},
      'preference example is not a single conversation',
    ],
    [
      'RAG → TRL loses documents',
      'rag',
      'trl.prompt_completion',
      SAMPLES.RAG?.row ?? {},
      'retrieved documents',
    ],
    [
      'plain text → OpenAI chat has no roles',
      'trl.language_modeling',
      'openai.chat',
      { text: 'x' },
      'no roles',
    ],
    [
      'alpaca with system → standard TRL',
      'llamafactory.alpaca',
      'trl.prompt_completion',
      SAMPLES['LLaMA-Factory alpaca']?.row ?? {},
      'system prompt',
    ],
    [
      'conversation → alpaca',
      'trl.preference',
      'llamafactory.alpaca',
      SAMPLES['TRL preference, conversational']?.row ?? {},
      'plain text',
    ],
  ];
  test.each(refused)('%s is refused with the reason', (_n, from, to, row, reason) => {
    let err: unknown;
    try {
      convertRow(row, from, to);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).code).toBe('AB_DATA_CONVERSION_LOSSY');
    expect((err as DataError).message).toContain(reason);
  });
});
