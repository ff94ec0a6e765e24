import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { main } from '../../src/cli/main.js';
import { loadModelDir } from '../../src/engine/index.js';
import { makeTempDir } from '../helpers/tiny-model.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

test('alignboard engine init writes a model folder the engine loads', async () => {
  const root = await makeTempDir();
  dirs.push(root);
  const dir = join(root, 'tiny');
  const code = await main([
    'node',
    'alignboard',
    'engine',
    'init',
    dir,
    '--hidden',
    '16',
    '--layers',
    '1',
    '--vocab',
    '300',
  ]);
  expect(code).toBe(0);
  const loaded = await loadModelDir(dir);
  expect(loaded.config).toMatchObject({ C: 16, L: 1, tieWordEmbeddings: true });
  expect(loaded.tokenizer?.decode(loaded.tokenizer.encode('Hello there'))).toBe('Hello there');
});

test('alignboard engine serve on a missing folder exits 2 with a located error', async () => {
  const code = await main([
    'node',
    'alignboard',
    'engine',
    'serve',
    '--model',
    '/nonexistent/model',
    '--port',
    '0',
  ]);
  expect(code).toBe(2);
});
