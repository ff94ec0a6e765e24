// A training recipe: YAML validated with zod, every error located by file, line and field, and
// a content hash over the canonical (defaulted, key-sorted) recipe so formatting never changes it.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isNode, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { EngineOptionsSchema } from './engines/engine-launch.js';
import { TrainError } from './errors.js';

export const ALGORITHMS = ['sft', 'rm', 'dpo', 'online_dpo', 'ppo'] as const;
export type Algorithm = (typeof ALGORITHMS)[number];

/** `embedded` runs this repository's trainer; the others translate the recipe (src/train/engines). */
export const RECIPE_ENGINES = ['embedded', 'trl', 'openrlhf', 'verl', 'command'] as const;
export type RecipeEngine = (typeof RECIPE_ENGINES)[number];

/** `inline` trains in the calling process; `local` in a child process; `slurm` / `ray` on a cluster. */
export const EXECUTORS = ['inline', 'local', 'slurm', 'ray'] as const;
export type ExecutorKind = (typeof EXECUTORS)[number];

const ExecutorOptionsSchema = z.strictObject({
  /** How often a running job's state, log and metrics are read, in ms. */
  poll_ms: z.number().int().min(50).max(600_000).default(1000),
  slurm: z
    .strictObject({
      partition: z.string().min(1).optional(),
      nodes: z.number().int().positive().optional(),
      gpus_per_node: z.number().int().nonnegative().optional(),
      cpus_per_task: z.number().int().positive().optional(),
      memory_mb: z.number().int().positive().optional(),
      time_limit_minutes: z.number().positive().optional(),
      /** Submit on a login node over SSH instead of this machine. */
      ssh: z
        .strictObject({
          host: z.string().min(1),
          user: z.string().min(1).optional(),
          port: z.number().int().positive().optional(),
          identity_file: z.string().min(1).optional(),
        })
        .optional(),
      /** `SLURM_CONF` for Slurm's commands; defaults to the environment's. */
      slurm_conf: z.string().min(1).optional(),
    })
    .optional(),
  ray: z
    .strictObject({
      /** The Ray dashboard's job server, e.g. `http://head:8265`. */
      address: z.string().url(),
      cpus: z.number().positive().optional(),
      gpus: z.number().nonnegative().optional(),
    })
    .optional(),
});
export type ExecutorOptions = z.infer<typeof ExecutorOptionsSchema>;

export const PACKING_STRATEGIES = ['bfd', 'ffd', 'padding_free', 'padding'] as const;
export type PackingStrategy = (typeof PACKING_STRATEGIES)[number];

const DatasetRefSchema = z.strictObject({
  /** Dataset name in the data domain. */
  name: z.string().min(1),
  /** The pinned dataset version id; it must be accepted by the intake gate. */
  version: z.string().min(1),
  /** What the run uses it for. */
  role: z.enum(['train', 'eval', 'preference', 'prompts']).default('train'),
});

const HyperparametersSchema = z.strictObject({
  learning_rate: z.number().positive().max(1),
  schedule: z.enum(['constant', 'linear', 'cosine']).default('constant'),
  warmup_steps: z.number().int().nonnegative().default(0),
  epochs: z.number().int().positive().default(1),
  /** Stops after this many optimizer steps (or online iterations) when set. */
  max_steps: z.number().int().positive().optional(),
  batch_size: z.number().int().positive().default(8),
  grad_accum: z.number().int().positive().default(1),
  max_length: z.number().int().positive().default(512),
  weight_decay: z.number().nonnegative().default(0),
  max_grad_norm: z.number().nonnegative().default(1),
  seed: z.number().int().nonnegative().default(0),
});

const RmSchema = z.strictObject({
  /** Bradley–Terry with a margin: loss = -log σ(r_c - r_r - margin) where rows carry `margin`. */
  use_margin: z.boolean().default(false),
  eval_fraction: z.number().min(0).max(0.9).default(0.2),
});

const DpoSchema = z.strictObject({
  beta: z.number().positive().default(0.1),
  loss_type: z.enum(['sigmoid', 'ipo']).default('sigmoid'),
  /**
   * Weight of the chosen reply's per-token NLL added to the preference loss (RPO, Pang et al. 2024),
   * in DPO and online DPO; it keeps DPO from widening the margin by pushing the chosen reply down too.
   * Optional, so recipes without it keep their hash.
   */
  rpo_alpha: z.number().nonnegative().optional(),
});

const OnlineDpoSchema = z.strictObject({
  iterations: z.number().int().positive().default(4),
  prompts_per_iteration: z.number().int().positive().default(8),
  /** Completions sampled per prompt; best and worst under the reward model make a pair. */
  k: z.number().int().min(2).default(4),
  temperature: z.number().positive().default(1),
  max_new_tokens: z.number().int().positive().default(16),
  steps_per_iteration: z.number().int().positive().default(2),
});

const PpoSchema = z.strictObject({
  iterations: z.number().int().positive().default(8),
  prompts_per_iteration: z.number().int().positive().default(8),
  ppo_epochs: z.number().int().positive().default(2),
  clip_range: z.number().positive().default(0.2),
  vf_coef: z.number().nonnegative().default(0.1),
  gamma: z.number().min(0).max(1).default(1),
  lam: z.number().min(0).max(1).default(0.95),
  /** Initial KL coefficient of the per-token penalty. */
  kl_coef: z.number().nonnegative().default(0.05),
  /** Target KL of the adaptive controller (Ziegler et al. 2019); null keeps kl_coef fixed. */
  kl_target: z.number().positive().nullable().default(1),
  kl_horizon: z.number().positive().default(100),
  temperature: z.number().positive().default(1),
  max_new_tokens: z.number().int().positive().default(12),
});

export const RecipeSchema = z
  .strictObject({
    name: z.string().min(1).max(200),
    algorithm: z.enum(ALGORITHMS),
    /** Registry reference of the model to start from (id, name@version or name). */
    base_model: z.string().min(1),
    /** Frozen reference for DPO / PPO; defaults to the base model. */
    reference_model: z.string().min(1).optional(),
    /** The reward model scoring online DPO and PPO samples. */
    reward_model: z.string().min(1).optional(),
    datasets: z.array(DatasetRefSchema).min(1),
    template: z
      .strictObject({
        /** `chat` uses the base model's chat template unless `chat_template` overrides it. */
        kind: z.enum(['chat', 'plain']).default('chat'),
        chat_template: z.string().min(1).optional(),
        documents: z.enum(['inline', 'template']).default('inline'),
      })
      .default({ kind: 'chat', documents: 'inline' }),
    hyperparameters: HyperparametersSchema,
    rm: RmSchema.default(RmSchema.parse({})),
    dpo: DpoSchema.default(DpoSchema.parse({})),
    online_dpo: OnlineDpoSchema.default(OnlineDpoSchema.parse({})),
    ppo: PpoSchema.default(PpoSchema.parse({})),
    packing: z
      .strictObject({
        strategy: z.enum(PACKING_STRATEGIES).default('bfd'),
        /** Tokens per packed row; defaults to max_length. */
        capacity: z.number().int().positive().optional(),
      })
      .default({ strategy: 'bfd' }),
    engine: z.enum(RECIPE_ENGINES).default('embedded'),
    /** What the engine needs beyond the recipe (command template, LoRA, nodes…); src/train/engines. */
    engine_options: EngineOptionsSchema.optional(),
    executor: z.enum(EXECUTORS).default('local'),
    executor_options: ExecutorOptionsSchema.optional(),
    checkpoint_every: z.number().int().positive().default(50),
    output: z
      .strictObject({ name: z.string().min(1).optional(), tags: z.array(z.string()).default([]) })
      .default({ tags: [] }),
    evaluation: z.strictObject({ suites: z.array(z.string().min(1)).default([]) }).default({ suites: [] }),
  })
  .superRefine((r, ctx) => {
    if ((r.algorithm === 'online_dpo' || r.algorithm === 'ppo') && !r.reward_model)
      ctx.addIssue({
        code: 'custom',
        path: ['reward_model'],
        message: `${r.algorithm} needs a reward_model to score its samples`,
      });
    if (r.engine === 'command' && !r.engine_options?.command)
      ctx.addIssue({
        code: 'custom',
        path: ['engine_options', 'command'],
        message: 'the command engine needs engine_options.command.template (docs/command-engine.md)',
      });
    if (r.executor === 'ray' && !r.executor_options?.ray)
      ctx.addIssue({
        code: 'custom',
        path: ['executor_options', 'ray'],
        message: 'the ray executor needs executor_options.ray.address',
      });
    if (r.engine !== 'embedded' && r.executor === 'inline')
      ctx.addIssue({
        code: 'custom',
        path: ['executor'],
        message: `engine ${r.engine} runs as a command: use executor local, slurm or ray`,
      });
    if (r.template.chat_template && r.template.kind !== 'chat')
      ctx.addIssue({ code: 'custom', path: ['template', 'chat_template'], message: 'only with kind: chat' });
  });

export type Recipe = z.infer<typeof RecipeSchema>;
export type RecipeInput = z.input<typeof RecipeSchema>;

export interface LoadedRecipe {
  recipe: Recipe;
  /** sha256 of the canonical recipe JSON, `sha256:<hex>`. */
  hash: string;
  text: string;
  file: string;
}

/** JSON with object keys sorted at every level: equal content gives equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function hashRecipe(recipe: Recipe): string {
  return `sha256:${createHash('sha256').update(canonicalJson(recipe)).digest('hex')}`;
}

/** Parses recipe YAML; throws AB_TRAIN_RECIPE_INVALID naming file, line and field. */
export function parseRecipe(text: string, file = '<recipe>'): LoadedRecipe {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const yamlError = doc.errors[0];
  if (yamlError) {
    const line = lineCounter.linePos(yamlError.pos[0]).line;
    throw new TrainError('AB_TRAIN_RECIPE_INVALID', `not valid YAML (${yamlError.message.split('\n')[0]})`, {
      file,
      line,
    });
  }
  const result = RecipeSchema.safeParse(doc.toJS());
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = (issue?.path ?? []).map((p) => (typeof p === 'symbol' ? String(p) : p));
    // The deepest node the path reaches gives the line (a missing key points at its parent).
    let line: number | undefined;
    for (let n = path.length; n >= 0 && line === undefined; n--) {
      const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
      if (isNode(node) && node.range) line = lineCounter.linePos(node.range[0]).line;
    }
    throw new TrainError('AB_TRAIN_RECIPE_INVALID', issue?.message ?? 'invalid recipe', {
      file,
      ...(line !== undefined ? { line } : {}),
      ...(path.length ? { field: path.join('.') } : {}),
    });
  }
  return { recipe: result.data, hash: hashRecipe(result.data), text, file };
}

export async function loadRecipe(file: string): Promise<LoadedRecipe> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new TrainError('AB_TRAIN_RECIPE_INVALID', 'cannot read the recipe file', { file }, { cause: err });
  }
  return parseRecipe(text, file);
}
