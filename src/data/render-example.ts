import type { Example, Message, RagDocument, Turns } from './formats.js';
import { renderChatTemplate, type TrainingTemplate } from './training-template.js';

export type SidePart = 'completion' | 'chosen' | 'rejected';

/** The training text of one example: the prompt, and each trained side as full text plus where its span starts. */
export interface RenderedExample {
  prompt: string;
  sides: { part: SidePart; text: string; start: number }[];
}

const msgs = (t: Turns | undefined, role: string): Message[] =>
  t === undefined ? [] : typeof t === 'string' ? [{ role, content: t }] : t;

function docsText(docs: RagDocument[]): string {
  return docs.map((d) => `[${d.id}] ${d.title ? `${d.title}: ` : ''}${d.text}`).join('\n');
}

function promptMessages(e: Example, t: TrainingTemplate): Message[] {
  const out: Message[] = [];
  if (e.system) out.push({ role: 'system', content: e.system });
  const turns = msgs(e.prompt, 'user');
  if (e.documents?.length && t.documents !== 'template') {
    const i = turns.map((m) => m.role).lastIndexOf('user');
    const target = turns[i];
    if (target) turns[i] = { role: 'user', content: `${docsText(e.documents)}\n\n${target.content}` };
    else turns.push({ role: 'user', content: docsText(e.documents) });
  }
  out.push(...turns);
  return out;
}

function commonPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

const plainText = (t: Turns | undefined) =>
  t === undefined ? '' : typeof t === 'string' ? t : t.map((m) => m.content).join('\n');

/**
 * Renders an example the way a trainer does: a chat template applied to prompt and prompt+side
 * (TRL's conversational rule), or TRL's standard rule of prompt text followed by completion text.
 */
export function renderExample(e: Example, t: TrainingTemplate): RenderedExample {
  let prompt: Turns | undefined = e.prompt;
  const sides: { part: SidePart; turns: Turns }[] = [];
  if (e.kind === 'language_modeling') {
    if (Array.isArray(e.text)) {
      const i = e.text.length - 1;
      const last = e.text[i];
      prompt = last?.role === 'assistant' ? e.text.slice(0, i) : e.text;
      if (last?.role === 'assistant') sides.push({ part: 'completion', turns: [last] });
    } else {
      prompt = '';
      sides.push({ part: 'completion', turns: e.text ?? '' });
    }
  } else if (e.kind === 'preference') {
    if (e.chosen !== undefined) sides.push({ part: 'chosen', turns: e.chosen });
    if (e.rejected !== undefined) sides.push({ part: 'rejected', turns: e.rejected });
  } else if (e.completion !== undefined) {
    sides.push({ part: 'completion', turns: e.completion });
  }
  const ex = { ...e, prompt };
  if (t.kind === 'plain') {
    const head = [e.system ?? '', e.documents?.length ? docsText(e.documents) : '', plainText(prompt)]
      .filter(Boolean)
      .join('\n\n');
    return {
      prompt: head,
      sides: sides.map((s) => ({ part: s.part, text: head + plainText(s.turns), start: head.length })),
    };
  }
  const pm = promptMessages(ex, t);
  const ctx = t.documents === 'template' && e.documents ? { documents: e.documents } : {};
  const promptText = pm.length
    ? renderChatTemplate(t, { messages: pm, add_generation_prompt: true, ...ctx })
    : '';
  return {
    prompt: promptText,
    sides: sides.map((s) => {
      const text = renderChatTemplate(t, {
        messages: [...pm, ...msgs(s.turns, 'assistant')],
        add_generation_prompt: false,
        ...ctx,
      });
      return { part: s.part, text, start: commonPrefix(promptText, text) };
    }),
  };
}
