import path from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, test } from 'vitest';
import { registerModelCommands } from '../../src/cli/commands/model.js';
import { writeHfModelFolder } from '../helpers/hf-folder.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const savedEnv = process.env.ALIGNBOARD_DATA_DIR;
afterEach(() => {
  if (savedEnv === undefined) delete process.env.ALIGNBOARD_DATA_DIR;
  else process.env.ALIGNBOARD_DATA_DIR = savedEnv;
});

/** Runs `alignboard <args>` in-process against the data dir and returns what it printed. */
async function run(args: string[]): Promise<string> {
  const program = new Command('alignboard').exitOverride();
  registerModelCommands(program);
  const chunks: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  try {
    await program.parseAsync(args, { from: 'user' });
  } finally {
    process.stdout.write = write;
  }
  return chunks.join('');
}

describe('alignboard model', () => {
  test('import, list, show, diff, lineage, update, delete', async () => {
    process.env.ALIGNBOARD_DATA_DIR = await makeTempDir();
    const root = await makeTempDir();
    const baseDir = path.join(root, 'base');
    await writeHfModelFolder(baseDir, { family: 'qwen2', layout: 'v5' });
    const sftDir = path.join(root, 'sft');
    await writeHfModelFolder(sftDir, {
      family: 'qwen2',
      layout: 'v5',
      trainingArgs: { learning_rate: 1e-5 },
      card: { tags: ['sft'] },
    });

    const base = JSON.parse(await run(['model', 'import', baseDir, '--owner', 'alice', '--json'])) as {
      id: string;
    };
    const shown = await run(['model', 'import', sftDir, '--base', 'base', '--tag', 'chat']);
    expect(shown).toContain('sft@1');
    expect(shown).toContain('base base@1 (finetune)');
    expect(shown).toMatch(/layers 2 {2}hidden 16 {2}heads 4\/2 kv \(GQA 2\)/);

    const list = await run(['model', 'list']);
    expect(list).toMatch(/^NAME\s+VERSION\s+FAMILY/);
    expect(list).toContain('2 of 2 models');
    expect(await run(['model', 'list', '--owner', 'alice', '--json'])).toContain(base.id);

    const diff = await run(['model', 'diff', 'base', 'sft', '--only-differences']);
    expect(diff).toContain('learning_rate');
    expect(diff).not.toContain('hiddenSize');

    expect(await run(['model', 'lineage', 'sft'])).toContain(
      'model sft@1 --base-model(finetune)--> model base@1',
    );
    expect(await run(['model', 'update', 'sft', '--status', 'released', '--notes', 'ok'])).toContain(
      'status released',
    );
    await expect(run(['model', 'update', 'sft', '--status', 'shipped'])).rejects.toMatchObject({
      code: 'AB_INPUT_INVALID',
      where: { field: '--status' },
    });
    expect(await run(['model', 'delete', 'sft'])).toContain('deleted sft@1');
    expect(await run(['model', 'list'])).toContain('1 of 1 models');
  });
});
