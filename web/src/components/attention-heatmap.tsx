import { useEffect, useRef } from 'react';

/** "#3451d1" → [52, 81, 209]; null for anything else. */
function parseHex(color: string): [number, number, number] | null {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color.trim());
  return m
    ? [Number.parseInt(m[1] ?? '0', 16), Number.parseInt(m[2] ?? '0', 16), Number.parseInt(m[3] ?? '0', 16)]
    : null;
}

/** Draws rows × cols values (row-major) into the canvas, from the surface colour to the accent (sqrt scale). */
export function paintHeatmap(
  canvas: HTMLCanvasElement,
  values: ArrayLike<number>,
  rows: number,
  cols: number,
): void {
  canvas.width = Math.max(1, cols);
  canvas.height = Math.max(1, rows);
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const css = getComputedStyle(canvas);
  const hi = parseHex(css.getPropertyValue('--accent')) ?? [52, 81, 209];
  const lo = parseHex(css.getPropertyValue('--surface')) ?? [255, 255, 255];
  const img = ctx.createImageData(canvas.width, canvas.height);
  let max = 0;
  for (let i = 0; i < rows * cols; i++) max = Math.max(max, values[i] ?? 0);
  for (let i = 0; i < rows * cols; i++) {
    const v = max > 0 ? Math.sqrt((values[i] ?? 0) / max) : 0;
    for (let c = 0; c < 3; c++)
      img.data[i * 4 + c] = Math.round((lo[c] ?? 0) + ((hi[c] ?? 0) - (lo[c] ?? 0)) * v);
    img.data[i * 4 + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

export interface AttentionHeatmapProps {
  /** rows × cols, row-major: row = query token, column = key token. */
  values: ArrayLike<number>;
  rows: number;
  cols: number;
  label: string;
  /** Shows a "Download PNG" button saving the canvas under this name. */
  pngName?: string;
  /** Called with the query row under a click. */
  onRowClick?: (row: number) => void;
  className?: string;
}

/** A canvas heatmap of attention probabilities: one pixel a cell, scaled by CSS. */
export function AttentionHeatmap({
  values,
  rows,
  cols,
  label,
  pngName,
  onRowClick,
  className,
}: AttentionHeatmapProps) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (ref.current) paintHeatmap(ref.current, values, rows, cols);
  }, [values, rows, cols]);
  const save = () => {
    const canvas = ref.current;
    if (!canvas || !pngName) return;
    const a = document.createElement('a');
    a.href = canvas.toDataURL('image/png');
    a.download = pngName;
    a.click();
  };
  return (
    <div className="heatmap-wrap">
      <canvas
        ref={ref}
        className={className ?? 'heatmap'}
        role="img"
        aria-label={label}
        onClick={(e) => {
          if (!onRowClick) return;
          const box = e.currentTarget.getBoundingClientRect();
          onRowClick(Math.min(rows - 1, Math.floor(((e.clientY - box.top) / box.height) * rows)));
        }}
      />
      {pngName && (
        <button type="button" className="button button-ghost" onClick={save}>
          Download PNG
        </button>
      )}
    </div>
  );
}
