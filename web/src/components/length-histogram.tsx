/** Bucket k of a length histogram covers lengths [2^(k/4) - 1, 2^((k+1)/4) - 1) (see the data domain). */
const lower = (k: number) => Math.round(2 ** (k / 4) - 1);

/**
 * A length distribution as plain SVG bars: one bar per non-empty stretch of log-spaced
 * buckets, its range and count in a tooltip, the smallest and largest length on the axis.
 */
export function LengthHistogram({ histogram, label }: { histogram: number[]; label: string }) {
  const first = histogram.findIndex((n) => n > 0);
  const last = histogram.length - 1 - [...histogram].reverse().findIndex((n) => n > 0);
  if (first === -1) return <p className="muted">no values</p>;
  const bars = histogram.slice(first, last + 1);
  const max = Math.max(...bars);
  const w = 100 / bars.length;
  return (
    <figure className="histogram" aria-label={label}>
      <svg viewBox="0 0 100 40" preserveAspectRatio="none" role="img" aria-label={label}>
        {bars.map((n, i) => {
          const h = max > 0 ? (n / max) * 38 : 0;
          const k = first + i;
          return (
            <rect key={k} x={i * w + w * 0.1} y={40 - h} width={w * 0.8} height={h} className="histogram-bar">
              <title>{`${lower(k)}–${lower(k + 1)}: ${n}`}</title>
            </rect>
          );
        })}
      </svg>
      <figcaption className="histogram-axis">
        <span>{lower(first)}</span>
        <span>{label}</span>
        <span>{lower(last + 1)}</span>
      </figcaption>
    </figure>
  );
}
