/** polycor::polychor(ML = TRUE): rho and both items' thresholds by joint maximum likelihood. */
import { BivariateNormalAtRho, bivariateNormalDensity } from './bivariate-normal';
import { normalCdf } from './distributions';
import { twoStepPolychoric, normalDensity, type PolychoricFit, type PolychoricUndefined } from './polychoric-fit';

interface JointEvaluation {
  logLik: number;
  /** Gradient of l with respect to (rho, row thresholds, column thresholds). */
  grad: Float64Array;
  /** Expected (Fisher) information N sum_ab grad P_ab grad P_ab' / P_ab, row-major. */
  fisher: Float64Array | null;
}

/**
 * l(rho, tau, t) and its gradient for joint maximum likelihood. With F(h, k) = Phi2(h, k; rho):
 * dF/dh = phi(h) Phi((k - rho h) / sqrt(1 - rho^2)), dF/dk symmetrically, dF/drho = phi2(h, k).
 * Parameters: index 0 rho, 1..r-1 row thresholds, r..r+c-2 column thresholds.
 */
function jointEvaluate(table: ArrayLike<number>, r: number, c: number, theta: Float64Array, wantFisher: boolean): JointEvaluation {
  const rho = theta[0];
  const np = theta.length;
  const cutR = [-Infinity, ...theta.subarray(1, r), Infinity];
  const cutC = [-Infinity, ...theta.subarray(r, r + c - 1), Infinity];
  const stride = c + 1;
  const size = (r + 1) * stride;
  const F = new Float64Array(size);
  const Dr = new Float64Array(size);
  const Dh = new Float64Array(size);
  const Dk = new Float64Array(size);
  const bvn = new BivariateNormalAtRho(rho);
  const sq = Math.sqrt(1 - rho * rho);
  for (let a = 0; a <= r; a++) {
    for (let b = 0; b <= c; b++) {
      const h = cutR[a];
      const k = cutC[b];
      const idx = a * stride + b;
      F[idx] = bvn.cdf(h, k);
      Dr[idx] = bivariateNormalDensity(h, k, rho);
      // dF/dh at a finite h: phi(h) P(Y <= k | X = h); 0 when h is infinite.
      Dh[idx] = Number.isFinite(h) ? (k === Infinity ? normalDensity(h) : k === -Infinity ? 0 : normalDensity(h) * normalCdf((k - rho * h) / sq)) : 0;
      Dk[idx] = Number.isFinite(k) ? (h === Infinity ? normalDensity(k) : h === -Infinity ? 0 : normalDensity(k) * normalCdf((h - rho * k) / sq)) : 0;
    }
  }
  const grad = new Float64Array(np);
  const fisher = wantFisher ? new Float64Array(np * np) : null;
  let total = 0;
  for (let x = 0; x < r * c; x++) total += table[x];
  let logLik = 0;
  const gi = new Int32Array(5);
  const gv = new Float64Array(5);
  for (let a = 0; a < r; a++) {
    for (let b = 0; b < c; b++) {
      const nab = table[a * c + b];
      const i11 = (a + 1) * stride + b + 1;
      const i01 = a * stride + b + 1;
      const i10 = (a + 1) * stride + b;
      const i00 = a * stride + b;
      const p = F[i11] - F[i01] - F[i10] + F[i00];
      if (!(p > 0)) {
        if (nab > 0) return { logLik: -Infinity, grad, fisher };
        continue;
      }
      // The (at most five) nonzero partial derivatives of P_ab.
      let m = 0;
      gi[m] = 0;
      gv[m++] = Dr[i11] - Dr[i01] - Dr[i10] + Dr[i00];
      if (a + 1 < r) {
        gi[m] = a + 1;
        gv[m++] = Dh[i11] - Dh[i10];
      }
      if (a > 0) {
        gi[m] = a;
        gv[m++] = -(Dh[i01] - Dh[i00]);
      }
      if (b + 1 < c) {
        gi[m] = r + b;
        gv[m++] = Dk[i11] - Dk[i01];
      }
      if (b > 0) {
        gi[m] = r + b - 1;
        gv[m++] = -(Dk[i10] - Dk[i00]);
      }
      if (nab > 0) {
        logLik += nab * Math.log(p);
        for (let u = 0; u < m; u++) grad[gi[u]] += (nab * gv[u]) / p;
      }
      if (fisher) {
        for (let u = 0; u < m; u++) {
          for (let v = 0; v < m; v++) fisher[gi[u] * np + gi[v]] += (total * gv[u] * gv[v]) / p;
        }
      }
    }
  }
  return { logLik, grad, fisher };
}

/** Solves A x = y for a small dense system by Gaussian elimination with partial pivoting; null if singular. */
function solveSmall(A: Float64Array, y: Float64Array, n: number): Float64Array | null {
  const M = Float64Array.from(A);
  const x = Float64Array.from(y);
  for (let col = 0; col < n; col++) {
    let piv = col;
    for (let row = col + 1; row < n; row++) if (Math.abs(M[row * n + col]) > Math.abs(M[piv * n + col])) piv = row;
    if (!(Math.abs(M[piv * n + col]) > 0)) return null;
    if (piv !== col) {
      for (let k = 0; k < n; k++) [M[col * n + k], M[piv * n + k]] = [M[piv * n + k], M[col * n + k]];
      [x[col], x[piv]] = [x[piv], x[col]];
    }
    for (let row = col + 1; row < n; row++) {
      const f = M[row * n + col] / M[col * n + col];
      if (f === 0) continue;
      for (let k = col; k < n; k++) M[row * n + k] -= f * M[col * n + k];
      x[row] -= f * x[col];
    }
  }
  for (let row = n - 1; row >= 0; row--) {
    let s = x[row];
    for (let k = row + 1; k < n; k++) s -= M[row * n + k] * x[k];
    x[row] = s / M[row * n + row];
  }
  return x;
}

function admissible(theta: Float64Array, r: number): boolean {
  if (!(Math.abs(theta[0]) < 1)) return false;
  for (let i = 2; i < r; i++) if (!(theta[i] > theta[i - 1])) return false;
  for (let i = r + 1; i < theta.length; i++) if (!(theta[i] > theta[i - 1])) return false;
  return true;
}

/**
 * Polychoric correlation by joint maximum likelihood of rho and both items' thresholds,
 * polycor::polychor(x, y, ML = TRUE, std.err = TRUE) (Olsson 1979, the one-step estimator):
 * empty rows and columns dropped; start from the two-step estimate; Fisher scoring with the
 * exact gradient (dPhi2/dh = phi(h) Phi((k - rho h)/sqrt(1 - rho^2)), dPhi2/drho = phi2) and the
 * expected information, step halving to keep the likelihood increasing and the thresholds
 * ordered, until a step is below 1e-11. Standard error of rho: sqrt of the [rho, rho] element of
 * the inverse observed information (all parameters), the observed information by central
 * differences of the exact gradient (step 1e-6; error ~1e-10 relative); polycor inverts optim's
 * numerical Hessian of the same function. `fit.rowThresholds` / `colThresholds` are the ML
 * thresholds of the observed categories.
 */
export function jointPolychoric(
  table: ArrayLike<number>,
  ki: number,
  kj: number,
  seScale = 1,
): PolychoricFit | PolychoricUndefined {
  const start = twoStepPolychoric(table, ki, kj);
  if ('reason' in start) return start;
  // The reduced table (observed categories only), as twoStepPolychoric built it.
  const rowSum = new Float64Array(ki);
  const colSum = new Float64Array(kj);
  for (let a = 0; a < ki; a++) for (let b = 0; b < kj; b++) {
    rowSum[a] += table[a * kj + b];
    colSum[b] += table[a * kj + b];
  }
  const rows = [...rowSum.keys()].filter((a) => rowSum[a] > 0);
  const cols = [...colSum.keys()].filter((b) => colSum[b] > 0);
  const r = rows.length;
  const c = cols.length;
  const sub = new Float64Array(r * c);
  rows.forEach((a, x) => cols.forEach((b, y) => (sub[x * c + y] = table[a * kj + b])));
  let theta = Float64Array.from([start.rho, ...start.rowThresholds, ...start.colThresholds]);
  const np = theta.length;
  let ev = jointEvaluate(sub, r, c, theta, true);
  let iterations = 0;
  for (; iterations < 500; iterations++) {
    const delta = solveSmall(ev.fisher!, ev.grad, np);
    if (!delta) break;
    let lambda = 1;
    let next = theta;
    let nextEv = ev;
    for (let halvings = 0; halvings < 60; halvings++, lambda /= 2) {
      next = theta.map((t, i) => t + lambda * delta[i]);
      if (!admissible(next, r)) continue;
      nextEv = jointEvaluate(sub, r, c, next, true);
      if (nextEv.logLik >= ev.logLik - 1e-12 * Math.abs(ev.logLik)) break;
    }
    let step = 0;
    for (let i = 0; i < np; i++) step = Math.max(step, Math.abs(next[i] - theta[i]));
    theta = next;
    ev = nextEv;
    if (step < 1e-11) break;
  }
  // Observed information by central differences of the exact gradient.
  const e = 1e-6;
  const H = new Float64Array(np * np);
  for (let j = 0; j < np; j++) {
    const up = Float64Array.from(theta);
    const down = Float64Array.from(theta);
    up[j] += e;
    down[j] -= e;
    const gu = jointEvaluate(sub, r, c, up, false).grad;
    const gd = jointEvaluate(sub, r, c, down, false).grad;
    for (let i = 0; i < np; i++) H[i * np + j] = -(gu[i] - gd[i]) / (2 * e);
  }
  for (let i = 0; i < np; i++) for (let j = i + 1; j < np; j++) H[i * np + j] = H[j * np + i] = (H[i * np + j] + H[j * np + i]) / 2;
  const unit = new Float64Array(np);
  unit[0] = 1;
  const col0 = solveSmall(H, unit, np);
  const variance = col0 ? col0[0] / seScale : NaN;
  return {
    rho: theta[0],
    se: variance > 0 ? Math.sqrt(variance) : null,
    logLikelihood: ev.logLik,
    iterations: iterations + 1,
    rowThresholds: Array.from(theta.subarray(1, r)),
    colThresholds: Array.from(theta.subarray(r, r + c - 1)),
  };
}
