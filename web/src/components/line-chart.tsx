export interface Series {
  name: string;
  points: { x: number; y: number }[];
  color: string;
}

/** A small SVG line chart: series in, axes with min/max labels out. No interaction. */
export function LineChart({
  series: given,
  title,
  xLabel,
}: {
  series: Series[];
  title: string;
  xLabel: string;
}) {
  const series = given.filter((s) => s.points.length > 0);
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) return null;
  const W = 480;
  const H = 200;
  const pad = 36;
  const xs = all.map((p) => p.x);
  const ys = all.map((p) => p.y);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  const sx = (x: number) => pad + ((x - x0) / (x1 - x0 || 1)) * (W - 2 * pad);
  const sy = (y: number) => H - pad - ((y - y0) / (y1 - y0 || 1)) * (H - 2 * pad);
  const fmt = (v: number) => (Math.abs(v) < 0.01 && v !== 0 ? v.toExponential(1) : String(+v.toFixed(3)));
  return (
    <figure className="line-chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={title}>
        <line x1={pad} y1={H - pad} x2={W - pad} y2={H - pad} stroke="currentColor" opacity={0.4} />
        <line x1={pad} y1={pad} x2={pad} y2={H - pad} stroke="currentColor" opacity={0.4} />
        <text x={pad - 4} y={pad} textAnchor="end" fontSize={10}>
          {fmt(y1)}
        </text>
        <text x={pad - 4} y={H - pad} textAnchor="end" fontSize={10}>
          {fmt(y0)}
        </text>
        <text x={pad} y={H - pad + 14} fontSize={10}>
          {fmt(x0)}
        </text>
        <text x={W - pad} y={H - pad + 14} textAnchor="end" fontSize={10}>{`${fmt(x1)} ${xLabel}`}</text>
        {series.map((s) => (
          <polyline
            key={s.name}
            fill="none"
            stroke={s.color}
            strokeWidth={1.5}
            points={s.points.map((p) => `${sx(p.x)},${sy(p.y)}`).join(' ')}
          />
        ))}
      </svg>
      <div className="muted">
        {series.map((s) => (
          <span key={s.name} style={{ color: s.color, marginRight: 12 }}>
            ― {s.name}
          </span>
        ))}
      </div>
    </figure>
  );
}
