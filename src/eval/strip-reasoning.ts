import type { Reasoning } from './schemas.js';

/**
 * Removes a reasoning block (`<think>…</think>` by default) before scoring. An opened block that
 * never closes is truncated reasoning: no answer came, so the text scored is empty and the sample
 * is counted as truncated. A close tag without an open one (templates that open it in the prompt)
 * cuts everything before it.
 */
export function stripReasoning(text: string, r: Reasoning): { text: string; isTruncated: boolean } {
  if (!r.strip) return { text, isTruncated: false };
  const close = text.lastIndexOf(r.closeTag);
  if (close >= 0) return { text: text.slice(close + r.closeTag.length).trim(), isTruncated: false };
  if (text.includes(r.openTag)) return { text: '', isTruncated: true };
  return { text, isTruncated: false };
}
