import { createHash } from 'node:crypto';
import { excerpt } from '../common/errors.js';
import { EvaluationError } from './errors.js';
import type { Doc } from './load-dataset.js';
import { PythonRandom } from './python-random.js';
import { evaluateTemplate, isJinja, renderTemplate } from './render-template.js';
import type { DocField, TaskSpec } from './schemas.js';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** One evaluated item, fully rendered: what is sent and what it is scored against. */
export interface EvalSample {
  index: number;
  id: string;
  /** The full prompt (few-shot examples included) for the completions API. */
  prompt: string;
  /** The same content as chat messages, for the chat API. */
  messages: ChatMessage[];
  target: string | number | (string | number)[];
  choices?: string[];
  fewshotIds: string[];
  doc: Doc;
  /**
   * Multi-turn tasks: which turn this sample asks (1-based) and the user turns before it. `prompt`
   * and `messages` hold this turn alone; the runner puts the earlier turns and the model's own
   * answers to them in front (`withEarlierAnswers`).
   */
  turn?: { number: number; earlierQuestions: string[] };
}

function docText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** lm-eval's doc_to_text / doc_to_target / doc_to_choice resolution: column, literal, or template. */
export function resolveDocField(
  field: DocField | undefined,
  doc: Doc,
  name: string,
  isChoiceTask: boolean,
): unknown {
  if (field === undefined) return undefined;
  if (typeof field === 'number' || Array.isArray(field)) return field;
  if (field in doc) return doc[field];
  if (!isJinja(field)) return field;
  const where = { field: name };
  if (name === 'doc_to_choice') {
    const value = evaluateTemplate(field, doc, where);
    if (!Array.isArray(value))
      throw new EvaluationError(
        'AB_EVAL_TEMPLATE',
        `doc_to_choice must give a list, got ${excerpt(value)}`,
        where,
      );
    return value.map(docText);
  }
  if (name === 'doc_to_target' && isChoiceTask) {
    const value = evaluateTemplate(field, doc, where);
    if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
    return value;
  }
  return renderTemplate(field, doc, where);
}

export function docId(spec: TaskSpec, doc: Doc, index: number): string {
  const v = spec.idField ? doc[spec.idField] : undefined;
  return v === undefined ? String(index) : String(v);
}

interface Rendered {
  text: string;
  target: EvalSample['target'];
  choices: string[] | undefined;
}

function renderDoc(spec: TaskSpec, doc: Doc): Rendered {
  const isChoice = spec.outputType === 'multiple_choice';
  const text = resolveDocField(spec.docToText, doc, 'doc_to_text', isChoice);
  const target = resolveDocField(spec.docToTarget, doc, 'doc_to_target', isChoice);
  const choices = resolveDocField(spec.docToChoice, doc, 'doc_to_choice', isChoice) as string[] | undefined;
  return {
    text: typeof text === 'number' && choices ? (choices[text] ?? '') : docText(text),
    target: (target ?? '') as EvalSample['target'],
    choices,
  };
}

/** The target as a few-shot example shows it: the gold choice's text, or the first of a list. */
function targetText(r: Rendered): string {
  const t = Array.isArray(r.target) ? r.target[0] : r.target;
  if (typeof t === 'number' && r.choices) return r.choices[t] ?? String(t);
  return String(t ?? '');
}

/**
 * Renders every evaluated document into prompts the way lm-evaluation-harness does:
 * `description + Σ(example_text + target_delimiter + example_target + fewshot_delimiter) + text`.
 * The default sampler is Python's `random.Random(seed).sample(fewshot_docs, n)`, called once per
 * document in document order (n + 1 when the few-shot split is the test split, dropping the
 * document itself); `first_n` takes the first n. `fewshotAsMultiturn` turns the examples into
 * user/assistant turns.
 */
export function buildSamples(
  spec: TaskSpec,
  docs: readonly Doc[],
  fewshotDocs: readonly Doc[],
  opts: { limit?: number; fewshotIdsOf?: (doc: Doc, index: number) => string } = {},
): EvalSample[] {
  const n = spec.fewshot.n;
  const pool = spec.fewshot.samples ?? fewshotDocs;
  if (n > 0 && pool.length < n) {
    throw new EvaluationError(
      'AB_EVAL_TASK_INVALID',
      `num_fewshot is ${n} but the few-shot pool has ${pool.length} documents`,
      { field: 'num_fewshot' },
    );
  }
  const sameSplit = !spec.fewshot.samples && spec.dataset.fewshotSplit === spec.dataset.testSplit;
  const rnd = new PythonRandom(spec.fewshot.seed);
  const poolIndex = new Map(pool.map((d, i) => [d, i]));
  const count = Math.min(docs.length, opts.limit ?? docs.length);
  const samples: EvalSample[] = [];
  const description = spec.description ? renderTemplate(spec.description, {}, { field: 'description' }) : '';
  const system = [spec.chat.systemPrompt, description].filter(Boolean).join('\n\n');
  if (spec.multiTurn && n > 0)
    throw new EvaluationError('AB_EVAL_TASK_INVALID', 'a multi-turn task takes no few-shot examples', {
      field: 'num_fewshot',
    });
  for (let i = 0; i < count; i++) {
    const doc = docs[i] as Doc;
    if (spec.multiTurn) {
      samples.push(...turnSamples(spec, doc, i, samples.length, { description, system }));
      continue;
    }
    let examples: Doc[] = [];
    if (n > 0) {
      if (spec.fewshot.sampler === 'first_n') examples = pool.slice(0, n);
      else
        examples = rnd
          .sample(pool, sameSplit ? n + 1 : n)
          .filter((d) => d !== doc)
          .slice(0, n);
    }
    const rendered = renderDoc(spec, doc);
    const shots = examples.map((d) => renderDoc(spec, d));
    let prompt = description;
    for (const s of shots) {
      prompt += s.text;
      const t = targetText(s);
      if (t !== '') prompt += spec.targetDelimiter + t + spec.fewshot.delimiter;
    }
    prompt += rendered.text;
    const messages: ChatMessage[] = [];
    if (system) messages.push({ role: 'system', content: system });
    if (spec.fewshot.asMultiturn) {
      for (const s of shots)
        messages.push({ role: 'user', content: s.text }, { role: 'assistant', content: targetText(s) });
      messages.push({ role: 'user', content: rendered.text });
    } else {
      messages.push({ role: 'user', content: prompt.slice(description.length) });
    }
    samples.push({
      index: i,
      id: docId(spec, doc, i),
      prompt,
      messages,
      target: rendered.target,
      ...(rendered.choices && { choices: rendered.choices }),
      fewshotIds: examples.map((d) =>
        opts.fewshotIdsOf ? opts.fewshotIdsOf(d, poolIndex.get(d) ?? -1) : String(poolIndex.get(d)),
      ),
      doc,
    });
  }
  return samples;
}

/** One sample per user turn of a multi-turn document; indices run on from `firstIndex`. */
function turnSamples(
  spec: TaskSpec,
  doc: Doc,
  docIndex: number,
  firstIndex: number,
  frame: { description: string; system: string },
): EvalSample[] {
  const turns = resolveDocField(spec.docToText, doc, 'doc_to_text', false);
  if (!Array.isArray(turns) || turns.length === 0 || !turns.every((t) => typeof t === 'string'))
    throw new EvaluationError(
      'AB_EVAL_TASK_INVALID',
      `document ${docIndex} of a multi-turn task must give a non-empty list of user turns, got ${excerpt(turns)}`,
      { field: 'doc_to_text' },
    );
  const id = docId(spec, doc, docIndex);
  return turns.map((text: string, t) => ({
    index: firstIndex + t,
    id: `${id}:turn${t + 1}`,
    prompt: frame.description + text,
    messages: [
      ...(frame.system ? [{ role: 'system' as const, content: frame.system }] : []),
      { role: 'user' as const, content: text },
    ],
    target: '',
    fewshotIds: [],
    doc,
    turn: { number: t + 1, earlierQuestions: turns.slice(0, t) },
  }));
}

/**
 * The sample as sent for a later turn: the earlier user turns, each followed by the model's own
 * answer (`answers[k]` to turn k + 1), then this turn. A first turn or a single-turn sample is unchanged.
 */
export function withEarlierAnswers(s: EvalSample, answers: readonly string[]): EvalSample {
  const earlier = s.turn?.earlierQuestions ?? [];
  if (earlier.length === 0) return s;
  if (answers.length < earlier.length)
    throw new EvaluationError(
      'AB_EVAL_TASK_INVALID',
      `sample "${s.id}" is turn ${earlier.length + 1} but only ${answers.length} earlier answers are known`,
      { field: 'turn' },
    );
  const system = s.messages.filter((m) => m.role === 'system');
  const history = earlier.flatMap((q, k): ChatMessage[] => [
    { role: 'user', content: q },
    { role: 'assistant', content: answers[k] ?? '' },
  ]);
  return { ...s, messages: [...system, ...history, ...s.messages.filter((m) => m.role !== 'system')] };
}

/** Samples grouped by conversation, in order: a multi-turn document's turns together, others alone. */
export function groupConversations(samples: readonly EvalSample[]): EvalSample[][] {
  const conversations: EvalSample[][] = [];
  for (const s of samples) {
    const previous = conversations.at(-1);
    if ((s.turn?.number ?? 1) > 1 && previous) previous.push(s);
    else conversations.push([s]);
  }
  return conversations;
}

/** A short hash of a string, for contract fields that would otherwise be long. */
export function shortHash(text: string): string {
  return `sha256:${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
}
