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

function isShared(a: Float32Array): boolean {
  return a.buffer instanceof SharedArrayBuffer;
}

// Below this many multiply-adds a message round trip (~50 µs) costs more than it saves.
const PARALLEL_MIN_MACS = 1 << 18;

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const __name = (f) => f; // esbuild's keepNames helper, in case the kernel source mentions it
const kernel = (${matmulBlockedRows.toString()});
parentPort.on('message', (m) => {
  try {
    kernel(m.out, m.inp, m.weight, m.bias, m.rows, m.C, m.OC, m.accumulate, m.r0, m.r1);
    Atomics.store(m.flag, 0, 1);
  } catch (err) {
    Atomics.store(m.flag, 0, 2);
  }
  Atomics.notify(m.flag, 0);
});
`;

interface PoolWorker {
  worker: Worker;
  flag: Int32Array;
}

// A process-wide compute pool, like libuv's thread pool: it holds no config or data, only threads.
let pool: PoolWorker[] | null = null;
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
  for (const w of pool) void w.worker.terminate();
  pool = null;
}

function getPool(): PoolWorker[] {
  if (pool) return pool;
  pool = [];
  for (let i = 0; i < threadCount - 1; i++) {
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    worker.unref();
    pool.push({ worker, flag: new Int32Array(new SharedArrayBuffer(4)) });
  }
  return pool;
}

// Grow-only shared scratch buffers, for operands that are not already shared and for transposes.
const scratch = new Map<string, Float32Array>();
function scratchF32(name: string, n: number): Float32Array {
  let s = scratch.get(name);
  if (!s || s.length < n) {
    s = allocF32(n);
    scratch.set(name, s);
  }
  return s.subarray(0, n);
}
function asShared(name: string, a: Float32Array, n: number, copyIn: boolean): Float32Array {
  if (isShared(a)) return a;
  const s = scratchF32(name, n);
  if (copyIn) s.set(a.subarray(0, n));
  return s;
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
  const workers = rows * C * OC >= PARALLEL_MIN_MACS && rows >= 8 ? getPool() : [];
  if (workers.length === 0) {
    matmulBlockedRows(out, inp, weight, bias, rows, C, OC, accumulate, 0, rows);
    return;
  }
  const sOut = asShared('out', out, rows * OC, accumulate);
  const sInp = asShared('inp', inp, rows * C, true);
  const sW = asShared('weight', weight, OC * C, true);
  const sB = bias ? asShared('bias', bias, OC, true) : null;
  const parts = workers.length + 1;
  // Row shares are multiples of 4 so every share runs the 4x4 tile.
  const share = Math.ceil(rows / parts / 4) * 4;
  const started: PoolWorker[] = [];
  for (let p = 1; p < parts; p++) {
    const r0 = Math.min(rows, p * share);
    const r1 = Math.min(rows, r0 + share);
    if (r0 >= r1) break;
    const w = workers[p - 1] as PoolWorker;
    Atomics.store(w.flag, 0, 0);
    w.worker.postMessage({
      out: sOut,
      inp: sInp,
      weight: sW,
      bias: sB,
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
  matmulBlockedRows(sOut, sInp, sW, sB, rows, C, OC, accumulate, 0, Math.min(rows, share));
  for (const w of started) {
    // 60 s is far beyond any product this engine runs; reaching it means a worker died.
    if (Atomics.wait(w.flag, 0, 0, 60_000) === 'timed-out') throw new Error('matmul worker timed out');
    if (Atomics.load(w.flag, 0) !== 1) throw new Error('matmul worker failed');
  }
  if (sOut !== out) out.set(sOut);
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
