/** Learning rate at optimizer step `step` (0-based) of `total`: linear warmup, then constant, linear or cosine decay to 0. */
export function learningRate(
  base: number,
  schedule: 'constant' | 'linear' | 'cosine',
  warmup: number,
  step: number,
  total: number,
): number {
  if (warmup > 0 && step < warmup) return (base * (step + 1)) / warmup;
  if (schedule === 'constant') return base;
  const span = Math.max(1, total - warmup);
  const frac = Math.min(1, (step - warmup) / span);
  return schedule === 'linear' ? base * (1 - frac) : base * 0.5 * (1 + Math.cos(Math.PI * frac));
}
