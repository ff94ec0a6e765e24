import { parseDocument } from 'yaml';
import { RegistryError } from './errors.js';
import type { ModelCard } from './schemas.js';

/** How much of the card's markdown body we keep for the model page. */
const MAX_BODY_CHARS = 20_000;

const list = (v: unknown): string[] =>
  (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v])
    .filter((x) => typeof x === 'string' || typeof x === 'number')
    .map(String);
const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/**
 * Parses a model card README.md: the YAML front matter between `---` lines (the Hub's metadata:
 * `base_model`, `base_model_relation`, `datasets`, `license`, `language`, `tags`) and the body.
 * Broken YAML is `AB_REGISTRY_CARD_YAML` with the README line of the first problem.
 */
export function parseModelCard(markdown: string, file = 'README.md'): ModelCard {
  const lines = markdown.replace(/^\uFEFF/, '').split(/\r?\n/);
  let meta: Record<string, unknown> = {};
  let bodyStart = 0;
  if (lines[0]?.trim() === '---') {
    const end = lines.findIndex((l, i) => i > 0 && l.trim() === '---');
    if (end < 0) {
      throw new RegistryError('AB_REGISTRY_CARD_YAML', 'front matter opened with "---" is never closed', {
        file,
        line: 1,
      });
    }
    const doc = parseDocument(lines.slice(1, end).join('\n'));
    const [first] = doc.errors;
    if (first) {
      const yamlLine = first.linePos?.[0].line ?? 1;
      throw new RegistryError(
        'AB_REGISTRY_CARD_YAML',
        `front matter is not valid YAML (${first.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '')}); fix the metadata block`,
        { file, line: yamlLine + 1 },
        { cause: first },
      );
    }
    const value: unknown = doc.toJS();
    if (value !== null && value !== undefined) {
      if (typeof value !== 'object' || Array.isArray(value)) {
        throw new RegistryError('AB_REGISTRY_CARD_YAML', 'front matter must be a mapping of keys to values', {
          file,
          line: 2,
        });
      }
      meta = value as Record<string, unknown>;
    }
    bodyStart = end + 1;
  }
  return {
    baseModels: list(meta.base_model),
    baseModelRelation: text(meta.base_model_relation),
    datasets: list(meta.datasets),
    license: text(meta.license),
    languages: list(meta.language),
    tags: list(meta.tags),
    pipelineTag: text(meta.pipeline_tag),
    libraryName: text(meta.library_name),
    body: lines.slice(bodyStart).join('\n').trim().slice(0, MAX_BODY_CHARS),
  };
}
