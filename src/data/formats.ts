import { excerpt } from '../common/errors.js';
import { DataError } from './errors.js';

/**
 * Dataset formats Alignboard reads and writes. Every format maps a row to one canonical
 * `Example`; conversion is `fromExample(to, toExample(from, row))` and is refused when the
 * round trip through the target format does not give back the same example.
 */
export const FORMAT_IDS = [
  'trl.language_modeling',
  'trl.prompt_only',
  'trl.prompt_completion',
  'trl.preference',
  'trl.unpaired_preference',
  'openai.chat',
  'openai.preference',
  'llamafactory.alpaca',
  'llamafactory.sharegpt',
  'openrlhf',
  'rag',
] as const;
export type FormatId = (typeof FORMAT_IDS)[number];

export interface Message {
  role: string;
  content: string;
}
export interface RagDocument {
  id: string;
  text: string;
  title?: string;
}
/** Standard (plain text) or conversational (a list of messages), as in TRL. */
export type Turns = string | Message[];

export type ExampleKind =
  | 'language_modeling'
  | 'prompt_only'
  | 'prompt_completion'
  | 'preference'
  | 'unpaired_preference';

/** The canonical form of one training example, whatever format it came from. */
export interface Example {
  kind: ExampleKind;
  text?: Turns;
  system?: string;
  prompt?: Turns;
  completion?: Turns;
  chosen?: Turns;
  rejected?: Turns;
  label?: boolean;
  documents?: RagDocument[];
  goldDocIds?: string[];
  /** Fields the format does not map. They never reach the training text; conversion carries them as they are. */
  extra: Record<string, unknown>;
}

/** Column mapping for LLaMA-Factory (`dataset_info.json` `columns` and `tags`) and OpenRLHF (`*_key`). */
export interface FormatOptions {
  columns?: Partial<
    Record<
      'prompt' | 'query' | 'response' | 'system' | 'history' | 'messages' | 'chosen' | 'rejected' | 'tools',
      string
    >
  >;
  tags?: Partial<
    Record<
      | 'role_tag'
      | 'content_tag'
      | 'user_tag'
      | 'assistant_tag'
      | 'system_tag'
      | 'observation_tag'
      | 'function_tag',
      string
    >
  >;
  ranking?: boolean;
  /** OpenRLHF keys. */
  inputKey?: string;
  outputKey?: string;
  chosenKey?: string;
  rejectedKey?: string;
  labelKey?: string;
}

export interface FormatDetection {
  format: FormatId;
  kind: ExampleKind;
  style: 'standard' | 'conversational';
  implicitPrompt: boolean;
  /** Other formats the same rows also satisfy (OpenAI chat rows are TRL conversational rows too). */
  alsoMatches: FormatId[];
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isMessages = (v: unknown): v is Message[] =>
  Array.isArray(v) &&
  v.every(
    (m) => isObj(m) && isStr(m.role) && (isStr(m.content) || m.content === null || m.content === undefined),
  );
const isTurns = (v: unknown): v is Turns => isStr(v) || isMessages(v);
const has = (row: Record<string, unknown>, k: string) => row[k] !== undefined && row[k] !== null;

/** Detects the format of a row; `undefined` when it matches none. */
export function detectRowFormat(row: Record<string, unknown>): FormatDetection | undefined {
  const style = (v: unknown) =>
    (isMessages(v) ? 'conversational' : 'standard') as 'standard' | 'conversational';
  const d = (
    format: FormatId,
    kind: ExampleKind,
    s: 'standard' | 'conversational',
    implicitPrompt = false,
    alsoMatches: FormatId[] = [],
  ) => ({
    format,
    kind,
    style: s,
    implicitPrompt,
    alsoMatches,
  });
  if (
    isObj(row.input) &&
    isMessages(row.input.messages) &&
    (has(row, 'preferred_output') || has(row, 'preferred_completion'))
  ) {
    return d('openai.preference', 'preference', 'conversational');
  }
  if (isStr(row.question) && (Array.isArray(row.documents) || has(row, 'answer') || has(row, 'chosen'))) {
    return d('rag', has(row, 'chosen') ? 'preference' : 'prompt_completion', 'standard');
  }
  if (Array.isArray(row.conversations)) {
    return d(
      'llamafactory.sharegpt',
      has(row, 'chosen') ? 'preference' : 'language_modeling',
      'conversational',
    );
  }
  if (isStr(row.instruction) && (has(row, 'output') || has(row, 'chosen'))) {
    return d('llamafactory.alpaca', has(row, 'chosen') ? 'preference' : 'prompt_completion', 'standard');
  }
  if (isTurns(row.chosen) && isTurns(row.rejected)) {
    return d('trl.preference', 'preference', style(row.chosen), !has(row, 'prompt'));
  }
  if (isTurns(row.prompt) && isTurns(row.completion) && typeof row.label === 'boolean') {
    return d('trl.unpaired_preference', 'unpaired_preference', style(row.prompt));
  }
  if (isTurns(row.prompt) && isTurns(row.completion))
    return d('trl.prompt_completion', 'prompt_completion', style(row.prompt));
  if (isTurns(row.prompt)) return d('trl.prompt_only', 'prompt_only', style(row.prompt));
  if (isMessages(row.messages)) {
    const openAiOnly =
      has(row, 'tools') ||
      has(row, 'parallel_tool_calls') ||
      row.messages.some((m) => 'weight' in m || 'tool_calls' in m);
    return openAiOnly
      ? d('openai.chat', 'language_modeling', 'conversational')
      : d('trl.language_modeling', 'language_modeling', 'conversational', false, ['openai.chat']);
  }
  if (isStr(row.text)) return d('trl.language_modeling', 'language_modeling', 'standard');
  return undefined;
}

/** Detects the format of a sample: the format most rows agree on. */
export function detectFormat(
  rows: readonly Record<string, unknown>[],
  where: { file?: string } = {},
): FormatDetection {
  const votes = new Map<string, { n: number; d: FormatDetection }>();
  for (const row of rows) {
    const d = detectRowFormat(row);
    if (!d) continue;
    const key = `${d.format}/${d.kind}/${d.style}/${d.implicitPrompt}`;
    const v = votes.get(key) ?? { n: 0, d };
    v.n++;
    votes.set(key, v);
  }
  const best = [...votes.values()].sort((a, b) => b.n - a.n)[0];
  if (!best) {
    const keys = rows[0] ? Object.keys(rows[0]).join(', ') : 'no rows';
    throw new DataError(
      'AB_DATA_FORMAT_UNKNOWN',
      `no known dataset format matches the fields found (${excerpt(keys)}); name it with --format`,
      where,
    );
  }
  return best.d;
}

function pick(row: Record<string, unknown>, used: Set<string>, key: string): unknown {
  used.add(key);
  return row[key];
}

function extraOf(row: Record<string, unknown>, used: Set<string>): Record<string, unknown> {
  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) if (!used.has(k)) extra[k] = v;
  return extra;
}

function asTurns(v: unknown, field: string): Turns | undefined {
  if (v === undefined || v === null) return undefined;
  if (isStr(v)) return v;
  if (isMessages(v)) return v.map((m) => ({ role: m.role, content: m.content ?? '' }));
  throw new DataError(
    'AB_DATA_FIELD_TYPE',
    `expected text or a list of {role, content} messages, found ${excerpt(v)}`,
    { field },
  );
}

function asMessage(v: unknown, tags: Required<NonNullable<FormatOptions['tags']>>, field: string): Message {
  if (!isObj(v))
    throw new DataError('AB_DATA_FIELD_TYPE', `expected a message object, found ${excerpt(v)}`, { field });
  const from = v[tags.role_tag];
  const value = v[tags.content_tag];
  if (!isStr(from) || !isStr(value)) {
    throw new DataError(
      'AB_DATA_FIELD_TYPE',
      `expected "${tags.role_tag}" and "${tags.content_tag}" text, found ${excerpt(v)}`,
      { field },
    );
  }
  const roles: Record<string, string> = {
    [tags.user_tag]: 'user',
    [tags.assistant_tag]: 'assistant',
    [tags.system_tag]: 'system',
    [tags.observation_tag]: 'tool',
    [tags.function_tag]: 'function_call',
  };
  return { role: roles[from] ?? from, content: value };
}

const SHAREGPT_TAGS = {
  role_tag: 'from',
  content_tag: 'value',
  user_tag: 'human',
  assistant_tag: 'gpt',
  system_tag: 'system',
  observation_tag: 'observation',
  function_tag: 'function_call',
};

function splitSystem(turns: Turns | undefined): { system?: string; turns: Turns | undefined } {
  if (!Array.isArray(turns) || turns[0]?.role !== 'system') return { turns };
  return { system: turns[0].content, turns: turns.slice(1) };
}

function lastAssistantSplit(messages: Message[]): { prompt: Message[]; completion: Message[] } {
  const i = messages.length - 1;
  if (i >= 0 && messages[i]?.role === 'assistant')
    return { prompt: messages.slice(0, i), completion: messages.slice(i) };
  return { prompt: messages, completion: [] };
}

/** Maps a row of `format` to its canonical example. Throws a located `DataError` on a wrong type. */
export function toExample(format: FormatId, row: Record<string, unknown>, opts: FormatOptions = {}): Example {
  const used = new Set<string>();
  const get = (k: string) => pick(row, used, k);
  const ex = (e: Omit<Example, 'extra'>): Example => {
    const out: Example = { ...e, extra: extraOf(row, used) };
    for (const k of Object.keys(out) as (keyof Example)[]) if (out[k] === undefined) delete out[k];
    return out;
  };
  switch (format) {
    case 'trl.language_modeling': {
      const text = has(row, 'messages') ? asTurns(get('messages'), 'messages') : asTurns(get('text'), 'text');
      return ex({ kind: 'language_modeling', text });
    }
    case 'trl.prompt_only':
      return ex({ kind: 'prompt_only', prompt: asTurns(get('prompt'), 'prompt') });
    case 'trl.prompt_completion':
      return ex({
        kind: 'prompt_completion',
        prompt: asTurns(get('prompt'), 'prompt'),
        completion: asTurns(get('completion'), 'completion'),
      });
    case 'trl.preference':
      return ex({
        kind: 'preference',
        prompt: asTurns(get('prompt'), 'prompt'),
        chosen: asTurns(get('chosen'), 'chosen'),
        rejected: asTurns(get('rejected'), 'rejected'),
      });
    case 'trl.unpaired_preference': {
      const label = get('label');
      if (typeof label !== 'boolean')
        throw new DataError('AB_DATA_FIELD_TYPE', `expected true or false, found ${excerpt(label)}`, {
          field: 'label',
        });
      return ex({
        kind: 'unpaired_preference',
        prompt: asTurns(get('prompt'), 'prompt'),
        completion: asTurns(get('completion'), 'completion'),
        label,
      });
    }
    case 'openai.chat':
      return ex({ kind: 'language_modeling', text: asTurns(get('messages'), 'messages') });
    case 'openai.preference': {
      const input = get('input');
      if (!isObj(input))
        throw new DataError('AB_DATA_FIELD_TYPE', `expected {messages: [...]}, found ${excerpt(input)}`, {
          field: 'input',
        });
      const prompt = asTurns(input.messages, 'input.messages');
      const preferredKey = has(row, 'preferred_output') ? 'preferred_output' : 'preferred_completion';
      const nonKey = has(row, 'non_preferred_output') ? 'non_preferred_output' : 'non_preferred_completion';
      const ext = Object.keys(input).filter((k) => k !== 'messages');
      const e = ex({
        kind: 'preference',
        prompt,
        chosen: asTurns(get(preferredKey), preferredKey),
        rejected: asTurns(get(nonKey), nonKey),
      });
      if (ext.length) e.extra.input = Object.fromEntries(ext.map((k) => [k, input[k]]));
      return e;
    }
    case 'llamafactory.alpaca': {
      const c = {
        prompt: 'instruction',
        query: 'input',
        response: 'output',
        system: 'system',
        history: 'history',
        chosen: 'chosen',
        rejected: 'rejected',
        ...opts.columns,
      };
      const instruction = get(c.prompt);
      const input = get(c.query);
      const history = get(c.history);
      const system = get(c.system);
      const promptText = [instruction, input].filter((v) => isStr(v) && v.length > 0).join('\n');
      let prompt: Turns = promptText;
      if (Array.isArray(history) && history.length) {
        const msgs: Message[] = [];
        for (const pair of history) {
          if (Array.isArray(pair) && isStr(pair[0]) && isStr(pair[1])) {
            msgs.push({ role: 'user', content: pair[0] }, { role: 'assistant', content: pair[1] });
          }
        }
        prompt = [...msgs, { role: 'user', content: promptText }];
      }
      const ranking = opts.ranking ?? has(row, c.chosen);
      const base = { system: isStr(system) && system ? system : undefined, prompt };
      return ranking
        ? ex({
            kind: 'preference',
            ...base,
            chosen: asTurns(get(c.chosen), c.chosen),
            rejected: asTurns(get(c.rejected), c.rejected),
          })
        : ex({ kind: 'prompt_completion', ...base, completion: asTurns(get(c.response), c.response) });
    }
    case 'llamafactory.sharegpt': {
      const c = {
        messages: 'conversations',
        system: 'system',
        chosen: 'chosen',
        rejected: 'rejected',
        ...opts.columns,
      };
      const tags = { ...SHAREGPT_TAGS, ...opts.tags };
      const conv = get(c.messages);
      if (!Array.isArray(conv))
        throw new DataError('AB_DATA_FIELD_TYPE', `expected a list of messages, found ${excerpt(conv)}`, {
          field: c.messages,
        });
      const msgs = conv.map((m, i) => asMessage(m, tags, `${c.messages}.${i}`));
      const sys = get(c.system);
      const split = splitSystem(msgs);
      const system = isStr(sys) && sys ? sys : split.system;
      const turns = split.turns as Message[];
      const ranking = opts.ranking ?? has(row, c.chosen);
      if (ranking) {
        return ex({
          kind: 'preference',
          system,
          prompt: turns,
          chosen: [asMessage(get(c.chosen), tags, c.chosen)],
          rejected: [asMessage(get(c.rejected), tags, c.rejected)],
        });
      }
      const { prompt, completion } = lastAssistantSplit(turns);
      return ex({ kind: 'prompt_completion', system, prompt, completion });
    }
    case 'openrlhf': {
      const k = {
        input: opts.inputKey ?? 'input',
        output: opts.outputKey,
        chosen: opts.chosenKey,
        rejected: opts.rejectedKey,
        label: opts.labelKey,
      };
      const prompt = asTurns(get(k.input), k.input);
      if (k.chosen && k.rejected) {
        return ex({
          kind: 'preference',
          prompt,
          chosen: asTurns(get(k.chosen), k.chosen),
          rejected: asTurns(get(k.rejected), k.rejected),
        });
      }
      if (k.output)
        return ex({ kind: 'prompt_completion', prompt, completion: asTurns(get(k.output), k.output) });
      return ex({ kind: 'prompt_only', prompt });
    }
    case 'rag': {
      const docs = get('documents') ?? [];
      if (!Array.isArray(docs))
        throw new DataError(
          'AB_DATA_FIELD_TYPE',
          `expected a list of {id, text} documents, found ${excerpt(docs)}`,
          { field: 'documents' },
        );
      const documents = docs.map((d, i) => {
        if (!isObj(d) || !isStr(d.text) || !(isStr(d.id) || typeof d.id === 'number')) {
          throw new DataError('AB_DATA_FIELD_TYPE', `expected {id, text}, found ${excerpt(d)}`, {
            field: `documents.${i}`,
          });
        }
        return { id: String(d.id), text: d.text, ...(isStr(d.title) ? { title: d.title } : {}) };
      });
      const gold = get('gold_doc_ids');
      const goldDocIds = Array.isArray(gold) ? gold.map(String) : undefined;
      const question = get('question');
      if (!isStr(question))
        throw new DataError('AB_DATA_FIELD_TYPE', `expected text, found ${excerpt(question)}`, {
          field: 'question',
        });
      const sys = get('system');
      const base = {
        prompt: question,
        documents: documents.length ? documents : undefined,
        goldDocIds,
        system: isStr(sys) ? sys : undefined,
      };
      if (has(row, 'chosen')) {
        return ex({
          kind: 'preference',
          ...base,
          chosen: asTurns(get('chosen'), 'chosen'),
          rejected: asTurns(get('rejected'), 'rejected'),
        });
      }
      return ex({ kind: 'prompt_completion', ...base, completion: asTurns(get('answer'), 'answer') });
    }
  }
}

/** Why `example` cannot be written as `format`, or `undefined` when it can. */
type Built = { row: Record<string, unknown> } | { refused: string };

const asMsgs = (t: Turns | undefined, role: string): Message[] =>
  t === undefined ? [] : isStr(t) ? [{ role, content: t }] : t;
const withSystem = (e: Example, msgs: Message[]): Message[] =>
  e.system ? [{ role: 'system', content: e.system }, ...msgs] : msgs;

function buildRow(format: FormatId, e: Example, opts: FormatOptions): Built {
  const refuse = (why: string): Built => ({ refused: why });
  const conversational = [e.text, e.prompt, e.completion, e.chosen, e.rejected].some((t) => Array.isArray(t));
  if (e.documents && format !== 'rag') return refuse('retrieved documents have no field in this format');
  if (e.system && format.startsWith('trl.') && !conversational)
    return refuse('a system prompt has no place in a standard (plain text) TRL row');
  switch (format) {
    case 'trl.language_modeling':
      if (e.kind !== 'language_modeling') return refuse(`a ${e.kind} example is not a language-modeling row`);
      return { row: Array.isArray(e.text) ? { messages: withSystem(e, e.text) } : { text: e.text } };
    case 'trl.prompt_only':
      if (e.kind !== 'prompt_only') return refuse(`a ${e.kind} example has more than a prompt`);
      return { row: { prompt: e.system ? withSystem(e, asMsgs(e.prompt, 'user')) : e.prompt } };
    case 'trl.prompt_completion':
      if (e.kind !== 'prompt_completion') return refuse(`a ${e.kind} example is not prompt-completion`);
      return {
        row: {
          prompt: e.system ? withSystem(e, asMsgs(e.prompt, 'user')) : e.prompt,
          completion: e.completion,
        },
      };
    case 'trl.preference':
      if (e.kind !== 'preference') return refuse(`a ${e.kind} example has no chosen/rejected pair`);
      return {
        row: {
          ...(e.prompt !== undefined
            ? { prompt: e.system ? withSystem(e, asMsgs(e.prompt, 'user')) : e.prompt }
            : {}),
          chosen: e.chosen,
          rejected: e.rejected,
        },
      };
    case 'trl.unpaired_preference':
      if (e.kind !== 'unpaired_preference') return refuse(`a ${e.kind} example has no label`);
      return {
        row: {
          prompt: e.system ? withSystem(e, asMsgs(e.prompt, 'user')) : e.prompt,
          completion: e.completion,
          label: e.label,
        },
      };
    case 'openai.chat': {
      if (e.kind === 'language_modeling') {
        if (!Array.isArray(e.text)) return refuse('plain text has no roles; OpenAI chat needs messages');
        return { row: { messages: withSystem(e, e.text) } };
      }
      if (e.kind !== 'prompt_completion') return refuse(`a ${e.kind} example is not a single conversation`);
      const completion = asMsgs(e.completion, 'assistant');
      if (completion.length !== 1 || completion[0]?.role !== 'assistant')
        return refuse('the completion is not one assistant message');
      return { row: { messages: withSystem(e, [...asMsgs(e.prompt, 'user'), ...completion]) } };
    }
    case 'openai.preference': {
      if (e.kind !== 'preference') return refuse(`a ${e.kind} example has no preferred/non-preferred pair`);
      if (e.prompt === undefined)
        return refuse('an implicit prompt must be split out of chosen/rejected first');
      return {
        row: {
          input: { messages: withSystem(e, asMsgs(e.prompt, 'user')) },
          preferred_output: asMsgs(e.chosen, 'assistant'),
          non_preferred_output: asMsgs(e.rejected, 'assistant'),
        },
      };
    }
    case 'llamafactory.alpaca': {
      if (conversational) return refuse('alpaca rows hold plain text; use sharegpt for conversations');
      const base = { instruction: e.prompt, input: '', ...(e.system ? { system: e.system } : {}) };
      if (e.kind === 'prompt_completion') return { row: { ...base, output: e.completion } };
      if (e.kind === 'preference' && e.prompt !== undefined)
        return { row: { ...base, chosen: e.chosen, rejected: e.rejected } };
      return refuse(`a ${e.kind} example has no alpaca form`);
    }
    case 'llamafactory.sharegpt': {
      const toShare = (m: Message) => ({
        from: m.role === 'user' ? 'human' : m.role === 'assistant' ? 'gpt' : m.role,
        value: m.content,
      });
      const sys = e.system ? { system: e.system } : {};
      if (e.kind === 'prompt_completion') {
        const completion = asMsgs(e.completion, 'assistant');
        if (completion.length !== 1) return refuse('the completion is not one assistant message');
        return { row: { conversations: [...asMsgs(e.prompt, 'user'), ...completion].map(toShare), ...sys } };
      }
      if (e.kind === 'preference') {
        const c = asMsgs(e.chosen, 'assistant');
        const r = asMsgs(e.rejected, 'assistant');
        if (c.length !== 1 || r.length !== 1 || e.prompt === undefined)
          return refuse('sharegpt ranking needs a prompt and one chosen and one rejected message');
        return {
          row: {
            conversations: asMsgs(e.prompt, 'user').map(toShare),
            chosen: toShare(c[0] as Message),
            rejected: toShare(r[0] as Message),
            ...sys,
          },
        };
      }
      return refuse(`a ${e.kind} example has no sharegpt form`);
    }
    case 'openrlhf': {
      const k = {
        input: opts.inputKey ?? 'input',
        output: opts.outputKey,
        chosen: opts.chosenKey,
        rejected: opts.rejectedKey,
      };
      if (e.system) return refuse('OpenRLHF keys have no system field');
      if (e.kind === 'preference' && k.chosen && k.rejected && e.prompt !== undefined)
        return { row: { [k.input]: e.prompt, [k.chosen]: e.chosen, [k.rejected]: e.rejected } };
      if (e.kind === 'prompt_completion' && k.output)
        return { row: { [k.input]: e.prompt, [k.output]: e.completion } };
      if (e.kind === 'prompt_only') return { row: { [k.input]: e.prompt } };
      return refuse(
        `no OpenRLHF key is set for a ${e.kind} example (set --input-key/--output-key/--chosen-key/--rejected-key)`,
      );
    }
    case 'rag': {
      if (!isStr(e.prompt)) return refuse('a RAG row needs a plain-text question');
      const base = {
        question: e.prompt,
        documents: e.documents ?? [],
        ...(e.goldDocIds ? { gold_doc_ids: e.goldDocIds } : {}),
        ...(e.system ? { system: e.system } : {}),
      };
      if (e.kind === 'prompt_completion') return { row: { ...base, answer: e.completion } };
      if (e.kind === 'preference') return { row: { ...base, chosen: e.chosen, rejected: e.rejected } };
      return refuse(`a ${e.kind} example has no RAG form`);
    }
  }
}

function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (isObj(v)) {
    return `{${Object.keys(v)
      .filter((k) => v[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(v[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/**
 * Converts one row from `from` to `to`. Unmapped fields are carried as they are. Throws
 * `AB_DATA_CONVERSION_LOSSY` with the reason when the target cannot hold the example exactly.
 */
export function convertRow(
  row: Record<string, unknown>,
  from: FormatId,
  to: FormatId,
  opts: { from?: FormatOptions; to?: FormatOptions; file?: string; line?: number } = {},
): Record<string, unknown> {
  const where = { file: opts.file, line: opts.line };
  const e = toExample(from, row, opts.from);
  const built = buildRow(to, e, opts.to ?? {});
  if ('refused' in built)
    throw new DataError(
      'AB_DATA_CONVERSION_LOSSY',
      `cannot convert ${from} to ${to}: ${built.refused}`,
      where,
    );
  for (const k of Object.keys(e.extra)) {
    if (k in built.row)
      throw new DataError(
        'AB_DATA_CONVERSION_LOSSY',
        `cannot convert ${from} to ${to}: unmapped field "${k}" collides with a ${to} field`,
        { ...where, field: k },
      );
  }
  const out = { ...built.row, ...e.extra };
  const back = toExample(to, out, opts.to);
  const { extra: _a, ...want } = e;
  const { extra: _b, ...got } = back;
  if (stableJson(want) !== stableJson(got)) {
    const lost = (Object.keys(want) as (keyof typeof want)[]).filter(
      (k) => stableJson(want[k]) !== stableJson(got[k]),
    );
    throw new DataError(
      'AB_DATA_CONVERSION_LOSSY',
      `cannot convert ${from} to ${to} without loss: ${lost.join(', ')} would change`,
      where,
    );
  }
  return out;
}
