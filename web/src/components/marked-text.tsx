/** One marker injected into a field's text by the consumption check. */
export interface Marker {
  field: string;
  marker: string;
}

/**
 * Rendered training text with each field's marker highlighted and labelled with the field.
 * Everything is React text nodes: dataset text is untrusted and never parsed as HTML.
 */
export function MarkedText({ text, markers, start }: { text: string; markers: Marker[]; start?: number }) {
  const byMarker = new Map(markers.map((m) => [m.marker, m.field]));
  const pattern = markers.length
    ? new RegExp(`(${markers.map((m) => m.marker.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`)
    : undefined;
  const head = start !== undefined ? text.slice(0, start) : '';
  const body = start !== undefined ? text.slice(start) : text;
  const pieces = (s: string, prefix: string) =>
    (pattern ? s.split(pattern) : [s]).map((piece, i) => {
      const field = byMarker.get(piece);
      const key = `${prefix}${i}`;
      return field ? (
        <mark key={key} className="field-marker" title={`marker of "${field}"`}>
          {field}
        </mark>
      ) : (
        <span key={key}>{piece}</span>
      );
    });
  return (
    <pre className="rendered-text">
      {head && <span className="rendered-context">{pieces(head, 'h')}</span>}
      <span className={start !== undefined ? 'rendered-span' : undefined}>{pieces(body, 'b')}</span>
    </pre>
  );
}
