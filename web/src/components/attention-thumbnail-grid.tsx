import { useEffect, useRef } from 'react';
import { paintHeatmap } from './attention-heatmap';

interface HeadStat {
  sink: number;
  previous: number;
  entropy: number;
}

function Thumb({ values, bins }: { values: number[]; bins: number }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (ref.current) paintHeatmap(ref.current, values, bins, bins);
  }, [values, bins]);
  return <canvas ref={ref} className="thumb" />;
}

export interface ThumbnailGridProps {
  /** [layer][head] of bins × bins. */
  data: number[][][];
  bins: number;
  stats: HeadStat[][];
  selected: { layer: number; head: number } | null;
  onSelect: (layer: number, head: number) => void;
}

/** The model view: every layer × head as a thumbnail; a click zooms into that head. */
export function AttentionThumbnailGrid({ data, bins, stats, selected, onSelect }: ThumbnailGridProps) {
  const H = data[0]?.length ?? 0;
  return (
    <div className="thumb-grid" style={{ gridTemplateColumns: `auto repeat(${H}, 52px)` }}>
      <span />
      {Array.from({ length: H }, (_, h) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: heads are fixed positions
        <span key={`h${h}`} className="muted thumb-axis">
          h{h}
        </span>
      ))}
      {data.map((layer, l) => [
        // biome-ignore lint/suspicious/noArrayIndexKey: layers are fixed positions
        <span key={`l${l}`} className="muted thumb-axis">
          L{l}
        </span>,
        ...layer.map((values, h) => {
          const s = stats[l]?.[h];
          const isSel = selected?.layer === l && selected.head === h;
          return (
            <button
              // biome-ignore lint/suspicious/noArrayIndexKey: layers and heads are fixed positions
              key={`${l}.${h}`}
              type="button"
              className={isSel ? 'thumb-button selected' : 'thumb-button'}
              aria-label={`layer ${l} head ${h}`}
              title={
                s
                  ? `layer ${l} head ${h} · sink ${(s.sink * 100).toFixed(0)}% · previous ${(s.previous * 100).toFixed(0)}% · entropy ${s.entropy.toFixed(2)}`
                  : undefined
              }
              onClick={() => onSelect(l, h)}
            >
              <Thumb values={values} bins={bins} />
            </button>
          );
        }),
      ])}
    </div>
  );
}
