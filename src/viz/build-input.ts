// Turns an attention input (plain text, a chat, or a RAG prompt) into one text with the character
// ranges of its segments (system, question, document k, answer), tokenizes it, and gives every
// token its segment. Text between the parts (chat-template markup, "Question:") is "template".
import type { EngineTokenizer } from '../engine/index.js';
import { VizError } from './errors.js';
import type { AttentionInput, RagDocument, Segment, SegmentKind, TokenInfo } from './schemas.js';
import { tokenizeWithSpans } from './token-spans.js';

interface SegmentDef {
  kind: SegmentKind;
  label: string;
  docIndex?: number;
  gold?: boolean;
}

interface Part {
  text: string;
  def: SegmentDef;
}

export interface BuiltInput {
  text: string;
  tokens: TokenInfo[];
  /** Non-empty segments only, indexed 0..S-1 in order of first appearance. */
  segments: Segment[];
}

const TEMPLATE: SegmentDef = { kind: 'template', label: 'template' };

/** The block a document occupies in a RAG prompt. */
export function documentBlock(doc: RagDocument, k: number): string {
  return `[${k + 1}]${doc.title ? ` ${doc.title}` : ''}\n${doc.text}`;
}

/** The user turn of a RAG prompt: the documents, then the question. */
export function ragUserContent(documents: RagDocument[], question: string): string {
  return `Documents:\n\n${documents.map(documentBlock).join('\n\n')}\n\nQuestion: ${question}`;
}

/** Finds each part, in order, in `text`; returns their char ranges (a part not found is skipped). */
function locate(text: string, parts: Part[]): { start: number; end: number; def: SegmentDef }[] {
  const out: { start: number; end: number; def: SegmentDef }[] = [];
  let cursor = 0;
  for (const p of parts) {
    if (!p.text) continue;
    const at = text.indexOf(p.text, cursor);
    if (at < 0) continue;
    out.push({ start: at, end: at + p.text.length, def: p.def });
    cursor = at + p.text.length;
  }
  return out;
}

function roleKind(role: string): SegmentKind {
  if (role === 'system') return 'system';
  if (role === 'user') return 'question';
  if (role === 'assistant') return 'answer';
  return 'prompt';
}

/** Renders the input as text and the char ranges of its parts. */
export function renderInput(
  tokenizer: EngineTokenizer,
  input: AttentionInput,
): { text: string; ranges: { start: number; end: number; def: SegmentDef }[]; addSpecialTokens: boolean } {
  const useTemplate = tokenizer.chatTemplate !== null;
  if (input.kind === 'text') {
    return {
      text: input.text,
      ranges: [{ start: 0, end: input.text.length, def: { kind: 'prompt', label: 'prompt' } }],
      addSpecialTokens: true,
    };
  }
  if (input.kind === 'chat') {
    const parts: Part[] = input.messages.map((m, i) => ({
      text: m.content,
      def: { kind: roleKind(m.role), label: `${m.role} ${i + 1}` },
    }));
    if (useTemplate) {
      const last = input.messages.at(-1);
      const text = tokenizer.applyChatTemplate(input.messages, {
        addGenerationPrompt: last?.role !== 'assistant',
      });
      return { text, ranges: locate(text, parts), addSpecialTokens: false };
    }
    const text = input.messages.map((m) => `${m.role}: ${m.content}\n`).join('');
    return { text, ranges: locate(text, parts), addSpecialTokens: true };
  }
  const parts: Part[] = [];
  if (input.system) parts.push({ text: input.system, def: { kind: 'system', label: 'system' } });
  input.documents.forEach((d, k) => {
    parts.push({
      text: documentBlock(d, k),
      def: {
        kind: 'document',
        label: `doc ${k + 1}${d.gold ? ' (gold)' : ''}`,
        docIndex: k,
        gold: d.gold === true,
      },
    });
  });
  parts.push({ text: input.question, def: { kind: 'question', label: 'question' } });
  const user = ragUserContent(input.documents, input.question);
  let prompt: string;
  if (useTemplate) {
    const messages = [
      ...(input.system ? [{ role: 'system', content: input.system }] : []),
      { role: 'user', content: user },
    ];
    prompt = tokenizer.applyChatTemplate(messages, { addGenerationPrompt: true });
  } else prompt = `${input.system ? `${input.system}\n\n` : ''}${user}\nAnswer:`;
  const ranges = locate(prompt, parts);
  let text = prompt;
  if (input.answer) {
    const sep = useTemplate ? '' : ' ';
    text = `${prompt}${sep}${input.answer}`;
    ranges.push({
      start: text.length - input.answer.length,
      end: text.length,
      def: { kind: 'answer', label: 'answer' },
    });
  }
  return { text, ranges, addSpecialTokens: !useTemplate };
}

function isSpace(ch: string | undefined): boolean {
  return ch !== undefined && /\s/.test(ch);
}

/** Renders, tokenizes and segments an input. */
export function buildInput(tokenizer: EngineTokenizer | null, input: AttentionInput): BuiltInput {
  if (!tokenizer) {
    throw new VizError(
      'AB_VIZ_TOKENIZER',
      'the model folder has no tokenizer.json, so text cannot be tokenized',
      {
        field: 'model',
      },
    );
  }
  const { text, ranges, addSpecialTokens } = renderInput(tokenizer, input);
  const spans = tokenizeWithSpans(tokenizer, text, addSpecialTokens);
  if (spans.length === 0) throw new VizError('AB_VIZ_INPUT', 'the input has no tokens', { field: 'input' });
  // Each token belongs to the part holding its first non-space character (" Paris" belongs to the answer).
  const defs: SegmentDef[] = [];
  const indexOf = new Map<SegmentDef, number>();
  const counts: number[] = [];
  const tokens: TokenInfo[] = spans.map((s) => {
    let c = s.start;
    while (c < s.end - 1 && isSpace(text[c])) c++;
    const def = s.end > s.start ? (ranges.find((r) => c >= r.start && c < r.end)?.def ?? TEMPLATE) : TEMPLATE;
    let seg = indexOf.get(def);
    if (seg === undefined) {
      seg = defs.length;
      defs.push(def);
      indexOf.set(def, seg);
      counts.push(0);
    }
    counts[seg] = (counts[seg] ?? 0) + 1;
    return { id: s.id, text: s.text, start: s.start, end: s.end, segment: seg };
  });
  const segments: Segment[] = defs.map((d, index) => ({
    index,
    kind: d.kind,
    label: d.label,
    ...(d.docIndex !== undefined ? { docIndex: d.docIndex } : {}),
    ...(d.gold !== undefined ? { gold: d.gold } : {}),
    tokenCount: counts[index] ?? 0,
  }));
  return { text, tokens, segments };
}
