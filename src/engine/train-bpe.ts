// Byte-level BPE training (Sennrich et al. 2016; GPT-2's byte-to-unicode trick), producing a
// tokenizer.json that @huggingface/tokenizers and the Rust `tokenizers` library both load.

/** GPT-2's bytes_to_unicode: every byte maps to a printable character, so merges are strings. */
export function bytesToUnicode(): string[] {
  const bs: number[] = [];
  for (let b = 33; b <= 126; b++) bs.push(b);
  for (let b = 161; b <= 172; b++) bs.push(b);
  for (let b = 174; b <= 255; b++) bs.push(b);
  const cs = [...bs];
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n++);
    }
  }
  const table = new Array<string>(256);
  bs.forEach((b, i) => {
    table[b] = String.fromCodePoint(cs[i] as number);
  });
  return table;
}

// GPT-2's pre-tokenizer split, which the ByteLevel pre-tokenizer applies when use_regex is true.
const GPT2_SPLIT = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

export const CHATML_TEMPLATE =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

export interface TrainBpeOptions {
  /** Final vocabulary size, special tokens and the 256 byte tokens included. */
  vocabSize: number;
  /** Added as special tokens with the first ids. Default: <|endoftext|>, <|im_start|>, <|im_end|>. */
  specialTokens?: string[];
  /** Pairs seen fewer times are not merged. */
  minFrequency?: number;
  /** Template stored in tokenizer_config.json; default ChatML. */
  chatTemplate?: string;
}

/** Trains a byte-level BPE tokenizer; returns the contents of tokenizer.json and tokenizer_config.json. */
export function trainBpeTokenizer(
  corpus: Iterable<string>,
  opts: TrainBpeOptions,
): { tokenizerJson: Record<string, unknown>; tokenizerConfig: Record<string, unknown> } {
  const specials = opts.specialTokens ?? ['<|endoftext|>', '<|im_start|>', '<|im_end|>'];
  const minFrequency = opts.minFrequency ?? 2;
  const byteChars = bytesToUnicode();
  const enc = new TextEncoder();
  // word (as byte-chars) -> count
  const counts = new Map<string, number>();
  for (const text of corpus) {
    for (const m of text.matchAll(GPT2_SPLIT)) {
      const w = Array.from(enc.encode(m[0]), (b) => byteChars[b] as string).join('');
      counts.set(w, (counts.get(w) ?? 0) + 1);
    }
  }
  const vocab = new Map<string, number>();
  for (const s of specials) vocab.set(s, vocab.size);
  for (const c of [...byteChars].sort()) vocab.set(c, vocab.size);
  const words = [...counts].map(([w, n]) => ({ parts: Array.from(w), n }));
  const merges: [string, string][] = [];
  while (vocab.size < opts.vocabSize) {
    const pairs = new Map<string, number>();
    for (const { parts, n } of words) {
      for (let i = 0; i + 1 < parts.length; i++) {
        const key = `${parts[i]}\u0000${parts[i + 1]}`;
        pairs.set(key, (pairs.get(key) ?? 0) + n);
      }
    }
    let best: string | null = null;
    let bestN = 0;
    for (const [k, n] of pairs)
      if (n > bestN || (n === bestN && best !== null && k < best)) [best, bestN] = [k, n];
    if (best === null || bestN < minFrequency) break;
    const [a, b] = best.split('\u0000') as [string, string];
    merges.push([a, b]);
    // Two merge paths can spell the same string ("ab"+"c", "a"+"bc"); it keeps its first id.
    if (!vocab.has(a + b)) vocab.set(a + b, vocab.size);
    for (const w of words) {
      const p = w.parts;
      for (let i = 0; i + 1 < p.length; i++) {
        if (p[i] === a && p[i + 1] === b) p.splice(i, 2, a + b);
      }
    }
  }
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  const addedTokens = specials.map((content, id) => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  }));
  const tokenizerJson = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: addedTokens,
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: { ...byteLevel, trim_offsets: false },
    decoder: byteLevel,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: Object.fromEntries(vocab),
      merges,
    },
  };
  const eos = specials.includes('<|im_end|>') ? '<|im_end|>' : (specials[0] ?? null);
  const tokenizerConfig = {
    add_bos_token: false,
    add_eos_token: false,
    added_tokens_decoder: Object.fromEntries(addedTokens.map(({ id, ...rest }) => [String(id), rest])),
    bos_token: null,
    eos_token: eos,
    pad_token: specials[0] ?? null,
    unk_token: null,
    clean_up_tokenization_spaces: false,
    model_max_length: 2048,
    tokenizer_class: 'PreTrainedTokenizerFast',
    chat_template: opts.chatTemplate ?? CHATML_TEMPLATE,
  };
  return { tokenizerJson, tokenizerConfig };
}
