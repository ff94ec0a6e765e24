/**
 * Splits formatted text into parts of at most `limit` UTF-16 code units (Telegram's 4096 for a
 * message), cutting at the best place that fits: a paragraph break, else a line break, else a
 * space, else any character. A cut never falls inside an HTML tag or entity, a MarkdownV2 escape
 * or link, or a surrogate pair; formatting open at a cut is closed at the end of the part and
 * reopened at the start of the next, so every part parses on its own.
 *
 * The limit is measured on the raw markup, which is never shorter than the text Telegram counts
 * after parsing entities, so a part that fits here fits there.
 */
export type SplitFormat = 'HTML' | 'MarkdownV2' | 'plain';

export const TELEGRAM_MESSAGE_LIMIT = 4096;

interface Segment {
  end: number;
  /** For formatting markers: the opening markup, its name, and whether this opens or closes it. */
  mark?: { name: string; open: boolean; raw: string };
}

const HTML_TAG = /^<\/?([a-zA-Z][a-zA-Z0-9-]*)(?:\s[^>]*)?>/;
const HTML_ENTITY = /^&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);/;
const MD_LINK = /^\[(?:\\.|[^\]\\])*\]\((?:\\.|[^)\\])*\)/;
const MD_MARKERS = ['```', '__', '||', '*', '_', '~', '`'];

function charEnd(text: string, i: number): number {
  const code = text.charCodeAt(i);
  return code >= 0xd800 && code <= 0xdbff && i + 1 < text.length ? i + 2 : i + 1;
}

function segmentsOf(text: string, format: SplitFormat): Segment[] {
  const out: Segment[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    // A tag, entity or link is short; 2000 chars is far more than any of them needs.
    const rest = c === '<' || c === '&' || c === '[' ? text.slice(i, i + 2000) : '';
    if (format === 'HTML' && c === '<') {
      const m = HTML_TAG.exec(rest);
      if (m) {
        const name = (m[1] ?? '').toLowerCase();
        const open = !m[0].startsWith('</');
        out.push({ end: i + m[0].length, mark: { name, open, raw: m[0] } });
        i += m[0].length;
        continue;
      }
    }
    if (format === 'HTML' && c === '&') {
      const m = HTML_ENTITY.exec(rest);
      if (m) {
        out.push({ end: i + m[0].length });
        i += m[0].length;
        continue;
      }
    }
    if (format === 'MarkdownV2') {
      if (c === '\\' && i + 1 < text.length) {
        out.push({ end: charEnd(text, i + 1) });
        i = charEnd(text, i + 1);
        continue;
      }
      if (c === '[') {
        const m = MD_LINK.exec(rest);
        if (m) {
          out.push({ end: i + m[0].length });
          i += m[0].length;
          continue;
        }
      }
      const marker = MD_MARKERS.find((mk) => text.startsWith(mk, i));
      if (marker) {
        // Open/close is decided while walking, from the stack of markers open at that point.
        out.push({ end: i + marker.length, mark: { name: marker, open: true, raw: marker } });
        i += marker.length;
        continue;
      }
    }
    out.push({ end: charEnd(text, i) });
    i = charEnd(text, i);
  }
  return out;
}

interface Open {
  name: string;
  raw: string;
}

function closers(stack: readonly Open[], format: SplitFormat): string {
  return stack
    .slice()
    .reverse()
    .map((o) => (format === 'HTML' ? `</${o.name}>` : o.raw))
    .join('');
}

function apply(stack: Open[], mark: NonNullable<Segment['mark']>, format: SplitFormat): void {
  if (format === 'MarkdownV2') {
    const at = stack.findLastIndex((o) => o.name === mark.name);
    if (at >= 0) stack.splice(at, 1);
    else stack.push({ name: mark.name, raw: mark.raw });
    return;
  }
  if (mark.open) {
    stack.push({ name: mark.name, raw: mark.raw });
    return;
  }
  const at = stack.findLastIndex((o) => o.name === mark.name);
  if (at >= 0) stack.splice(at, 1);
}

/** 3: before a blank line, 2: before a line break, 1: before a space, 0: anywhere else. */
function quality(text: string, at: number): number {
  if (text.startsWith('\n\n', at)) return 3;
  if (text[at] === '\n') return 2;
  if (text[at] === ' ') return 1;
  return 0;
}

export function splitMessage(text: string, opts: { limit?: number; format?: SplitFormat } = {}): string[] {
  const limit = opts.limit ?? TELEGRAM_MESSAGE_LIMIT;
  const format = opts.format ?? 'plain';
  if (limit < 64) throw new Error(`splitMessage: limit must be at least 64, got ${limit}`);
  if (text.length <= limit) return [text];
  const segments = segmentsOf(text, format);
  const parts: string[] = [];
  let stack: Open[] = [];
  let start = 0;
  let seg = 0;
  while (seg < segments.length) {
    const prefix = stack.map((o) => o.raw).join('');
    const walk = stack.slice();
    let best: { seg: number; at: number; q: number; stack: Open[] } | undefined;
    let i = seg;
    let fitsAll = true;
    for (; i < segments.length; i++) {
      const s = segments[i] as Segment;
      if (s.mark) apply(walk, s.mark, format);
      const length = prefix.length + (s.end - start) + closers(walk, format).length;
      if (length > limit) {
        fitsAll = false;
        break;
      }
      const q = s.end < text.length ? quality(text, s.end) : 3;
      if (!best || q >= best.q) best = { seg: i + 1, at: s.end, q, stack: walk.slice() };
    }
    if (fitsAll) {
      parts.push(prefix + text.slice(start));
      break;
    }
    if (!best) throw new Error(`splitMessage: limit ${limit} is too small for the open formatting`);
    parts.push(prefix + text.slice(start, best.at) + closers(best.stack, format));
    stack = best.stack;
    seg = best.seg;
    start = best.at;
    // The break itself (blank line, newline, space) is not carried into the next part.
    while (seg < segments.length && /^[\n ]$/.test(text.slice(start, (segments[seg] as Segment).end))) {
      start = (segments[seg] as Segment).end;
      seg++;
    }
  }
  return parts.filter((p) => p.trim() !== '' || parts.length === 1);
}
