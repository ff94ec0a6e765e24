// Character spans of tokens. The engine's tokenizer returns ids without offsets, so spans are
// recovered by decoding each token and finding its text in the input, left to right.
import type { EngineTokenizer } from '../engine/index.js';

export interface TokenSpan {
  id: number;
  /** The token's own text as decoded (a byte-level piece of a multi-byte character may show as U+FFFD). */
  text: string;
  /** [start, end) in the input text; start === end for tokens the text does not contain (an added BOS). */
  start: number;
  end: number;
}

// How far ahead a token's text may be found: a decoder may drop a leading space (SentencePiece's ▁).
const MAX_SKIP = 8;

/** Encodes `text` and returns every token with its character span. */
export function tokenizeWithSpans(
  tokenizer: EngineTokenizer,
  text: string,
  addSpecialTokens: boolean,
): TokenSpan[] {
  const ids = tokenizer.encode(text, { addSpecialTokens });
  return spansOf(tokenizer, ids, text);
}

/** Spans of `ids` in `text` (which they encode). */
export function spansOf(tokenizer: EngineTokenizer, ids: readonly number[], text: string): TokenSpan[] {
  const out: TokenSpan[] = [];
  let cursor = 0;
  let i = 0;
  while (i < ids.length) {
    // A character split over several byte tokens decodes cleanly only as a group.
    let j = i + 1;
    let piece = tokenizer.decode(ids.slice(i, j));
    while (piece.includes('\uFFFD') && j < ids.length && j - i < 4) {
      const longer = tokenizer.decode(ids.slice(i, j + 1));
      j++;
      piece = longer;
      if (!longer.includes('\uFFFD')) break;
    }
    if (piece.includes('\uFFFD') && j - i > 1 && !text.includes('\uFFFD')) {
      j = i + 1; // not a split character after all: place the token alone
      piece = tokenizer.decode(ids.slice(i, j));
    }
    let at = -1;
    if (piece.length > 0) {
      const found = text.indexOf(piece, cursor);
      if (found >= 0 && found - cursor <= MAX_SKIP) at = found;
      else {
        const trimmed = piece.trimStart();
        const f2 = trimmed ? text.indexOf(trimmed, cursor) : -1;
        if (f2 >= 0 && f2 - cursor <= MAX_SKIP) {
          at = f2;
          piece = trimmed;
        }
      }
    }
    const start = at >= 0 ? at : cursor;
    const end = at >= 0 ? at + piece.length : cursor;
    for (let g = i; g < j; g++) {
      const id = ids[g] as number;
      out.push({
        id,
        text: j - i > 1 ? tokenizer.decode([id]) : piece || tokenizer.decode([id]),
        start,
        end,
      });
    }
    cursor = end;
    i = j;
  }
  return out;
}
