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
 * - `pair` with `jointML` (polycor::polychor(x, y, ML = TRUE)): rho and both items' thresholds
 *   by joint maximum likelihood (`jointPolychoric`).
 *
 * Maximisation: Halley's method on the score with the exact derivatives (Plackett's identity
 * dPhi2/drho = phi2, dphi2/drho = phi2 A with A = rho/(1 - rho^2) + (h - rho k)(k - rho h)/(1 - rho^2)^2,
 * d2phi2/drho2 = phi2 (A^2 + A')), falling back to Newton's and to bisection inside a bracket of
 * (-1, 1) that always holds the root, until a step is below 1e-12 (see `fitPolychoric`). Standard error: 1 / sqrt(observed information), the information
 * -l''(rho) = sum_ab n_ab [(P'_ab / P_ab)^2 - P''_ab / P_ab] computed exactly at the optimum, with
 * the thresholds treated as known, as polycor's `std.err = TRUE` two-step does (polycor
 * differentiates numerically; the analytic value is what its finite differences approximate).
 */
import { upperTriangleOf } from './group-structure';
import { clearlyPositiveDefiniteUpper, smoothCorrelation } from './smooth';
import { pairTable, type SufficientStats } from '../count/tables';
import { categoryThresholds, fitPolychoric, normalScores, normalScoreStart, twoStepPolychoric, type PolychoricUndefined } from './polychoric-fit';
import { jointPolychoric } from './polychoric-joint';

/** Same shape as the association helper's `AssociationMatrix` (to be unified with association.ts). */
export interface PolychoricMatrix {
  method: 'polychoric';
  items: string[];
  /** values[i][j] = rho (1 on the diagonal); null where undefined (see undefinedPairs). */
  values: (number | null)[][];
  /** Respondents who answered both items (unweighted); the diagonal holds each item's valid answers. */
  n: number[][];
  undefinedPairs: { i: number; j: number; reason: string }[];
  /**
   * Standard errors of rho: thresholds treated as known (global and two-step, as polycor's
   * two-step), or from the full inverse information (jointML); null on the diagonal and where undefined.
   */
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
   * With `thresholds: 'pair'`: estimate the thresholds jointly with rho by maximum likelihood
   * (polycor::polychor(ML = TRUE)) instead of fixing them at the pair's margins (ML = FALSE).
   */
  jointML?: boolean;
  /**
   * With survey weights, whether global thresholds come from weighted answer shares
   * (`weighted`, the default: estimates of the population's thresholds) or from unweighted
   * counts (`unweighted`: what psych::polychoric(weight = w) does, since psych tabulates the
   * thresholds without the weights and uses them only in the pair tables).
   */
  thresholdWeights?: 'weighted' | 'unweighted';
  /** Smooth to positive definiteness as psych::cor.smooth when needed (default true, psych's default). */
  smooth?: boolean;
  /**
   * Compute standard errors (default true; cheap, the information is a by-product of the fit).
   * Without them, global-threshold fits are of rho only (`fitPolychoric`'s `rhoOnly`).
   */
  standardErrors?: boolean;
  /**
   * Where each pair's fit (global thresholds) starts, e.g. a matrix of the same items that is
   * likely close (the reference's for a half of it); 0 where null. Only saves steps.
   */
  start?: readonly (readonly (number | null)[])[];
}

/**
 * The matrix `polychoricMatrix` gives from its pairs' rho (upper triangle in pairIndex order, NaN
 * for null): diagonal 1, and smoothed as psych::cor.smooth when every value is defined and the
 * matrix is not positive definite.
 */
export function polychoricValuesFromUpper(upper: Float64Array, m: number): (number | null)[][] {
  const values: (number | null)[][] = Array.from({ length: m }, (_, i) => Array.from({ length: m }, (_, j) => (i === j ? 1 : null)));
  let complete = true;
  for (let i = 0, p = 0; i < m; i++) {
    for (let j = i + 1; j < m; j++, p++) {
      const v = upper[p];
      if (v !== v) complete = false;
      else values[i][j] = values[j][i] = v;
    }
  }
  if (complete && m > 1) {
    const s = smoothCorrelation(values as number[][]);
    if (s.smoothed) return s.matrix;
  }
  return values;
}

/**
 * The strict upper triangle of `polychoricValuesFromUpper(upper, m)` (NaN for null): `upper`
 * itself where a value is undefined or the matrix is clearly positive definite (nothing to smooth),
 * else the smoothed matrix's. A bootstrap replicate is compared through this alone, without the
 * matrix's m x m arrays (150 replicates of 175 items were 4.6 million array elements).
 */
export function polychoricUpperFromUpper(upper: Float64Array, m: number): Float64Array {
  for (let p = 0; p < upper.length; p++) if (upper[p] !== upper[p]) return upper;
  if (m < 2 || clearlyPositiveDefiniteUpper(upper, m)) return upper;
  return upperTriangleOf(polychoricValuesFromUpper(upper, m));
}

/**
 * What `polychoricMatrix` (default options) takes from a (replicate's) item weights: each item's
 * global thresholds, and whether it has at most one answered category (no polychoric rho).
 */
export function itemThresholds(itemWeights: readonly ArrayLike<number>[]): { thresholds: number[][]; constant: boolean[] } {
  return { thresholds: itemWeights.map((w) => categoryThresholds(w)), constant: itemWeights.map((w) => countCategories(w) < 2) };
}

function countCategories(w: ArrayLike<number>): number {
  let n = 0;
  for (let c = 0; c < w.length; c++) if (w[c] > 0) n++;
  return n;
}

/** rho and standard error of every pair (pairIndex order; NaN where undefined or not asked for). */
export interface GlobalFits {
  rho: Float64Array;
  se: Float64Array;
}

/** The global thresholds `polychoricMatrix` uses (weighted shares unless `thresholdWeights: 'unweighted'`). */
export function globalThresholds(stats: SufficientStats, options: PolychoricOptions = {}): number[][] {
  const counts = stats.weighted && options.thresholdWeights === 'unweighted' ? stats.itemCounts : stats.itemWeights;
  return counts.map((w) => categoryThresholds(w));
}

/**
 * The global-threshold fits of `polychoricMatrix` for the pairs with index start, start + step, ...
 * into `out` (the counting threads share a matrix's pairs this way): each pair's rho (started at
 * `start[p]` when finite, else at the normal-score estimate) and, with `wantSe`, its standard error;
 * NaN for a pair `polychoricMatrix` leaves undefined (a nominal item, an item with one category,
 * no weight on the table). `stats` needs items, k, pairOffset, pairWeights, pairCounts, weighted,
 * itemWeights.
 */
export function globalFitsAt(
  stats: Pick<SufficientStats, 'items' | 'k' | 'pairOffset' | 'pairWeights' | 'pairCounts' | 'weighted' | 'itemWeights'>,
  thresholds: number[][],
  start: Float64Array | null,
  wantSe: boolean,
  out: GlobalFits,
  from: number,
  step: number,
): void {
  const m = stats.items.length;
  const scores = thresholds.map(normalScores);
  const constant = stats.itemWeights.map((w) => countCategories(w) < 2);
  for (let i = 0, p = 0; i < m; i++) {
    for (let j = i + 1; j < m; j++, p++) {
      if (p < from || (p - from) % step !== 0) continue;
      out.rho[p] = out.se[p] = NaN;
      if (stats.items[i].type === 'nominal' || stats.items[j].type === 'nominal' || constant[i] || constant[j]) continue;
      const ki = stats.k[i];
      const kj = stats.k[j];
      const off = stats.pairOffset[p];
      const weights = stats.pairWeights.subarray(off, off + ki * kj);
      let count = 0;
      let total = 0;
      for (let x = off; x < off + ki * kj; x++) {
        count += stats.pairCounts[x];
        total += stats.pairWeights[x];
      }
      if (!(total > 0)) continue;
      const s0 = start?.[p];
      const fit = fitPolychoric(weights, ki, kj, thresholds[i], thresholds[j], stats.weighted ? count / total : 1, s0 !== undefined && Number.isFinite(s0) ? s0 : normalScoreStart(stats.pairWeights, off, ki, kj, scores[i], scores[j]), !wantSe);
      out.rho[p] = fit.rho;
      if (wantSe) out.se[p] = fit.se ?? NaN;
    }
  }
}

/**
 * The polychoric correlation matrix of all items in the sufficient statistics.
 * Global thresholds (default) reproduce psych::polychoric(x) (its weighted form with
 * `thresholdWeights: 'unweighted'`), pair thresholds reproduce polycor::polychor(x, y,
 * std.err = TRUE) pair by pair. Nominal items, items with one answer category, and pairs nobody
 * answered both of give null with a reason. When every value is defined and the matrix is not
 * positive definite it is smoothed as psych::cor.smooth (psych's default; `smoothed` says so;
 * standard errors are those of the unsmoothed values). With survey weights rho maximises the
 * weighted likelihood (psych's `weight`), and the standard error treats the weighted table,
 * rescaled to the pair's respondent count, as counts (an approximation that ignores the design
 * effect of unequal weights).
 */
export function polychoricMatrix(stats: SufficientStats, options: PolychoricOptions = {}, fitted?: GlobalFits): PolychoricMatrix {
  const m = stats.items.length;
  const mode = options.thresholds ?? 'global';
  const wantSe = options.standardErrors !== false;
  const thresholds = globalThresholds(stats, options);
  const values: (number | null)[][] = Array.from({ length: m }, (_, i) => Array.from({ length: m }, (_, j) => (i === j ? 1 : null)));
  const se: (number | null)[][] = Array.from({ length: m }, () => new Array<number | null>(m).fill(null));
  const n: number[][] = Array.from({ length: m }, (_, i) => {
    const row = new Array<number>(m).fill(0);
    row[i] = stats.itemCounts[i].reduce((x, y) => x + y, 0);
    return row;
  });
  const undefinedPairs: { i: number; j: number; reason: string }[] = [];
  const constant = stats.itemWeights.map((w) => countCategories(w) < 2);
  // Global thresholds: every pair's fit by `globalFitsAt` (here, or on the counting threads: `fitted`).
  let global = fitted ?? null;
  if (mode === 'global' && !global) {
    global = { rho: new Float64Array((m * (m - 1)) / 2), se: new Float64Array((m * (m - 1)) / 2) };
    globalFitsAt(stats, thresholds, options.start ? upperTriangleOf(options.start) : null, wantSe, global, 0, 1);
  }

  for (let i = 0, p = 0; i < m; i++) {
    for (let j = i + 1; j < m; j++, p++) {
      const t = pairTable(stats, i, j);
      let count = 0;
      let total = 0;
      for (let x = 0; x < t.counts.length; x++) {
        count += t.counts[x];
        total += t.weights[x];
      }
      n[i][j] = n[j][i] = count;
      let reason: string | null = null;
      if (stats.items[i].type === 'nominal' || stats.items[j].type === 'nominal') {
        const which = stats.items[i].type === 'nominal' ? stats.items[i].id : stats.items[j].id;
        reason = `item ${which} is nominal: polychoric correlations need ordered categories`;
      } else if (constant[i] || constant[j]) {
        const which = constant[i] ? stats.items[i].id : stats.items[j].id;
        reason = `item ${which} has no variance (at most one answer category)`;
      } else if (!(total > 0)) {
        reason = 'no respondent answered both items';
      }
      let fit: { rho: number; se: number | null } | PolychoricUndefined | null = null;
      if (reason === null) {
        // Weighted tables: the information is taken on weights rescaled to the respondent count.
        const seScale = stats.weighted ? count / total : 1;
        if (global) fit = { rho: global.rho[p], se: Number.isNaN(global.se[p]) ? null : global.se[p] };
        else fit = options.jointML ? jointPolychoric(t.weights, t.ki, t.kj, seScale) : twoStepPolychoric(t.weights, t.ki, t.kj, seScale);
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

