// Finite-difference gradient checking, shared by the op tests and the whole-model test.

export interface GradCheckResult {
  /** ||analytic - numeric|| / (||analytic|| + ||numeric||), over the checked entries. */
  relError: number;
  /** The worst single entry: where it is and both values. */
  worst: { index: number; analytic: number; numeric: number };
}

/**
 * Checks d(loss)/d(x) for entries `indices` of x by central differences with step h.
 * `loss` recomputes the scalar loss from the current contents of x (it is perturbed in place).
 */
export function checkGradient(
  x: Float32Array,
  analytic: Float32Array,
  loss: () => number,
  indices: Iterable<number>,
  h = 1e-2,
): GradCheckResult {
  let diff2 = 0;
  let a2 = 0;
  let n2 = 0;
  let worst = { index: -1, analytic: 0, numeric: 0 };
  let worstAbs = -1;
  for (const i of indices) {
    const orig = x[i] as number;
    x[i] = orig + h;
    const lp = loss();
    x[i] = orig - h;
    const lm = loss();
    x[i] = orig;
    const num = (lp - lm) / (2 * h);
    const ana = analytic[i] as number;
    diff2 += (ana - num) ** 2;
    a2 += ana * ana;
    n2 += num * num;
    if (Math.abs(ana - num) > worstAbs) {
      worstAbs = Math.abs(ana - num);
      worst = { index: i, analytic: ana, numeric: num };
    }
  }
  const denom = Math.sqrt(a2) + Math.sqrt(n2);
  return { relError: denom === 0 ? 0 : Math.sqrt(diff2) / denom, worst };
}
