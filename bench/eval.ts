/**
 * Evaluation throughput: Alignboard's runner against promptfoo 0.121 (installed on demand into
 * the ignored `.cache/promptfoo/`, never a project dependency) on the same 2,000-prompt task and
 * the same local OpenAI-compatible server, which answers each completion after 20 ms and decodes
 * at most `serverConcurrency` requests at once (more wait in a queue, as vLLM's do). Both run at
 * the same fixed concurrency; the runner also runs with adaptive concurrency. A naive
 * one-request-at-a-time loop is the floor. Throughput is measured by the server (first request
 * in to last answer out) and by wall clock; the runner's CPU time per sample is its own process's,
 * and the server (a child process on the same cores) reports its own; load averages are printed.
 *
 *   npm run bench -- eval [prompts=2000] [concurrency=16] [--skip-promptfoo]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { evaluate } from '../src/eval/run-eval.js';
import { TaskSpecSchema } from '../src/eval/schemas.js';
import { createStore } from '../src/store/index.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const PROMPTFOO_DIR = path.join(ROOT, '.cache/promptfoo');
const PROMPTFOO_BIN = path.join(PROMPTFOO_DIR, 'node_modules/promptfoo/dist/src/entrypoint.js');
const LATENCY_MS = 20;

/** The latency server as plain JS in its own process: /v1/completions, /stats, /reset. */
const SERVER_JS = `
const http = require('node:http');
const [latencyMs, ceiling] = process.argv.slice(1).map(Number);
let active = 0, count = 0, firstAt = 0, lastAt = 0, maxActive = 0, cpuFrom = process.cpuUsage();
const waiting = [];
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    if (req.url === '/stats') {
      const cpu = process.cpuUsage(cpuFrom);
      return res.end(JSON.stringify({ count, firstAt, lastAt, maxActive, cpuMs: (cpu.user + cpu.system) / 1000 }));
    }
    if (req.url === '/reset') { count = 0; firstAt = 0; lastAt = 0; maxActive = 0; cpuFrom = process.cpuUsage(); return res.end('{}'); }
    if (!req.url.endsWith('/completions')) { res.writeHead(404); return res.end('{}'); }
    const body = JSON.parse(Buffer.concat(chunks).toString() || '{}');
    if (!firstAt) firstAt = performance.now();
    if (active >= ceiling) await new Promise((r) => waiting.push(r));
    active++; maxActive = Math.max(maxActive, active);
    setTimeout(() => {
      active--; waiting.shift()?.();
      count++; lastAt = performance.now();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: 'c' + count, object: 'text_completion', created: 0, model: body.model,
        choices: [{ index: 0, text: ' ok', finish_reason: 'stop', logprobs: null }],
        usage: { prompt_tokens: 4, completion_tokens: 1, total_tokens: 5 } }));
    }, latencyMs);
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));
`;

async function startServer(ceiling: number): Promise<{ child: ChildProcess; base: string }> {
  const child = spawn(process.execPath, ['-e', SERVER_JS, String(LATENCY_MS), String(ceiling)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.stdout?.once('data', (d: Buffer) => resolve(d.toString().trim()));
  });
  return { child, base: `http://127.0.0.1:${port}` };
}

interface Stats {
  count: number;
  firstAt: number;
  lastAt: number;
  maxActive: number;
  /** The server process's own CPU time since the last reset. */
  cpuMs: number;
}
const stats = async (base: string) => (await (await fetch(`${base}/stats`)).json()) as Stats;
const reset = async (base: string) => {
  await fetch(`${base}/reset`);
};
/** Requests per second as the server saw them: first request in to last answer out. */
const serverRate = (s: Stats) => (s.count > 1 ? (1000 * s.count) / (s.lastAt - s.firstAt) : 0);

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd = ROOT) {
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(cmd, args, {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr?.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.once('error', (err) => resolve({ code: -1, output: `${output}${err.message}` }));
    child.once('exit', (code) => resolve({ code, output }));
  });
}

/** Installs promptfoo 0.121.x into the ignored cache folder if it is not there; null, or why it failed. */
async function ensurePromptfoo(): Promise<string | null> {
  if (existsSync(PROMPTFOO_BIN)) return null;
  process.stderr.write(`installing promptfoo@0.121 into ${PROMPTFOO_DIR} (about 1.4 GB, minutes)…\n`);
  const r = await run(
    'npm',
    ['install', '--prefix', PROMPTFOO_DIR, 'promptfoo@0.121', '--no-audit', '--no-fund'],
    {},
  );
  if (r.code !== 0 || !existsSync(PROMPTFOO_BIN))
    return `npm install promptfoo@0.121 failed (exit ${r.code}): ${r.output.trim().split('\n').slice(-3).join(' | ')}`;
  return null;
}

export default async function main(args: string[]): Promise<void> {
  const positional = args.filter((a) => !a.startsWith('--'));
  const prompts = Number(positional[0] ?? 2000);
  const concurrency = Number(positional[1] ?? 16);
  const isPromptfooSkipped = args.includes('--skip-promptfoo');
  const serverConcurrency = concurrency;
  const loadAtStart = os.loadavg().map((x) => x.toFixed(2));
  const limit = (1000 * serverConcurrency) / LATENCY_MS;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'alignboard-bench-eval-'));
  const { child, base } = await startServer(serverConcurrency);
  const rows = Array.from({ length: prompts }, (_, i) => ({ q: `Question ${i}: say ok.`, a: 'ok' }));
  try {
    await writeFile(path.join(dir, 'test.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n'));
    const task = TaskSpecSchema.parse({
      format: 'alignboard-task/1',
      name: 'bench',
      outputType: 'generate_until',
      dataset: { path: dir, testSplit: 'test' },
      docToText: '{{q}}',
      docToTarget: '{{a}}',
      generation: { maxTokens: 4 },
      filters: [{ name: 'strip', steps: [{ function: 'strip' }, { function: 'take_first' }] }],
      metrics: [{ metric: 'exact_match' }],
    });
    // The latency server has no /models: pass what a probe would find.
    const capabilities = {
      chat: false,
      completions: true,
      generatedLogprobs: false,
      promptLogprobs: false,
      promptLogprobsReason: 'bench server',
      maxContext: null,
      server: 'unknown' as const,
      models: ['bench'],
      probedAt: '',
    };
    const endpoint = { name: 'bench', baseUrl: `${base}/v1`, model: 'bench', capabilities };
    const runner = async (
      label: string,
      conc: { start: number; min?: number; max: number },
      limitN?: number,
    ) => {
      const store = createStore({ databaseUrl: `sqlite:${path.join(dir, `${label}.db`)}` });
      await store.migrate();
      await reset(base);
      const cpu = process.cpuUsage();
      const t0 = performance.now();
      const out = await evaluate(
        { task, endpoint, ...(limitN && { limit: limitN }) },
        { store, concurrency: conc, useCache: false },
      );
      const seconds = (performance.now() - t0) / 1000;
      const used = process.cpuUsage(cpu);
      await store.close();
      const s = await stats(base);
      const n = out.summary.samples;
      return {
        label,
        samples: n,
        seconds,
        wallRate: n / seconds,
        serverRate: serverRate(s),
        cpuMsPerSample: (used.user + used.system) / 1000 / n,
        serverCpuMsPerSample: s.cpuMs / n,
        maxActive: s.maxActive,
        score: out.summary.metrics['exact_match,strip']?.mean ?? Number.NaN,
      };
    };
    const naive = await runner(
      'naive sequential (1 in flight)',
      { start: 1, min: 1, max: 1 },
      Math.min(prompts, 200),
    );
    const fixed = await runner(`alignboard, fixed concurrency ${concurrency}`, {
      start: concurrency,
      min: concurrency,
      max: concurrency,
    });
    const adaptive = await runner('alignboard, adaptive (start 4, max 64)', { start: 4, min: 1, max: 64 });

    let promptfoo: {
      samples: number;
      seconds: number;
      wallRate: number;
      serverRate: number;
      serverCpuMsPerSample: number;
      maxActive: number;
      score: number;
    } | null = null;
    let whyNot = isPromptfooSkipped ? 'skipped (--skip-promptfoo)' : await ensurePromptfoo();
    if (!whyNot) {
      const config = {
        description: 'alignboard bench',
        prompts: ['{{q}}'],
        providers: [
          {
            id: 'openai:completion:bench',
            config: { apiBaseUrl: `${base}/v1`, apiKey: 'none', max_tokens: 4, temperature: 0 },
          },
        ],
        tests: rows.map((r) => ({ vars: { q: r.q }, assert: [{ type: 'contains', value: r.a }] })),
      };
      const configFile = path.join(dir, 'promptfooconfig.json');
      await writeFile(configFile, JSON.stringify(config));
      const outFile = path.join(dir, 'promptfoo-out.json');
      await reset(base);
      const t0 = performance.now();
      const r = await run(
        process.execPath,
        [
          PROMPTFOO_BIN,
          'eval',
          '-c',
          configFile,
          '-j',
          String(concurrency),
          '--no-cache',
          '--no-progress-bar',
          '--no-table',
          '--no-write',
          '-o',
          outFile,
        ],
        {
          PROMPTFOO_DISABLE_TELEMETRY: '1',
          PROMPTFOO_DISABLE_UPDATE: '1',
          PROMPTFOO_CONFIG_DIR: path.join(dir, 'promptfoo-home'),
          OPENAI_API_KEY: 'none',
          NODE_NO_WARNINGS: '1',
        },
        dir,
      );
      const seconds = (performance.now() - t0) / 1000;
      const s = await stats(base);
      if (s.count < prompts) {
        whyNot = `promptfoo exited ${r.code} after ${s.count}/${prompts} requests: ${r.output.trim().split('\n').slice(-5).join(' | ')}`;
      } else {
        const results = JSON.parse(await readFile(outFile, 'utf8')) as {
          results: { stats?: { successes: number; failures: number } };
        };
        const st = results.results.stats;
        promptfoo = {
          samples: s.count,
          seconds,
          wallRate: s.count / seconds,
          serverRate: serverRate(s),
          serverCpuMsPerSample: s.cpuMs / s.count,
          maxActive: s.maxActive,
          score: st ? st.successes / (st.successes + st.failures) : Number.NaN,
        };
      }
    }

    const f = (x: number, d = 0) => x.toFixed(d);
    const load = os.loadavg().map((x) => x.toFixed(2));
    console.log(
      `server: ${LATENCY_MS} ms per request, ${serverConcurrency} decoded at once (limit ${f(limit)} req/s); ${prompts} prompts; node ${process.version}, ${os.cpus().length} cores; load average ${loadAtStart.join(' ')} at start, ${load.join(' ')} at end`,
    );
    console.log(
      '| run | samples | wall s | samples/s (wall) | samples/s (server span) | % of server limit | runner CPU ms/sample | server CPU ms/sample | max in flight at server | score |',
    );
    console.log('|---|---|---|---|---|---|---|---|---|---|');
    for (const r of [naive, fixed, adaptive])
      console.log(
        `| ${r.label} | ${r.samples} | ${f(r.seconds, 1)} | ${f(r.wallRate)} | ${f(r.serverRate)} | ${f((100 * r.serverRate) / limit, 1)}% | ${f(r.cpuMsPerSample, 2)} | ${f(r.serverCpuMsPerSample, 2)} | ${r.maxActive} | ${f(r.score, 2)} |`,
      );
    if (promptfoo)
      console.log(
        `| promptfoo 0.121, -j ${concurrency} (wall includes its start-up) | ${promptfoo.samples} | ${f(promptfoo.seconds, 1)} | ${f(promptfoo.wallRate)} | ${f(promptfoo.serverRate)} | ${f((100 * promptfoo.serverRate) / limit, 1)}% | n/a (own process) | ${f(promptfoo.serverCpuMsPerSample, 2)} | ${promptfoo.maxActive} | ${f(promptfoo.score, 2)} |`,
      );
    if (promptfoo) {
      console.log(
        `ratio alignboard/promptfoo at concurrency ${concurrency}: ${f(fixed.serverRate / promptfoo.serverRate, 2)}x (server span), ${f(fixed.wallRate / promptfoo.wallRate, 2)}x (wall)`,
      );
    } else {
      console.log(`promptfoo not run: ${whyNot}`);
    }
    console.log(`ratio alignboard fixed/naive: ${f(fixed.serverRate / naive.serverRate, 1)}x`);
    // Both processes share the machine's cores: their CPU per sample bounds the rate any client reaches.
    const cpuPerSample = adaptive.cpuMsPerSample + adaptive.serverCpuMsPerSample;
    console.log(
      `CPU bound (adaptive run): ${f(adaptive.cpuMsPerSample, 2)} ms runner + ${f(adaptive.serverCpuMsPerSample, 2)} ms server = ${f(cpuPerSample, 2)} ms per sample; ${os.cpus().length} idle cores would allow ${f((1000 * os.cpus().length) / cpuPerSample)} samples/s, one core ${f(1000 / cpuPerSample)}/s`,
    );
  } finally {
    child.kill();
    await rm(dir, { recursive: true, force: true });
  }
}
