/**
 * How close a language model's item-by-item association structure is to the human one: distances
 * between the two matrices, agreement of their off-diagonal entries, a Mantel permutation test, the
 * Steiger test of equal correlation matrices, per-pair Fisher-z tests with false-discovery-rate
 * control, and Tucker congruence of the principal components.
 */
import type { AssociationMatrix } from './association';
import { fisherZ, pearsonVectors, spearmanVectors } from './correlation';
import { chiSquareSf } from './chi-square';
import { normalSf } from './distributions';
import { benjaminiHochberg } from './multiple-testing';
import { permutedCrossSums } from './permuted-cross';
import { Prng } from './prng';
import { symmetricEigen, type SymmetricEigen } from './symmetric-eigen';

export interface PairTest {
  i: string;
  j: string;
  reference: number;
  run: number;
  /** Fisher-z difference statistic, positive when the run's association is the larger; null when a correlation is +-1 or a pair has n <= 3. */
  z: number | null;
  /** Two-sided normal p-value. */
  p: number | null;
  /** Benjamini-Hochberg adjusted p-value over all pairs with a p-value. */
  q: number | null;
}

export interface MatrixComparison {
  /** Upper-triangle pairs defined in both matrices (the pairs every statistic below uses). */
  pairs: number;
  /** Upper-triangle pairs left out because either matrix has null there. */
  excludedPairs: number;
  /** Root mean square of (run - reference) over the pairs. */
  rmse: number | null;
  mae: number | null;
  maxAbsDiff: number | null;
  maxAbsDiffPair: [string, string] | null;
  /** Frobenius norm of the whole difference matrix (both triangles and the defined diagonal). */
  frobeniusFull: number | null;
  /** Frobenius norm over the upper triangle only (= frobeniusFull / sqrt(2) when the diagonals agree). */
  frobeniusUpper: number | null;
  /** Correlation of the off-diagonal vectors of the two matrices. */
  pearson: number | null;
  spearman: number | null;
  /** Share of pairs whose entries have the same sign; an exact zero agrees only with an exact zero. */
  signAgreement: number | null;
  mantel: { r: number | null; p: number | null; permutations: number };
  steiger: { chi2: number | null; df: number; p: number | null; n: number };
  tucker: { components: number; congruence: (number | null)[]; mean: number | null; reason: string | null };
  /** Eigenvalues, decreasing; null unless both matrices are fully defined. */
  eigenvalues: { reference: number[]; run: number[] } | null;
  pairTests: PairTest[];
  /** False discovery rate used to count discoveries (q <= fdr). */
  fdr: number;
  discoveries: number;
}

export interface CompareOptions {
  /** Respondents behind the reference matrix (Steiger test). */
  referenceN: number;
  /** Respondents (simulated) behind the run matrix. */
  runN: number;
  /** Mantel permutations (default 999; 0 skips the test). */
  permutations?: number;
  /** Seed of the Mantel permutations (default 1). */
  seed?: number;
  /** Principal components compared by Tucker congruence (default 3, at most the number of items). */
  tuckerComponents?: number;
  /** False discovery rate for counting pair discoveries (default 0.05). */
  fdr?: number;
}

/** vegan counts a permuted statistic within sqrt(machine epsilon) of the observed one as reaching it. */
const MANTEL_EPS = Math.sqrt(Number.EPSILON);

/**
 * Compare a run's association matrix with the reference (human) matrix over the same items.
 *
 * Pairs are the upper-triangle entries defined (non-null) in both matrices; the rest are counted
 * in `excludedPairs`. With d = run - reference over the pairs:
 * - rmse = sqrt(mean d^2), mae = mean |d|, max |d| and its pair;
 * - frobeniusFull = ||R_run - R_ref||_F = sqrt(2 sum_{i<j} d^2 + sum_i d_ii^2), frobeniusUpper = sqrt(sum_{i<j} d^2);
 * - Pearson / Spearman correlation of the two off-diagonal vectors, and their sign agreement;
 * - Mantel test (Mantel 1967) as R `vegan::mantel(ref, run, method = "pearson")`: r = Pearson of the
 *   lower triangles; one-sided p = (#{r_perm >= r - sqrt(eps)} + 1) / (permutations + 1), permuting
 *   the rows and columns of the reference together with the seeded `Prng`. With null entries each
 *   permutation's r uses the pairs defined in both (permuted) matrices.
 * - Steiger (1980) test of equal matrices as R `psych::cortest(R1, R2, n1, n2)`:
 *   chi2 = (n - 3) sum_{i<j} (z1 - z2)^2, z = atanh(r), n = n1 n2 / (n1 + n2), df = pairs (psych:
 *   p(p - 1)/2, the same when nothing is excluded), p = P(chi2_df > chi2). Pairs with |r| = 1 are
 *   left out (infinite z).
 * - per-pair tests z = (z_run - z_ref) / sqrt(1/(n_ref - 3) + 1/(n_run - 3)) with each pair's own complete-row
 *   counts (Fisher 1921; exact in distribution only for Pearson correlations of bivariate normal
 *   data: read them as indicative for Spearman, Cramer's V or polychoric), two-sided normal p and
 *   Benjamini-Hochberg q (R `p.adjust(p, "BH")`).
 * - eigenvalues of both matrices and Tucker's (1951) congruence phi = sum(ab) / sqrt(sum a^2 sum b^2)
 *   of the first k principal-component loadings (eigenvector x sqrt(eigenvalue)), sign aligned so
 *   phi >= 0, as R `psych::factor.congruence`. Policy for null entries: an eigen-decomposition of
 *   a matrix with holes is not defined, so eigenvalues and congruences are computed only when both
 *   matrices are fully defined (diagonal included); otherwise they are null with the reason.
 *   A component whose eigenvalue is <= 0 in either matrix (possible with pairwise deletion) has
 *   null congruence.
 */
export function compareMatrices(reference: AssociationMatrix, run: AssociationMatrix, options: CompareOptions): MatrixComparison {
  const m = reference.items.length;
  if (run.items.length !== m || run.items.some((id, i) => id !== reference.items[i])) {
    throw new Error('compareMatrices: the two matrices cover different items (same ids in the same order are required)');
  }
  const permutations = options.permutations ?? 999;
  const fdr = options.fdr ?? 0.05;
  const R = reference.values;
  const S = run.values;

  const refVec: number[] = [];
  const runVec: number[] = [];
  const pairI: number[] = [];
  const pairJ: number[] = [];
  let excludedPairs = 0;
  for (let i = 0; i < m; i++) {
    for (let j = i + 1; j < m; j++) {
      const a = R[i][j];
      const b = S[i][j];
      if (a === null || b === null) {
        excludedPairs++;
        continue;
      }
      refVec.push(a);
      runVec.push(b);
      pairI.push(i);
      pairJ.push(j);
    }
  }
  const pairs = refVec.length;

  let rmse: number | null = null;
  let mae: number | null = null;
  let maxAbsDiff: number | null = null;
  let maxAbsDiffPair: [string, string] | null = null;
  let frobeniusFull: number | null = null;
  let frobeniusUpper: number | null = null;
  let signAgreement: number | null = null;
  if (pairs > 0) {
    let sq = 0;
    let ab = 0;
    let best = -1;
    let bestAt = 0;
    let same = 0;
    for (let t = 0; t < pairs; t++) {
      const d = runVec[t] - refVec[t];
      sq += d * d;
      ab += Math.abs(d);
      if (Math.abs(d) > best) {
        best = Math.abs(d);
        bestAt = t;
      }
      if (Math.sign(runVec[t]) === Math.sign(refVec[t])) same++;
    }
    let diag = 0;
    for (let i = 0; i < m; i++) {
      const a = R[i][i];
      const b = S[i][i];
      if (a !== null && b !== null) diag += (b - a) * (b - a);
    }
    rmse = Math.sqrt(sq / pairs);
    mae = ab / pairs;
    maxAbsDiff = best;
    maxAbsDiffPair = [reference.items[pairI[bestAt]], reference.items[pairJ[bestAt]]];
    frobeniusUpper = Math.sqrt(sq);
    frobeniusFull = Math.sqrt(2 * sq + diag);
    signAgreement = same / pairs;
  }
  const pearson = pairs >= 2 ? pearsonVectors(refVec, runVec) : null;
  const spearman = pairs >= 2 ? spearmanVectors(refVec, runVec) : null;

  const mantel = mantelTest(R, S, pearson, permutations, options.seed ?? 1);

  // Steiger / psych::cortest.
  const nSteiger = (options.referenceN * options.runN) / (options.referenceN + options.runN);
  let zsq = 0;
  let df = 0;
  const pairTests: PairTest[] = [];
  const pvals: (number | null)[] = [];
  for (let t = 0; t < pairs; t++) {
    const i = pairI[t];
    const j = pairJ[t];
    const z1 = fisherZ(refVec[t]);
    const z2 = fisherZ(runVec[t]);
    let z: number | null = null;
    let p: number | null = null;
    if (z1 !== null && z2 !== null) {
      zsq += (z1 - z2) * (z1 - z2);
      df++;
      const n1 = reference.n[i][j];
      const n2 = run.n[i][j];
      if (n1 > 3 && n2 > 3) {
        z = (z2 - z1) / Math.sqrt(1 / (n1 - 3) + 1 / (n2 - 3));
        p = Math.min(1, 2 * normalSf(Math.abs(z)));
      }
    }
    pvals.push(p);
    pairTests.push({ i: reference.items[i], j: reference.items[j], reference: refVec[t], run: runVec[t], z, p, q: null });
  }
  const q = benjaminiHochberg(pvals);
  let discoveries = 0;
  for (let t = 0; t < pairs; t++) {
    pairTests[t].q = q[t];
    if (q[t] !== null && (q[t] as number) <= fdr) discoveries++;
  }
  const chi2 = df > 0 && nSteiger > 3 ? (nSteiger - 3) * zsq : null;
  const steiger = { chi2, df, p: chi2 === null ? null : chiSquareSf(chi2, df), n: nSteiger };

  const k = Math.min(options.tuckerComponents ?? 3, m);
  const { eigenvalues, tucker } = principalComponentCongruence(R, S, k);

  return {
    pairs,
    excludedPairs,
    rmse,
    mae,
    maxAbsDiff,
    maxAbsDiffPair,
    frobeniusFull,
    frobeniusUpper,
    pearson,
    spearman,
    signAgreement,
    mantel,
    steiger,
    tucker,
    eigenvalues,
    pairTests,
    fdr,
    discoveries,
  };
}

let lastPermutations: { key: string; perms: Uint32Array } | null = null;

/**
 * The permutations a Mantel test draws from `new Prng(seed)`, one after the other (permutations x m
 * entries). Every method of an evaluation, and every re-evaluation, draws the same ones: the last
 * set is kept.
 */
function mantelPermutations(seed: number, m: number, permutations: number): Uint32Array {
  const key = `${seed}:${m}:${permutations}`;
  if (lastPermutations?.key !== key) {
    const rng = new Prng(seed);
    const perms = new Uint32Array(permutations * m);
    for (let b = 0; b < permutations; b++) perms.set(rng.permutation(m), b * m);
    lastPermutations = { key, perms };
  }
  return lastPermutations.perms;
}

/** Mantel r and its permutation p (see `compareMatrices`); the reference matrix is permuted. */
function mantelTest(
  R: (number | null)[][],
  S: (number | null)[][],
  observed: number | null,
  permutations: number,
  seed: number,
): { r: number | null; p: number | null; permutations: number } {
  const m = R.length;
  if (observed === null || permutations <= 0) return { r: observed, p: null, permutations };
  // NaN marks a null entry in these internal dense copies only.
  const ref = new Float64Array(m * m);
  const run = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      ref[i * m + j] = R[i][j] ?? NaN;
      run[i * m + j] = S[i][j] ?? NaN;
    }
  }
  const rng = new Prng(seed);
  let reached = 0;
  let complete = true;
  for (let i = 0; i < m && complete; i++) {
    for (let j = i + 1; j < m; j++) {
      if (!(ref[i * m + j] === ref[i * m + j]) || !(run[i * m + j] === run[i * m + j])) {
        complete = false;
        break;
      }
    }
  }
  if (complete) {
    // Without holes a permutation only reorders the reference's off-diagonal entries, so their mean
    // and variance are fixed: r_perm = sum x_perm (y - ybar) / sqrt(S_xx S_yy), one pass per permutation.
    const npairs = (m * (m - 1)) / 2;
    let sx = 0;
    let sy = 0;
    for (let i = 0; i < m; i++) {
      for (let j = i + 1; j < m; j++) {
        sx += ref[i * m + j];
        sy += run[i * m + j];
      }
    }
    const xbar = sx / npairs;
    const ybar = sy / npairs;
    const yc = new Float64Array(m * m);
    let sxx = 0;
    let syy = 0;
    for (let i = 0; i < m; i++) {
      for (let j = i + 1; j < m; j++) {
        const dx = ref[i * m + j] - xbar;
        yc[i * m + j] = run[i * m + j] - ybar;
        sxx += dx * dx;
        syy += yc[i * m + j] * yc[i * m + j];
      }
    }
    const scale = Math.sqrt(sxx * syy);
    // sxy of every permutation, sum over i < j of ref[perm i, perm j] yc[i, j] (permuted-cross.ts).
    const perms = mantelPermutations(seed, m, permutations);
    const sxy = new Float64Array(permutations);
    permutedCrossSums(ref, yc, m, perms, permutations, sxy);
    for (let b = 0; b < permutations; b++) if (sxy[b] / scale >= observed - MANTEL_EPS) reached++;
    return { r: observed, p: (reached + 1) / (permutations + 1), permutations };
  }
  const x: number[] = [];
  const y: number[] = [];
  for (let b = 0; b < permutations; b++) {
    const perm = rng.permutation(m);
    x.length = 0;
    y.length = 0;
    for (let i = 0; i < m; i++) {
      const pi = perm[i] * m;
      for (let j = i + 1; j < m; j++) {
        const a = ref[pi + perm[j]];
        const c = run[i * m + j];
        if (a === a && c === c) {
          x.push(a);
          y.push(c);
        }
      }
    }
    const r = pearsonVectors(x, y);
    if (r !== null && r >= observed - MANTEL_EPS) reached++;
  }
  return { r: observed, p: (reached + 1) / (permutations + 1), permutations };
}

/**
 * Eigen-decompositions by matrix object: an evaluation compares every run's matrix with the same
 * reference matrix, whose decomposition (a few milliseconds for 175 items) is then computed once.
 * Matrices are not modified once built, so the object identifies the numbers. An entry holds all
 * eigenvalues and the leading eigenvectors; it is recomputed when more vectors are asked for.
 */
const eigenCache = new WeakMap<number[][], SymmetricEigen>();
function eigenOf(M: number[][], k: number): SymmetricEigen {
  let e = eigenCache.get(M);
  if (!e || e.vectors.length < Math.min(k, M.length)) {
    e = symmetricEigen(M, k);
    eigenCache.set(M, e);
  }
  return e;
}

function principalComponentCongruence(
  R: (number | null)[][],
  S: (number | null)[][],
  k: number,
): { eigenvalues: MatrixComparison['eigenvalues']; tucker: MatrixComparison['tucker'] } {
  const hasNull = (M: (number | null)[][]): boolean => M.some((row) => row.some((v) => v === null));
  if (R.length === 0) {
    return { eigenvalues: null, tucker: { components: 0, congruence: [], mean: null, reason: 'no items' } };
  }
  if (hasNull(R) || hasNull(S)) {
    return {
      eigenvalues: null,
      tucker: {
        components: k,
        congruence: [],
        mean: null,
        reason: 'a matrix has undefined entries, so its eigen-decomposition is undefined',
      },
    };
  }
  const a = eigenOf(R as number[][], k);
  const b = eigenOf(S as number[][], k);
  const congruence: (number | null)[] = [];
  for (let c = 0; c < k; c++) {
    if (!(a.values[c] > 0) || !(b.values[c] > 0)) {
      congruence.push(null);
      continue;
    }
    const sa = Math.sqrt(a.values[c]);
    const sb = Math.sqrt(b.values[c]);
    let ab = 0;
    let aa = 0;
    let bb = 0;
    for (let i = 0; i < R.length; i++) {
      const la = a.vectors[c][i] * sa;
      const lb = b.vectors[c][i] * sb;
      ab += la * lb;
      aa += la * la;
      bb += lb * lb;
    }
    // Principal components have arbitrary sign: align them (reflect one) so that phi >= 0.
    congruence.push(Math.abs(ab) / Math.sqrt(aa * bb));
  }
  const defined = congruence.filter((v): v is number => v !== null);
  return {
    eigenvalues: { reference: a.values, run: b.values },
    tucker: {
      components: k,
      congruence,
      mean: defined.length ? defined.reduce((s, v) => s + v, 0) / defined.length : null,
      reason: defined.length === k ? null : 'a component has a non-positive eigenvalue',
    },
  };
}
