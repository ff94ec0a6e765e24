// Parity with a reference no one here wrote: llama.cpp, through node-llama-cpp 3.21.1.
// The same tiny random model is exported to GGUF (F32 tensors) and both engines score the same
// token ids; next-token log-probabilities over the whole vocabulary must agree within TOL at
// every position. llama.cpp runs with an F32 KV cache and without flash attention so that
// nothing is rounded to f16 on its side.
//
// node-llama-cpp ships ~700 MB of prebuilt binaries, so it is not a project dependency: it lives
// in the git-ignored .cache/llama/. The test installs it there when ALIGNBOARD_LLAMA_INSTALL=1,
// and is skipped (saying how to enable it) when it is absent.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { createKvCache, forwardCached, loadModelDir, logSoftmax, writeGguf } from '../../src/engine/index.js';
import { writeTinyModel } from '../helpers/tiny-model.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const PREFIX = join(ROOT, '.cache/llama');
const ENTRY = join(PREFIX, 'node_modules/node-llama-cpp/dist/index.js');
const VERSION = '3.21.1';
// Max |log p_ours - log p_llama.cpp| over every position and vocabulary entry. Both sides compute
// in f32 with different summation orders; measured 1.0e-6 on these models.
const TOL = 1e-4;

function ensureInstalled(): boolean {
  if (existsSync(ENTRY)) return true;
  if (process.env.ALIGNBOARD_LLAMA_INSTALL !== '1') return false;
  execFileSync(
    'npm',
    ['install', '--prefix', PREFIX, '--no-audit', '--no-fund', `node-llama-cpp@${VERSION}`],
    { stdio: 'inherit' },
  );
  return existsSync(ENTRY);
}

/** The slice of node-llama-cpp's API this test uses (it is not installed for type-checking). */
interface NodeLlamaCpp {
  getLlama(opts: { gpu: false; build: 'never'; logLevel: string }): Promise<{
    loadModel(opts: { modelPath: string }): Promise<{
      createContext(opts: Record<string, unknown>): Promise<{
        getSequence(): {
          controlledEvaluate(
            input: [number, { generateNext: { probabilities: true; options: Record<string, number> } }][],
          ): Promise<({ next: { probabilities?: Map<number, number> } } | undefined)[]>;
        };
        dispose(): Promise<void>;
      }>;
      dispose(): Promise<void>;
    }>;
    dispose(): Promise<void>;
  }>;
}

const installed = ensureInstalled();
if (!installed)
  console.info(
    `llama.cpp parity skipped: set ALIGNBOARD_LLAMA_INSTALL=1 to install node-llama-cpp@${VERSION} into .cache/llama`,
  );

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe.skipIf(!installed)(`parity with llama.cpp (node-llama-cpp ${VERSION})`, () => {
  test.each([
    ['GQA, untied head', { num_key_value_heads: 2, tie_word_embeddings: false }],
    [
      'MHA, tied head, theta 500000',
      { num_key_value_heads: 4, tie_word_embeddings: true, rope_theta: 500000 },
    ],
  ])('%s: next-token log-probabilities agree', { timeout: 120_000 }, async (_name, config) => {
    const { getLlama } = (await import(pathToFileURL(ENTRY).href)) as NodeLlamaCpp;
    const { dir } = await writeTinyModel({ seed: 5, std: 0.1, config });
    dirs.push(dir);
    const loaded = await loadModelDir(dir);
    const tok = loaded.tokenizer;
    if (!tok) throw new Error('tiny model has no tokenizer');
    const tj = tok.files.tokenizerJson as {
      model: { vocab: Record<string, number>; merges: [string, string][] };
    };
    const tokens = Object.entries(tj.model.vocab)
      .sort((a, b) => a[1] - b[1])
      .map(([t]) => t);
    const gguf = join(dir, 'model.gguf');
    await writeGguf(gguf, loaded.model, {
      tokens,
      specialIds: tok.specialIds,
      merges: tj.model.merges.map((m) => m.join(' ')),
      eosTokenId: tok.eosTokenId,
    });

    const llama = await getLlama({ gpu: false, build: 'never', logLevel: 'error' });
    const model = await llama.loadModel({ modelPath: gguf });
    const ctx = await model.createContext({
      contextSize: 128,
      batchSize: 128,
      flashAttention: false,
      experimentalKvCacheKeyType: 'F32',
      experimentalKvCacheValueType: 'F32',
    });
    try {
      const text =
        'The quick brown fox jumps over the lazy dog. Alignment is the art of making models do what we mean. Hello world!';
      const ids = tok.encode(text);
      const V = loaded.config.V;
      const opts = { temperature: 1, topK: V, topP: 1, minP: 0 };
      const res = await ctx
        .getSequence()
        .controlledEvaluate(ids.map((t) => [t, { generateNext: { probabilities: true, options: opts } }]));
      const ours = forwardCached(
        loaded.model,
        [{ cache: createKvCache(loaded.model, ids.length), tokens: ids }],
        { allLogits: true },
      ).logits[0] as Float32Array;
      let maxDiff = 0;
      let where = '';
      for (let i = 0; i < ids.length; i++) {
        const probs = res[i]?.next.probabilities;
        expect(probs?.size, `position ${i}: llama.cpp returned a partial distribution`).toBe(V);
        const ls = logSoftmax(ours.subarray(i * V, (i + 1) * V));
        for (const [id, p] of probs ?? []) {
          const d = Math.abs(Math.log(p) - (ls[id] as number));
          if (d > maxDiff) [maxDiff, where] = [d, `position ${i}, token ${id}`];
        }
      }
      console.info(
        `llama.cpp parity ${_name}: ${ids.length} positions x ${V} tokens, max |dlogprob| ${maxDiff.toExponential(2)} at ${where} (tolerance ${TOL})`,
      );
      expect(maxDiff, `max |dlogprob| ${maxDiff} at ${where}, tolerance ${TOL}`).toBeLessThan(TOL);
    } finally {
      await ctx.dispose();
      await model.dispose();
      await llama.dispose();
    }
  });
});
