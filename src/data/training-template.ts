import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Template } from '@huggingface/jinja';
import { Tokenizer } from '@huggingface/tokenizers';
import { z } from 'zod';
import { excerpt } from '../common/errors.js';
import { DataError } from './errors.js';

/**
 * How a training engine turns an example into text. `chat-template` is a model's Jinja chat
 * template (from `tokenizer_config.json`); `plain` is TRL's rule for standard (non-chat) rows:
 * prompt followed by completion. For RAG rows, `documents` says whether retrieved documents are
 * written into the user turn (`inline`) or passed to the template as `documents=` (`template`),
 * which many templates ignore.
 */
export type TrainingTemplate =
  | {
      kind: 'chat-template';
      name: string;
      template: string;
      bosToken?: string;
      eosToken?: string;
      documents?: 'inline' | 'template';
    }
  | { kind: 'plain'; name: string; documents?: 'inline' };

export interface TokenCounter {
  /** Number of tokens of `text` (no special tokens added). */
  count(text: string): number;
}

const TokenizerConfigSchema = z.looseObject({
  chat_template: z
    .union([z.string(), z.array(z.object({ name: z.string(), template: z.string() }))])
    .optional(),
  bos_token: z.union([z.string(), z.object({ content: z.string() }).loose(), z.null()]).optional(),
  eos_token: z.union([z.string(), z.object({ content: z.string() }).loose(), z.null()]).optional(),
});

const tokenText = (t: unknown): string | undefined =>
  typeof t === 'string'
    ? t
    : typeof t === 'object' && t !== null && 'content' in t && typeof t.content === 'string'
      ? t.content
      : undefined;

async function readJson(file: string): Promise<unknown> {
  const text = await readFile(file, 'utf8').catch((err: unknown) => {
    throw new DataError(
      'AB_DATA_TEMPLATE_INVALID',
      'cannot read the file',
      { file },
      { status: 404, cause: err },
    );
  });
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new DataError(
      'AB_DATA_TEMPLATE_INVALID',
      `not valid JSON (${(err as Error).message})`,
      { file },
      { cause: err },
    );
  }
}

/** Reads the chat template of a model folder: `chat_template.jinja`, else `tokenizer_config.json`. */
export async function loadChatTemplate(
  modelDir: string,
  opts: { name?: string; documents?: 'inline' | 'template' } = {},
): Promise<TrainingTemplate> {
  const file = path.join(modelDir, 'tokenizer_config.json');
  const r = TokenizerConfigSchema.safeParse(await readJson(file));
  if (!r.success)
    throw new DataError(
      'AB_DATA_TEMPLATE_INVALID',
      r.error.issues[0]?.message ?? 'invalid tokenizer config',
      { file, field: r.error.issues[0]?.path.join('.') },
    );
  const cfg = r.data;
  let template = await readFile(path.join(modelDir, 'chat_template.jinja'), 'utf8').catch(() => undefined);
  if (template === undefined) {
    const ct = cfg.chat_template;
    template =
      typeof ct === 'string'
        ? ct
        : (ct?.find((t) => t.name === (opts.name ?? 'default'))?.template ?? ct?.[0]?.template);
  }
  if (!template)
    throw new DataError('AB_DATA_TEMPLATE_INVALID', 'the model has no chat_template', {
      file,
      field: 'chat_template',
    });
  return {
    kind: 'chat-template',
    name: path.basename(modelDir),
    template,
    bosToken: tokenText(cfg.bos_token),
    eosToken: tokenText(cfg.eos_token),
    documents: opts.documents ?? 'inline',
  };
}

/** Loads `tokenizer.json` (+ `tokenizer_config.json`) from a model folder or a file path. */
export async function loadTokenizer(target: string): Promise<TokenCounter> {
  const isFile = target.endsWith('.json');
  const dir = isFile ? path.dirname(target) : target;
  const tokFile = isFile ? target : path.join(dir, 'tokenizer.json');
  const json = await readJson(tokFile).catch((err: unknown) => {
    throw new DataError(
      'AB_DATA_TOKENIZER_INVALID',
      'cannot read tokenizer.json',
      { file: tokFile },
      { cause: err },
    );
  });
  const cfg = await readJson(path.join(dir, 'tokenizer_config.json')).catch(() => ({}));
  let tok: Tokenizer;
  try {
    tok = new Tokenizer(json as object, cfg as object);
  } catch (err) {
    throw new DataError(
      'AB_DATA_TOKENIZER_INVALID',
      `cannot build the tokenizer (${excerpt((err as Error).message)})`,
      { file: tokFile },
      { cause: err },
    );
  }
  return { count: (text) => tok.encode(text, { add_special_tokens: false }).ids.length };
}

const compiled = new Map<string, Template>();

/** Renders a chat template; a template error becomes a located `AB_DATA_TEMPLATE_INVALID`. */
export function renderChatTemplate(
  t: Extract<TrainingTemplate, { kind: 'chat-template' }>,
  ctx: Record<string, unknown>,
): string {
  let tpl = compiled.get(t.template);
  if (!tpl) {
    try {
      tpl = new Template(t.template);
    } catch (err) {
      throw new DataError(
        'AB_DATA_TEMPLATE_INVALID',
        `the chat template does not parse (${excerpt((err as Error).message)})`,
        { file: t.name },
        { cause: err },
      );
    }
    compiled.set(t.template, tpl);
  }
  try {
    return tpl.render({
      bos_token: t.bosToken ?? '',
      eos_token: t.eosToken ?? '',
      ...ctx,
    });
  } catch (err) {
    throw new DataError(
      'AB_DATA_TEMPLATE_INVALID',
      `the chat template failed (${excerpt((err as Error).message)})`,
      { file: t.name },
      { cause: err },
    );
  }
}
