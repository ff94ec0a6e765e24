import type { TextDiffLine } from './schemas.js';

/** Above this many line pairs the LCS table is too big; we show remove-all/add-all instead. */
const MAX_CELLS = 4_000_000;

/** A line diff of `a` → `b` by longest common subsequence; unchanged lines are `equal`. */
export function diffText(a: string, b: string): TextDiffLine[] {
  const x = a.split('\n');
  const y = b.split('\n');
  const n = x.length;
  const m = y.length;
  if (n * m > MAX_CELLS) {
    return [
      ...x.map((text) => ({ op: 'remove' as const, text })),
      ...y.map((text) => ({ op: 'add' as const, text })),
    ];
  }
  // lcs[i*(m+1)+j] = LCS length of x[i..] and y[j..]
  const lcs = new Uint32Array((n + 1) * (m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * (m + 1) + j] =
        x[i] === y[j]
          ? (lcs[(i + 1) * (m + 1) + j + 1] ?? 0) + 1
          : Math.max(lcs[(i + 1) * (m + 1) + j] ?? 0, lcs[i * (m + 1) + j + 1] ?? 0);
    }
  }
  const out: TextDiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (x[i] === y[j]) {
      out.push({ op: 'equal', text: x[i] ?? '' });
      i++;
      j++;
    } else if ((lcs[(i + 1) * (m + 1) + j] ?? 0) >= (lcs[i * (m + 1) + j + 1] ?? 0)) {
      out.push({ op: 'remove', text: x[i++] ?? '' });
    } else {
      out.push({ op: 'add', text: y[j++] ?? '' });
    }
  }
  while (i < n) out.push({ op: 'remove', text: x[i++] ?? '' });
  while (j < m) out.push({ op: 'add', text: y[j++] ?? '' });
  return out;
}
