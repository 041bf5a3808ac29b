/**
 * The Inglehart-Welzel cultural map as pure functions of group means (Inglehart & Welzel 2005,
 * "Modernization, Cultural Change and Democracy"; docs/domain.md "Latent structure"): two varimax-
 * rotated principal components of the human groups' indicator means (traditional vs secular-
 * rational, survival vs self-expression), the groups' scores on them, other groups (a language
 * model's) placed with the human solution, and the agreement of the two sets of positions.
 *
 * The method written down (the published reproductions differ in these details):
 * - input: groups x indicators means, each indicator already recoded so that higher = secular /
 *   self-expressive; optionally a weight per human group;
 * - each indicator is centred by the human groups' mean and scaled by their standard deviation
 *   with the n - 1 denominator: `psych::principal(x, 2, rotate = "varimax")`, which the published
 *   maps' SPSS / R runs correspond to, standardises with R's `scale()` (n - 1); the correlation
 *   matrix and so the loadings do not depend on the denominator, the scores' scale does. With
 *   weights: the weighted mean and `cov.wt(x, wt, method = "unbiased")`'s weighted covariance
 *   (divisor 1 - sum w^2 for w summing to 1, which is n - 1 scaled for equal weights);
 * - principal components of the correlation matrix, 2 components, `stats::varimax` (as
 *   psych::principal(rotate = "varimax")), psych's orientation;
 * - scores: psych's regression scores, Z solve(R, loadings) = Z V_2 Lambda_2^-1/2 T (the second
 *   form, used here, needs no inverse of R and so also serves fewer groups than indicators, where R
 *   is singular); equivalently prcomp(x, scale. = TRUE)'s first two scores divided by their
 *   standard deviations, rotated by T;
 * - axis identification: the component with the larger sum of squared loadings over the
 *   indicators the caller assigns to dimension 1 (traditional / secular) is axis 1, the other axis 2;
 *   each axis is signed so that the loadings of its own indicators sum to >= 0.
 */
import { multiply, varimax, orientLoadings, procrustesRotation } from './factor-analysis';
import { symmetricEigen } from './symmetric-eigen';
import { permutationPValue } from './resample';
import { singularValueDecomposition } from './svd';

export type GroupMeans = readonly (readonly number[])[];

export interface CulturalMapOptions {
  /** Indicator columns (0-based) of the traditional / secular-rational dimension: axis 1. */
  dimension1: readonly number[];
  /** Indicator columns of the survival / self-expression dimension: axis 2 (default: all others). */
  dimension2?: readonly number[];
  /** A positive weight per human group (e.g. population); default equal weights. */
  weights?: readonly number[];
}

export interface CulturalMapSolution {
  indicators: number;
  /** Per indicator: the human groups' (weighted) mean. */
  center: number[];
  /** Per indicator: the human groups' (weighted) standard deviation, n - 1 denominator. */
  scale: number[];
  /** Correlation matrix of the human group means (weighted when weights were given). */
  correlation: number[][];
  /** All its eigenvalues, decreasing. */
  eigenvalues: number[];
  /** indicators x 2 rotated loadings, columns = axis 1, axis 2. */
  loadings: number[][];
  /** indicators x 2: a group's position is its standardised means times these. */
  scoreWeights: number[][];
  /** 2 x 2 rotation from the unrotated components (psych's signs) to the axes. */
  rotation: number[][];
  /** Sum of squared loadings per axis divided by the number of indicators. */
  varianceExplained: [number, number];
  /** Positions of the human groups, [axis 1, axis 2] per group. */
  scores: [number, number][];
  weighted: boolean;
  dimension1: number[];
  dimension2: number[];
}

/**
 * Fits the map to the human groups' means (module header for the method). Throws for fewer than
 * three groups or two indicators, a ragged or non-finite matrix, an indicator that does not vary
 * across the groups (its standardisation is undefined), invalid or overlapping dimension columns,
 * invalid weights, or means spanning fewer than two dimensions.
 */
export function fitCulturalMap(humanMeans: GroupMeans, options: CulturalMapOptions): CulturalMapSolution {
  const g = humanMeans.length;
  if (g < 3) throw new RangeError(`fitCulturalMap: needs at least 3 groups, got ${g}`);
  const p = humanMeans[0].length;
  if (p < 2) throw new RangeError(`fitCulturalMap: needs at least 2 indicators, got ${p}`);
  humanMeans.forEach((row, i) => {
    if (row.length !== p) throw new RangeError(`fitCulturalMap: group ${i} has ${row.length} indicators, expected ${p}`);
    row.forEach((v, j) => {
      if (!Number.isFinite(v)) throw new RangeError(`fitCulturalMap: group ${i}, indicator ${j} is not finite`);
    });
  });
  const { dimension1, dimension2 } = checkDimensions(options, p);
  const w = normalisedWeights(options.weights, g);

  const center = Array.from({ length: p }, (_, j) => humanMeans.reduce((s, row, i) => s + w[i] * row[j], 0));
  const divisor = 1 - w.reduce((s, v) => s + v * v, 0);
  const cov = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  for (let i = 0; i < g; i++) {
    const d = humanMeans[i].map((v, j) => v - center[j]);
    for (let a = 0; a < p; a++) for (let b = 0; b <= a; b++) cov[a][b] += w[i] * d[a] * d[b];
  }
  for (let a = 0; a < p; a++) for (let b = 0; b <= a; b++) cov[b][a] = cov[a][b] = cov[a][b] / divisor;
  const scale = cov.map((row, j) => Math.sqrt(row[j]));
  // An indicator constant across groups up to rounding of its mean: no direction to standardise.
  scale.forEach((s, j) => {
    if (!(s > 1e-12 * Math.max(1, Math.abs(center[j])))) throw new RangeError(`fitCulturalMap: indicator ${j} does not vary across the human groups`);
  });
  const correlation = cov.map((row, a) => row.map((v, b) => (a === b ? 1 : v / (scale[a] * scale[b]))));

  const { values, vectors } = symmetricEigen(correlation, 2);
  if (!(values[1] > 1e-10 * values[0])) throw new RangeError('fitCulturalMap: the human means span fewer than two dimensions');
  const sqrtValues = [Math.sqrt(values[0]), Math.sqrt(values[1])];
  // psych::principal: unrotated loadings signed by their column sums, varimax, orientation.
  const unrotated = orientLoadings(Array.from({ length: p }, (_, i) => [vectors[0][i] * sqrtValues[0], vectors[1][i] * sqrtValues[1]]));
  const rotated = varimax(unrotated.loadings);
  const psych = orientLoadings(rotated.loadings);
  const T0 = rotated.rotation.map((row) => psych.order.map((c, j) => row[c] * psych.signs[j]));
  // The product's axis identification.
  const ss1 = [0, 1].map((c) => dimension1.reduce((s, j) => s + psych.loadings[j][c] ** 2, 0));
  const axisOrder = ss1[0] >= ss1[1] ? [0, 1] : [1, 0];
  const axisSigns = [dimension1, dimension2].map((dims, a) => (dims.reduce((s, j) => s + psych.loadings[j][axisOrder[a]], 0) < 0 ? -1 : 1));
  const loadings = psych.loadings.map((row) => axisOrder.map((c, a) => row[c] * axisSigns[a]));
  const rotation = T0.map((row) => axisOrder.map((c, a) => row[c] * axisSigns[a]));
  // Score weights V_2 diag(lambda^-1/2) (signed as the unrotated loadings) times the rotation.
  const unitScores = Array.from({ length: p }, (_, i) => [0, 1].map((c) => (vectors[c][i] * unrotated.signs[c]) / sqrtValues[c]));
  const scoreWeights = multiply(unitScores, rotation);
  const ssAxis = [0, 1].map((c) => loadings.reduce((s, row) => s + row[c] * row[c], 0));

  const solution: CulturalMapSolution = {
    indicators: p,
    center,
    scale,
    correlation,
    eigenvalues: values,
    loadings,
    scoreWeights,
    rotation,
    varianceExplained: [ssAxis[0] / p, ssAxis[1] / p],
    scores: [],
    weighted: options.weights !== undefined,
    dimension1,
    dimension2,
  };
  solution.scores = placeOnMap(solution, humanMeans).map((s) => s as [number, number]);
  return solution;
}

/**
 * Positions of other groups (a model's answers under country personas, say) on the human map:
 * each group's means standardised with the human centre and scale, times the human score weights,
 * so both sets share the axes. A group with a missing (null) or non-finite indicator mean has no
 * position (null). Throws when a row has the wrong number of indicators.
 */
export function placeOnMap(solution: CulturalMapSolution, means: readonly (readonly (number | null)[])[]): ([number, number] | null)[] {
  const p = solution.indicators;
  return means.map((row, i) => {
    if (row.length !== p) throw new RangeError(`placeOnMap: group ${i} has ${row.length} indicators, expected ${p}`);
    if (row.some((v) => v === null || !Number.isFinite(v))) return null;
    let x = 0;
    let y = 0;
    for (let j = 0; j < p; j++) {
      const z = ((row[j] as number) - solution.center[j]) / solution.scale[j];
      x += z * solution.scoreWeights[j][0];
      y += z * solution.scoreWeights[j][1];
    }
    return [x, y];
  });
}

export interface MapAgreement {
  /** Groups with a position in both sets (the statistics below use these). */
  groups: number;
  /** Groups left out because either position is null. */
  excluded: number;
  /** Per group (input order): Euclidean distance between the two positions, null where either is missing. */
  distances: (number | null)[];
  meanDistance: number | null;
  /** Pearson correlation of the human and model coordinates, per axis; null with < 2 groups or no variation. */
  pearson: [number | null, number | null];
  /**
   * Procrustes comparison of the two configurations (vegan::procrustes(X = human, Y = model)):
   * - symmetricSs: `procrustes(X, Y, symmetric = TRUE)$ss` = 1 - (sum of singular values of X'Y)^2
   *   after centring both and scaling each to unit sum of squares; 0 = same shape, 1 = unrelated;
   *   symmetric in the two sets;
   * - correlation: sqrt(1 - symmetricSs), `vegan::protest`'s t0 (the Procrustes correlation);
   * - ss: `procrustes(X, Y)$ss`, the residual sum of squares of the human positions after the model
   *   positions are centred, rotated and scaled onto them (in map units; not symmetric);
   * - scale and rotation: that fit's c and A (Y_rot = c Y A).
   * null with fewer than 2 groups or a configuration without spread.
   */
  procrustes: { symmetricSs: number; correlation: number; ss: number; scale: number; rotation: number[][] } | null;
}

/**
 * Agreement of model positions with the human positions of the same groups (row i of each is the
 * same group): distances, per-axis Pearson correlations and the Procrustes statistics above.
 * Throws when the two lists differ in length.
 */
export function mapAgreement(
  humanScores: readonly (readonly [number, number] | null)[],
  modelScores: readonly (readonly [number, number] | null)[],
): MapAgreement {
  if (humanScores.length !== modelScores.length) {
    throw new RangeError(`mapAgreement: ${humanScores.length} human and ${modelScores.length} model positions`);
  }
  const X: number[][] = [];
  const Y: number[][] = [];
  const distances = humanScores.map((h, i) => {
    const m = modelScores[i];
    if (!h || !m || !h.every(Number.isFinite) || !m.every(Number.isFinite)) return null;
    X.push([h[0], h[1]]);
    Y.push([m[0], m[1]]);
    return Math.hypot(h[0] - m[0], h[1] - m[1]);
  });
  const n = X.length;
  const defined = distances.filter((d): d is number => d !== null);
  return {
    groups: n,
    excluded: humanScores.length - n,
    distances,
    meanDistance: n > 0 ? defined.reduce((s, d) => s + d, 0) / n : null,
    pearson: [pearson(X.map((r) => r[0]), Y.map((r) => r[0])), pearson(X.map((r) => r[1]), Y.map((r) => r[1]))],
    procrustes: n >= 2 ? procrustesFit(X, Y) : null,
  };
}

/**
 * The permutation null of the Procrustes correlation (`vegan::protest(X = human, Y = model,
 * permutations)`): the model's positions matched to the wrong groups. Both configurations are
 * centred and scaled to unit sum of squares; each permutation's statistic is the sum of the
 * singular values of X' Y[perm, ] (the correlation of that matching), and
 *   p = (#{t >= t0 - sqrt(eps)} + 1) / (N + 1)
 * with t0 the observed correlation (vegan's tie tolerance, resample.ts VEGAN_TIE_TOLERANCE).
 * Permutations index the groups with both positions (in input order), as `mapAgreement` keeps
 * them. Null with fewer than 2 such groups or a configuration without spread.
 */
export function procrustesNull(
  humanScores: readonly (readonly [number, number] | null)[],
  modelScores: readonly (readonly [number, number] | null)[],
  permutations: readonly ArrayLike<number>[],
): { observed: number; statistics: number[]; p: number | null } | null {
  const X: number[][] = [];
  const Y: number[][] = [];
  humanScores.forEach((h, i) => {
    const m = modelScores[i];
    if (!h || !m || !h.every(Number.isFinite) || !m.every(Number.isFinite)) return;
    X.push([h[0], h[1]]);
    Y.push([m[0], m[1]]);
  });
  const n = X.length;
  if (n < 2) return null;
  const unit = (A: number[][]): number[][] | null => {
    const c = centreColumns(A);
    const ss = Math.sqrt(sumOfSquares(c));
    return ss > 0 ? c.map((row) => row.map((v) => v / ss)) : null;
  };
  const xu = unit(X);
  const yu = unit(Y);
  if (!xu || !yu) return null;
  const statistic = (perm: ArrayLike<number> | null): number => {
    const xy = [0, 1].map((a) => [0, 1].map((b) => xu.reduce((s, row, i) => s + row[a] * yu[perm ? perm[i] : i][b], 0)));
    return singularValueDecomposition(xy).d.reduce((s, v) => s + v, 0);
  };
  const observed = statistic(null);
  const statistics = permutations.map((perm) => {
    if (perm.length !== n) throw new RangeError(`procrustesNull: a permutation of ${perm.length} groups for ${n}`);
    return statistic(perm);
  });
  return { observed, statistics, p: statistics.length ? permutationPValue(observed, statistics, 'greater') : null };
}

/** vegan::procrustes(X, Y, scale = TRUE) and its symmetric variant on centred configurations. */
function procrustesFit(X: number[][], Y: number[][]): MapAgreement['procrustes'] {
  const xc = centreColumns(X);
  const yc = centreColumns(Y);
  const ssX = sumOfSquares(xc);
  const ssY = sumOfSquares(yc);
  if (!(ssX > 0) || !(ssY > 0)) return null;
  // X'Y = U D V'; vegan's rotation A = V U' (Y A is rotated onto X); sum(D) is the same for the
  // symmetric variant up to the scaling by sqrt(ssX ssY).
  const k = X[0].length;
  const xy = Array.from({ length: k }, (_, a) => Array.from({ length: k }, (_, b) => xc.reduce((s, row, i) => s + row[a] * yc[i][b], 0)));
  const { d } = singularValueDecomposition(xy);
  const trace = d.reduce((s, v) => s + v, 0);
  const scale = trace / ssY;
  // Rotation of Y onto X: the orthogonal Procrustes rotation of Y toward X.
  const { rotation } = procrustesRotation(xc, yc);
  const normalised = trace / Math.sqrt(ssX * ssY);
  const symmetricSs = Math.max(0, 1 - normalised * normalised);
  return {
    symmetricSs,
    correlation: Math.sqrt(1 - symmetricSs),
    ss: Math.max(0, ssX - (trace * trace) / ssY),
    scale,
    rotation,
  };
}

function pearson(x: number[], y: number[]): number | null {
  const n = x.length;
  if (n < 2) return null;
  const mx = x.reduce((s, v) => s + v, 0) / n;
  const my = y.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : null;
}

function centreColumns(X: number[][]): number[][] {
  const k = X[0].length;
  const means = Array.from({ length: k }, (_, c) => X.reduce((s, row) => s + row[c], 0) / X.length);
  return X.map((row) => row.map((v, c) => v - means[c]));
}

function sumOfSquares(X: number[][]): number {
  return X.reduce((s, row) => s + row.reduce((t, v) => t + v * v, 0), 0);
}

function checkDimensions(options: CulturalMapOptions, p: number): { dimension1: number[]; dimension2: number[] } {
  const check = (dims: readonly number[], name: string): number[] => {
    if (dims.length === 0) throw new RangeError(`fitCulturalMap: ${name} lists no indicator`);
    dims.forEach((j) => {
      if (!Number.isInteger(j) || j < 0 || j >= p) throw new RangeError(`fitCulturalMap: ${name} has column ${j}, outside 0..${p - 1}`);
    });
    if (new Set(dims).size !== dims.length) throw new RangeError(`fitCulturalMap: ${name} repeats a column`);
    return Array.from(dims);
  };
  const dimension1 = check(options.dimension1, 'dimension1');
  const dimension2 = check(options.dimension2 ?? Array.from({ length: p }, (_, j) => j).filter((j) => !dimension1.includes(j)), 'dimension2');
  if (dimension2.some((j) => dimension1.includes(j))) throw new RangeError('fitCulturalMap: dimension1 and dimension2 share a column');
  return { dimension1, dimension2 };
}

function normalisedWeights(weights: readonly number[] | undefined, g: number): number[] {
  if (weights === undefined) return new Array<number>(g).fill(1 / g);
  if (weights.length !== g) throw new RangeError(`fitCulturalMap: ${weights.length} weights for ${g} groups`);
  weights.forEach((v, i) => {
    if (!(Number.isFinite(v) && v > 0)) throw new RangeError(`fitCulturalMap: weight ${i} is ${v}, not a positive number`);
  });
  const total = weights.reduce((s, v) => s + v, 0);
  return weights.map((v) => v / total);
}
