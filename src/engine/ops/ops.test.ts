import { describe, expect, test } from 'vitest';
import { createRng, randn } from '../random.js';
import { attentionBackward, attentionForward } from './attention.js';
import { crossEntropyBackward, crossEntropyForward, IGNORE_INDEX } from './cross-entropy.js';
import { embeddingBackward, embeddingForward } from './embedding.js';
import { checkGradient } from './gradcheck.js';
import { allocF32, matmulBackward, matmulForward, matmulNaive } from './matmul.js';
import { rmsnormBackward, rmsnormForward } from './rmsnorm.js';
import { ropeBackward, ropeForward, ropeInvFreq, ropeTable } from './rope.js';
import { swigluBackward, swigluForward } from './swiglu.js';

const rng = createRng(1234);
const rand = (n: number, s = 1) => Float32Array.from({ length: n }, () => randn(rng) * s);
const all = (n: number) => Array.from({ length: n }, (_, i) => i);

/** An op under test: forward writes `out`, backward turns `dout` into gradients of `inputs`. */
interface OpCase {
  inputs: Record<string, Float32Array>;
  forward: () => Float32Array;
  backward: (dout: Float32Array) => Record<string, Float32Array>;
}

// Tolerance on the relative error ||a - n|| / (||a|| + ||n||); f32 buffers with h = 1e-2 give ~1e-4.
const TOL = 5e-3;

function runCase(make: () => OpCase): Record<string, number> {
  const c = make();
  const out0 = c.forward();
  const proj = rand(out0.length); // loss = sum(proj * out), so dout = proj
  const loss = () => {
    const o = c.forward();
    let s = 0;
    for (let i = 0; i < o.length; i++) s += (proj[i] as number) * (o[i] as number);
    return s;
  };
  const grads = c.backward(Float32Array.from(proj));
  const errors: Record<string, number> = {};
  for (const [name, x] of Object.entries(c.inputs)) {
    const g = grads[name];
    if (!g) throw new Error(`no gradient for ${name}`);
    const r = checkGradient(x, g, loss, all(x.length));
    errors[name] = r.relError;
    console.info(`gradcheck ${name}: relative error ${r.relError.toExponential(2)}`);
    if (r.relError > TOL) console.error(name, r);
  }
  return errors;
}

const cases: Record<string, () => OpCase> = {
  matmul: () => {
    const [rows, C, OC] = [5, 7, 6];
    const inp = rand(rows * C);
    const weight = rand(OC * C);
    const bias = rand(OC);
    const out = new Float32Array(rows * OC);
    return {
      inputs: { inp, weight, bias },
      forward: () => {
        matmulForward(out, inp, weight, bias, rows, C, OC);
        return out;
      },
      backward: (dout) => {
        const g = {
          inp: new Float32Array(inp.length),
          weight: new Float32Array(weight.length),
          bias: new Float32Array(OC),
        };
        matmulBackward(g.inp, g.weight, g.bias, dout, inp, weight, rows, C, OC);
        return g;
      },
    };
  },
  rmsnorm: () => {
    const [rows, C] = [3, 8];
    const inp = rand(rows * C);
    const weight = rand(C);
    const out = new Float32Array(rows * C);
    const rstd = new Float32Array(rows);
    return {
      inputs: { inp, weight },
      forward: () => {
        rmsnormForward(out, rstd, inp, weight, rows, C);
        return out;
      },
      backward: (dout) => {
        const g = { inp: new Float32Array(inp.length), weight: new Float32Array(C) };
        rmsnormForward(out, rstd, inp, weight, rows, C);
        rmsnormBackward(g.inp, g.weight, dout, inp, weight, rstd, rows, C);
        return g;
      },
    };
  },
  rope: () => {
    const [rows, nH, D] = [4, 2, 8];
    const x = rand(rows * nH * D);
    const pos = Int32Array.from([0, 3, 1, 7]);
    const { cos, sin } = ropeTable(ropeInvFreq(D, 10000, { type: 'default' }, 8), 8);
    const out = new Float32Array(x.length);
    return {
      inputs: { x },
      forward: () => {
        out.set(x);
        ropeForward(out, pos, cos, sin, rows, nH, D);
        return out;
      },
      backward: (dout) => {
        const dx = Float32Array.from(dout);
        ropeBackward(dx, pos, cos, sin, rows, nH, D);
        return { x: dx };
      },
    };
  },
  attention: () => {
    const [B, T, H, Hkv, D] = [2, 5, 4, 2, 3];
    const q = rand(B * T * H * D);
    const k = rand(B * T * Hkv * D);
    const v = rand(B * T * Hkv * D);
    const seg = Int32Array.from([0, 0, 1, 1, 1, 0, 0, 0, 0, 0]); // first row packs two sequences
    const y = new Float32Array(q.length);
    const att = new Float32Array(B * H * T * T);
    return {
      inputs: { q, k, v },
      forward: () => {
        attentionForward(y, att, q, k, v, seg, B, T, H, Hkv, D);
        return y;
      },
      backward: (dy) => {
        const g = {
          q: new Float32Array(q.length),
          k: new Float32Array(k.length),
          v: new Float32Array(v.length),
        };
        attentionForward(y, att, q, k, v, seg, B, T, H, Hkv, D);
        attentionBackward(g.q, g.k, g.v, new Float32Array(T), dy, att, q, k, v, B, T, H, Hkv, D);
        return g;
      },
    };
  },
  swiglu: () => {
    const n = 12;
    const gate = rand(n, 2);
    const up = rand(n);
    const out = new Float32Array(n);
    return {
      inputs: { gate, up },
      forward: () => {
        swigluForward(out, gate, up, n);
        return out;
      },
      backward: (dout) => {
        const g = { gate: new Float32Array(n), up: new Float32Array(n) };
        swigluBackward(g.gate, g.up, dout, gate, up, n);
        return g;
      },
    };
  },
  embedding: () => {
    const [V, C, rows] = [5, 4, 6];
    const wte = rand(V * C);
    const tokens = Int32Array.from([1, 4, 1, 0, 2, 4]);
    const out = new Float32Array(rows * C);
    return {
      inputs: { wte },
      forward: () => {
        embeddingForward(out, tokens, wte, rows, C);
        return out;
      },
      backward: (dout) => {
        const dwte = new Float32Array(wte.length);
        embeddingBackward(dwte, dout, tokens, rows, C);
        return { wte: dwte };
      },
    };
  },
  crossEntropy: () => {
    const [rows, V] = [4, 6];
    const logits = rand(rows * V, 2);
    const targets = Int32Array.from([2, IGNORE_INDEX, 5, 0]);
    const losses = new Float32Array(rows);
    const probs = new Float32Array(rows * V);
    return {
      inputs: { logits },
      forward: () => {
        crossEntropyForward(losses, probs, logits, targets, rows, V);
        return losses;
      },
      backward: (dloss) => {
        // per-row dloss: the op takes one scale, so apply it row by row
        const d = new Float32Array(logits.length);
        crossEntropyForward(losses, probs, logits, targets, rows, V);
        for (let r = 0; r < rows; r++) {
          crossEntropyBackward(
            d.subarray(r * V),
            probs.subarray(r * V),
            targets.subarray(r),
            1,
            V,
            dloss[r] as number,
          );
        }
        return { logits: d };
      },
    };
  },
};

describe('finite-difference gradient checks', () => {
  test.each(Object.keys(cases))('%s', (name) => {
    const errors = runCase(cases[name] as () => OpCase);
    for (const [input, err] of Object.entries(errors)) {
      expect(err, `${name}.${input} relative error ${err.toExponential(2)} (tolerance ${TOL})`).toBeLessThan(
        TOL,
      );
    }
  });
});

describe('ops', () => {
  test('cross-entropy ignores IGNORE_INDEX rows and counts the rest', () => {
    const logits = Float32Array.from([0, 0, 0, 0]);
    const losses = new Float32Array(2);
    const n = crossEntropyForward(
      losses,
      new Float32Array(4),
      logits,
      Int32Array.from([1, IGNORE_INDEX]),
      2,
      2,
    );
    expect(n).toBe(1);
    expect(losses[0]).toBeCloseTo(Math.log(2), 6);
    expect(losses[1]).toBe(0);
  });

  test('packed-sequence mask: no attention across segments', () => {
    const [B, T, H, D] = [1, 4, 1, 2];
    const q = rand(T * D);
    const att = new Float32Array(T * T);
    attentionForward(
      new Float32Array(T * D),
      att,
      q,
      rand(T * D),
      rand(T * D),
      Int32Array.from([0, 0, 1, 1]),
      B,
      T,
      H,
      H,
      D,
    );
    expect(att[2 * T + 0]).toBe(0);
    expect(att[2 * T + 1]).toBe(0);
    expect(att[2 * T + 2]).toBe(1);
    expect((att[3 * T + 2] as number) + (att[3 * T + 3] as number)).toBeCloseTo(1, 6);
  });

  test('rope llama3 scaling keeps high frequencies and divides low ones by factor', () => {
    const plain = ropeInvFreq(64, 500000, { type: 'default' }, 16);
    const scaled = ropeInvFreq(
      64,
      500000,
      { type: 'llama3', factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 8192 },
      16,
    );
    expect(scaled[0]).toBe(plain[0]);
    expect(scaled[31]).toBeCloseTo((plain[31] as number) / 8, 12);
    const linear = ropeInvFreq(64, 10000, { type: 'linear', factor: 2 }, 16);
    expect(linear[5]).toBeCloseTo((ropeInvFreq(64, 10000, { type: 'default' }, 16)[5] as number) / 2, 12);
    const dyn = { type: 'dynamic', factor: 2, originalMaxPositions: 16 } as const;
    expect(ropeInvFreq(64, 10000, dyn, 16)).toEqual(ropeInvFreq(64, 10000, { type: 'default' }, 16));
    const base = ropeInvFreq(64, 10000, { type: 'default' }, 16)[5] as number;
    expect((ropeInvFreq(64, 10000, dyn, 64)[5] as number) < base).toBe(true);
  });

  test.each([
    [1, 1, 1],
    [3, 5, 7],
    [17, 33, 9],
    [64, 128, 96],
    [130, 257, 70],
  ])('blocked and threaded matmul equal the naive twin (%i x %i x %i)', (rows, C, OC) => {
    const inp = allocF32(rows * C);
    inp.set(rand(rows * C));
    const weight = rand(OC * C); // not shared: exercises the copy path
    const bias = rand(OC);
    const want = new Float32Array(rows * OC);
    matmulNaive(want, inp, weight, bias, rows, C, OC);
    const got = rand(rows * OC);
    matmulForward(got, inp, weight, bias, rows, C, OC);
    let maxDiff = 0;
    for (let i = 0; i < want.length; i++)
      maxDiff = Math.max(maxDiff, Math.abs((want[i] as number) - (got[i] as number)));
    expect(maxDiff, `max abs diff ${maxDiff}`).toBeLessThan(1e-4);
    const before = Float32Array.from(got);
    matmulForward(got, inp, weight, null, rows, C, OC, true); // accumulate
    matmulNaive(want.fill(0), inp, weight, null, rows, C, OC);
    for (let i = 0; i < want.length; i += 7)
      expect(got[i]).toBeCloseTo((before[i] as number) + (want[i] as number), 3);
  });
});
