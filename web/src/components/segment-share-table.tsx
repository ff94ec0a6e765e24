export interface SegmentShareTableProps {
  segments: { label: string; tokenCount: number }[];
  /** [query segment][key segment], rows sum to 1. */
  shares: number[][];
  caption: string;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** Where each segment's tokens look: one row per query segment, one column per key segment. */
export function SegmentShareTable({ segments, shares, caption }: SegmentShareTableProps) {
  return (
    <table className="table segment-shares">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th>query ↓ · key →</th>
          {segments.map((s) => (
            <th key={s.label}>{s.label}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {segments.map((s, a) => (
          <tr key={s.label}>
            <td>
              {s.label} <span className="muted">({s.tokenCount})</span>
            </td>
            {(shares[a] ?? []).map((v, b) => (
              <td key={segments[b]?.label ?? b}>{pct(v)}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
