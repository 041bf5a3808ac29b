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
 * computed per bootstrap replicate. The functions are synchronous and do not call each other while
 * a buffer is in use, so one set serves every caller.
 */
let scratchSize = 0;
let scratch = { rowSum: new Float64Array(0), colSum: new Float64Array(0), dx: new Float64Array(0), dy: new Float64Array(0), ranksX: new Float64Array(0), ranksY: new Float64Array(0) };
function tableScratch(k: number): typeof scratch {
  if (k > scratchSize) {
    scratchSize = Math.max(k, 2 * scratchSize, 16);
    const f = () => new Float64Array(scratchSize);
    scratch = { rowSum: f(), colSum: f(), dx: f(), dy: f(), ranksX: f(), ranksY: f() };
  }
  return scratch;
}

/** `correlationAt` result when the table holds no weight (outside [-1, 1], so never a correlation). */
export const NO_WEIGHT = 2;
/** `correlationAt` result when an item takes a single value on the pair's complete rows. */
export const ZERO_VARIANCE = 3;

const reasonOf = (code: number): string => (code === NO_WEIGHT ? "no weight on the pair's complete rows" : "zero variance on the pair's complete rows");

/**
 * Pearson correlation from a weighted kx x ky table (row-major, at `off` in `cells`) whose rows
 * carry the values `xValues` and columns `yValues`; with `null` values, the mid-ranks of the
 * table's own margins (Spearman, see below):
 *
 *   r = S_xy / sqrt(S_xx S_yy),  S_xy = sum_ab w_ab (x_a - xbar)(y_b - ybar),  xbar = sum_a w_a. x_a / w..
 *
 * For a table of counts (every cell an integer: unweighted data, bootstrap multiplicities) with
 * integer scores (mid-ranks doubled; codes that are integers spanning at most EXACT_CODE_SPAN) the
 * sums are exact integers and r is computed from them (`exactRankCorrelation`,
 * `exactCodeCorrelation`): the exact value after three roundings. Otherwise (survey weights,
 * non-integer codes) the sums are centred (two-pass) for accuracy. Returns `NO_WEIGHT` or
 * `ZERO_VARIANCE` where the correlation is undefined. Works in place on the concatenated tables of
 * the sufficient statistics (no per-pair views), so a whole matrix allocates nothing per pair.
 *
 * Pearson with plain counts is R `cor(x, y, use = "pairwise.complete.obs")`; with weights, R
 * `cov.wt(cbind(x, y), wt = w / sum(w), cor = TRUE)$cor[1, 2]` on the pair's rows (the normalising
 * constant of the weighted covariance cancels in r). Spearman is R `cor(x, y, method = "spearman",
 * use = "pairwise.complete.obs")`, which re-ranks within each pair's complete rows (the table's own
 * margins); ranking each column once over all its answers and then correlating pairwise is a
 * different (wrong) number. With weights the ranks are weighted mid-ranks and the correlation is
 * weighted: for integer weights this equals the unweighted Spearman of the data with each row
 * repeated w times. The result is clamped to [-1, 1], as R's `cor` does.
 */
export function correlationAt(cells: Float64Array, off: number, kx: number, ky: number, xValues: Float64Array | null, yValues: Float64Array | null): number {
  tableMargins(cells, off, kx, ky);
  return correlationFromMargins(cells, off, kx, ky, xValues, yValues);
}

/** Whether every cell of the table `tableMargins` last summed is an integer (counts, multiplicities). */
let countsTable = true;

/**
 * @internal Fills the scratch row and column sums of a table (the first step of `correlationAt`),
 * and notes whether its cells are all integers (see `correlationFromMargins`).
 */
export function tableMargins(cells: Float64Array, off: number, kx: number, ky: number): void {
  const { rowSum, colSum } = tableScratch(Math.max(kx, ky));
  colSum.fill(0, 0, ky);
  let integers = true;
  for (let a = 0, c = off; a < kx; a++) {
    let rs = 0;
    for (let b = 0; b < ky; b++, c++) {
      const w = cells[c];
      if (Math.trunc(w) !== w) integers = false;
      rs += w;
      colSum[b] += w;
    }
    rowSum[a] = rs;
  }
  countsTable = integers;
}

/**
 * Totals below which the exact routes' sums are integers below 2^53 (so exact in any order):
 * Spearman's |S_xy|, S_xx, S_yy are at most N^3 (centred doubled ranks are at most N in size), and
 * Pearson's N S_xy, S_x S_y, N S_xx at most N^2 X Y with codes spanning X, Y <= EXACT_CODE_SPAN.
 */
export const EXACT_RANK_TOTAL = 131072; // 2^17: N^3 < 2^51
export const EXACT_CODE_TOTAL = 262144; // 2^18: N^2 X Y < 2^52
/** Widest span (largest minus smallest code) of an item whose Pearson takes the exact route. */
export const EXACT_CODE_SPAN = 255;

/**
 * The smallest of an item's k code values when they are integers spanning at most
 * `EXACT_CODE_SPAN` (the exact Pearson route's scores are the codes minus it), else NaN.
 */
export function exactCodeBase(values: ArrayLike<number>, k = values.length): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (let a = 0; a < k; a++) {
    const x = values[a];
    if (!Number.isInteger(x)) return NaN;
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  return k > 0 && hi - lo <= EXACT_CODE_SPAN ? lo : NaN;
}

/**
 * @internal `correlationAt` after `tableMargins` of the same table: several correlations of one
 * table (Pearson and Spearman of a bootstrap replicate) share its margins.
 */
export function correlationFromMargins(cells: Float64Array, off: number, kx: number, ky: number, xValues: Float64Array | null, yValues: Float64Array | null): number {
  const { rowSum, colSum, dx, dy, ranksX, ranksY } = scratch;
  const total = marginsTotal(kx, ky);
  if (total < 0) return -total;
  if (countsTable) {
    if (xValues === null && yValues === null) {
      const r = exactRankCorrelation(cells, off, kx, ky, total);
      if (r === r) return r;
    } else if (xValues !== null && yValues !== null) {
      const r = exactCodeCorrelation(cells, off, kx, ky, xValues, yValues, total);
      if (r === r) return r;
    }
  }
  const xv = xValues ?? categoryMidRanks(rowSum, ranksX, kx);
  const yv = yValues ?? categoryMidRanks(colSum, ranksY, ky);
  let xs = 0;
  for (let a = 0; a < kx; a++) xs += rowSum[a] * xv[a];
  let ys = 0;
  for (let b = 0; b < ky; b++) ys += colSum[b] * yv[b];
  const xbar = xs / total;
  const ybar = ys / total;
  let sxx = 0;
  let syy = 0;
  for (let a = 0; a < kx; a++) {
    dx[a] = xv[a] - xbar;
    sxx += rowSum[a] * dx[a] * dx[a];
  }
  for (let b = 0; b < ky; b++) {
    dy[b] = yv[b] - ybar;
    syy += colSum[b] * dy[b] * dy[b];
  }
  return clampUnit(crossSum(cells, off, kx, ky, dx, dy) / Math.sqrt(sxx * syy));
}

/**
 * The scratch margins' total, or minus `NO_WEIGHT` where it is not positive and minus
 * `ZERO_VARIANCE` where an item has fewer than two categories used. Zero variance is decided on the
 * categories present, not on a floating-point S_xx, which can be a rounding residue (e.g. 1e-30)
 * when a single category is observed.
 */
function marginsTotal(kx: number, ky: number): number {
  const { rowSum, colSum } = scratch;
  let total = 0;
  let xUsed = 0;
  for (let a = 0; a < kx; a++) {
    if (rowSum[a] > 0) xUsed++;
    total += rowSum[a];
  }
  let yUsed = 0;
  for (let b = 0; b < ky; b++) if (colSum[b] > 0) yUsed++;
  if (!(total > 0)) return -NO_WEIGHT;
  if (xUsed < 2 || yUsed < 2) return -ZERO_VARIANCE;
  return total;
}

/**
 * Spearman of a table of counts (its margins' total `total`, defined) from exact integer sums, or
 * NaN where the total is too large for them (the centred route then). Each category's score is twice its mid-rank minus N + 1,
 *
 *   c_a = 2 F_{a-1} + f_a - N,
 *
 * an integer (f the margin, F its cumulative sum, N the total), and sum_a f_a c_a = 0 exactly, so
 * r = S_xy / sqrt(S_xx S_yy) with S_xy = sum_ab w_ab c_a d_b, S_xx = sum_a f_a c_a^2: every sum an
 * integer below 2^53, computed exactly in any order, then three roundings. The same correlation as
 * the mid-ranks' (a correlation does not change under x -> 2x - N - 1), and the same bits as the
 * centred route gives a table of counts: there too every quantity is exact (half-integer ranks, their
 * mean (N + 1) / 2), four times smaller, and scaling by 4 commutes with rounding. What the route
 * adds is integers throughout: the counting threads' kernel (wasm/batch-count.wat,
 * pairCorrelationsExact) sums them eight replicates an instruction and gives the same bits.
 */
function exactRankCorrelation(cells: Float64Array, off: number, kx: number, ky: number, total: number): number {
  const { rowSum, colSum, ranksX, ranksY } = scratch;
  if (total >= EXACT_RANK_TOTAL) return NaN;
  const sxx = centredRanks(rowSum, kx, total, ranksX);
  const syy = centredRanks(colSum, ky, total, ranksY);
  return clampUnit(crossSum(cells, off, kx, ky, ranksX, ranksY) / Math.sqrt(sxx * syy));
}

/** `shiftedScores`' sums: sum_a f_a x_a, sum_a f_a x_a^2. */
const scoreSums = new Float64Array(2);

/** An item's scores (code - base) into `out`, and their sums over a margin into `scoreSums`. */
function shiftedScores(freq: Float64Array, values: Float64Array, base: number, k: number, out: Float64Array): void {
  let s = 0;
  let ss = 0;
  for (let a = 0; a < k; a++) {
    const x = (out[a] = values[a] - base);
    s += freq[a] * x;
    ss += freq[a] * x * x;
  }
  scoreSums[0] = s;
  scoreSums[1] = ss;
}

/** A margin's centred doubled mid-ranks 2 F_{a-1} + f_a - N into `out`; returns sum_a f_a c_a^2. */
function centredRanks(freq: Float64Array, k: number, total: number, out: Float64Array): number {
  let sq = 0;
  let before = 0;
  for (let a = 0; a < k; a++) {
    const c = 2 * before + freq[a] - total;
    out[a] = c;
    sq += freq[a] * c * c;
    before += freq[a];
  }
  return sq;
}

/**
 * Pearson of a table of counts (its margins' total `total`, defined) from exact integer sums where
 * both items' codes are integers spanning at most `EXACT_CODE_SPAN` (`exactCodeBase`), or NaN where
 * they are not or the total is too large (the centred route then). With scores x_a = code - smallest code,
 *
 *   r = (N S_xy - S_x S_y) / sqrt((N S_xx - S_x^2) (N S_yy - S_y^2)),
 *
 * every sum, product and difference above an integer below 2^53, so exact whatever the order; the
 * result is the exact value after three roundings (the product under the root, the root, the
 * quotient). The kernel (pairCorrelationsExact) does the same operations on the same integers.
 */
function exactCodeCorrelation(cells: Float64Array, off: number, kx: number, ky: number, xValues: Float64Array, yValues: Float64Array, total: number): number {
  const { rowSum, colSum, dx, dy } = scratch;
  if (total >= EXACT_CODE_TOTAL) return NaN;
  const x0 = exactCodeBase(xValues, kx);
  const y0 = exactCodeBase(yValues, ky);
  if (x0 !== x0 || y0 !== y0) return NaN;
  shiftedScores(rowSum, xValues, x0, kx, dx);
  const sx = scoreSums[0];
  const sxx = scoreSums[1];
  shiftedScores(colSum, yValues, y0, ky, dy);
  const sy = scoreSums[0];
  const syy = scoreSums[1];
  const sxy = crossSum(cells, off, kx, ky, dx, dy);
  return clampUnit((total * sxy - sx * sy) / Math.sqrt((total * sxx - sx * sx) * (total * syy - sy * sy)));
}

/** sum_a x_a (sum_b w_ab y_b) over the kx x ky table at `off`: each row's inner sum first, rows in order. */
function crossSum(cells: Float64Array, off: number, kx: number, ky: number, x: Float64Array, y: Float64Array): number {
  let sxy = 0;
  for (let a = 0, c = off; a < kx; a++) {
    let s = 0;
    for (let b = 0; b < ky; b++, c++) s += cells[c] * y[b];
    sxy += x[a] * s;
  }
  return sxy;
}

/** r clamped to [-1, 1], as R's `cor` does (rounding can leave a perfect correlation just outside). */
function clampUnit(r: number): number {
  return r > 1 ? 1 : r < -1 ? -1 : r;
}

/** A `correlationAt` result as a measure with its reason. */
export function measureOf(r: number): PairMeasure {
  return r === NO_WEIGHT || r === ZERO_VARIANCE ? { value: null, reason: reasonOf(r) } : { value: r };
}

/**
 * Mid-ranks of ordered categories with frequencies (or weights) `freq`: category a gets
 * `F_{a-1} + (f_a + 1) / 2`, the average rank R `rank(ties.method = "average")` gives each of its
 * tied answers (F = cumulative frequency). With non-integer weights the ranks are the weighted
 * mid-ranks shifted by 1/2, which does not change a correlation.
 */
export function categoryMidRanks(freq: ArrayLike<number>, out = new Float64Array(freq.length), k = freq.length): Float64Array {
  let before = 0;
  for (let a = 0; a < k; a++) {
    out[a] = before + (freq[a] + 1) / 2;
    before += freq[a];
  }
  return out;
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
  // A value's average rank depends only on where its ties sit in the sorted values: sorted by the
  // typed array's numeric sort (no comparator call per comparison), each value's tie block found
  // by binary search. The same ranks, (first + 1 + end) / 2 of its block, as ordering the indices;
  // -0 and 0 are one block both ways (< and > see no difference between them). NaN compares as a
  // tie with everything under the comparator below, which no sorted array reproduces: that case
  // keeps it.
  const sorted = new Float64Array(n);
  let nan = false;
  for (let i = 0; i < n; i++) if ((sorted[i] = x[i]) !== sorted[i]) nan = true;
  const ranks = new Float64Array(n);
  if (!nan) {
    sorted.sort();
    for (let i = 0; i < n; i++) {
      const v = x[i];
      // First index not below v, and first above it.
      let lo = 0;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (sorted[mid] < v) lo = mid + 1;
        else hi = mid;
      }
      let e = lo;
      hi = n;
      while (e < hi) {
        const mid = (e + hi) >>> 1;
        if (v < sorted[mid]) hi = mid;
        else e = mid + 1;
      }
      ranks[i] = (lo + 1 + e) / 2;
    }
    return ranks;
  }
  // The comparator returns -1, 0 or 1 rather than x[a] - x[b]: the same order (equal, NaN and
  // infinite differences compare as ties either way), and a small integer is not boxed, where a
  // difference handed back to the sort was one allocation per comparison.
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (x[a] < x[b] ? -1 : x[a] > x[b] ? 1 : 0));
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
