// Text in and out: tokenizer.json + tokenizer_config.json through @huggingface/tokenizers, and the
// chat template (tokenizer_config.json "chat_template" or chat_template.jinja) through @huggingface/jinja.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Template } from '@huggingface/jinja';
import { Tokenizer } from '@huggingface/tokenizers';
import { EngineError } from './errors.js';

export interface ChatMessage {
  role: string;
  content: string;
}

export interface EngineTokenizer {
  encode(text: string, opts?: { addSpecialTokens?: boolean }): number[];
  decode(ids: readonly number[], opts?: { skipSpecialTokens?: boolean }): string;
  tokenToId(token: string): number | undefined;
  idToToken(id: number): string | undefined;
  /** Ids of the special tokens (added tokens marked special). */
  specialIds: Set<number>;
  eosTokenId: number | null;
  bosTokenId: number | null;
  chatTemplate: string | null;
  /** Renders messages through the chat template; throws AB_ENGINE_TEMPLATE without one. */
  applyChatTemplate(messages: ChatMessage[], opts?: { addGenerationPrompt?: boolean }): string;
  /** The raw files, so a model can be saved again as it was loaded. */
  files: {
    tokenizerJson: Record<string, unknown>;
    tokenizerConfig: Record<string, unknown>;
    chatTemplateJinja: string | null;
  };
}

async function readJson(file: string, required: boolean): Promise<Record<string, unknown> | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (!required && (err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new EngineError(
      'AB_ENGINE_TOKENIZER',
      `cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      { file },
      { cause: err },
    );
  }
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not a JSON object');
    return v as Record<string, unknown>;
  } catch (err) {
    throw new EngineError(
      'AB_ENGINE_TOKENIZER',
      `not valid JSON (${(err as Error).message})`,
      { file },
      { cause: err },
    );
  }
}

/** The text of a token setting, which may be a string or an AddedToken object {content}. */
function tokenText(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && 'content' in v && typeof v.content === 'string') return v.content;
  return null;
}

export async function loadTokenizer(dir: string): Promise<EngineTokenizer> {
  const tokenizerJson = await readJson(join(dir, 'tokenizer.json'), true);
  const tokenizerConfig = (await readJson(join(dir, 'tokenizer_config.json'), false)) ?? {};
  let chatTemplateJinja: string | null = null;
  try {
    chatTemplateJinja = await readFile(join(dir, 'chat_template.jinja'), 'utf8');
  } catch {
    // optional file: most models keep the template in tokenizer_config.json
  }
  return createTokenizer({ tokenizerJson: tokenizerJson ?? {}, tokenizerConfig, chatTemplateJinja }, dir);
}

export function createTokenizer(files: EngineTokenizer['files'], dir = '.'): EngineTokenizer {
  const { tokenizerJson, tokenizerConfig, chatTemplateJinja } = files;
  let tok: Tokenizer;
  try {
    tok = new Tokenizer(tokenizerJson, tokenizerConfig);
  } catch (err) {
    throw new EngineError(
      'AB_ENGINE_TOKENIZER',
      `cannot build the tokenizer (${(err as Error).message})`,
      { file: join(dir, 'tokenizer.json') },
      { cause: err },
    );
  }
  const specialIds = new Set<number>();
  const added = Array.isArray(tokenizerJson.added_tokens) ? tokenizerJson.added_tokens : [];
  for (const t of added)
    if (t && typeof t === 'object' && t.special && typeof t.id === 'number') specialIds.add(t.id);
  const idOf = (v: unknown) => {
    const text = tokenText(v);
    return text === null ? null : (tok.token_to_id(text) ?? null);
  };
  const eosText = tokenText(tokenizerConfig.eos_token);
  const bosText = tokenText(tokenizerConfig.bos_token);
  const chatTemplate = pickTemplate(tokenizerConfig.chat_template) ?? chatTemplateJinja;
  let compiled: Template | null = null;
  return {
    encode: (text, opts = {}) => tok.encode(text, { add_special_tokens: opts.addSpecialTokens ?? true }).ids,
    // The library rejects an empty list; an empty generation decodes to ''.
    decode: (ids, opts = {}) =>
      ids.length === 0 ? '' : tok.decode([...ids], { skip_special_tokens: opts.skipSpecialTokens ?? false }),
    tokenToId: (t) => tok.token_to_id(t),
    idToToken: (id) => tok.id_to_token(id),
    specialIds,
    eosTokenId: idOf(tokenizerConfig.eos_token),
    bosTokenId: idOf(tokenizerConfig.bos_token),
    chatTemplate,
    applyChatTemplate(messages, opts = {}) {
      const where = { file: join(dir, 'tokenizer_config.json'), field: 'chat_template' };
      if (!chatTemplate)
        throw new EngineError(
          'AB_ENGINE_TEMPLATE',
          'the model has no chat template; use /v1/completions or add one',
          where,
        );
      try {
        compiled ??= new Template(chatTemplate);
        return compiled.render({
          messages,
          add_generation_prompt: opts.addGenerationPrompt ?? true,
          bos_token: bosText ?? '',
          eos_token: eosText ?? '',
        });
      } catch (err) {
        throw new EngineError(
          'AB_ENGINE_TEMPLATE',
          `the chat template failed to render (${(err as Error).message})`,
          where,
          { cause: err },
        );
      }
    },
    files,
  };
}

/** chat_template may be a string or a list of {name, template}; "default" wins. */
function pickTemplate(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) {
    const named = v.filter(
      (t): t is { name: string; template: string } =>
        typeof t?.name === 'string' && typeof t?.template === 'string',
    );
    return (named.find((t) => t.name === 'default') ?? named[0])?.template ?? null;
  }
  return null;
}
