// Turns scored sequences into engine micro-batches under a packing strategy: packed rows carry
// position ids restarting at 0 per segment (the engine derives a block-diagonal mask from them)
// and next-token targets inside each segment only, so a segment's first token is never a target
// of the previous segment's last token.
import { IGNORE_INDEX, type MicroBatch } from '../../engine/index.js';
import { packSequences } from '../pack-sequences.js';
import type { PackingStrategy } from '../recipe.js';
import type { ScoredSequence } from './logit-grads.js';

export interface PackedBatch extends MicroBatch {
  tokens: Int32Array;
  positions: Int32Array;
  /** Where each input sequence sits: row, offset in the row, length. */
  placement: { row: number; offset: number; length: number }[];
}

export function packedBatch(
  seqs: readonly ScoredSequence[],
  capacity: number,
  strategy: PackingStrategy,
): PackedBatch {
  const lengths = seqs.map((s) => s.tokens.length);
  const p = packSequences(lengths, capacity, strategy);
  // Fixed-shape rows for padding; packed rows only as wide as the fullest row.
  let T = 1;
  for (let r = 0; r < p.rows; r++) T = Math.max(T, p.used[r] as number);
  if (strategy === 'padding') T = Math.max(...lengths, 1);
  const B = p.rows;
  const tokens = new Int32Array(B * T);
  const positions = new Int32Array(B * T);
  const targets = new Int32Array(B * T).fill(IGNORE_INDEX);
  const placement: PackedBatch['placement'] = new Array(seqs.length);
  for (let r = 0; r < B; r++) {
    let off = 0;
    for (let k = p.rowStart[r] as number; k < (p.rowStart[r + 1] as number); k++) {
      const i = p.order[k] as number;
      const s = seqs[i] as ScoredSequence;
      const base = r * T + off;
      for (let t = 0; t < s.tokens.length; t++) {
        tokens[base + t] = s.tokens[t] as number;
        positions[base + t] = t;
        if (t + 1 < s.tokens.length && t + 1 >= s.start) targets[base + t] = s.tokens[t + 1] as number;
      }
      placement[i] = { row: r, offset: off, length: s.tokens.length };
      off += s.tokens.length;
    }
    // The tail is its own segment of padding (positions restart at 0), never a target.
    for (let t = off; t < T; t++) positions[r * T + t] = t - off;
  }
  return { B, T, tokens, positions, targets, placement };
}
