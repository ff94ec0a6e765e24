import { describe, expect, test } from 'vitest';
import { createTokenizer } from './tokenizer.js';
import { bytesToUnicode, CHATML_TEMPLATE, trainBpeTokenizer } from './train-bpe.js';

const corpus = Array.from(
  { length: 50 },
  (_, i) => `the cat sat on the mat ${i}; the dog sat on the log. 안녕하세요 ${i % 7}`,
);

describe('byte-level BPE training', () => {
  test('bytes_to_unicode is a bijection onto 256 printable characters', () => {
    const t = bytesToUnicode();
    expect(new Set(t).size).toBe(256);
    expect(t[32]).toBe('Ġ'); // GPT-2 maps space to U+0120
    expect(t[65]).toBe('A');
  });

  test('reaches the vocab size, is deterministic, and round-trips any text', () => {
    const a = trainBpeTokenizer(corpus, { vocabSize: 290 });
    const b = trainBpeTokenizer(corpus, { vocabSize: 290 });
    expect(a).toEqual(b);
    const model = a.tokenizerJson.model as { vocab: Record<string, number>; merges: [string, string][] };
    expect(Object.keys(model.vocab)).toHaveLength(290);
    expect(Object.values(model.vocab).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 290 }, (_, i) => i),
    );
    expect(model.merges.length).toBeGreaterThanOrEqual(290 - 256 - 3);
    const tok = createTokenizer({ ...a, chatTemplateJinja: null });
    for (const text of ['the cat sat', '안녕하세요 world', 'emoji 🙂 and\ttabs\n\nnew lines', '']) {
      expect(tok.decode(tok.encode(text))).toBe(text);
    }
    // merges shorten frequent words: "the" is one token
    expect(tok.encode(' the')).toHaveLength(1);
    // special tokens are single ids and marked special
    const imEnd = tok.tokenToId('<|im_end|>');
    expect(tok.encode('<|im_end|>')).toEqual([imEnd]);
    expect(tok.specialIds.has(imEnd as number)).toBe(true);
    expect(tok.eosTokenId).toBe(imEnd);
  });

  test('the ChatML template renders through @huggingface/jinja', () => {
    const files = trainBpeTokenizer(corpus, { vocabSize: 280 });
    const tok = createTokenizer({ ...files, chatTemplateJinja: null });
    expect(tok.chatTemplate).toBe(CHATML_TEMPLATE);
    expect(tok.applyChatTemplate([{ role: 'user', content: 'hi' }])).toBe(
      '<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n',
    );
    const noTemplate = createTokenizer({
      ...files,
      tokenizerConfig: { ...files.tokenizerConfig, chat_template: undefined },
      chatTemplateJinja: '{{ messages[0].content }}!',
    });
    expect(noTemplate.applyChatTemplate([{ role: 'user', content: 'hey' }])).toBe('hey!');
    const none = createTokenizer({
      ...files,
      tokenizerConfig: { ...files.tokenizerConfig, chat_template: undefined },
      chatTemplateJinja: null,
    });
    expect(() => none.applyChatTemplate([{ role: 'user', content: 'x' }])).toThrow(/no chat template/);
  });
});
