// `alignboard engine serve|init`: the embedded engine's commands. Thin: parse options, call one function.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { z } from 'zod';
import { parseAt } from '../../common/errors.js';
import { createLogger } from '../../common/logger.js';
import { initModelDir } from '../../engine/index.js';
import { buildEngineServer } from '../../server/index.js';

const ServeOptionsSchema = z.object({
  model: z.string().min(1),
  port: z.coerce.number().int().min(0).max(65535).default(8000),
  host: z.string().default('127.0.0.1'),
  name: z.string().optional(),
});

const InitOptionsSchema = z.object({
  corpus: z.string().optional(),
  vocab: z.coerce.number().int().min(260).max(65536).default(512),
  hidden: z.coerce.number().int().positive().default(64),
  layers: z.coerce.number().int().positive().default(2),
  heads: z.coerce.number().int().positive().default(4),
  kvHeads: z.coerce.number().int().positive().optional(),
  context: z.coerce.number().int().positive().default(256),
  seed: z.coerce.number().int().default(1),
});

// Used when no corpus is given, so `engine init` works offline out of the box.
const DEFAULT_CORPUS = [
  'The quick brown fox jumps over the lazy dog.',
  'Alignment is the work of making a model do what its users mean.',
  'Question: what is two plus two? Answer: four.',
  'Hello! How can I help you today?',
];

export function registerEngineCommands(program: Command): void {
  const engine = program
    .command('engine')
    .description('the embedded engine: a small Llama-family model in TypeScript');

  engine
    .command('serve')
    .description('serve a model folder over the OpenAI-compatible API (vLLM-style /v1/*)')
    .requiredOption(
      '-m, --model <dir>',
      'Hugging Face model folder (config.json, model.safetensors, tokenizer.json)',
    )
    .option('-p, --port <port>', 'port to listen on', '8000')
    .option('-H, --host <host>', 'interface to bind', '127.0.0.1')
    .option('--name <id>', 'model id clients pass as "model" (default: folder name)')
    .action(async (raw: unknown) => {
      const opts = parseAt(ServeOptionsSchema, raw, { field: 'options' });
      const log = createLogger({ level: 'info', destination: process.stderr });
      const app = await buildEngineServer({
        modelDir: opts.model,
        log,
        ...(opts.name ? { modelName: opts.name } : {}),
      });
      const address = await app.listen({ host: opts.host, port: opts.port });
      log.info({ address, model: opts.model }, 'engine server listening');
      const stop = () => void app.close();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });

  engine
    .command('init')
    .description('create a tiny random model folder with a BPE tokenizer trained on a corpus')
    .argument('<dir>', 'folder to write')
    .option('--corpus <file>', 'text file to train the tokenizer on (one document per line)')
    .option('--vocab <n>', 'vocabulary size', '512')
    .option('--hidden <n>', 'model dimension', '64')
    .option('--layers <n>', 'number of layers', '2')
    .option('--heads <n>', 'attention heads', '4')
    .option('--kv-heads <n>', 'key/value heads (grouped-query attention)')
    .option('--context <n>', 'context length', '256')
    .option('--seed <n>', 'seed of the random init', '1')
    .action(async (dir: string, raw: unknown) => {
      const opts = parseAt(InitOptionsSchema, raw, { field: 'options' });
      const corpus = opts.corpus
        ? (await readFile(opts.corpus, 'utf8')).split('\n').filter(Boolean)
        : DEFAULT_CORPUS;
      const { params } = await initModelDir(dir, {
        corpus,
        vocabSize: opts.vocab,
        hiddenSize: opts.hidden,
        layers: opts.layers,
        heads: opts.heads,
        ...(opts.kvHeads ? { kvHeads: opts.kvHeads } : {}),
        contextLength: opts.context,
        seed: opts.seed,
      });
      process.stdout.write(`${dir}: ${params} parameters\n`);
    });
}
