/**
 * `npm run bench -- data [--size-mb N] [--file PATH] [--workers N]`: generates a preference
 * JSONL of at least 1 GB (once; reused while its size fits), then measures, each in its own
 * child process so peak RSS is its own: (1) the baseline, a plain Node `readline` +
 * `JSON.parse` line loop, and (2) `inspectDataset` with a contract (the full inspection:
 * contract, duplicates, near duplicates on a sample, preference and text checks), from the
 * built package (`npm run build` first), as the CLI and the server run it.
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const WORDS =
  'model data train token answer question paper river stone garden light window music number planet forest table ocean city bridge engine signal memory value market winter summer yellow silver quiet rapid gentle broken hidden simple careful early later north south doctor teacher farmer painter writer story letter circle square system method result reason effect change growth energy metal glass'.split(
    ' ',
  );
const KO =
  '모델 데이터 학습 답변 질문 문서 강물 정원 창문 음악 숫자 행성 숲 도시 다리 신호 기억 시장 겨울 여름'.split(
    ' ',
  );

function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function generate(file: string, bytes: number): Promise<void> {
  const rand = rng(42);
  const words = (n: number, ko: boolean) => {
    const src = ko ? KO : WORDS;
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(src[Math.floor(rand() * src.length)] ?? 'x');
    return `${out.join(' ')}.`;
  };
  const out = createWriteStream(file);
  let written = 0;
  let i = 0;
  while (written < bytes) {
    const lines: string[] = [];
    for (let k = 0; k < 2000; k++, i++) {
      const ko = i % 5 === 0;
      const row = {
        prompt: words(20 + Math.floor(rand() * 40), ko),
        chosen: words(60 + Math.floor(rand() * 120), ko),
        rejected: words(40 + Math.floor(rand() * 120), ko),
      };
      lines.push(i % 1000 === 999 ? (lines[lines.length - 1] ?? JSON.stringify(row)) : JSON.stringify(row));
    }
    const chunk = `${lines.join('\n')}\n`;
    written += Buffer.byteLength(chunk);
    if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r, j) => out.end((err?: Error | null) => (err ? j(err) : r())));
}

async function childBaseline(file: string): Promise<object> {
  const t0 = performance.now();
  let rows = 0;
  let chars = 0;
  const rl = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of rl) {
    if (!line) continue;
    const v = JSON.parse(line) as { chosen?: string };
    chars += v.chosen?.length ?? 0;
    rows++;
  }
  return {
    rows,
    chars,
    seconds: (performance.now() - t0) / 1000,
    cpuSeconds: cpuSeconds(),
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  };
}

/** CPU time of this process, worker threads included: comparable when other work shares the cores. */
function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

const builtData = new URL('../dist/data/', import.meta.url);

/**
 * The inspection runs from dist/ (its workers then load plain JS, where from the sources each
 * worker thread would compile TypeScript under tsx first, about 1 CPU second per thread), so
 * dist/data must be built from the current sources.
 */
function assertBuiltDataFresh(): void {
  const src = new URL('../src/data/', import.meta.url);
  const stale = readdirSync(src)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .filter((f) => {
      const js = new URL(f.replace(/\.ts$/, '.js'), builtData);
      return !existsSync(js) || statSync(js).mtimeMs < statSync(new URL(f, src)).mtimeMs;
    });
  if (stale.length)
    throw new Error(`dist/data is older than src/data (${stale.join(', ')}): run npm run build first`);
}

async function childInspect(file: string, workers: number): Promise<object> {
  const { inspectDataset, parseContract }: typeof import('../src/data/index.js') = await import(
    new URL('index.js', builtData).href
  );
  const contract = parseContract(`
name: bench-prefs
version: 1
format: trl.preference
fields:
  prompt: { type: string, required: true }
  chosen: { type: string, required: true }
  rejected: { type: string, required: true }
languages: [en, ko]
`).contract;
  const t0 = performance.now();
  const r = await inspectDataset(file, { contract, workers });
  return {
    rows: r.rows,
    duplicates: r.duplicates,
    findings: r.findings.map((f) => `${f.code}×${f.count}`),
    seconds: (performance.now() - t0) / 1000,
    cpuSeconds: cpuSeconds(),
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  };
}

interface Measured {
  seconds: number;
  cpuSeconds: number;
  maxRssBytes: number;
  rows: number;
}

function runChild(kind: string, file: string, workers: number): Measured {
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, ['--import', 'tsx', self, '--child', kind, file, String(workers)], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  if (r.status !== 0) throw new Error(`${kind} child failed: ${r.stderr}`);
  const last = r.stdout.trim().split('\n').pop() ?? '{}';
  return JSON.parse(last) as Measured;
}

export default async function main(args: string[]): Promise<void> {
  const arg = (name: string) => {
    const i = args.indexOf(name);
    return i === -1 ? undefined : args[i + 1];
  };
  const sizeMb = Number(arg('--size-mb') ?? 1100);
  const file = arg('--file') ?? path.join(os.tmpdir(), `alignboard-bench-prefs-${sizeMb}mb.jsonl`);
  const workers = Number(arg('--workers') ?? os.availableParallelism());
  assertBuiltDataFresh();
  const want = sizeMb * 1e6;
  if (!existsSync(file) || statSync(file).size < want) {
    process.stderr.write(`generating ${file} (${sizeMb} MB)…\n`);
    await generate(file, want);
  }
  const loadAtStart = os.loadavg();
  const size = statSync(file).size;
  const mb = size / 1e6;
  process.stderr.write(`baseline: readline + JSON.parse over ${mb.toFixed(0)} MB…\n`);
  const base = runChild('baseline', file, 1);
  process.stderr.write(`inspectDataset with ${workers} workers…\n`);
  const insp = runChild('inspect', file, workers);
  const row = (name: string, r: Measured) =>
    `| ${name} | ${r.rows} | ${r.seconds.toFixed(1)} | ${(mb / r.seconds).toFixed(0)} | ${r.cpuSeconds.toFixed(1)} | ${(mb / r.cpuSeconds).toFixed(0)} | ${(r.maxRssBytes / 2 ** 20).toFixed(0)} |`;
  const out = [
    `file: ${file} (${mb.toFixed(0)} MB, ${os.cpus().length} CPUs: ${os.cpus()[0]?.model ?? '?'}, node ${process.version})`,
    `load average (1, 5, 15 min) at the start: ${loadAtStart.map((x) => x.toFixed(1)).join(' ')}, at the end: ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
    '| run | rows | seconds | MB/s | CPU seconds | MB per CPU second | peak RSS MiB |',
    '|---|---|---|---|---|---|---|',
    row('plain readline + JSON.parse loop', base),
    row(`inspectDataset (contract, ${workers} workers)`, insp),
    `speed-up: ${(base.seconds / insp.seconds).toFixed(2)}× wall, ${(base.cpuSeconds / insp.cpuSeconds).toFixed(2)}× CPU`,
    JSON.stringify(insp),
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

if (process.argv[2] === '--child') {
  const [, , , kind, file, workers] = process.argv;
  const result =
    kind === 'baseline'
      ? await childBaseline(file ?? '')
      : await childInspect(file ?? '', Number(workers ?? 1));
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}
