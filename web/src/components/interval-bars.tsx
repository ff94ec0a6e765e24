export interface IntervalBar {
  label: string;
  value: number;
  low: number;
  high: number;
}

/**
 * Horizontal bars with 95% interval whiskers, on a 0–1 (or data) scale: plain data in, SVG out.
 * Labels are text nodes, so untrusted names stay text.
 */
export function IntervalBars({ bars, title }: { bars: IntervalBar[]; title: string }) {
  if (bars.length === 0) return null;
  const W = 520;
  const row = 26;
  const left = 170;
  const right = 60;
  const H = bars.length * row + 24;
  const max = Math.max(1, ...bars.map((b) => b.high));
  const x = (v: number) => left + (Math.max(0, v) / max) * (W - left - right);
  return (
    <figure className="interval-bars">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={title}>
        {bars.map((b, i) => {
          const y = 8 + i * row;
          return (
            <g key={b.label}>
              <text x={left - 6} y={y + 13} textAnchor="end" fontSize={11}>
                {b.label.length > 26 ? `${b.label.slice(0, 25)}…` : b.label}
              </text>
              <rect
                x={left}
                y={y + 3}
                width={Math.max(1, x(b.value) - left)}
                height={14}
                className="interval-bar"
              />
              <line x1={x(b.low)} x2={x(b.high)} y1={y + 10} y2={y + 10} className="interval-whisker" />
              <line x1={x(b.low)} x2={x(b.low)} y1={y + 5} y2={y + 15} className="interval-whisker" />
              <line x1={x(b.high)} x2={x(b.high)} y1={y + 5} y2={y + 15} className="interval-whisker" />
              <text x={W - right + 6} y={y + 13} fontSize={11}>
                {b.value.toFixed(3)}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
