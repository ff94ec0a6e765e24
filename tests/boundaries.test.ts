import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { ROOT } from './helpers/cli.js';

const SRC = path.join(ROOT, 'src');
/** Shells may import any domain's index; domains never import the shells. */
const SHELLS = new Set(['server', 'cli']);

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [
    ...text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g),
  ].map((m) => (m[1] ?? m[2]) as string);
}

test('domains reach each other only through index.ts, and never import server or cli', () => {
  const violations: string[] = [];
  const files = readdirSync(SRC, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name));
  for (const file of files) {
    const domain = path.relative(SRC, file).split(path.sep)[0] as string;
    for (const spec of importsOf(file)) {
      if (!spec.startsWith('.')) continue;
      const target = path.relative(SRC, path.resolve(path.dirname(file), spec));
      const [targetDomain, ...rest] = target.split(path.sep);
      if (
        !targetDomain ||
        targetDomain.startsWith('..') ||
        targetDomain === domain ||
        targetDomain === 'common'
      )
        continue;
      const where = `${path.relative(ROOT, file)} imports ${spec}`;
      if (SHELLS.has(targetDomain) && !SHELLS.has(domain))
        violations.push(`${where} (a domain must not import a shell)`);
      else if (rest.join('/') !== 'index.js') violations.push(`${where} (use ${targetDomain}/index.js)`);
    }
  }
  expect(violations).toEqual([]);
});
