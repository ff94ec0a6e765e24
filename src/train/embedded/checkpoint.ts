// Checkpoints as Hugging Face folders plus optimizer and run state, written atomically: everything
// goes to a temporary folder that is renamed into place, then `latest.json` is replaced by rename.
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type EngineTokenizer,
  type LlamaModel,
  loadModelDir,
  readSafetensors,
  saveModelDir,
  type Trainer,
  writeSafetensors,
} from '../../engine/index.js';
import { TrainError } from '../errors.js';
import type { Metrics } from './loop.js';
import type { ScalarHead } from './scalar-head.js';

export interface RunState {
  /** Steps finished (the next step to run). */
  step: number;
  recipeHash: string;
  extra: Record<string, number>;
  history: Metrics[];
}

async function writeAtomic(file: string, text: string): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, text);
  await rename(tmp, file);
}

/** Writes the model (HF folder), tokenizer, optimizer state, head and run state; returns the folder. */
export async function saveCheckpoint(
  runDir: string,
  trainer: Trainer,
  head: ScalarHead | null,
  tokenizer: EngineTokenizer,
  state: RunState,
  keep = 2,
): Promise<string> {
  const name = `checkpoint-${state.step}`;
  const tmp = join(runDir, `.tmp-${name}-${process.pid}`);
  await rm(tmp, { recursive: true, force: true });
  await saveModel(tmp, trainer.model, head, tokenizer);
  const o = trainer.opt;
  await writeSafetensors(join(tmp, 'optimizer.safetensors'), [
    { name: 'm', shape: [o.m.length], data: o.m },
    { name: 'v', shape: [o.v.length], data: o.v },
    ...(head
      ? [
          { name: 'head.m', shape: [head.opt.m.length], data: head.opt.m },
          { name: 'head.v', shape: [head.opt.v.length], data: head.opt.v },
        ]
      : []),
  ]);
  await writeFile(
    join(tmp, 'trainer_state.json'),
    JSON.stringify({ ...state, optimizerStep: o.step, headStep: head?.opt.step ?? 0 }),
  );
  const dir = join(runDir, name);
  await rm(dir, { recursive: true, force: true });
  await rename(tmp, dir);
  await writeAtomic(join(runDir, 'latest.json'), JSON.stringify({ checkpoint: name, step: state.step }));
  // Keep the newest `keep` checkpoints.
  const all = (await readdir(runDir))
    .filter((f) => /^checkpoint-\d+$/.test(f))
    .sort((a, b) => Number(a.slice(11)) - Number(b.slice(11)));
  for (const old of all.slice(0, Math.max(0, all.length - keep)))
    await rm(join(runDir, old), { recursive: true, force: true });
  return dir;
}

/** A model folder a registry and transformers can read; the scalar head (reward / value) beside it. */
export async function saveModel(
  dir: string,
  model: LlamaModel,
  head: ScalarHead | null,
  tokenizer: EngineTokenizer,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  await saveModelDir(dir, model, { dtype: 'float32', tokenizer: tokenizer.files });
  if (head)
    await writeSafetensors(join(dir, 'scalar_head.safetensors'), [
      { name: 'score.weight', shape: [head.params.length], data: head.params },
    ]);
}

export async function readHead(dir: string): Promise<Float32Array | null> {
  try {
    const t = await readSafetensors(join(dir, 'scalar_head.safetensors'));
    return t.get('score.weight')?.data ?? null;
  } catch {
    return null; // a model without a scalar head (a policy)
  }
}

export async function latestCheckpoint(runDir: string): Promise<string | null> {
  try {
    const latest = JSON.parse(await readFile(join(runDir, 'latest.json'), 'utf8')) as { checkpoint: string };
    return join(runDir, latest.checkpoint);
  } catch {
    return null; // no checkpoint yet: the run starts from step 0
  }
}

/** Restores parameters, optimizer and head state in place; returns the run state. */
export async function loadCheckpoint(
  dir: string,
  trainer: Trainer,
  head: ScalarHead | null,
): Promise<RunState> {
  try {
    const loaded = await loadModelDir(dir);
    if (loaded.model.params.length !== trainer.model.params.length)
      throw new TrainError('AB_TRAIN_CHECKPOINT', 'the checkpoint does not match the run model', {
        file: dir,
      });
    trainer.model.params.set(loaded.model.params);
    const opt = await readSafetensors(join(dir, 'optimizer.safetensors'));
    const s = JSON.parse(await readFile(join(dir, 'trainer_state.json'), 'utf8')) as RunState & {
      optimizerStep: number;
      headStep: number;
    };
    trainer.opt.m.set(opt.get('m')?.data ?? []);
    trainer.opt.v.set(opt.get('v')?.data ?? []);
    trainer.opt.step = s.optimizerStep;
    if (head) {
      const p = await readHead(dir);
      if (p) head.params.set(p);
      head.opt.m.set(opt.get('head.m')?.data ?? []);
      head.opt.v.set(opt.get('head.v')?.data ?? []);
      head.opt.step = s.headStep;
    }
    return { step: s.step, recipeHash: s.recipeHash, extra: s.extra, history: s.history };
  } catch (err) {
    if (err instanceof TrainError) throw err;
    throw new TrainError(
      'AB_TRAIN_CHECKPOINT',
      `cannot read the checkpoint (${(err as Error).message})`,
      { file: dir },
      { cause: err },
    );
  }
}
