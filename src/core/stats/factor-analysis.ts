/**
 * Latent structure of a correlation matrix: principal components, varimax rotation, exploratory
 * factor analysis (minimum residual and maximum likelihood), parallel analysis for the number of
 * factors, orthogonal Procrustes rotation and Tucker's congruence, each matching the R function a
 * reviewer would reach for (psych 2.2.9, stats, vegan; test/fixtures/latent/generate.R).
 *
 * Matrices are arrays of rows: a correlation matrix p x p, loadings p items x k factors.
 *
 * Orientation convention (psych's own in `principal` and `fa`, applied to every loading matrix
 * returned here and to R's output in the tests): factors in decreasing order of their sums of
 * squared loadings, each factor's sign chosen so that the sum of its loadings is >= 0 (a factor
 * whose loadings sum to exactly 0 keeps its sign). Factors with equal sums of squares keep their
 * relative order.
 */
import { Prng } from './prng';
import { chiSquareSf } from './chi-square';
import { smoothCorrelation } from './smooth';
import { symmetricEigen } from './symmetric-eigen';
import { polarFactor } from './svd';

export type Matrix = readonly (readonly number[])[];

/** R's `.Machine$double.eps`, psych's floor for eigenvalues under a square root. */
const DOUBLE_EPS = 2 ** -52;

// ---------------------------------------------------------------------------------------------
// Orientation

export interface OrientedLoadings {
  loadings: number[][];
  /** order[c] = the input column that became column c. */
  order: number[];
  /** signs[c] = +1 or -1, applied to the column after reordering. */
  signs: number[];
}

/**
 * The stable orientation of a loading matrix (module header): columns sorted by decreasing
 * sum of squared loadings (psych: `order(diag(t(L) %*% L), decreasing = TRUE)`), then each column
 * multiplied by sign(colSums) with sign 0 read as +1 (psych: `sign(colSums(loadings))`).
 */
export function orientLoadings(L: Matrix): OrientedLoadings {
  const p = L.length;
  const k = p === 0 ? 0 : L[0].length;
  const ss = columnSumsOfSquares(L, k);
  const order = Array.from({ length: k }, (_, c) => c).sort((a, b) => ss[b] - ss[a] || a - b);
  const signs = order.map((c) => {
    let s = 0;
    for (let i = 0; i < p; i++) s += L[i][c];
    return s < 0 ? -1 : 1;
  });
  const loadings = L.map((row) => order.map((c, j) => row[c] * signs[j]));
  return { loadings, order, signs };
}

// ---------------------------------------------------------------------------------------------
// Principal components

export interface PrincipalComponents {
  /** All eigenvalues of the correlation matrix, decreasing (psych `values`). */
  values: number[];
  /** p x k loadings, oriented (module header). */
  loadings: number[][];
  /** Row sums of squared loadings (psych `communality`). */
  communalities: number[];
  /** 1 - communality (psych `uniquenesses`, diag(R) - communality with diag(R) = 1). */
  uniquenesses: number[];
  /** Column sums of squared loadings (psych `Vaccounted["SS loadings", ]`). */
  ssLoadings: number[];
  /** ssLoadings / p (psych `Vaccounted["Proportion Var", ]`). */
  proportionVariance: number[];
  /**
   * k x k rotation taking the unrotated components (oriented) to `loadings`: identity for
   * rotate = "none". psych's `rot.mat` is varimax's matrix before psych reorders and re-signs the
   * columns; this one includes that reordering, so unrotated %*% rotation = loadings holds.
   */
  rotation: number[][];
  /** Varimax iterations (0 for rotate = "none"). */
  iterations: number;
}

/**
 * The first k principal components of the correlation matrix R, as
 * `psych::principal(R, nfactors = k, rotate = "none" | "varimax")`:
 * R = V diag(lambda) V', loadings = V_k diag(sqrt(max(lambda_k, eps))) (Harman 1976, ch. 8;
 * eigenvalues below machine epsilon are raised to it, as psych does). psych signs the unrotated
 * components by their column sums, then rotates with `stats::varimax(loadings)` (normalize = TRUE,
 * eps = 1e-5: psych 2.2.9 calls stats::varimax for rotate = "varimax" and GPArotation::Varimax only
 * for rotate = "Varimax"; the two stop differently and differ by up to ~5e-4 on bfi), then orients.
 *
 * A covariance matrix is rescaled to a correlation matrix first, as psych does. Throws for a
 * non-square, asymmetric, non-finite matrix, a non-positive diagonal entry, or k outside 1..p.
 * Components with tied eigenvalues are not unique (any rotation within their plane is as valid);
 * R's LAPACK and this solver may then pick different ones.
 */
export function principalComponents(R: Matrix, k: number, options: { rotate?: 'none' | 'varimax' } = {}): PrincipalComponents {
  const r = toCorrelation(R, 'principalComponents');
  const p = r.length;
  checkFactors(k, p, 'principalComponents');
  const { values, vectors } = symmetricEigen(r, k);
  const unrotated = Array.from({ length: p }, (_, i) =>
    Array.from({ length: k }, (_, c) => vectors[c][i] * Math.sqrt(Math.max(values[c], DOUBLE_EPS))),
  );
  const signed = orientLoadings(unrotated).loadings; // eigenvalues are decreasing: only signs change
  let loadings = signed;
  let rotation = identity(k);
  let iterations = 0;
  if ((options.rotate ?? 'none') === 'varimax' && k > 1) {
    const v = varimax(signed);
    const o = orientLoadings(v.loadings);
    loadings = o.loadings;
    rotation = v.rotation.map((row) => o.order.map((c, j) => row[c] * o.signs[j]));
    iterations = v.iterations;
  }
  const communalities = loadings.map((row) => row.reduce((s, x) => s + x * x, 0));
  const ssLoadings = columnSumsOfSquares(loadings, k);
  return {
    values,
    loadings,
    communalities,
    uniquenesses: communalities.map((h) => 1 - h),
    ssLoadings,
    proportionVariance: ssLoadings.map((s) => s / p),
    rotation,
    iterations,
  };
}

// ---------------------------------------------------------------------------------------------
// Varimax

export interface VarimaxOptions {
  /** Kaiser normalisation: rows scaled to unit length during the rotation (default true). */
  normalize?: boolean;
  /** Relative convergence tolerance on the criterion (default 1e-5, as R). */
  eps?: number;
}

export interface VarimaxResult {
  /** L %*% rotation, in the input's column order and signs (not oriented), as stats::varimax. */
  loadings: number[][];
  /** k x k orthogonal rotation (stats::varimax `rotmat`). */
  rotation: number[][];
  iterations: number;
}

/**
 * Varimax rotation (Kaiser 1958) exactly as R's `stats::varimax(x, normalize, eps)`: with
 * x = L, rows divided by their lengths sc when normalize (Kaiser normalisation), T = I, and for
 * i = 1..1000:
 *   z = x T;  B = x' (z^3 - z diag(1' z^2) / p);  B = U D V' (SVD);  T = U V';
 *   d_i = sum(D); stop when d_i < d_{i-1} (1 + eps),
 * then loadings = (x T) * sc. The stopping rule compares the criterion's gradient norm sum(D)
 * between sweeps, so R stops at the same iteration and the loadings agree to rounding.
 *
 * Fewer than two columns are returned unchanged (R returns x itself). A row of zeros has no
 * direction: it is left unscaled (R divides by 0 and returns NaN for it). Throws on a ragged or
 * non-finite matrix or a non-positive eps.
 */
export function varimax(L: Matrix, options: VarimaxOptions = {}): VarimaxResult {
  const normalize = options.normalize ?? true;
  const eps = options.eps ?? 1e-5;
  if (!(eps > 0)) throw new RangeError(`varimax: eps must be positive, got ${eps}`);
  const p = L.length;
  const k = p === 0 ? 0 : L[0].length;
  checkRectangular(L, k, 'varimax');
  if (k < 2) return { loadings: L.map((row) => Array.from(row)), rotation: identity(k), iterations: 0 };
  const sc = L.map((row) => {
    if (!normalize) return 1;
    const len = Math.sqrt(row.reduce((s, v) => s + v * v, 0));
    return len > 0 ? len : 1;
  });
  const x = L.map((row, i) => row.map((v) => v / sc[i]));
  let T = identity(k);
  let d = 0;
  let iterations = 0;
  for (let it = 1; it <= 1000; it++) {
    iterations = it;
    const z = multiply(x, T);
    const colSq = columnSumsOfSquares(z, k);
    // B = x' (z^3 - z diag(colSq) / p)
    const B = Array.from({ length: k }, () => new Array<number>(k).fill(0));
    for (let i = 0; i < p; i++) {
      const zi = z[i];
      const xi = x[i];
      for (let b = 0; b < k; b++) {
        const w = zi[b] * zi[b] * zi[b] - (zi[b] * colSq[b]) / p;
        for (let a = 0; a < k; a++) B[a][b] += xi[a] * w;
      }
    }
    const polar = polarFactor(B);
    T = polar.rotation;
    const dPast = d;
    d = polar.singularSum;
    if (d < dPast * (1 + eps)) break;
  }
  const z = multiply(x, T);
  return { loadings: z.map((row, i) => row.map((v) => v * sc[i])), rotation: T, iterations };
}

// ---------------------------------------------------------------------------------------------
// Exploratory factor analysis

export interface FactorSolution {
  method: 'minres' | 'ml';
  /** p x k loadings, unrotated and oriented (module header). */
  loadings: number[][];
  /** Row sums of squared loadings (psych `communality`; equals psych `communalities` = 1 - psi at the optimum). */
  communalities: number[];
  /** The fitted uniquenesses psi (1 - psych `communalities`). */
  uniquenesses: number[];
  /**
   * Whether a uniqueness ended at psych's lower bound 0.005: a Heywood case (the unbounded
   * minimum would have a communality of 1 or more there).
   */
  heywood: boolean;
  /**
   * psych's `objective`: F = tr(M^-1 R) - log det(M^-1 R) - p for the model M = L L' with unit
   * diagonal (smoothed by cor.smooth if not positive definite); null when R is not positive
   * definite (the logarithm is undefined).
   */
  objective: number | null;
  /** Degrees of freedom p(p - 1)/2 - p k + k(k - 1)/2 (psych `dof`). */
  dof: number;
  /**
   * Bartlett-corrected likelihood-ratio statistic F ((n - 1) - (2p + 5)/6 - 2k/3), floored at 0
   * (psych `STATISTIC`); null without n or objective.
   */
  statistic: number | null;
  /** P(chi2_dof > statistic) (psych `PVAL`); null without a statistic or when dof <= 0. */
  pValue: number | null;
  /** Newton iterations of the fit. */
  iterations: number;
  converged: boolean;
}

/** psych's box for the uniquenesses in `fa` (L-BFGS-B lower = 0.005, upper = max(smc, 1) = 1). */
const PSI_LOWER = 0.005;

/**
 * Minimum residual factor analysis as `psych::fa(R, nfactors = k, fm = "minres", rotate = "none")`
 * (Harman & Jones 1966): the uniquenesses psi minimise the unweighted least-squares criterion
 *   f(psi) = 1/2 sum_{m > k} lambda_m(R - diag(psi))^2
 * (plus 1/2 lambda_m^2 for any negative leading eigenvalue), whose gradient is
 * diag(L L' + diag(psi) - R) with L = V_k diag(sqrt(max(lambda_k, 0))), psych's `FAgr.minres`;
 * loadings are that L at the minimum (psych `FAout.wls`). psych minimises the off-diagonal residual
 * sum of squares with this same gradient; both criteria have the same interior minimum, where the
 * residual diagonal is zero. psych starts from 1 - smc within the box [0.005, 1] and stops
 * L-BFGS-B at its default tolerance (factr 1e7): its loadings differ from the exact minimum by
 * ~1e-6 on bfi and Harman74. Here the minimum is found by projected Newton steps (below); runs of
 * psych's own functions to their minimum (test/fixtures/latent/generate.R) agree to ~2e-15.
 * In a Heywood case (a uniqueness at the bound 0.005) this is the least-squares minimum with that
 * uniqueness held at the bound; psych's search stops up to ~2e-3 short of it there, because its
 * line search evaluates the off-diagonal criterion while its gradient is the least-squares one,
 * and at a bound the two criteria's minima differ.
 */
export function factorMinres(R: Matrix, k: number, n?: number): FactorSolution {
  return factorFit(R, k, 'minres', n);
}

/**
 * Maximum likelihood factor analysis as `psych::fa(R, nfactors = k, n.obs = n, fm = "ml",
 * rotate = "none")` (Lawley & Maxwell 1971; Joreskog 1967): with S* = psi^-1/2 R psi^-1/2 and its
 * eigenvalues e_1 >= ... >= e_p, psi minimises
 *   F(psi) = sum_{m > k} (e_m - log e_m - 1)
 * (psych `FAfn`), gradient diag(L L' + diag(psi) - R) / psi^2 (psych `FAgr`), loadings
 * L = psi^1/2 V_k diag(sqrt(max(e_k - 1, 0))) (psych `FAout`). Same box, start and optimiser
 * as factorMinres (psych's default run is ~7e-6 from the exact minimum in loadings on bfi and
 * Harman74; runs to the minimum agree to ~5e-14). R must be positive definite (throws otherwise:
 * smooth it first). With n, the chi-square test of psych's `fa.stats` is reported.
 */
export function factorMl(R: Matrix, k: number, n?: number): FactorSolution {
  return factorFit(R, k, 'ml', n);
}

function factorFit(R: Matrix, k: number, method: 'minres' | 'ml', n: number | undefined): FactorSolution {
  const name = method === 'ml' ? 'factorMl' : 'factorMinres';
  const r = toCorrelation(R, name);
  const p = r.length;
  checkFactors(k, p, name);
  if (n !== undefined && !(Number.isFinite(n) && n > 0)) throw new RangeError(`${name}: n must be a positive number, got ${n}`);
  const full = symmetricEigen(r, p);
  if (method === 'ml' && !(full.values[p - 1] > 0)) {
    throw new RangeError(`${name}: the correlation matrix is not positive definite (smallest eigenvalue ${full.values[p - 1]}); smooth it first (smoothCorrelation)`);
  }
  const smc = squaredMultipleCorrelations(full.values, full.vectors);
  const upper = Math.max(1, ...smc);
  const start = smc.map((s) => 1 - s);
  const criterion = method === 'ml' ? mlCriterion(r, k) : ulsCriterion(r, k);
  const fit = minimiseBoxed(criterion, start, PSI_LOWER, upper);
  const psi = fit.x;
  const L = method === 'ml' ? mlLoadings(r, psi, k) : ulsLoadings(r, psi, k);
  const loadings = orientLoadings(L).loadings;
  const communalities = loadings.map((row) => row.reduce((s, x) => s + x * x, 0));
  const heywood = psi.some((v) => v <= PSI_LOWER);
  const stats = fitStatistics(r, loadings, k, n);
  return { method, loadings, communalities, uniquenesses: psi, heywood, ...stats, iterations: fit.iterations, converged: fit.converged };
}

/** 1 - 1 / diag(R^+) clamped to [0, 1], as psych::smc (R^+ by psych's `Pinv`: singular values below sqrt(eps) d_1 dropped). */
function squaredMultipleCorrelations(values: number[], vectors: number[][]): number[] {
  const p = values.length;
  const maxAbs = Math.max(...values.map(Math.abs));
  const tol = Math.sqrt(DOUBLE_EPS) * maxAbs;
  const inv = new Array<number>(p).fill(0);
  for (let c = 0; c < p; c++) {
    if (!(Math.abs(values[c]) > tol)) continue;
    for (let i = 0; i < p; i++) inv[i] += (vectors[c][i] * vectors[c][i]) / values[c];
  }
  return inv.map((d) => Math.min(1, Math.max(0, 1 - 1 / d)));
}

/**
 * A fitting criterion of the uniquenesses: value and gradient, and the exact Hessian where it is
 * defined (null where the formula does not apply: the minimiser then differentiates the gradient).
 */
interface Criterion {
  evaluate(psi: number[]): { f: number; g: number[] };
  hessian(psi: number[]): number[][] | null;
}

/** Eigenvalues closer than this (relative to the largest) make the eigenvector derivatives in the Hessians unreliable. */
const GAP_TOL = 1e-8;

/**
 * The minres (unweighted least squares) criterion of factorMinres. With A = R - diag(psi) =
 * U diag(lambda) U' and K the leading k eigenvalues that are positive:
 *   f = 1/2 sum_{m not in K} lambda_m^2,   g_i = sum_{m in K} lambda_m u_im^2 - A_ii,
 * and, from d lambda_m / d psi_j = -u_jm^2 and first-order eigenvector perturbation
 * (d u_m = sum_{l != m} u_l u_l' dA u_m / (lambda_m - lambda_l); Magnus & Neudecker 1999, 8.8),
 * with a_m = u_im u_jm:
 *   H_ij = delta_ij - (sum_{m in K} a_m)^2 - 2 sum_{m in K} sum_{l not in K} lambda_m a_m a_l / (lambda_m - lambda_l).
 * (Pairs within K cancel to the square term.)
 */
function ulsCriterion(r: number[][], k: number): Criterion {
  const reduced = (psi: number[]): number[][] => r.map((row, i) => row.map((v, j) => (i === j ? v - psi[i] : v)));
  return {
    evaluate(psi) {
      const { values, vectors } = symmetricEigen(reduced(psi), k);
      let f = 0;
      for (let m = 0; m < values.length; m++) {
        const e = values[m];
        if (m >= k || e < 0) f += 0.5 * e * e;
      }
      const g = psi.map((ps, i) => {
        let model = 0;
        for (let c = 0; c < k; c++) model += vectors[c][i] * vectors[c][i] * Math.max(values[c], 0);
        return model + ps - r[i][i];
      });
      return { f, g };
    },
    hessian(psi) {
      const p = r.length;
      const { values, vectors } = symmetricEigen(reduced(psi), p);
      const inK = values.map((e, m) => m < k && e > 0);
      const scale = Math.max(...values.map(Math.abs), 1e-300);
      for (let m = 0; m < p; m++) {
        for (let l = 0; l < p; l++) {
          if (inK[m] && !inK[l] && Math.abs(values[m] - values[l]) <= GAP_TOL * scale) return null;
        }
      }
      const K = values.map((_, m) => m).filter((m) => inK[m]);
      const rest = values.map((_, m) => m).filter((m) => !inK[m]);
      const H = Array.from({ length: p }, () => new Array<number>(p).fill(0));
      for (let i = 0; i < p; i++) {
        for (let j = 0; j <= i; j++) {
          let sumK = 0;
          let cross = 0;
          for (const m of K) {
            const am = vectors[m][i] * vectors[m][j];
            sumK += am;
            let inner = 0;
            for (const l of rest) inner += (vectors[l][i] * vectors[l][j]) / (values[m] - values[l]);
            cross += values[m] * am * inner;
          }
          H[i][j] = H[j][i] = (i === j ? 1 : 0) - sumK * sumK - 2 * cross;
        }
      }
      return H;
    },
  };
}

function ulsLoadings(r: number[][], psi: number[], k: number): number[][] {
  const a = r.map((row, i) => row.map((v, j) => (i === j ? v - psi[i] : v)));
  const { values, vectors } = symmetricEigen(a, k);
  return r.map((_, i) => Array.from({ length: k }, (_, c) => vectors[c][i] * Math.sqrt(Math.max(values[c], 0))));
}

/**
 * The maximum likelihood criterion of factorMl. With S* = psi^-1/2 R psi^-1/2 = U diag(e) U',
 * M = {m > k} and a_m = u_im u_jm: d e_m / d psi_j = -e_m u_jm^2 / psi_j, so
 *   g_j = -h_j / psi_j with h_j = sum_{m in M} (e_m - 1) u_jm^2
 * (equal to psych's diag(L L' + diag(psi) - R) / psi^2 when e_1..e_k >= 1 and diag(R) = 1), and
 *   H_ij = delta_ij h_j / psi_j^2 + [ (sum_M e_m a_m)(sum_M a_m)
 *          + sum_{m in M} sum_{l <= k} (e_m - 1)(e_m + e_l) / (e_m - e_l) a_m a_l ] / (psi_i psi_j)
 * (pairs within M cancel to the product term). The Hessian is left to differences when a leading
 * e is below 1 (psych's gradient then clips it and is not this function's gradient).
 */
function mlCriterion(r: number[][], k: number): Criterion {
  return {
    evaluate(psi) {
      const { values, vectors, scale } = scaledEigen(r, psi, k);
      let f = 0;
      for (let m = k; m < values.length; m++) {
        const e = values[m];
        f += e > 0 ? e - Math.log(e) - 1 : Infinity;
      }
      const g = psi.map((ps, i) => {
        let model = 0;
        for (let c = 0; c < k; c++) model += vectors[c][i] * vectors[c][i] * Math.max(values[c] - 1, 0);
        // diag(L L')_i = psi_i sum_c u_ic^2 (e_c - 1), with scale_i = psi_i^-1/2.
        model *= 1 / (scale[i] * scale[i]);
        return (model + ps - r[i][i]) / (ps * ps);
      });
      return { f, g };
    },
    hessian(psi) {
      const p = r.length;
      const { values, vectors } = scaledEigen(r, psi, p);
      if (values.slice(0, k).some((e) => e < 1)) return null;
      if (k < p && Math.abs(values[k - 1] - values[k]) <= GAP_TOL * values[0]) return null;
      const rest: number[] = [];
      for (let m = k; m < p; m++) rest.push(m);
      const h = psi.map((_, j) => rest.reduce((s, m) => s + (values[m] - 1) * vectors[m][j] * vectors[m][j], 0));
      const H = Array.from({ length: p }, () => new Array<number>(p).fill(0));
      for (let i = 0; i < p; i++) {
        for (let j = 0; j <= i; j++) {
          let sumEA = 0;
          let sumA = 0;
          let cross = 0;
          for (const m of rest) {
            const am = vectors[m][i] * vectors[m][j];
            sumEA += values[m] * am;
            sumA += am;
            const em = values[m];
            for (let l = 0; l < k; l++) {
              const el = values[l];
              cross += (((em - 1) * (em + el)) / (em - el)) * am * vectors[l][i] * vectors[l][j];
            }
          }
          const v = (sumEA * sumA + cross) / (psi[i] * psi[j]) + (i === j ? h[j] / (psi[j] * psi[j]) : 0);
          H[i][j] = H[j][i] = v;
        }
      }
      return H;
    },
  };
}

/** Eigen-decomposition of psi^-1/2 R psi^-1/2 (k vectors); scale[i] = psi_i^-1/2. */
function scaledEigen(r: number[][], psi: number[], k: number): { values: number[]; vectors: number[][]; scale: number[] } {
  const scale = psi.map((v) => 1 / Math.sqrt(v));
  const s = r.map((row, i) => row.map((v, j) => v * scale[i] * scale[j]));
  return { ...symmetricEigen(s, k), scale };
}

function mlLoadings(r: number[][], psi: number[], k: number): number[][] {
  const { values, vectors, scale } = scaledEigen(r, psi, k);
  return r.map((_, i) => Array.from({ length: k }, (_, c) => (vectors[c][i] * Math.sqrt(Math.max(values[c] - 1, 0))) / scale[i]));
}

/**
 * The fitting criterion of factorMinres (method "minres") or factorMl ("ml") at the uniquenesses
 * psi, its gradient and its exact Hessian (null where an eigenvalue gap makes it undefined), as
 * the fits use them; exported for diagnostics and for the tests that check the derivatives.
 */
export function factorCriterion(R: Matrix, k: number, method: 'minres' | 'ml', psi: readonly number[]): { value: number; gradient: number[]; hessian: number[][] | null } {
  const r = toCorrelation(R, 'factorCriterion');
  checkFactors(k, r.length, 'factorCriterion');
  if (psi.length !== r.length || psi.some((v) => !(v > 0 && Number.isFinite(v)))) throw new RangeError('factorCriterion: psi must hold one positive number per variable');
  const c = method === 'ml' ? mlCriterion(r, k) : ulsCriterion(r, k);
  const { f, g } = c.evaluate(Array.from(psi));
  return { value: f, gradient: g, hessian: c.hessian(Array.from(psi)) };
}

/**
 * Minimises a criterion over the box [lo, hi]^n by projected Newton steps (Bertsekas 1982):
 * variables at a bound whose gradient points out of the box are held there; on the others the
 * step solves H d = -g with the exact Hessian (or, where that is undefined, central differences
 * of the exact gradient, step 1e-6), Levenberg-shifted until positive definite, projected back
 * into the box and halved until f decreases by the Armijo rule (or, once the predicted decrease
 * is below f's rounding, taken whole). Stops when a step moves no variable by more than 1e-13, or
 * at the noise floor (a step no smaller than half the last one while below 1e-10). The gradient
 * is exact, so the minimum is located to rounding; H sets the speed (quadratic).
 */
function minimiseBoxed(criterion: Criterion, x0: number[], lo: number, hi: number): { x: number[]; iterations: number; converged: boolean } {
  const objective = (x: number[]): { f: number; g: number[] } => criterion.evaluate(x);
  const n = x0.length;
  let x = x0.map((v) => Math.min(hi, Math.max(lo, v)));
  let cur = objective(x);
  let lastStep = Infinity;
  for (let iter = 1; iter <= 200; iter++) {
    const g = cur.g;
    const free: number[] = [];
    for (let i = 0; i < n; i++) {
      const atLower = x[i] <= lo && g[i] > 0;
      const atUpper = x[i] >= hi && g[i] < 0;
      if (!atLower && !atUpper) free.push(i);
    }
    if (free.length === 0) return { x, iterations: iter, converged: true };
    const m = free.length;
    const exact = criterion.hessian(x);
    const H = exact
      ? free.map((i) => free.map((j) => exact[i][j]))
      : differencedHessian(objective, x, free);
    const gFree = free.map((i) => g[i]);
    let d = solveShiftedPositiveDefinite(H, gFree).map((v) => -v);
    let step = projectedStep(x, free, d, 1, lo, hi);
    let slope = dotAt(g, step.x, x);
    if (!(slope < 0)) {
      d = gFree.map((v) => -v); // not a descent direction after projection: steepest descent
      step = projectedStep(x, free, d, 1, lo, hi);
      slope = dotAt(g, step.x, x);
    }
    let alpha = 1;
    let next = objective(step.x);
    const noise = 8 * DOUBLE_EPS * Math.max(1, Math.abs(cur.f));
    while (!(next.f <= cur.f + 1e-4 * slope) && !(-slope <= noise && next.f <= cur.f + noise)) {
      alpha /= 2;
      if (alpha < 1e-20) return { x, iterations: iter, converged: lastStep <= 1e-10 };
      step = projectedStep(x, free, d, alpha, lo, hi);
      slope = dotAt(g, step.x, x);
      next = objective(step.x);
    }
    let moved = 0;
    for (let i = 0; i < n; i++) moved = Math.max(moved, Math.abs(step.x[i] - x[i]));
    x = step.x;
    cur = next;
    if (moved <= 1e-13) return { x, iterations: iter, converged: true };
    if (moved < 1e-10 && moved >= lastStep / 2) return { x, iterations: iter, converged: true };
    lastStep = moved;
  }
  return { x, iterations: 200, converged: false };
}

/** Central differences of the gradient over the free variables (step 1e-6), symmetrised. */
function differencedHessian(objective: (x: number[]) => { g: number[] }, x: number[], free: number[]): number[][] {
  const m = free.length;
  const H = Array.from({ length: m }, () => new Array<number>(m).fill(0));
  for (let b = 0; b < m; b++) {
    const j = free[b];
    const h = 1e-6 * Math.max(1, Math.abs(x[j]));
    const plus = x.slice();
    const minus = x.slice();
    plus[j] += h;
    minus[j] -= h;
    const gp = objective(plus).g;
    const gm = objective(minus).g;
    for (let a = 0; a < m; a++) H[a][b] = (gp[free[a]] - gm[free[a]]) / (2 * h);
  }
  for (let a = 0; a < m; a++) {
    for (let b = 0; b < a; b++) H[a][b] = H[b][a] = 0.5 * (H[a][b] + H[b][a]);
  }
  return H;
}

function projectedStep(x: number[], free: number[], d: number[], alpha: number, lo: number, hi: number): { x: number[] } {
  const out = x.slice();
  free.forEach((i, a) => {
    out[i] = Math.min(hi, Math.max(lo, x[i] + alpha * d[a]));
  });
  return { x: out };
}

/** g . (y - x) */
function dotAt(g: number[], y: number[], x: number[]): number {
  let s = 0;
  for (let i = 0; i < g.length; i++) s += g[i] * (y[i] - x[i]);
  return s;
}

/** Solves (H + mu I) d = b with the smallest mu in {0, 1e-10 tr/m, x10, ...} that makes H + mu I positive definite. */
function solveShiftedPositiveDefinite(H: number[][], b: number[]): number[] {
  const m = H.length;
  let scale = 0;
  for (let i = 0; i < m; i++) scale += Math.abs(H[i][i]);
  scale = Math.max(scale / m, 1e-300);
  for (let mu = 0; ; mu = mu === 0 ? 1e-10 * scale : mu * 10) {
    const A = H.map((row, i) => row.map((v, j) => (i === j ? v + mu : v)));
    const G = cholesky(A);
    if (G) return choleskySolve(G, b);
    if (mu > 1e20 * scale) return b.slice(); // unreachable for finite H: a huge shift is positive definite
  }
}

/** Lower Cholesky factor of a symmetric matrix, or null when it is not positive definite. */
function cholesky(A: number[][]): number[][] | null {
  const m = A.length;
  const G = Array.from({ length: m }, () => new Array<number>(m).fill(0));
  for (let i = 0; i < m; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i][j];
      for (let c = 0; c < j; c++) s -= G[i][c] * G[j][c];
      if (i === j) {
        if (!(s > 0)) return null;
        G[i][i] = Math.sqrt(s);
      } else G[i][j] = s / G[j][j];
    }
  }
  return G;
}

function choleskySolve(G: number[][], b: readonly number[]): number[] {
  const m = G.length;
  const y = new Array<number>(m);
  for (let i = 0; i < m; i++) {
    let s = b[i];
    for (let c = 0; c < i; c++) s -= G[i][c] * y[c];
    y[i] = s / G[i][i];
  }
  const x = new Array<number>(m);
  for (let i = m - 1; i >= 0; i--) {
    let s = y[i];
    for (let c = i + 1; c < m; c++) s -= G[c][i] * x[c];
    x[i] = s / G[i][i];
  }
  return x;
}

function logDetCholesky(G: number[][]): number {
  return G.reduce((s, row, i) => s + 2 * Math.log(row[i]), 0);
}

/** psych::fa.stats's objective, statistic and p-value for the fitted loadings. */
function fitStatistics(
  r: number[][],
  L: number[][],
  k: number,
  n: number | undefined,
): Pick<FactorSolution, 'objective' | 'dof' | 'statistic' | 'pValue'> {
  const p = r.length;
  const dof = (p * (p - 1)) / 2 - p * k + (k * (k - 1)) / 2;
  const model = L.map((li, i) => L.map((lj, j) => (i === j ? r[i][i] : li.reduce((s, v, c) => s + v * lj[c], 0))));
  const smoothed = smoothCorrelation(model).matrix;
  const Gm = cholesky(smoothed);
  const Gr = cholesky(r);
  let objective: number | null = null;
  if (Gm && Gr) {
    // tr(M^-1 R) column by column; log det(M^-1 R) = log det R - log det M.
    let trace = 0;
    for (let j = 0; j < p; j++) trace += choleskySolve(Gm, r.map((row) => row[j]))[j];
    objective = trace - (logDetCholesky(Gr) - logDetCholesky(Gm)) - p;
  }
  let statistic: number | null = null;
  let pValue: number | null = null;
  if (objective !== null && n !== undefined) {
    statistic = Math.max(0, objective * (n - 1 - (2 * p + 5) / 6 - (2 * k) / 3));
    pValue = dof > 0 ? chiSquareSf(statistic, dof) : null;
  }
  return { objective, dof, statistic, pValue };
}

// ---------------------------------------------------------------------------------------------
// Parallel analysis

export interface ParallelAnalysisOptions {
  /** Simulated data sets (psych `n.iter`, default 20). */
  iterations?: number;
  /**
   * Threshold of the simulated eigenvalues an observed one must exceed: a quantile in (0, 1)
   * (psych `quant`, default 0.95, R's type 7 quantile), or 'mean' (Horn's 1965 original rule).
   */
  threshold?: number | 'mean';
  /** Seed of the project's Prng (default 1). */
  seed?: number;
}

export interface ParallelAnalysis {
  /** Eigenvalues of R, decreasing (psych `pc.values`). */
  pcValues: number[];
  /**
   * Eigenvalues of R with its diagonal replaced by the communalities of a one-factor minres
   * solution (psych `fa.values`: `fa(R, nfactors = 1, fm = "minres")$values`).
   */
  faValues: number[];
  /** Mean and threshold of the simulated data's eigenvalues, per position. */
  simulated: { pcMean: number[]; pcThreshold: number[]; faMean: number[]; faThreshold: number[] };
  /**
   * Number of leading components (factors) whose observed eigenvalue exceeds the threshold at its
   * position (psych `ncomp` / `nfact`: which(!(observed > threshold))[1] - 1). When every one does,
   * p (psych gives NA).
   */
  components: number;
  factors: number;
  iterations: number;
  threshold: number | 'mean';
  seed: number;
}

/**
 * Parallel analysis (Horn 1965) as `psych::fa.parallel(x, fa = "both", n.iter, quant)` decides
 * with simulated data (psych's `sim = TRUE`; its resampled replicates only draw its plot): each
 * iteration draws an n x p matrix of independent standard normal values, takes its Pearson
 * correlation matrix and that matrix's eigenvalues (components) and the eigenvalues of it with the
 * communalities of a one-factor minres fit on the diagonal (factors). The observed values are
 * compared position by position with the threshold (95th percentile by default). Normal values are
 * drawn from the seeded `Prng` (polar method), so the draws differ from R's:
 * the simulated means and quantiles agree with R's to Monte Carlo error, the observed
 * eigenvalues exactly, and the decision whenever the observed values are not within that error
 * of the threshold.
 */
export function parallelAnalysis(R: Matrix, n: number, options: ParallelAnalysisOptions = {}): ParallelAnalysis {
  const r = toCorrelation(R, 'parallelAnalysis');
  const p = r.length;
  const iterations = options.iterations ?? 20;
  const threshold = options.threshold ?? 0.95;
  const seed = options.seed ?? 1;
  if (!Number.isInteger(n) || n < 3) throw new RangeError(`parallelAnalysis: n must be an integer >= 3, got ${n}`);
  if (!Number.isInteger(iterations) || iterations < 1) throw new RangeError(`parallelAnalysis: iterations must be a positive integer, got ${iterations}`);
  if (threshold !== 'mean' && !(threshold > 0 && threshold < 1)) throw new RangeError(`parallelAnalysis: threshold must be 'mean' or in (0, 1), got ${threshold}`);
  if (p < 2) throw new RangeError('parallelAnalysis: needs at least two variables');

  const pcValues = symmetricEigen(r, 0).values;
  const faValues = reducedEigenvalues(r);
  const prng = new Prng(seed);
  const simPc: number[][] = [];
  const simFa: number[][] = [];
  const data = Array.from({ length: p }, () => new Float64Array(n));
  for (let it = 0; it < iterations; it++) {
    for (const col of data) fillStandardNormal(prng, col);
    const c = pearsonOfColumns(data, n);
    simPc.push(symmetricEigen(c, 0).values);
    simFa.push(reducedEigenvalues(c));
  }
  const summarise = (sims: number[][]): { mean: number[]; threshold: number[] } => {
    const mean: number[] = [];
    const thr: number[] = [];
    for (let c = 0; c < p; c++) {
      const column = sims.map((s) => s[c]);
      const m = column.reduce((s, v) => s + v, 0) / column.length;
      mean.push(m);
      thr.push(threshold === 'mean' ? m : quantileType7(column, threshold));
    }
    return { mean, threshold: thr };
  };
  const pc = summarise(simPc);
  const fa = summarise(simFa);
  const leading = (observed: number[], thr: number[]): number => {
    const first = observed.findIndex((v, c) => !(v > thr[c]));
    return first < 0 ? p : first;
  };
  return {
    pcValues,
    faValues,
    simulated: { pcMean: pc.mean, pcThreshold: pc.threshold, faMean: fa.mean, faThreshold: fa.threshold },
    components: leading(pcValues, pc.threshold),
    factors: leading(faValues, fa.threshold),
    iterations,
    threshold,
    seed,
  };
}

/** Eigenvalues of R with diag(R) <- communalities of factorMinres(R, 1) (psych's fa(...)$values). */
function reducedEigenvalues(r: number[][]): number[] {
  const h2 = factorMinres(r, 1).communalities;
  return symmetricEigen(r.map((row, i) => row.map((v, j) => (i === j ? h2[i] : v))), 0).values;
}

/**
 * Fills `out` with independent standard normal draws by Marsaglia's polar method (Marsaglia & Bray
 * 1964): (u, v) uniform in the unit disc, s = u^2 + v^2, then u sqrt(-2 ln s / s) and
 * v sqrt(-2 ln s / s) are independent N(0, 1). R draws by inversion instead (qnorm of a uniform);
 * the draws differ from R's either way, and this needs one logarithm for two values.
 */
function fillStandardNormal(prng: Prng, out: Float64Array): void {
  let i = 0;
  while (i < out.length) {
    const u = 2 * prng.nextFloat() - 1;
    const v = 2 * prng.nextFloat() - 1;
    const s = u * u + v * v;
    if (s >= 1 || s === 0) continue;
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    out[i++] = u * f;
    if (i < out.length) out[i++] = v * f;
  }
}

/** Pearson correlation matrix of p columns of length n; the columns are centred in place. */
function pearsonOfColumns(cols: Float64Array[], n: number): number[][] {
  const p = cols.length;
  const norms = new Float64Array(p);
  for (let a = 0; a < p; a++) {
    const col = cols[a];
    let mean = 0;
    for (let i = 0; i < n; i++) mean += col[i];
    mean /= n;
    let ss = 0;
    for (let i = 0; i < n; i++) {
      const d = col[i] - mean;
      col[i] = d;
      ss += d * d;
    }
    norms[a] = Math.sqrt(ss);
  }
  const out = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  for (let a = 0; a < p; a++) {
    out[a][a] = 1;
    const x = cols[a];
    for (let b = 0; b < a; b++) {
      const y = cols[b];
      let s0 = 0;
      let s1 = 0;
      let i = 0;
      for (; i + 1 < n; i += 2) {
        s0 += x[i] * y[i];
        s1 += x[i + 1] * y[i + 1];
      }
      if (i < n) s0 += x[i] * y[i];
      out[a][b] = out[b][a] = (s0 + s1) / (norms[a] * norms[b]);
    }
  }
  return out;
}

/** R's default quantile (type 7): linear interpolation between order statistics at (N - 1) q. */
function quantileType7(values: number[], q: number): number {
  const s = values.slice().sort((a, b) => a - b);
  const h = (s.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo] + (h - lo) * (s[hi] - s[lo]);
}

// ---------------------------------------------------------------------------------------------
// Procrustes, congruence, alignment

export interface ProcrustesRotation {
  /** k x k orthogonal Q minimising ||L Q - target||_F. */
  rotation: number[][];
  /** L Q. */
  loadings: number[][];
}

/**
 * Orthogonal Procrustes rotation of L (p x k) toward target (p x k) (Schoenemann 1966; Lorenzo-Seva
 * & ten Berge 2006 use it before Tucker's congruence): L' target = U D V', Q = U V' (R:
 * `s <- svd(crossprod(L, target)); s$u %*% t(s$v)`). Unique when L' target is nonsingular.
 * Throws when the shapes differ or an entry is not finite.
 */
export function procrustesRotation(target: Matrix, L: Matrix): ProcrustesRotation {
  const p = L.length;
  const k = p === 0 ? 0 : L[0].length;
  if (target.length !== p || (p > 0 && target[0].length !== k)) {
    throw new RangeError(`procrustesRotation: target is ${target.length} x ${target[0]?.length ?? 0}, loadings ${p} x ${k}`);
  }
  checkRectangular(L, k, 'procrustesRotation');
  checkRectangular(target, k, 'procrustesRotation');
  const M = Array.from({ length: k }, (_, a) =>
    Array.from({ length: k }, (_, b) => {
      let s = 0;
      for (let i = 0; i < p; i++) s += L[i][a] * target[i][b];
      return s;
    }),
  );
  const { rotation } = polarFactor(M);
  return { rotation, loadings: multiply(L, rotation) };
}

export interface Congruence {
  /** matrix[a][b]: Tucker's phi of column a of the first and column b of the second (psych::factor.congruence(x, y)). */
  matrix: (number | null)[][];
  /** phi of matching columns (the diagonal), for k = min of the column counts. */
  perFactor: (number | null)[];
  /** Mean of the defined perFactor values. */
  mean: number | null;
  /** phi of the two matrices as vectors: sum(a b) / sqrt(sum a^2 sum b^2) over all entries (same shape only). */
  overall: number | null;
}

/**
 * Tucker's (1951) congruence coefficient phi(x, y) = sum(x y) / sqrt(sum x^2 sum y^2), as
 * `psych::factor.congruence(a, b, digits = 17)` (no sign alignment: a reflected factor gives -phi;
 * align first with alignFactors). Lorenzo-Seva & ten Berge (2006): phi >= 0.95 the factors can be
 * considered equal, 0.85-0.94 fair similarity. null where a column is all zeros.
 */
export function tuckerCongruence(a: Matrix, b: Matrix): Congruence {
  const p = a.length;
  if (b.length !== p) throw new RangeError(`tuckerCongruence: ${p} rows against ${b.length}`);
  const ka = p === 0 ? 0 : a[0].length;
  const kb = p === 0 ? 0 : b[0].length;
  checkRectangular(a, ka, 'tuckerCongruence');
  checkRectangular(b, kb, 'tuckerCongruence');
  const phi = (x: (i: number) => number, y: (i: number) => number): number | null => {
    let xy = 0;
    let xx = 0;
    let yy = 0;
    for (let i = 0; i < p; i++) {
      xy += x(i) * y(i);
      xx += x(i) * x(i);
      yy += y(i) * y(i);
    }
    return xx > 0 && yy > 0 ? xy / Math.sqrt(xx * yy) : null;
  };
  const matrix = Array.from({ length: ka }, (_, c) => Array.from({ length: kb }, (_, d) => phi((i) => a[i][c], (i) => b[i][d])));
  const perFactor = Array.from({ length: Math.min(ka, kb) }, (_, c) => matrix[c][c]);
  const defined = perFactor.filter((v): v is number => v !== null);
  let overall: number | null = null;
  if (ka === kb) {
    let xy = 0;
    let xx = 0;
    let yy = 0;
    for (let i = 0; i < p; i++) {
      for (let c = 0; c < ka; c++) {
        xy += a[i][c] * b[i][c];
        xx += a[i][c] * a[i][c];
        yy += b[i][c] * b[i][c];
      }
    }
    overall = xx > 0 && yy > 0 ? xy / Math.sqrt(xx * yy) : null;
  }
  return { matrix, perFactor, mean: defined.length ? defined.reduce((s, v) => s + v, 0) / defined.length : null, overall };
}

export interface AlignedFactors {
  /** L's columns reordered and re-signed to match target's columns. */
  loadings: number[][];
  /** order[c] = the column of L matched to target column c. */
  order: number[];
  signs: number[];
  /** Congruence of each target column with its match after alignment (>= 0). */
  congruence: (number | null)[];
}

/**
 * Matches the columns of L to those of target (both p x k) without rotating: the permutation
 * maximising the sum of |phi| (assignment problem, Hungarian method, Kuhn 1955 / Munkres 1957),
 * then each matched column reflected so its phi with the target column is >= 0. Use before
 * congruences of solutions whose factor order and signs are arbitrary; use procrustesRotation to
 * also remove a rotation.
 */
export function alignFactors(target: Matrix, L: Matrix): AlignedFactors {
  const k = target.length === 0 ? 0 : target[0].length;
  if (L.length !== target.length || (L.length > 0 && L[0].length !== k)) {
    throw new RangeError('alignFactors: target and loadings must have the same shape');
  }
  const { matrix } = tuckerCongruence(target, L);
  const cost = matrix.map((row) => row.map((v) => -Math.abs(v ?? 0)));
  const order = assignment(cost);
  const signs = order.map((c, t) => ((matrix[t][c] ?? 0) < 0 ? -1 : 1));
  const loadings = L.map((row) => order.map((c, t) => row[c] * signs[t]));
  const congruence = order.map((c, t) => {
    const v = matrix[t][c];
    return v === null ? null : v * signs[t];
  });
  return { loadings, order, signs, congruence };
}

/**
 * Minimum-cost assignment of rows to columns of a square matrix (Hungarian method with potentials,
 * O(k^3)); result[row] = column.
 */
function assignment(cost: number[][]): number[] {
  const k = cost.length;
  const u = new Array<number>(k + 1).fill(0);
  const v = new Array<number>(k + 1).fill(0);
  const match = new Array<number>(k + 1).fill(0); // match[column] = row, 1-based, 0 = free
  const way = new Array<number>(k + 1).fill(0);
  for (let row = 1; row <= k; row++) {
    match[0] = row;
    let col0 = 0;
    const minv = new Array<number>(k + 1).fill(Infinity);
    const used = new Array<boolean>(k + 1).fill(false);
    do {
      used[col0] = true;
      const i0 = match[col0];
      let delta = Infinity;
      let col1 = 0;
      for (let j = 1; j <= k; j++) {
        if (used[j]) continue;
        const cur = cost[i0 - 1][j - 1] - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = col0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          col1 = j;
        }
      }
      for (let j = 0; j <= k; j++) {
        if (used[j]) {
          u[match[j]] += delta;
          v[j] -= delta;
        } else minv[j] -= delta;
      }
      col0 = col1;
    } while (match[col0] !== 0);
    do {
      const col1 = way[col0];
      match[col0] = match[col1];
      col0 = col1;
    } while (col0 !== 0);
  }
  const result = new Array<number>(k).fill(0);
  for (let j = 1; j <= k; j++) if (match[j] > 0) result[match[j] - 1] = j - 1;
  return result;
}

// ---------------------------------------------------------------------------------------------
// Small helpers

/**
 * A copy of R as a correlation matrix: checked square, finite, symmetric (to 1e-10 relative to
 * the largest entry) and with a positive diagonal, then divided by sqrt(d_i d_j) as psych does
 * with a covariance matrix.
 */
function toCorrelation(R: Matrix, name: string): number[][] {
  const p = R.length;
  if (p === 0) throw new RangeError(`${name}: empty matrix`);
  let maxAbs = 0;
  for (let i = 0; i < p; i++) {
    if (R[i].length !== p) throw new RangeError(`${name}: row ${i} has ${R[i].length} entries, expected ${p}`);
    for (let j = 0; j < p; j++) {
      if (!Number.isFinite(R[i][j])) throw new RangeError(`${name}: entry (${i}, ${j}) is not finite`);
      maxAbs = Math.max(maxAbs, Math.abs(R[i][j]));
    }
  }
  for (let i = 0; i < p; i++) {
    if (!(R[i][i] > 0)) throw new RangeError(`${name}: diagonal entry ${i} is ${R[i][i]}, not positive`);
    for (let j = 0; j < i; j++) {
      if (Math.abs(R[i][j] - R[j][i]) > 1e-10 * maxAbs) throw new RangeError(`${name}: the matrix is not symmetric at (${i}, ${j})`);
    }
  }
  const sd = R.map((row, i) => Math.sqrt(row[i]));
  return R.map((row, i) => row.map((v, j) => (i === j ? 1 : (0.5 * (v + R[j][i])) / (sd[i] * sd[j]))));
}

function checkFactors(k: number, p: number, name: string): void {
  if (!Number.isInteger(k) || k < 1 || k > p) throw new RangeError(`${name}: k must be an integer in 1..${p}, got ${k}`);
}

function checkRectangular(L: Matrix, k: number, name: string): void {
  for (let i = 0; i < L.length; i++) {
    if (L[i].length !== k) throw new RangeError(`${name}: row ${i} has ${L[i].length} entries, expected ${k}`);
    for (let c = 0; c < k; c++) if (!Number.isFinite(L[i][c])) throw new RangeError(`${name}: entry (${i}, ${c}) is not finite`);
  }
}

function columnSumsOfSquares(L: Matrix, k: number): number[] {
  const ss = new Array<number>(k).fill(0);
  for (const row of L) for (let c = 0; c < k; c++) ss[c] += row[c] * row[c];
  return ss;
}

function identity(k: number): number[][] {
  return Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => (i === j ? 1 : 0)));
}

/** A B for A n x m, B m x k. */
export function multiply(A: Matrix, B: Matrix): number[][] {
  const m = B.length;
  const k = m === 0 ? 0 : B[0].length;
  return A.map((row) => {
    const out = new Array<number>(k).fill(0);
    for (let j = 0; j < m; j++) {
      const a = row[j];
      const b = B[j];
      for (let c = 0; c < k; c++) out[c] += a * b[c];
    }
    return out;
  });
}
