/**
 * Polychoric correlations of ordinal survey items, from the pairwise contingency tables of the
 * sufficient statistics.
 *
 * Model (Olsson 1979): item i's answer is category a when a latent standard normal X falls in
 * (tau_{a-1}, tau_a]; two items' latent variables are bivariate normal with correlation rho.
 * Cell probability P_ab(rho) = Phi2(tau_a, t_b) - Phi2(tau_{a-1}, t_b) - Phi2(tau_a, t_{b-1}) +
 * Phi2(tau_{a-1}, t_{b-1}); log-likelihood l(rho) = sum_ab n_ab log P_ab(rho), cells with
 * n_ab = 0 contributing 0.
 *
 * Two ways of fixing the thresholds, both "two-step" (thresholds first, then rho by maximum
 * likelihood):
 * - `global` (psych::polychoric defaults, psych 2.2.9): each item's thresholds from all its
 *   non-missing answers, tau_a = qnorm(cumsum(n)/N), shared by every pair the item is in; the
 *   pair's table over its complete rows (pairwise deletion), categories missing from the pair
 *   kept as empty rows; no zero-cell correction (psych's `correct` applies only when
 *   global = FALSE). psych maximises with `optimize` (Brent) on (-1, 1) at its default
 *   tolerance ~1.2e-4; we solve the score equation to ~1e-12, so our values are the exact
 *   maximiser of psych's own objective and psych's printed values are within ~1e-4 of them.
 * - `pair` (polycor::polychor(x, y, ML = FALSE), Olsson's two-step): thresholds from the pair
 *   table's own margins after dropping empty rows and columns.
 *
 * Maximisation: Newton's method on the score with the exact derivatives (Plackett's identity
 * dPhi2/drho = phi2, and dphi2/drho = phi2 [rho/(1 - rho^2) + (h - rho k)(k - rho h)/(1 - rho^2)^2]),
 * safeguarded by bisection inside a bracket of (-1, 1) that always holds the root, until a step
 * is below 1e-12. Standard error: 1 / sqrt(observed information), the information
 * -l''(rho) = sum_ab n_ab [(P'_ab / P_ab)^2 - P''_ab / P_ab] computed exactly at the optimum, with
 * the thresholds treated as known, as polycor's `std.err = TRUE` two-step does (polycor
 * differentiates numerically; the analytic value is what its finite differences approximate).
 */
import { BivariateNormalAtRho } from './bivariate-normal';
import { normalCdf, normalQuantile } from './distributions';
import { smoothCorrelation } from './smooth';
import { pairTable, type SufficientStats } from '../sufficient';

/** Same shape as the association helper's `AssociationMatrix` (to be unified with association.ts). */
export interface PolychoricMatrix {
  method: 'polychoric';
  items: string[];
  /** values[i][j] = rho (1 on the diagonal); null where undefined (see undefinedPairs). */
  values: (number | null)[][];
  /** Respondents who answered both items (unweighted); the diagonal holds each item's valid answers. */
  n: number[][];
  undefinedPairs: { i: number; j: number; reason: string }[];
  /** Standard errors of rho (thresholds treated as known); null on the diagonal and where undefined. */
  se?: (number | null)[][];
  /**
   * Per item, the k - 1 global thresholds qnorm(cumsum(w)/N) between consecutive codes (the ones
   * used in `global` mode); +-Infinity where an end category has no answers.
   */
  thresholds: number[][];
  /** Whether the matrix was not positive definite and was smoothed (psych::cor.smooth). */
  smoothed: boolean;
}

export interface PolychoricOptions {
  /**
   * `global` (default): psych::polychoric's per-item thresholds from all the item's answers.
   * `pair`: polycor::polychor(ML = FALSE)'s thresholds from each pair table's margins.
   */
  thresholds?: 'global' | 'pair';
  /**
   * With survey weights, whether global thresholds come from weighted answer shares
   * (`weighted`, the default: estimates of the population's thresholds) or from unweighted
   * counts (`unweighted`: what psych::polychoric(weight = w) does, since psych tabulates the
   * thresholds without the weights and uses them only in the pair tables).
   */
  thresholdWeights?: 'weighted' | 'unweighted';
  /** Smooth to positive definiteness as psych::cor.smooth when needed (default true, psych's default). */
  smooth?: boolean;
  /** Compute standard errors (default true; cheap, the information is a by-product of Newton's method). */
  standardErrors?: boolean;
}

/** A fitted polychoric correlation for one pair. */
export interface PolychoricFit {
  rho: number;
  /** 1 / sqrt(-l''(rho)) with the thresholds known; null when the information is not positive. */
  se: number | null;
  /** l(rho) = sum n_ab log P_ab at the optimum (on the table as given). */
  logLikelihood: number;
  /** Newton / bisection steps taken. */
  iterations: number;
  rowThresholds: number[];
  colThresholds: number[];
}

/** Failure of a pair: why rho is undefined. */
export interface PolychoricUndefined {
  reason: string;
}

/**
 * Thresholds of an item from its (weighted) answer counts per category in scale order:
 * tau_a = qnorm(sum_{c <= a} w_c / sum w), a = 1..k-1 (psych::polychoric, polycor::polychor).
 * Empty categories give repeated thresholds, and +-Infinity at the ends.
 */
export function categoryThresholds(weights: ArrayLike<number>): number[] {
  let total = 0;
  for (let c = 0; c < weights.length; c++) total += weights[c];
  const out: number[] = [];
  let cum = 0;
  for (let c = 0; c < weights.length - 1; c++) {
    cum += weights[c];
    out.push(normalQuantile(Math.min(1, cum / total)));
  }
  return out;
}

interface Evaluation {
  logLik: number;
  score: number;
  info: number;
}

/**
 * The log-likelihood of rho and its first two derivatives for a ki x kj table with the given
 * thresholds. Phi2 is evaluated once per interior grid point (tau_a, t_b) and shared by the four
 * cells around it; Phi(tau) is cached per threshold.
 */
class TableLikelihood {
  private readonly ki: number;
  private readonly kj: number;
  private readonly table: ArrayLike<number>;
  private readonly rowTau: number[];
  private readonly colTau: number[];
  private readonly rowPhi: Float64Array;
  private readonly colPhi: Float64Array;
  private readonly grid: Float64Array;
  private readonly dens: Float64Array;
  private readonly dens2: Float64Array;

  constructor(table: ArrayLike<number>, ki: number, kj: number, rowTau: number[], colTau: number[]) {
    this.table = table;
    this.ki = ki;
    this.kj = kj;
    this.rowTau = rowTau;
    this.colTau = colTau;
    // Phi at the k + 1 cut points -Inf, tau_1..tau_{k-1}, +Inf.
    this.rowPhi = Float64Array.from([-Infinity, ...rowTau, Infinity], normalCdf);
    this.colPhi = Float64Array.from([-Infinity, ...colTau, Infinity], normalCdf);
    const size = (ki + 1) * (kj + 1);
    this.grid = new Float64Array(size);
    this.dens = new Float64Array(size);
    this.dens2 = new Float64Array(size);
  }

  evaluate(rho: number): Evaluation {
    const { ki, kj, table, rowTau, colTau, rowPhi, colPhi, grid, dens, dens2 } = this;
    const stride = kj + 1;
    const bvn = new BivariateNormalAtRho(rho);
    const s = 1 - rho * rho;
    const norm = 1 / (2 * Math.PI * Math.sqrt(s));
    // Boundary of the grid: Phi2(-Inf, .) = 0, Phi2(+Inf, t) = Phi(t); densities vanish there.
    for (let b = 0; b <= kj; b++) {
      grid[b] = 0;
      grid[ki * stride + b] = colPhi[b];
    }
    for (let a = 0; a <= ki; a++) {
      grid[a * stride] = 0;
      grid[a * stride + kj] = rowPhi[a];
    }
    for (let a = 1; a < ki; a++) {
      const h = rowTau[a - 1];
      const ph = rowPhi[a];
      const hFinite = Number.isFinite(h);
      for (let b = 1; b < kj; b++) {
        const k = colTau[b - 1];
        const idx = a * stride + b;
        if (hFinite && Number.isFinite(k)) {
          // P(X <= h, Y <= k) = P(X > -h, Y > -k).
          grid[idx] = bvn.upperFinite(-h, -k, ph, colPhi[b]);
          const q = (h * h - 2 * rho * h * k + k * k) / (2 * s);
          const d = Math.exp(-q) * norm;
          dens[idx] = d;
          dens2[idx] = d * (rho / s + ((h - rho * k) * (k - rho * h)) / (s * s));
        } else {
          grid[idx] = bvn.cdf(h, k);
          dens[idx] = 0;
          dens2[idx] = 0;
        }
      }
    }
    let logLik = 0;
    let score = 0;
    let info = 0;
    for (let a = 0; a < ki; a++) {
      for (let b = 0; b < kj; b++) {
        const nab = table[a * kj + b];
        if (!(nab > 0)) continue;
        const i11 = (a + 1) * stride + b + 1;
        const i01 = a * stride + b + 1;
        const i10 = (a + 1) * stride + b;
        const i00 = a * stride + b;
        const p = grid[i11] - grid[i01] - grid[i10] + grid[i00];
        if (!(p > 0)) return { logLik: -Infinity, score: NaN, info: NaN };
        const d1 = dens[i11] - dens[i01] - dens[i10] + dens[i00];
        const d2 = dens2[i11] - dens2[i01] - dens2[i10] + dens2[i00];
        const g = d1 / p;
        logLik += nab * Math.log(p);
        score += nab * g;
        info += nab * (g * g - d2 / p);
      }
    }
    return { logLik, score, info };
  }
}

/** Step below which Newton's iteration stops: rho is then exact to far below 1e-12. */
const RHO_TOLERANCE = 1e-12;

/**
 * Maximum-likelihood rho for a ki x kj table (row-major, rows = categories of the first item)
 * with known thresholds (k - 1 per item). `seScale` multiplies the information before the
 * standard error is taken (n / sum of weights for weighted tables). See the module comment.
 */
export function fitPolychoric(
  table: ArrayLike<number>,
  ki: number,
  kj: number,
  rowThresholds: number[],
  colThresholds: number[],
  seScale = 1,
): PolychoricFit {
  const lik = new TableLikelihood(table, ki, kj, rowThresholds, colThresholds);
  // The score is positive below the maximiser and negative above it; [lo, hi] always brackets it.
  let lo = -1;
  let hi = 1;
  let rho = 0;
  let ev = lik.evaluate(rho);
  let iterations = 0;
  for (; iterations < 200; iterations++) {
    let next: number;
    if (!Number.isFinite(ev.logLik)) {
      // An observed cell has probability 0 here (rho too close to +-1): step back towards 0.
      if (rho > 0) hi = rho;
      else lo = rho;
      next = (lo + hi) / 2;
    } else {
      if (ev.score > 0) lo = rho;
      else hi = rho;
      next = ev.info > 0 ? rho + ev.score / ev.info : NaN;
      if (!(next > lo && next < hi)) next = (lo + hi) / 2;
    }
    const step = Math.abs(next - rho);
    rho = next;
    ev = lik.evaluate(rho);
    if (step < RHO_TOLERANCE || hi - lo < RHO_TOLERANCE) break;
  }
  const info = ev.info * seScale;
  return {
    rho,
    se: info > 0 ? 1 / Math.sqrt(info) : null,
    logLikelihood: ev.logLik,
    iterations: iterations + 1,
    rowThresholds,
    colThresholds,
  };
}

/**
 * Two-step polychoric correlation with the pair's own thresholds, polycor::polychor(x, y,
 * ML = FALSE, std.err = TRUE): empty rows and columns dropped, thresholds
 * qnorm(cumsum(margin)/n), then maximum likelihood for rho. Undefined when fewer than two
 * categories of either item remain.
 */
export function twoStepPolychoric(
  table: ArrayLike<number>,
  ki: number,
  kj: number,
  seScale = 1,
): PolychoricFit | PolychoricUndefined {
  const rowSum = new Float64Array(ki);
  const colSum = new Float64Array(kj);
  for (let a = 0; a < ki; a++) {
    for (let b = 0; b < kj; b++) {
      rowSum[a] += table[a * kj + b];
      colSum[b] += table[a * kj + b];
    }
  }
  const rows = [...rowSum.keys()].filter((a) => rowSum[a] > 0);
  const cols = [...colSum.keys()].filter((b) => colSum[b] > 0);
  if (rows.length < 2 || cols.length < 2) {
    const which = rows.length < 2 ? 'first' : 'second';
    return { reason: `the ${which} item has fewer than two answer categories among the pair's respondents` };
  }
  const sub = new Float64Array(rows.length * cols.length);
  rows.forEach((a, r) => cols.forEach((b, c) => (sub[r * cols.length + c] = table[a * kj + b])));
  const rowTau = categoryThresholds(rows.map((a) => rowSum[a]));
  const colTau = categoryThresholds(cols.map((b) => colSum[b]));
  return fitPolychoric(sub, rows.length, cols.length, rowTau, colTau, seScale);
}

function countCategories(w: ArrayLike<number>): number {
  let n = 0;
  for (let c = 0; c < w.length; c++) if (w[c] > 0) n++;
  return n;
}

/**
 * The polychoric correlation matrix of all items in the sufficient statistics.
 * Global thresholds (default) reproduce psych::polychoric(x) (its weighted form with
 * `thresholdWeights: 'unweighted'`), pair thresholds reproduce polycor::polychor(x, y,
 * std.err = TRUE) pair by pair. Items with one answer category, and pairs nobody answered both
 * of, give null with a reason. When every value is defined and the matrix is not positive
 * definite it is smoothed as psych::cor.smooth (psych's default; `smoothed` says so).
 */
export function polychoricMatrix(stats: SufficientStats, options: PolychoricOptions = {}): PolychoricMatrix {
  const m = stats.items.length;
  const mode = options.thresholds ?? 'global';
  const wantSe = options.standardErrors !== false;
  const thresholdCounts = stats.weighted && options.thresholdWeights === 'unweighted' ? stats.itemCounts : stats.itemWeights;
  const thresholds = thresholdCounts.map((w) => categoryThresholds(w));
  const values: (number | null)[][] = Array.from({ length: m }, (_, i) => Array.from({ length: m }, (_, j) => (i === j ? 1 : null)));
  const se: (number | null)[][] = Array.from({ length: m }, () => new Array<number | null>(m).fill(null));
  const n: number[][] = Array.from({ length: m }, (_, i) => {
    const row = new Array<number>(m).fill(0);
    row[i] = stats.itemCounts[i].reduce((x, y) => x + y, 0);
    return row;
  });
  const undefinedPairs: { i: number; j: number; reason: string }[] = [];
  const constant = stats.itemWeights.map((w) => countCategories(w) < 2);

  for (let i = 0; i < m; i++) {
    for (let j = i + 1; j < m; j++) {
      const t = pairTable(stats, i, j);
      let count = 0;
      let total = 0;
      for (let x = 0; x < t.counts.length; x++) {
        count += t.counts[x];
        total += t.weights[x];
      }
      n[i][j] = n[j][i] = count;
      let reason: string | null = null;
      if (constant[i] || constant[j]) {
        const which = constant[i] ? stats.items[i].id : stats.items[j].id;
        reason = `item ${which} has no variance (at most one answer category)`;
      } else if (!(total > 0)) {
        reason = 'no respondent answered both items';
      }
      let fit: PolychoricFit | PolychoricUndefined | null = null;
      if (reason === null) {
        // Weighted tables: the information is taken on weights rescaled to the respondent count.
        const seScale = stats.weighted ? count / total : 1;
        fit =
          mode === 'global'
            ? fitPolychoric(t.weights, t.ki, t.kj, thresholds[i], thresholds[j], seScale)
            : twoStepPolychoric(t.weights, t.ki, t.kj, seScale);
        if ('reason' in fit) reason = fit.reason;
      }
      if (reason !== null || fit === null || 'reason' in fit) {
        undefinedPairs.push({ i, j, reason: reason ?? 'undefined' });
        continue;
      }
      values[i][j] = values[j][i] = fit.rho;
      se[i][j] = se[j][i] = fit.se;
    }
  }

  let smoothed = false;
  if (options.smooth !== false && undefinedPairs.length === 0 && m > 1) {
    const s = smoothCorrelation(values as number[][]);
    if (s.smoothed) {
      smoothed = true;
      for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) values[i][j] = s.matrix[i][j];
    }
  }
  const out: PolychoricMatrix = {
    method: 'polychoric',
    items: stats.items.map((it) => it.id),
    values,
    n,
    undefinedPairs,
    thresholds,
    smoothed,
  };
  if (wantSe) out.se = se;
  return out;
}
