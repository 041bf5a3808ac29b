/**
 * Smoothing a correlation matrix to positive definiteness, as `psych::cor.smooth` (psych 2.2.9).
 *
 * Pairwise-estimated matrices (polychoric correlations with pairwise deletion above all) need
 * not be positive definite; factor analysis and Mahalanobis-type comparisons then fail. psych's
 * remedy: eigendecompose R = V diag(lambda) V'; when the smallest eigenvalue is below machine
 * epsilon, raise every eigenvalue below `eigTol` (1e-12) to 100 * eigTol, rescale all
 * eigenvalues so that they sum to p (the trace of a correlation matrix), rebuild
 * V diag(lambda') V' and rescale it back to a unit diagonal (`cov2cor`). A matrix that is clearly
 * positive definite (a Cholesky factor with a margin) is returned as it is without the
 * eigen-decomposition: psych's test could not smooth it.
 */
import { symmetricEigen } from './symmetric-eigen';

export interface SmoothedCorrelation {
  /** The smoothed matrix, or a copy of the input when no smoothing was needed. */
  matrix: number[][];
  /** Whether the matrix was not positive definite and was smoothed. */
  smoothed: boolean;
  /**
   * Eigenvalues of the input matrix, largest first (as R's `eigen`); null when a Cholesky
   * factorisation showed the matrix clearly positive definite, so that none was computed.
   */
  eigenvalues: number[] | null;
}

/**
 * Margin of the Cholesky shortcut: a matrix for which R - MARGIN I has a Cholesky factor has its
 * smallest eigenvalue above MARGIN - (backward error of the factorisation, ~p eps max|r| <= 1e-11
 * for any p <= 10,000 with unit diagonal) > DOUBLE_EPS, so psych would not smooth it.
 */
const MARGIN = 1e-8;

/**
 * Whether R - MARGIN I has a Cholesky factor (Golub & Van Loan, algorithm 4.2.1, by rows): one
 * p^3 / 6 pass, ~10x cheaper than the eigen-decomposition psych's test takes. The inner products
 * run in four partial sums (independent chains of additions the processor overlaps; `smoothCorrelation`
 * of a positive-definite 175 x 175 matrix took 1.0-1.5 ms instead of 1.5-1.8 ms); their rounding
 * differs from one sum's by far less than MARGIN, which is what decides.
 */
function clearlyPositiveDefinite(r: readonly (readonly number[])[]): boolean {
  const p = r.length;
  const a = choleskyScratch(p);
  for (let i = 0; i < p; i++) for (let j = 0; j <= i; j++) a[i * p + j] = r[i][j];
  return choleskyInPlace(a, p);
}

/**
 * `clearlyPositiveDefinite` of the p x p correlation matrix with unit diagonal and strict upper
 * triangle `upper` (pairs i < j in row order, as `upperTriangleOf` gives them): the same decision
 * without the matrix's arrays.
 */
export function clearlyPositiveDefiniteUpper(upper: Float64Array, p: number): boolean {
  if (upper.length !== (p * (p - 1)) / 2) throw new RangeError(`clearlyPositiveDefiniteUpper: ${upper.length} values for ${p} items`);
  const a = choleskyScratch(p);
  for (let j = 0, q = 0; j < p; j++) {
    a[j * p + j] = 1;
    for (let i = j + 1; i < p; i++, q++) a[i * p + j] = upper[q];
  }
  return choleskyInPlace(a, p);
}

/** The thread's p x p scratch matrix of the Cholesky test (a bootstrap tests hundreds of matrices). */
let cholesky = new Float64Array(0);
function choleskyScratch(p: number): Float64Array {
  if (cholesky.length < p * p) cholesky = new Float64Array(p * p);
  return cholesky;
}

/**
 * Whether the matrix in the lower triangle of `a` (row-major, p x p, entries j <= i), less MARGIN
 * on the diagonal, has a Cholesky factor; the factor overwrites it (each entry is read before its
 * factor entry is written, and the products use factor entries already computed).
 */
function choleskyInPlace(L: Float64Array, p: number): boolean {
  for (let i = 0; i < p; i++) {
    const li = i * p;
    for (let j = 0; j <= i; j++) {
      const lj = j * p;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let c = 0;
      for (; c + 3 < j; c += 4) {
        s0 += L[li + c] * L[lj + c];
        s1 += L[li + c + 1] * L[lj + c + 1];
        s2 += L[li + c + 2] * L[lj + c + 2];
        s3 += L[li + c + 3] * L[lj + c + 3];
      }
      for (; c < j; c++) s0 += L[li + c] * L[lj + c];
      const s = L[li + j] - (i === j ? MARGIN : 0) - (s0 + s1 + (s2 + s3));
      if (i === j) {
        if (!(s > 0)) return false;
        L[li + i] = Math.sqrt(s);
      } else L[li + j] = s / L[lj + j];
    }
  }
  return true;
}

/** Double-precision machine epsilon, R's `.Machine$double.eps`: psych's positive-definiteness test. */
const DOUBLE_EPS = 2.220446049250313e-16;

/**
 * psych::cor.smooth(R, eig.tol = 1e-12): if min eigenvalue < .Machine$double.eps, eigenvalues below
 * eigTol become 100 * eigTol, all are scaled by p / sum(lambda), R' = V diag(lambda) V', and
 * R'' = D^-1/2 R' D^-1/2 with D = diag(R') (unit diagonal, set exactly as `cov2cor` does).
 * Source: psych 2.2.9 `cor.smooth` (Revelle); Wothke (1993) on smoothing non-PD matrices.
 */
export function smoothCorrelation(r: readonly (readonly number[])[], eigTol = 1e-12): SmoothedCorrelation {
  const p = r.length;
  if (p > 0 && clearlyPositiveDefinite(r)) return { matrix: r.map((row) => Array.from(row)), smoothed: false, eigenvalues: null };
  // All eigenvalues (decreasing) and all p eigenvectors, vectors[c] of eigenvalues[c].
  const { values: eigenvalues, vectors } = symmetricEigen(r, p);
  const min = eigenvalues.length ? eigenvalues[eigenvalues.length - 1] : Infinity;
  if (!(min < DOUBLE_EPS)) {
    return { matrix: r.map((row) => Array.from(row)), smoothed: false, eigenvalues };
  }
  const lambda = eigenvalues.map((v) => (v < eigTol ? 100 * eigTol : v));
  const total = lambda.reduce((a, b) => a + b, 0);
  for (let i = 0; i < p; i++) lambda[i] = (lambda[i] * p) / total;
  const out: number[][] = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  for (let a = 0; a < p; a++) {
    for (let b = a; b < p; b++) {
      let s = 0;
      for (let c = 0; c < p; c++) s += vectors[c][a] * lambda[c] * vectors[c][b];
      out[a][b] = s;
      out[b][a] = s;
    }
  }
  const scale = out.map((row, i) => 1 / Math.sqrt(row[i]));
  for (let a = 0; a < p; a++) {
    for (let b = 0; b < p; b++) out[a][b] = a === b ? 1 : out[a][b] * scale[a] * scale[b];
  }
  return { matrix: out, smoothed: true, eigenvalues };
}
