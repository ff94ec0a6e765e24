import type { CSSProperties } from 'react';

export interface StripToken {
  text: string;
  segment: string;
}

export interface TokenStripProps {
  tokens: StripToken[];
  /** One weight per token (e.g. attention from the selected token); shown as background strength. */
  weights: number[];
  selected: number;
  onSelect?: (index: number) => void;
  label: string;
}

/**
 * Tokens as text (never as HTML), each tinted by its weight relative to the largest one. The
 * selected token is outlined; clicking a token selects it.
 */
export function TokenStrip({ tokens, weights, selected, onSelect, label }: TokenStripProps) {
  let max = 0;
  for (const [i, w] of weights.entries()) if (i !== selected && i > 0 && w > max) max = w;
  return (
    <ol className="token-strip" aria-label={label}>
      {tokens.map((t, i) => {
        const w = max > 0 ? Math.min(1, (weights[i] ?? 0) / max) : 0;
        const style = { '--w': `${Math.round(w * 100)}%` } as CSSProperties;
        return (
          <li
            // biome-ignore lint/suspicious/noArrayIndexKey: a token's position is its identity
            key={i}
            className={i === selected ? 'token selected' : 'token'}
            style={style}
            title={`#${i} · ${t.segment} · ${(weights[i] ?? 0).toFixed(4)}`}
            onClick={onSelect ? () => onSelect(i) : undefined}
            onKeyDown={onSelect ? (e) => e.key === 'Enter' && onSelect(i) : undefined}
            tabIndex={onSelect ? 0 : undefined}
          >
            {t.text}
          </li>
        );
      })}
    </ol>
  );
}
