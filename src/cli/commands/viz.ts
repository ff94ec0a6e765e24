import { readFile, stat, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { z } from 'zod';
import { loadConfig } from '../../common/config.js';
import { parseAt, parseJsonAt, ValidationError } from '../../common/errors.js';
import { createLogger } from '../../common/logger.js';
import { createStore, type Store } from '../../store/index.js';
import {
  type AttentionInput,
  AttentionInputSchema,
  type AttentionView,
  createModelCache,
  type ForwardPath,
  ForwardPathSchema,
  type ModelCache,
  type NoiseResult,
  RagInputSchema,
  renderStaticHtml,
  runAttention,
  runCompare,
  runNoise,
} from '../../viz/index.js';
import { print } from '../output.js';

const RagMaxTokens = z.number().int().min(1).max(256);
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

async function isDir(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false; // not a folder: resolved through the registry instead
  }
}

/** A cache over the registry when a model is not a folder; the store is closed afterwards. Warnings (a fast-path fallback) go to stderr. */
async function withCache<T>(models: string[], fn: (cache: ModelCache) => Promise<T>): Promise<T> {
  const log = createLogger({ level: 'warn', destination: process.stderr });
  const folders = await Promise.all(models.map(isDir));
  if (folders.every(Boolean)) return fn(createModelCache({ log }));
  const store: Store = createStore({ databaseUrl: loadConfig().databaseUrl });
  try {
    await store.migrate();
    return await fn(createModelCache({ store, log }));
  } finally {
    await store.close();
  }
}

/** `--input FILE`: a .json file holding an input ({kind: text|chat|rag, ...}), or any other file as plain text. */
async function readInput(file: string): Promise<AttentionInput> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ValidationError(
      'AB_INPUT_INVALID',
      `cannot read the input file (${(err as NodeJS.ErrnoException).code})`,
      {
        file,
        field: '--input',
      },
    );
  }
  if (!file.endsWith('.json')) return parseAt(AttentionInputSchema, { kind: 'text', text }, { file });
  return parseAt(AttentionInputSchema, parseJsonAt(text, { file }), { file });
}

const PATH_HELP =
  'forward pass: reference (TypeScript), onnx (onnxruntime-node) or auto (onnx when available)';
const parsePath = (v: string): ForwardPath => parseAt(ForwardPathSchema, v, { field: '--path' });

/** "2-5" or "3" → [2, 5] / [3, 3]. */
function range(value: string | undefined, field: string): [number, number] | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d+)(?:-(\d+))?$/.exec(value);
  if (!m) throw new ValidationError('AB_INPUT_INVALID', `expected N or N-M, got "${value}"`, { field });
  return [Number(m[1]), Number(m[2] ?? m[1])];
}

function summarizeView(v: AttentionView): string {
  const lines = [
    `${v.model.name} (${v.model.architecture}): ${v.model.L} layers × ${v.model.H} heads, ${v.tokens.length} tokens${v.model.path ? ` (${v.model.path} path)` : ''}`,
  ];
  const last = v.layerSegmentShares.at(-1) ?? [];
  lines.push(`attention between segments, last layer (rows: query, columns: key):`);
  lines.push(['', ...v.segments.map((s) => s.label)].join('\t'));
  for (const s of v.segments)
    lines.push([`${s.label} (${s.tokenCount})`, ...(last[s.index] ?? []).map(pct)].join('\t'));
  return lines.join('\n');
}

function summarizeNoise(n: NoiseResult): string {
  const r = n.report;
  const lines = [
    `answer${r.answerGenerated ? ' (generated)' : ''}: ${r.answer}`,
    `answer-to-noise ratio: ${r.answerToNoise === null ? 'no attention on other documents' : r.answerToNoise.toFixed(2)}`,
    'layer\tgold\tnoise\tquestion\tsink\tother',
    ...r.layers.map((s, l) =>
      [l, pct(s.gold), pct(s.noise), pct(s.question), pct(s.sink), pct(s.other)].join('\t'),
    ),
    'document\tgold\tattention\tlog-prob drop without it',
    ...r.documents.map((d) =>
      [d.title, d.gold ? 'yes' : '', pct(d.share), d.looDrop?.toFixed(3) ?? '—'].join('\t'),
    ),
  ];
  if (n.placements.length) {
    lines.push('gold placed\tgold\tnoise\tratio');
    for (const p of n.placements)
      lines.push(
        [p.placement, pct(p.overall.gold), pct(p.overall.noise), p.answerToNoise?.toFixed(2) ?? '—'].join(
          '\t',
        ),
      );
  }
  return lines.join('\n');
}

/** `alignboard attention run|noise`. */
export function registerVizCommands(program: Command): void {
  const attention = program
    .command('attention')
    .description('the attention lab: what a model attends to, and RAG attention noise');

  attention
    .command('run')
    .description('attention of a model on an input; --out writes a self-contained HTML view')
    .requiredOption('--model <ref>', 'model folder or registry model')
    .requiredOption('--input <file>', 'a .json input ({"kind":"text"|"chat"|"rag",...}) or a plain-text file')
    .option('--compare <ref>', 'a second model on the same input, side by side')
    .option('--layers <range>', 'layers whose full matrices are kept, e.g. 0-1')
    .option('--heads <range>', 'heads whose full matrices are kept, e.g. 0-3')
    .option('--out <file>', 'write the view as a static HTML file')
    .option('--path <path>', PATH_HELP, 'auto')
    .option('--json', 'print the view as JSON')
    .action(
      async (opts: {
        model: string;
        input: string;
        compare?: string;
        layers?: string;
        heads?: string;
        out?: string;
        path: string;
        json?: boolean;
      }) => {
        const input = await readInput(opts.input);
        const path = parsePath(opts.path);
        const layers = range(opts.layers, '--layers');
        const heads = range(opts.heads, '--heads');
        const window = layers || heads ? { layers: layers ?? [0, 0], heads: heads ?? [0, 0] } : undefined;
        const models = opts.compare ? [opts.model, opts.compare] : [opts.model];
        const views = await withCache(models, async (cache) =>
          opts.compare
            ? (await runCompare(cache, { models: [opts.model, opts.compare], input, window, path })).views
            : [await runAttention(cache, { model: opts.model, input, window, path })],
        );
        if (opts.out) {
          await writeFile(
            opts.out,
            renderStaticHtml({ title: `Attention · ${views.map((v) => v.model.name).join(' vs ')}`, views }),
          );
          process.stderr.write(`wrote ${opts.out}\n`);
        }
        if (opts.json) print(JSON.stringify(views.length === 1 ? views[0] : { views }));
        else print(views.map(summarizeView).join('\n\n'));
      },
    );

  attention
    .command('noise')
    .description('the RAG attention-noise meter: attention on the gold document vs the others, per layer')
    .requiredOption('--model <ref>', 'model folder or registry model')
    .requiredOption(
      '--input <file>',
      'a .json RAG input: {"kind":"rag","question":...,"documents":[{"text":...,"gold":true}],"answer":...}',
    )
    .option('--no-loo', 'skip the leave-one-document-out check')
    .option('--no-placements', 'skip the gold-document placement demo')
    .option('--max-new-tokens <n>', 'answer tokens to generate when the input has no answer', '16')
    .option('--out <file>', 'write the meter as a static HTML file')
    .option('--path <path>', PATH_HELP, 'auto')
    .option('--json', 'print the result as JSON')
    .action(
      async (opts: {
        model: string;
        input: string;
        loo: boolean;
        placements: boolean;
        maxNewTokens: string;
        out?: string;
        path: string;
        json?: boolean;
      }) => {
        const input = parseAt(RagInputSchema, await readInput(opts.input), { file: opts.input });
        const path = parsePath(opts.path);
        const maxNewTokens = parseAt(RagMaxTokens, Number(opts.maxNewTokens), { field: '--max-new-tokens' });
        const result = await withCache([opts.model], (cache) =>
          runNoise(cache, {
            model: opts.model,
            input,
            leaveOneOut: opts.loo,
            placements: opts.placements,
            maxNewTokens,
            path,
          }),
        );
        if (opts.out) {
          await writeFile(
            opts.out,
            renderStaticHtml({
              title: `RAG attention noise · ${result.report.model}`,
              views: [result.view],
              noise: result,
            }),
          );
          process.stderr.write(`wrote ${opts.out}\n`);
        }
        print(opts.json ? JSON.stringify(result.report) : summarizeNoise(result));
      },
    );
}
