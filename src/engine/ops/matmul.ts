// Legend: B batch, T time, C model dim, H heads, Hkv kv heads, D head dim, F ffn dim, V vocab, L layers.
// Here: rows = B*T, C input dim, OC output dim. Weight layout is Hugging Face's nn.Linear: (OC, C).
//
// matmulForward / matmulBackward are what the model calls. Large products are split by rows
// across worker threads that share memory with the main thread (SharedArrayBuffer); the main
// thread takes one share itself and waits on an Atomics flag, so callers stay synchronous.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { matmulBlockedRows, matmulNaive } from './matmul-kernels.js';

export { matmulBlockedRows, matmulNaive };

/** A Float32Array on a SharedArrayBuffer, so worker threads can read and write it without copies. */
export function allocF32(n: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(Math.max(1, n) * 4), 0, n);
}

// Below this many multiply-adds a message round trip (~50 µs) costs more than it saves.
const PARALLEL_MIN_MACS = 1 << 18;

// Workers keep the pool's four shared operand buffers (sent once, again only when one grows),
// so a job message is just numbers: nothing per call for either heap to collect.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const __name = (f) => f; // esbuild's keepNames helper, in case the kernel source mentions it
const kernel = (${matmulBlockedRows.toString()});
let b = null;
parentPort.on('message', (m) => {
  if (m.type === 'buffers') {
    b = m;
    return;
  }
  try {
    const bias = m.hasBias ? b.bias.subarray(0, m.OC) : null;
    kernel(b.out, b.inp, b.weight, bias, m.rows, m.C, m.OC, m.accumulate, m.r0, m.r1);
    Atomics.store(m.flag, 0, 1);
  } catch (err) {
    // The main thread is blocked in Atomics.wait, so report straight to stderr.
    require('node:fs').writeSync(2, 'matmul worker: ' + ((err && err.stack) || err) + '\\n');
    Atomics.store(m.flag, 0, 2);
  }
  Atomics.notify(m.flag, 0);
});
`;

interface PoolWorker {
  worker: Worker;
  flag: Int32Array;
}

interface Pool {
  workers: PoolWorker[];
  out: Float32Array;
  inp: Float32Array;
  weight: Float32Array;
  bias: Float32Array;
}

// A process-wide compute pool, like libuv's thread pool: it holds no config or data, only threads
// and their scratch operands.
let pool: Pool | null = null;
let threadCount = Math.max(1, Math.min(availableParallelism(), 8));

/** Sets how many threads (main included) large matmuls use. 1 turns the pool off. */
export function setEngineThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new Error(`setEngineThreads: need an integer >= 1, got ${n}`);
  closeEnginePool();
  threadCount = n;
}

export function getEngineThreads(): number {
  return threadCount;
}

/** Stops the worker threads (they are unref'd, so a process may also just exit). */
export function closeEnginePool(): void {
  if (!pool) return;
  for (const w of pool.workers) void w.worker.terminate();
  pool = null;
}

function getPool(): Pool {
  if (pool) return pool;
  const workers: PoolWorker[] = [];
  for (let i = 0; i < threadCount - 1; i++) {
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    worker.unref();
    workers.push({ worker, flag: new Int32Array(new SharedArrayBuffer(4)) });
  }
  pool = { workers, out: allocF32(0), inp: allocF32(0), weight: allocF32(0), bias: allocF32(0) };
  return pool;
}

/** Grows the pool's operand buffers to the sizes needed and tells the workers when they change. */
function ensureOperands(p: Pool, outN: number, inpN: number, weightN: number, biasN: number): void {
  let changed = false;
  const grow = (key: 'out' | 'inp' | 'weight' | 'bias', n: number) => {
    if (p[key].length < n) {
      p[key] = allocF32(Math.max(n, p[key].length * 2));
      changed = true;
    }
  };
  grow('out', outN);
  grow('inp', inpN);
  grow('weight', weightN);
  grow('bias', biasN);
  if (changed) {
    for (const w of p.workers)
      w.worker.postMessage({ type: 'buffers', out: p.out, inp: p.inp, weight: p.weight, bias: p.bias });
  }
}

// Grow-only scratch for the transposes in matmulBackward.
const scratch = new Map<string, Float32Array>();
function scratchF32(name: string, n: number): Float32Array {
  let s = scratch.get(name);
  if (!s || s.length < n) {
    s = new Float32Array(n);
    scratch.set(name, s);
  }
  return s.subarray(0, n);
}

/**
 * out: (rows, OC) = inp: (rows, C) @ weight: (OC, C)^T + bias: (OC) or null.
 * With `accumulate`, out += … instead.
 */
export function matmulForward(
  out: Float32Array,
  inp: Float32Array,
  weight: Float32Array,
  bias: Float32Array | null,
  rows: number,
  C: number,
  OC: number,
  accumulate = false,
): void {
  if (threadCount < 2 || rows * C * OC < PARALLEL_MIN_MACS || rows < 8) {
    matmulBlockedRows(out, inp, weight, bias, rows, C, OC, accumulate, 0, rows);
    return;
  }
  const p = getPool();
  // Copy operands in: O(n^2) against the product's O(n^3), under 5% once every dim is >= 64.
  ensureOperands(p, rows * OC, rows * C, OC * C, OC);
  p.inp.set(inp.subarray(0, rows * C));
  p.weight.set(weight.subarray(0, OC * C));
  if (bias) p.bias.set(bias.subarray(0, OC));
  if (accumulate) p.out.set(out.subarray(0, rows * OC));
  const parts = p.workers.length + 1;
  // Row shares are multiples of 4 so every share runs the 4x4 tile.
  const share = Math.ceil(rows / parts / 4) * 4;
  const started: PoolWorker[] = [];
  for (let k = 1; k < parts; k++) {
    const r0 = Math.min(rows, k * share);
    const r1 = Math.min(rows, r0 + share);
    if (r0 >= r1) break;
    const w = p.workers[k - 1] as PoolWorker;
    Atomics.store(w.flag, 0, 0);
    w.worker.postMessage({
      type: 'job',
      hasBias: bias !== null,
      rows,
      C,
      OC,
      accumulate,
      r0,
      r1,
      flag: w.flag,
    });
    started.push(w);
  }
  const pb = bias ? p.bias.subarray(0, OC) : null;
  matmulBlockedRows(p.out, p.inp, p.weight, pb, rows, C, OC, accumulate, 0, Math.min(rows, share));
  for (const w of started) {
    // 60 s is far beyond any product this engine runs; reaching it means a worker died.
    if (Atomics.wait(w.flag, 0, 0, 60_000) === 'timed-out') throw new Error('matmul worker timed out');
    if (Atomics.load(w.flag, 0) !== 1) throw new Error('matmul worker failed');
  }
  out.set(p.out.subarray(0, rows * OC));
}

/** dst: (cols, rows) = src: (rows, cols)^T. */
function transpose(dst: Float32Array, src: Float32Array, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let c = 0; c < cols; c++) dst[c * rows + r] = src[o + c] as number;
  }
}

/**
 * Backward of matmulForward. dout: (rows, OC). inp: (rows, C). weight: (OC, C).
 * Accumulates dinp: (rows, C) += dout @ weight, dweight: (OC, C) += dout^T @ inp, dbias: (OC) += sum_rows dout.
 * Both products go through matmulForward on transposed operands, so they use the fast kernel too.
 */
export function matmulBackward(
  dinp: Float32Array | null,
  dweight: Float32Array | null,
  dbias: Float32Array | null,
  dout: Float32Array,
  inp: Float32Array,
  weight: Float32Array,
  rows: number,
  C: number,
  OC: number,
): void {
  if (dinp) {
    const wT = scratchF32('wT', C * OC); // (C, OC)
    transpose(wT, weight, OC, C);
    matmulForward(dinp, dout, wT, null, rows, OC, C, true);
  }
  if (dweight) {
    const doutT = scratchF32('doutT', OC * rows); // (OC, rows)
    const inpT = scratchF32('inpT', C * rows); // (C, rows)
    transpose(doutT, dout, rows, OC);
    transpose(inpT, inp, rows, C);
    matmulForward(dweight, doutT, inpT, null, OC, rows, C, true);
  }
  if (dbias) {
    for (let r = 0; r < rows; r++) {
      const o = r * OC;
      for (let j = 0; j < OC; j++) dbias[j] = (dbias[j] as number) + (dout[o + j] as number);
    }
  }
}
