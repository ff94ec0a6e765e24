/**
 * arXiv identifiers: new style `2401.12345` (4+4 or 4+5 digits) and old style `cs/0101001`, each
 * with an optional `vN`. Papers are keyed by the id without version, so a new version, a
 * cross-list and the same paper from Hugging Face all collapse to one row.
 */
const ID = /(\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?\/\d{7})(?:v(\d+))?/;

export interface ArxivId {
  id: string;
  version: number;
}

/** Finds an arXiv id in an id, an abs/pdf URL or an `oai:arXiv.org:` guid; undefined when none. */
export function parseArxivId(text: string): ArxivId | undefined {
  const m = ID.exec(text);
  if (!m) return undefined;
  return { id: m[1] as string, version: m[2] ? Number(m[2]) : 1 };
}
