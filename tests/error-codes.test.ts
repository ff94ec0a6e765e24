import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { ROOT } from './helpers/cli.js';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name));
}

test('every error code in the source is documented in docs/errors.md, and no documented code is unused', () => {
  const inCode = new Set<string>();
  for (const file of [...sourceFiles(path.join(ROOT, 'src')), ...sourceFiles(path.join(ROOT, 'web/src'))]) {
    for (const m of readFileSync(file, 'utf8').matchAll(/['"`](AB_[A-Z0-9_]+)['"`]/g))
      inCode.add(m[1] as string);
  }
  const doc = readFileSync(path.join(ROOT, 'docs/errors.md'), 'utf8');
  const inDocs = new Set([...doc.matchAll(/^\|\s*(AB_[A-Z0-9_]+)\s*\|/gm)].map((m) => m[1] as string));
  expect([...inCode].filter((c) => !inDocs.has(c)).sort(), 'codes missing from docs/errors.md').toEqual([]);
  expect([...inDocs].filter((c) => !inCode.has(c)).sort(), 'documented codes no source uses').toEqual([]);
});
