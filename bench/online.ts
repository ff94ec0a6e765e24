/**
 * Online generation throughput: the adaptive generator against a server with a fixed
 * per-token latency and a concurrency ceiling, beside a naive one-request-at-a-time loop,
 * in the same run. Target: >= 90 % of the server's limit.
 */
import { generateSamplesIter, type SampleRequest } from '../src/train/online-generator.js';
import { startLatencyServer } from '../tests/helpers/latency-server.js';

export default async function main(args: string[]): Promise<void> {
  const prompts = Number(args[0] ?? 1500);
  const server = { concurrency: 16, perTokenMs: 2 };
  const request: Omit<SampleRequest, 'prompt'> = { n: 4, maxTokens: 32, temperature: 1 };
  const limitTokensPerSecond = (server.concurrency * request.n * 1000) / server.perTokenMs;
  const { app, baseURL } = await startLatencyServer(server);
  try {
    const run = async (count: number, fixedConcurrency?: number) => {
      const requests = Array.from({ length: count }, (_, i) => ({ ...request, prompt: `prompt ${i}` }));
      let tokens = 0;
      let lastConcurrency = 0;
      const started = performance.now();
      for await (const e of generateSamplesIter(requests, {
        baseURL,
        model: 'bench',
        ...(fixedConcurrency && { initialConcurrency: fixedConcurrency, maxConcurrency: fixedConcurrency }),
      })) {
        if (e.type === 'samples') tokens += e.completions.reduce((s, c) => s + c.tokens, 0);
        else lastConcurrency = e.concurrency;
      }
      const seconds = (performance.now() - started) / 1000;
      return { tokensPerSecond: tokens / seconds, seconds, concurrency: lastConcurrency };
    };
    const naive = await run(Math.max(20, Math.floor(prompts / 40)), 1);
    const adaptive = await run(prompts);
    const pct = (x: number) => `${((100 * x) / limitTokensPerSecond).toFixed(1)}%`;
    console.log(
      `server limit: ${limitTokensPerSecond.toFixed(0)} tokens/s (concurrency ${server.concurrency}, ${server.perTokenMs} ms/token, n=${request.n}, ${request.maxTokens} tokens)`,
    );
    console.log(
      `naive (1 in flight):   ${naive.tokensPerSecond.toFixed(0)} tokens/s  ${pct(naive.tokensPerSecond)} of limit`,
    );
    console.log(
      `adaptive (${prompts} prompts, settled at ${adaptive.concurrency} in flight): ${adaptive.tokensPerSecond.toFixed(0)} tokens/s  ${pct(adaptive.tokensPerSecond)} of limit, ${adaptive.seconds.toFixed(1)} s`,
    );
    console.log(`ratio adaptive/naive: ${(adaptive.tokensPerSecond / naive.tokensPerSecond).toFixed(1)}x`);
  } finally {
    await app.close();
  }
}
