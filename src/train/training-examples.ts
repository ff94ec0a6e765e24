// Accepted dataset versions → the training examples the trainers read: one JSONL file whose rows
// are {prompt, completion} (SFT), {prompt, chosen, rejected[, margin]} (RM, DPO) or {prompt}
// (online DPO, PPO). Held-out (`role: eval`) datasets are not training data.
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { excerpt } from '../common/errors.js';
import {
  type Example,
  type FormatId,
  getDataVersion,
  readRowsIter,
  requireAcceptedVersion,
  type Turns,
  toExample,
} from '../data/index.js';
import type { Store } from '../store/index.js';
import { TrainError } from './errors.js';
import type { Recipe } from './recipe.js';
import type { TrainExamples } from './train-embedded.js';

const ExampleRowSchema = z.union([
  z.object({ prompt: z.string(), chosen: z.string(), rejected: z.string(), margin: z.number().optional() }),
  z.object({ prompt: z.string(), completion: z.string() }),
  z.object({ prompt: z.string() }),
]);
type ExampleRow = z.infer<typeof ExampleRowSchema>;

/** Messages become their contents joined by newlines; the embedded trainer applies its own template. */
const text = (t: Turns | undefined): string =>
  t === undefined ? '' : typeof t === 'string' ? t : t.map((m) => m.content ?? '').join('\n');

function rowOf(ex: Example): ExampleRow | undefined {
  const prompt = [ex.system, text(ex.prompt)].filter(Boolean).join('\n');
  if (ex.kind === 'preference' && ex.chosen !== undefined && ex.rejected !== undefined) {
    const margin = ex.extra.margin;
    return {
      prompt,
      chosen: text(ex.chosen),
      rejected: text(ex.rejected),
      ...(typeof margin === 'number' ? { margin } : {}),
    };
  }
  if (ex.kind === 'prompt_completion') return { prompt, completion: text(ex.completion) };
  if (ex.kind === 'language_modeling') return { prompt: '', completion: text(ex.text) };
  if (ex.kind === 'prompt_only') return { prompt };
  return undefined;
}

/**
 * Writes the recipe's training examples to `file` from its pinned dataset versions. Each version
 * must be accepted by the intake gate, unless the run's preflight was explicitly overridden.
 */
export async function writeTrainingExamples(
  store: Store,
  recipe: Recipe,
  file: string,
  opts: { isOverride?: boolean; signal?: AbortSignal } = {},
): Promise<{ rows: number; byDataset: Record<string, number> }> {
  await writeFile(file, '');
  const byDataset: Record<string, number> = {};
  let rows = 0;
  for (const ref of recipe.datasets) {
    if (ref.role === 'eval') continue;
    const v = opts.isOverride
      ? await getDataVersion(store, ref.version)
      : await requireAcceptedVersion(store, ref.version);
    const format = v.format as FormatId | undefined;
    if (!format)
      throw new TrainError(
        'AB_TRAIN_DATA_INVALID',
        `dataset version "${ref.version}" has no detected format`,
        {
          field: 'datasets',
        },
      );
    let lines: string[] = [];
    let n = 0;
    for await (const item of readRowsIter(v.source, { signal: opts.signal })) {
      if (!item.row) continue; // unreadable rows are the gate's business; it reported them
      const row = rowOf(toExample(format, item.row));
      if (!row) continue;
      lines.push(JSON.stringify(row));
      n++;
      if (lines.length >= 1000) {
        await appendFile(file, `${lines.join('\n')}\n`);
        lines = [];
      }
    }
    if (lines.length) await appendFile(file, `${lines.join('\n')}\n`);
    byDataset[`${ref.name}@${ref.version}`] = n;
    rows += n;
  }
  return { rows, byDataset };
}

/** Reads example files back into what the embedded trainer takes. */
export async function readTrainingExamples(files: readonly string[]): Promise<TrainExamples> {
  const completions: NonNullable<TrainExamples['completions']> = [];
  const pairs: NonNullable<TrainExamples['pairs']> = [];
  const prompts: string[] = [];
  for (const file of files) {
    const lines = (await readFile(file, 'utf8')).split('\n');
    for (const [i, line] of lines.entries()) {
      if (!line.trim()) continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (err) {
        throw new TrainError(
          'AB_TRAIN_DATA_INVALID',
          `not JSON: "${excerpt(line)}"`,
          { file, line: i + 1 },
          { cause: err },
        );
      }
      const r = ExampleRowSchema.safeParse(value);
      if (!r.success)
        throw new TrainError(
          'AB_TRAIN_DATA_INVALID',
          'expected {prompt, completion}, {prompt, chosen, rejected} or {prompt}',
          {
            file,
            line: i + 1,
          },
        );
      const row = r.data;
      if ('chosen' in row) pairs.push(row);
      else if ('completion' in row) completions.push(row);
      prompts.push(row.prompt);
    }
  }
  return { completions, pairs, prompts };
}
