// Synthetic alignment data with a learnable preference: polite replies beat rude ones.
import type { EngineTokenizer } from '../../src/engine/index.js';
import { createRng } from '../../src/engine/index.js';

const QUESTIONS = [
  'Can you help me',
  'Where is the dog',
  'What is two plus two',
  'Is the fox quick',
  'How are you today',
];
const POLITE = [
  'Thank you, glad to help.',
  'Of course, happy to help.',
  'Thank you for asking.',
  'Glad you asked, thank you.',
];
const RUDE = ['No. Go away.', 'Stop asking me.', 'Not my problem.', 'Whatever, no.'];

export interface SyntheticPair {
  prompt: string;
  chosen: string;
  rejected: string;
}

export function politePairs(n: number, seed = 1): SyntheticPair[] {
  const rng = createRng(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(rng() * xs.length)] as T;
  return Array.from({ length: n }, (_, i) => ({
    prompt: `${pick(QUESTIONS)} ${i % 7}?`,
    chosen: pick(POLITE),
    rejected: pick(RUDE),
  }));
}

/**
 * Prompts the policy never trained on: the same questions with numbers politePairs never uses
 * (it uses 0–6), so a win rate measured on them is not a memorised answer.
 */
export function heldOutPrompts(perQuestion: number): string[] {
  return QUESTIONS.flatMap((q) => Array.from({ length: perQuestion }, (_, i) => `${q} ${7 + i}?`));
}

export function isPolite(text: string): boolean {
  return /thank|glad|happy|course/i.test(text);
}

/** Prompt ids as the policy sees them: the chat template with the generation prompt. */
export function promptIds(tok: EngineTokenizer, prompt: string): number[] {
  return tok.encode(
    tok.applyChatTemplate([{ role: 'user', content: prompt }], { addGenerationPrompt: true }),
  );
}

export function replyIds(tok: EngineTokenizer, reply: string): number[] {
  const eos = tok.eosTokenId;
  return [...tok.encode(reply), ...(eos !== null ? [eos] : [])];
}
