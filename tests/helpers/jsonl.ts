import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { makeTempDir } from './temp-dir.js';

/**
 * A contract YAML for TRL preference rows (prompt, chosen, rejected: required strings), ending
 * inside `fields:` so a caller may append more fields, then top-level keys.
 */
export function preferenceContractYaml(name: string): string {
  return `
name: ${name}
version: 1
format: trl.preference
fields:
  prompt: { type: string, required: true }
  chosen: { type: string, required: true }
  rejected: { type: string, required: true }
`;
}

/** Writes rows as JSONL (or raw lines when given strings) into a fresh temp dir; returns the path. */
export async function writeJsonl(
  rows: readonly unknown[],
  name = 'data.jsonl',
  dir?: string,
): Promise<string> {
  const d = dir ?? (await makeTempDir());
  const file = path.join(d, name);
  await mkdir(path.dirname(file), { recursive: true });
  const text =
    rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n') + (rows.length ? '\n' : '');
  await writeFile(file, name.endsWith('.gz') ? gzipSync(text) : text);
  return file;
}

export async function writeText(text: string | Buffer, name: string, dir?: string): Promise<string> {
  const d = dir ?? (await makeTempDir());
  const file = path.join(d, name);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
  return file;
}

/** A seeded random generator (mulberry32), so fixtures are the same on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS =
  'model data train token answer question paper river stone garden light window music number planet forest table ocean city bridge engine signal memory value market winter summer yellow silver quiet rapid gentle broken hidden simple careful early later north south doctor teacher farmer painter writer story letter circle square system method result reason effect change growth energy metal glass paper cloud storm field valley mountain island harbor'.split(
    ' ',
  );

/** A sentence of `n` random words ending with a period. */
export function randomSentence(rand: () => number, n = 12): string {
  const w = Array.from({ length: n }, () => WORDS[Math.floor(rand() * WORDS.length)] ?? 'word');
  const s = w.join(' ');
  return `${s.charAt(0).toUpperCase()}${s.slice(1)}.`;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const TEMPLATES = path.resolve(here, '../../../shared/compat/chat-templates/templates.json');

/** A real chat template from ../shared/compat/chat-templates (never copied into the project). */
export function realChatTemplate(modelId: string): string {
  const all = JSON.parse(readFileSync(TEMPLATES, 'utf8')) as Record<string, { chat_template: string }>;
  const t = all[modelId];
  if (!t) throw new Error(`no chat template for ${modelId} in ${TEMPLATES}`);
  return t.chat_template;
}

/**
 * A byte-level BPE tokenizer.json with no merges: every UTF-8 byte is one token. Built by code,
 * so no binary fixture is committed; token counts equal UTF-8 byte counts.
 */
export function byteLevelTokenizerJson(): object {
  const bytes: number[] = [];
  for (let i = 33; i <= 126; i++) bytes.push(i);
  for (let i = 161; i <= 172; i++) bytes.push(i);
  for (let i = 174; i <= 255; i++) bytes.push(i);
  const chars = [...bytes];
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bytes.includes(b)) {
      bytes.push(b);
      chars.push(256 + n++);
    }
  }
  const vocab: Record<string, number> = {};
  bytes.forEach((_, i) => {
    vocab[String.fromCharCode(chars[i] ?? 0)] = i;
  });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [],
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: null,
    decoder: { type: 'ByteLevel' },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      vocab,
      merges: [],
    },
  };
}

/** A model folder with a real chat template and the byte-level tokenizer. */
export async function writeModelDir(modelId: string, extra: Record<string, unknown> = {}): Promise<string> {
  const dir = await makeTempDir('alignboard-model-');
  await writeFile(
    path.join(dir, 'tokenizer_config.json'),
    JSON.stringify({
      chat_template: realChatTemplate(modelId),
      bos_token: '<|begin_of_text|>',
      eos_token: '<|eot_id|>',
      ...extra,
    }),
  );
  await writeFile(path.join(dir, 'tokenizer.json'), JSON.stringify(byteLevelTokenizerJson()));
  return dir;
}
