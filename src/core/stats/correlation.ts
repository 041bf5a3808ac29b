/**
 * Pearson and Spearman correlations of two survey items computed from their contingency table
 * (the pair's complete rows, see `pairTable` in ../sufficient), and of two plain vectors.
 *
 * Working from the table keeps every correlation a function of the mergeable sufficient statistics
 * and makes pairwise deletion exact by construction: the table holds only the rows where both
 * answers are present, so means, variances and ranks are those of the pair's complete rows, as R
 * `cor(use = "pairwise.complete.obs")` computes them.
 */

/** A measure on one pair: a value, or null with the reason it is undefined. */
export interface PairMeasure {
  value: number | null;
  reason?: string;
}

/**
 * Scratch buffers of the table correlations, reused across calls: a matrix of 15,225 pairs is
 * computed per bootstrap replicate, and four small arrays per pair were most of its time (in
 * allocation and garbage collection). The functions are synchronous and do not call each other
 * while a buffer is in use, so one set serves every caller.
 */
let scratchSize = 0;
let scratch = { rowSum: new Float64Array(0), colSum: new Float64Array(0), dx: new Float64Array(0), dy: new Float64Array(0), ranksX: new Float64Array(0), ranksY: new Float64Array(0), sumsX: new Float64Array(0), sumsY: new Float64Array(0) };
function pearsonScratch(k: number): typeof scratch {
  if (k > scratchSize) {
    scratchSize = Math.max(k, 2 * scratchSize, 16);
    const f = () => new Float64Array(scratchSize);
    scratch = { rowSum: f(), colSum: f(), dx: f(), dy: f(), ranksX: f(), ranksY: f(), sumsX: f(), sumsY: f() };
  }
  return scratch;
}

/**
 * Pearson correlation from a weighted k_x x k_y table (row-major) whose rows carry the values
 * `xValues` and columns `yValues`:
 *
 *   r = S_xy / sqrt(S_xx S_yy),  S_xy = sum_ab w_ab (x_a - xbar)(y_b - ybar),  xbar = sum_a w_a. x_a / w..
 *
 * The sums are centred (two-pass) for accuracy. With plain counts this is R
 * `cor(x, y, use = "pairwise.complete.obs")`; with weights it is R
 * `cov.wt(cbind(x, y), wt = w / sum(w), cor = TRUE)$cor[1, 2]` on the pair's rows (the normalising
 * constant of the weighted covariance cancels in r). The result is clamped to [-1, 1], as R's
 * `cor` does. Null when an item takes a single value on the pair's rows (zero variance) or the
 * table is empty.
 */
export function pearsonFromTable(
  cells: ArrayLike<number>,
  xValues: ArrayLike<number>,
  yValues: ArrayLike<number>,
): PairMeasure {
  const kx = xValues.length;
  const ky = yValues.length;
  const { rowSum, colSum, dx, dy } = pearsonScratch(Math.max(kx, ky));
  rowSum.fill(0, 0, kx);
  colSum.fill(0, 0, ky);
  for (let a = 0; a < kx; a++) {
    for (let b = 0; b < ky; b++) {
      const w = cells[a * ky + b];
      rowSum[a] += w;
      colSum[b] += w;
    }
  }
  let total = 0;
  let xs = 0;
  let xUsed = 0;
  for (let a = 0; a < kx; a++) {
    if (rowSum[a] > 0) xUsed++;
    total += rowSum[a];
    xs += rowSum[a] * xValues[a];
  }
  let ys = 0;
  let yUsed = 0;
  for (let b = 0; b < ky; b++) {
    if (colSum[b] > 0) yUsed++;
    ys += colSum[b] * yValues[b];
  }
  if (!(total > 0)) return { value: null, reason: 'no weight on the pair\'s complete rows' };
  // Zero variance is decided on the categories present, not on a floating-point S_xx, which can be
  // a rounding residue (e.g. 1e-30) when a single category is observed.
  if (xUsed < 2 || yUsed < 2) return { value: null, reason: 'zero variance on the pair\'s complete rows' };
  const xbar = xs / total;
  const ybar = ys / total;
  let sxx = 0;
  let syy = 0;
  for (let a = 0; a < kx; a++) {
    dx[a] = xValues[a] - xbar;
    sxx += rowSum[a] * dx[a] * dx[a];
  }
  for (let b = 0; b < ky; b++) {
    dy[b] = yValues[b] - ybar;
    syy += colSum[b] * dy[b] * dy[b];
  }
  let sxy = 0;
  for (let a = 0; a < kx; a++) {
    let s = 0;
    for (let b = 0; b < ky; b++) s += cells[a * ky + b] * dy[b];
    sxy += dx[a] * s;
  }
  const r = sxy / Math.sqrt(sxx * syy);
  return { value: r > 1 ? 1 : r < -1 ? -1 : r };
}

/**
 * Mid-ranks of ordered categories with frequencies (or weights) `freq`: category a gets
 * `F_{a-1} + (f_a + 1) / 2`, the average rank R `rank(ties.method = "average")` gives each of its
 * tied answers (F = cumulative frequency). With non-integer weights the ranks are the weighted
 * mid-ranks shifted by 1/2, which does not change a correlation.
 */
export function categoryMidRanks(freq: ArrayLike<number>, out = new Float64Array(freq.length)): Float64Array {
  let before = 0;
  for (let a = 0; a < freq.length; a++) {
    out[a] = before + (freq[a] + 1) / 2;
    before += freq[a];
  }
  return out;
}

/**
 * Spearman correlation from a table: Pearson correlation of the mid-ranks of both items, the ranks
 * taken over the pair's complete rows only (the table's own margins). This is R
 * `cor(x, y, method = "spearman", use = "pairwise.complete.obs")`, which re-ranks within each
 * pair's complete rows; ranking each column once over all its answers and then correlating
 * pairwise is a different (wrong) number. With weights, the ranks are weighted mid-ranks and the
 * correlation is weighted: for integer weights this equals the unweighted Spearman of the data with
 * each row repeated w times (frequency weights).
 */
export function spearmanFromTable(cells: ArrayLike<number>, kx: number, ky: number): PairMeasure {
  const { sumsX: rowSum, sumsY: colSum, ranksX, ranksY } = pearsonScratch(Math.max(kx, ky));
  rowSum.fill(0, 0, kx);
  colSum.fill(0, 0, ky);
  for (let a = 0; a < kx; a++) {
    for (let b = 0; b < ky; b++) {
      rowSum[a] += cells[a * ky + b];
      colSum[b] += cells[a * ky + b];
    }
  }
  return pearsonFromTable(cells, categoryMidRanks(rowSum.subarray(0, kx), ranksX.subarray(0, kx)), categoryMidRanks(colSum.subarray(0, ky), ranksY.subarray(0, ky)));
}

/** Pearson correlation of two equal-length vectors (two-pass, centred); null if either is constant or n < 2. */
export function pearsonVectors(x: ArrayLike<number>, y: ArrayLike<number>): number | null {
  const n = x.length;
  if (n !== y.length) throw new RangeError('pearsonVectors: vectors differ in length');
  if (n < 2) return null;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    sx += x[i];
    sy += y[i];
  }
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx;
    const dy = y[i] - my;
    sxx += dx * dx;
    syy += dy * dy;
    sxy += dx * dy;
  }
  if (!(sxx > 0) || !(syy > 0)) return null;
  const r = sxy / Math.sqrt(sxx * syy);
  return r > 1 ? 1 : r < -1 ? -1 : r;
}

/** Average ranks (1-based, ties get the mean of their positions), R `rank(x, ties.method = "average")`. */
export function averageRanks(x: ArrayLike<number>): Float64Array {
  const n = x.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => x[a] - x[b]);
  const ranks = new Float64Array(n);
  let s = 0;
  while (s < n) {
    let e = s + 1;
    while (e < n && x[order[e]] === x[order[s]]) e++;
    const r = (s + 1 + e) / 2; // mean of positions s+1 .. e
    for (let t = s; t < e; t++) ranks[order[t]] = r;
    s = e;
  }
  return ranks;
}

/** Spearman correlation of two vectors: Pearson of their average ranks, R `cor(x, y, method = "spearman")`. */
export function spearmanVectors(x: ArrayLike<number>, y: ArrayLike<number>): number | null {
  return pearsonVectors(averageRanks(x), averageRanks(y));
}

/** Fisher's z transform atanh(r) = 0.5 log((1 + r) / (1 - r)) (Fisher 1915); null for |r| >= 1. */
export function fisherZ(r: number): number | null {
  if (!(Math.abs(r) < 1)) return null;
  return Math.atanh(r);
}
