/**
 * Group-level ("ecological") structure, as in arXiv 2601.15755 ("Beyond Marginal Distributions"):
 * a matrix A[group, item] of mean valid answers scaled to 0..1 by the item's range, the item-item
 * Pearson correlation across the group rows, and the same at topic level (items averaged within
 * their topic first). Works from per-group answer distributions, so distribution-level runs
 * (OpinionQA-style shares) have a group-level structure too.
 */
/// <reference path="../count/kernels/wat.d.ts" />
import acrossGroupsBytes from './kernels/across-groups.wat';
import { codeOffsets, itemRange, type ItemCodebook } from '../read/codebook';
import { align, kernelSwitch, reserve, type KernelMemory } from '../count/kernels/instance';
import { permutedCrossSums } from './permuted-cross';

export interface GroupMeanMatrix {
  groups: string[];
  /** Column ids: items, or topics for a topic-level matrix. */
  columns: string[];
  /** values[g][j] = scaled mean in [0, 1], null where the group has no valid answer. */
  values: (number | null)[][];
  /** Total weight (or count) of valid answers behind each entry. */
  weight: number[][];
}

/**
 * Scaled mean of one answer distribution: (sum_c w_c x_c / sum_c w_c - lo) / range, with x_c the
 * item's code values, lo its lowest code and range its highest minus lowest. Null for an empty
 * distribution or a one-code item.
 */
function scaledMean(weights: ArrayLike<number>, codes: readonly number[], lo: number, range: number): number | null {
  return scaledMeanInto(meanOut, 0, weights, 0, codes, lo, range) ? meanOut[0] : null;
}
const meanOut = new Float64Array(1);

/**
 * `scaledMean` of the weights at `weights[base..]` into out[k] (NaN where it is null), and whether
 * it is defined: the bootstrap's replicates take it this way, so that no number is boxed per entry.
 */
function scaledMeanInto(out: Float64Array, k: number, weights: ArrayLike<number>, base: number, codes: readonly number[], lo: number, range: number): boolean {
  let s = 0;
  let w = 0;
  for (let c = 0; c < codes.length; c++) {
    s += weights[base + c] * codes[c];
    w += weights[base + c];
  }
  if (!(w > 0) || !(range > 0)) {
    out[k] = NaN;
    return false;
  }
  out[k] = (s / w - lo) / range;
  return true;
}

function lowestCode(item: Pick<ItemCodebook, 'codes'>): number {
  let lo = Infinity;
  for (const c of item.codes) lo = Math.min(lo, c);
  return lo;
}

function total(d: ArrayLike<number>): number {
  let s = 0;
  for (let c = 0; c < d.length; c++) s += d[c];
  return s;
}

/**
 * A[g][j] from per-group, per-item answer distributions (`distributions[g][j]` over item j's codes).
 * A mean of codes is meaningful for ordinal items only: the evaluation leaves nominal items out of
 * the group level unless the config names them (`groupLevelItems`, src/core/evaluate/group-evaluation.ts).
 */
export function groupMeanMatrix(groups: string[], items: ItemCodebook[], distributions: ArrayLike<number>[][]): GroupMeanMatrix {
  const lows = items.map(lowestCode);
  const ranges = items.map(itemRange);
  return {
    groups: [...groups],
    columns: items.map((i) => i.id),
    values: distributions.map((row) => row.map((d, j) => scaledMean(d, items[j].codes, lows[j], ranges[j]))),
    weight: distributions.map((row) => row.map((d) => total(d))),
  };
}

/** Topic-level matrix: the mean of each group's scaled item means within each topic (nulls skipped). */
export function topicMeanMatrix(a: GroupMeanMatrix, topicOf: (column: string) => string | undefined): GroupMeanMatrix {
  const topics: string[] = [];
  const members = new Map<string, number[]>();
  a.columns.forEach((c, j) => {
    const t = topicOf(c);
    if (!t) return;
    if (!members.has(t)) {
      members.set(t, []);
      topics.push(t);
    }
    members.get(t)!.push(j);
  });
  return {
    groups: a.groups,
    columns: topics,
    values: a.values.map((row) =>
      topics.map((t) => {
        let s = 0;
        let n = 0;
        for (const j of members.get(t)!) {
          const v = row[j];
          if (v !== null) {
            s += v;
            n++;
          }
        }
        return n ? s / n : null;
      }),
    ),
    weight: a.weight.map((row) => topics.map((t) => members.get(t)!.reduce((s, j) => s + row[j], 0))),
  };
}

/**
 * Sample Pearson correlation of two columns over the rows where both are defined; null when fewer
 * than 2 such rows or either column has zero variance on them (numpy would give nan).
 * Two-pass (centred) for accuracy.
 */
export function pearsonPairwise(x: ArrayLike<number | null>, y: ArrayLike<number | null>): number | null {
  let n = 0;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < x.length; i++) {
    const a = x[i];
    const b = y[i];
    if (a === null || b === null) continue;
    n++;
    sx += a;
    sy += b;
  }
  if (n < 2) return null;
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let i = 0; i < x.length; i++) {
    const a = x[i];
    const b = y[i];
    if (a === null || b === null) continue;
    const dx = a - mx;
    const dy = b - my;
    sxx += dx * dx;
    syy += dy * dy;
    sxy += dx * dy;
  }
  if (!(sxx > 0) || !(syy > 0)) return null;
  const r = sxy / Math.sqrt(sxx * syy);
  return Math.max(-1, Math.min(1, r));
}

export interface AcrossGroupCorrelation {
  columns: string[];
  /** Item-item Pearson correlation across groups; diagonal 1 (null for a zero-variance column). */
  values: (number | null)[][];
  /** Number of groups where both columns are defined. */
  n: number[][];
  /** Columns whose scaled mean does not vary across groups: their correlations are undefined. */
  zeroVariance: string[];
}

/** The columns of A, and those defined in every group centred once (null for the others). */
function columnsOf(a: GroupMeanMatrix) {
  const cols = a.columns.map((_, j) => a.values.map((row) => row[j]));
  // Columns defined in every group (the usual case) are centred once: a pair of them needs only
  // the cross-product, summed in the same order as pearsonPairwise, so the result is identical.
  const groups = a.values.length;
  const centred = cols.map((c) => {
    if (groups < 2 || c.some((v) => v === null)) return null;
    let sum = 0;
    for (let g = 0; g < groups; g++) sum += c[g] as number;
    const mean = sum / groups;
    const d = new Float64Array(groups);
    let ss = 0;
    for (let g = 0; g < groups; g++) {
      d[g] = (c[g] as number) - mean;
      ss += d[g] * d[g];
    }
    return { d, ss };
  });
  return { cols, centred, groups };
}

/** Correlation of columns i and j of `columnsOf(a)` across the groups (null where undefined). */
function columnPairCorrelation(c: ReturnType<typeof columnsOf>, i: number, j: number): number | null {
  const ci = c.centred[i];
  const cj = c.centred[j];
  if (!ci || !cj) return pearsonPairwise(c.cols[i], c.cols[j]);
  let sxy = 0;
  for (let g = 0; g < c.groups; g++) sxy += ci.d[g] * cj.d[g];
  return !(ci.ss > 0) || !(cj.ss > 0) ? null : Math.max(-1, Math.min(1, sxy / Math.sqrt(ci.ss * cj.ss)));
}

/**
 * The strict upper triangle of `acrossGroupCorrelation(a).values` (pairIndex order, NaN for null):
 * the same numbers without the matrix's objects, for the group-level bootstrap's replicates.
 */
export function acrossGroupUpper(a: GroupMeanMatrix): Float64Array {
  const m = a.columns.length;
  const c = columnsOf(a);
  const G = c.groups;
  // The centred columns side by side (column-major), for a tight loop over the complete pairs.
  const d = new Float64Array(m * G);
  const ss = new Float64Array(m);
  c.centred.forEach((col, j) => {
    if (col) {
      d.set(col.d, j * G);
      ss[j] = col.ss;
    }
  });
  const out = new Float64Array((m * (m - 1)) / 2);
  for (let i = 0, p = 0; i < m; i++) {
    const ci = c.centred[i] !== null;
    for (let j = i + 1; j < m; j++, p++) {
      if (!ci || c.centred[j] === null) {
        out[p] = columnPairCorrelation(c, i, j) ?? NaN;
        continue;
      }
      // The same sums in the same order as columnPairCorrelation.
      let sxy = 0;
      for (let g = 0, x = i * G, y = j * G; g < G; g++, x++, y++) sxy += d[x] * d[y];
      out[p] = !(ss[i] > 0) || !(ss[j] > 0) ? NaN : Math.max(-1, Math.min(1, sxy / Math.sqrt(ss[i] * ss[j])));
    }
  }
  return out;
}

/** Item-item (or topic-topic) correlation of the columns of A across its group rows. */
export function acrossGroupCorrelation(a: GroupMeanMatrix): AcrossGroupCorrelation {
  const m = a.columns.length;
  const columns = columnsOf(a);
  const { cols, centred, groups } = columns;
  const values: (number | null)[][] = [];
  const n: number[][] = [];
  const zeroVariance: string[] = [];
  for (let i = 0; i < m; i++) {
    const defined = cols[i].filter((v): v is number => v !== null);
    const varies = defined.some((v) => v !== defined[0]);
    if (!varies) zeroVariance.push(a.columns[i]);
  }
  for (let i = 0; i < m; i++) {
    values.push(new Array(m).fill(null));
    n.push(new Array(m).fill(0));
  }
  const zero = new Set(zeroVariance);
  for (let i = 0; i < m; i++) {
    const selfN = cols[i].filter((v) => v !== null).length;
    n[i][i] = selfN;
    values[i][i] = zero.has(a.columns[i]) ? null : 1;
    for (let j = i + 1; j < m; j++) {
      if (centred[i] && centred[j]) n[i][j] = n[j][i] = groups;
      else {
        let both = 0;
        for (let g = 0; g < cols[i].length; g++) if (cols[i][g] !== null && cols[j][g] !== null) both++;
        n[i][j] = n[j][i] = both;
      }
      values[i][j] = values[j][i] = columnPairCorrelation(columns, i, j);
    }
  }
  return { columns: [...a.columns], values, n, zeroVariance };
}

export interface UpperComparison {
  /** Pearson correlation of the two strict upper triangles (pairs defined on both sides). */
  pearson: number | null;
  /** Root mean squared difference over the same pairs. */
  rmse: number | null;
  pairs: number;
}

/** Compares two correlation matrices over their strict upper triangles, as the paper does. */
export function compareUpperTriangles(a: (number | null)[][], b: (number | null)[][], perm?: ArrayLike<number>): UpperComparison {
  const m = a.length;
  // Pair vectors in reused buffers: a permutation null calls this ~1,000 times per run.
  const size = (m * (m - 1)) / 2;
  if (pairScratch.x.length < size) pairScratch = { x: new Float64Array(size), y: new Float64Array(size) };
  const { x: xs, y: ys } = pairScratch;
  let n = 0;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < m; i++) {
    const ai = a[i];
    const bi = perm ? b[perm[i]] : b[i];
    for (let j = i + 1; j < m; j++) {
      const u = ai[j];
      const v = perm ? bi[perm[j]] : bi[j];
      if (u === null || v === null) continue;
      xs[n] = u;
      ys[n] = v;
      sx += u;
      sy += v;
      n++;
    }
  }
  return compareGathered(xs, ys, n, sx, sy);
}

/**
 * Pearson and RMSE of the first n gathered pairs (both sides defined), in their order, given their
 * sums (`sx`, `sy`, added in that order while gathering): `pearsonPairwise`'s arithmetic (the sums,
 * then the centred sums) and the squared differences summed in the second pass, so the same
 * numbers, in loops that only ever see Float64Arrays (`pearsonPairwise` is called with arrays of
 * numbers and nulls too, and its element reads are then polymorphic; the bootstrap calls this a few
 * hundred times an evaluation on 15,225 pairs).
 */
function compareGathered(x: Float64Array, y: Float64Array, n: number, sx: number, sy: number): UpperComparison {
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  let ss = 0;
  for (let k = 0; k < n; k++) {
    const a = x[k];
    const b = y[k];
    const dx = a - mx;
    const dy = b - my;
    sxx += dx * dx;
    syy += dy * dy;
    sxy += dx * dy;
    ss += (a - b) ** 2;
  }
  let pearson: number | null = null;
  if (n >= 2 && sxx > 0 && syy > 0) {
    const r = sxy / Math.sqrt(sxx * syy);
    pearson = Math.max(-1, Math.min(1, r));
  }
  return { pearson, rmse: n ? Math.sqrt(ss / n) : null, pairs: n };
}
let pairScratch = { x: new Float64Array(0), y: new Float64Array(0) };

/**
 * The permutation null of `compareUpperTriangles(a, b).pearson`: for each of `permutations`
 * permutations drawn in order from `rng` (`rng.permutation(m)`), the Pearson r of a's upper
 * triangle with b's items permuted (rows and columns together); undefined values are left out, as
 * there. Without undefined entries a permutation only reorders b's entries, so both means and sums
 * of squares are fixed and r = sum (x - xbar)(y_perm - ybar) / sqrt(S_xx S_yy) costs one pass of
 * multiply-adds over a dense copy (as `mantelTest` does); the same value up to rounding.
 */
export function upperTrianglePermutationNull(a: (number | null)[][], b: (number | null)[][], permutations: number, rng: { permutation(n: number): ArrayLike<number> }, signal?: AbortSignal): number[] {
  const m = a.length;
  const out: number[] = [];
  let complete = true;
  for (let i = 0; i < m && complete; i++) for (let j = i + 1; j < m; j++) if (a[i][j] === null || b[i][j] === null) complete = false;
  if (!complete) {
    for (let k = 0; k < permutations; k++) {
      if (k % 100 === 0) signal?.throwIfAborted();
      const r = compareUpperTriangles(a, b, rng.permutation(m)).pearson;
      if (r !== null) out.push(r);
    }
    return out;
  }
  const npairs = (m * (m - 1)) / 2;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < m; i++) {
    for (let j = i + 1; j < m; j++) {
      sx += a[i][j] as number;
      sy += b[i][j] as number;
    }
  }
  const xbar = sx / npairs;
  const ybar = sy / npairs;
  // a's centred entries in its upper triangle, b's in both (b is the one permuted).
  const xc = new Float64Array(m * m);
  const yc = new Float64Array(m * m);
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < m; i++) {
    for (let j = i + 1; j < m; j++) {
      const c = (xc[i * m + j] = (a[i][j] as number) - xbar);
      const d = (b[i][j] as number) - ybar;
      yc[i * m + j] = yc[j * m + i] = d;
      sxx += c * c;
      syy += d * d;
    }
  }
  // Permutations drawn in slices of 100 (the abort check's step), each slice's sums at once.
  const slice = 100;
  const perms = new Uint32Array(Math.min(slice, permutations) * m);
  const sxy = new Float64Array(Math.min(slice, permutations));
  for (let k = 0; k < permutations; k += slice) {
    signal?.throwIfAborted();
    const count = Math.min(slice, permutations - k);
    for (let q = 0; q < count; q++) perms.set(rng.permutation(m), q * m);
    if (npairs < 2 || !(sxx > 0) || !(syy > 0)) continue;
    permutedCrossSums(yc, xc, m, perms, count, sxy);
    for (let q = 0; q < count; q++) {
      const r = sxy[q] / Math.sqrt(sxx * syy);
      out.push(r > 1 ? 1 : r < -1 ? -1 : r);
    }
  }
  return out;
}

/** The strict upper triangle of a symmetric matrix as a vector (pairIndex order, NaN for null). */
export function upperTriangleOf(values: readonly (readonly (number | null)[])[]): Float64Array {
  const m = values.length;
  const out = new Float64Array((m * (m - 1)) / 2);
  for (let i = 0, p = 0; i < m; i++) for (let j = i + 1; j < m; j++, p++) out[p] = values[i][j] ?? NaN;
  return out;
}

/**
 * `compareUpperTriangles(a, b).pearson` for upper triangles given as vectors (pairIndex order, NaN
 * for null, see `associationValues`): the pairs defined in both, in the same order, so the same number.
 */
export function upperTrianglePearson(a: Float64Array, b: Float64Array): number | null {
  return compareUpperVectors(a, b).pearson;
}

/** `compareUpperTriangles` for upper triangles given as vectors (see `upperTrianglePearson`): the same numbers. */
export function compareUpperVectors(a: Float64Array, b: Float64Array): UpperComparison {
  // Where no value is undefined (a bootstrap replicate's matrix usually) the vectors are the
  // gathered ones: the sums in the same order, without the copy.
  let sx = 0;
  let sy = 0;
  let complete = true;
  for (let p = 0; p < a.length; p++) {
    const u = a[p];
    const v = b[p];
    if (u !== u || v !== v) {
      complete = false;
      break;
    }
    sx += u;
    sy += v;
  }
  if (complete) return compareGathered(a, b, a.length, sx, sy);
  if (pairScratch.x.length < a.length) pairScratch = { x: new Float64Array(a.length), y: new Float64Array(a.length) };
  const { x, y } = pairScratch;
  let n = 0;
  sx = 0;
  sy = 0;
  for (let p = 0; p < a.length; p++) {
    const u = a[p];
    const v = b[p];
    if (u !== u || v !== v) continue; // NaN: undefined in either matrix
    x[n] = u;
    y[n] = v;
    sx += u;
    sy += v;
    n++;
  }
  return compareGathered(x, y, n, sx, sy);
}

/**
 * A replicate's answer weights of every group, one buffer a group (the bootstrap draws hundreds of
 * replicates of groups x items: one array per item each was most of an evaluation's allocations):
 * group g's weights of item j's codes are groups[g][offsets[j] .. offsets[j + 1]).
 */
export interface FlatGroupWeights {
  groups: Float64Array[];
  offsets: Int32Array;
}

/** `distributions[g][j]` (over item j's `k[j]` codes) as `FlatGroupWeights`. */
export function flatGroupWeights(distributions: readonly (readonly ArrayLike<number>[])[], k: ArrayLike<number>): FlatGroupWeights {
  const m = k.length;
  const offsets = codeOffsets(k);
  const groups = distributions.map((row) => {
    const all = new Float64Array(offsets[m]);
    for (let j = 0; j < m; j++) for (let c = 0; c < k[j]; c++) all[offsets[j] + c] = row[j][c];
    return all;
  });
  return { groups, offsets };
}

/** `FlatGroupWeights` as distributions[g][j] (views of its buffers), as `groupMeanMatrix` takes them. */
export function nestedGroupWeights(flat: FlatGroupWeights): Float64Array[][] {
  const m = flat.offsets.length - 1;
  return flat.groups.map((all) => Array.from({ length: m }, (_, j) => all.subarray(flat.offsets[j], flat.offsets[j + 1])));
}

/**
 * `compareUpperVectors(refUpper, acrossGroupUpper(groupMeanMatrix(groups, items, distributions)))`
 * for the group-level bootstrap's replicates (given as `FlatGroupWeights`; `nestedGroupWeights` is
 * what groupMeanMatrix takes): the scaled means straight into one flat column-major buffer, the
 * columns defined in every group centred once, each pair's correlation and the comparison with `refUpper` in one pass,
 * in buffers reused from one replicate to the next. It reproduces those functions' arithmetic (the
 * same `scaledMean`, the same sums in the same order, the same clamping, `pearsonPairwise`'s two
 * passes for columns with a null, the same pairs left out), so the numbers are the same bit for
 * bit. A pair undefined in `refUpper` is left out before its correlation is computed.
 */
export function replicateUpperComparer(items: readonly ItemCodebook[], refUpper: Float64Array): (distributions: FlatGroupWeights) => UpperComparison {
  const m = items.length;
  if (refUpper.length !== (m * (m - 1)) / 2) throw new Error(`replicateUpperComparer: ${refUpper.length} reference pairs for ${m} items`);
  const s: ReplicateScratch = {
    m,
    codes: items.map((i) => i.codes),
    lows: items.map(lowestCode),
    ranges: items.map(itemRange),
    refUpper,
    values: new Float64Array(0),
    defined: new Uint8Array(0),
    centred: new Float64Array(0),
    ss: new Float64Array(m),
    complete: new Uint8Array(m),
    cross: new Float64Array(m),
    rUpper: new Float64Array(refUpper.length),
  };
  return (distributions) => {
    const size = m * distributions.groups.length;
    if (s.values.length < size) {
      s.values = new Float64Array(size);
      s.defined = new Uint8Array(size);
      s.centred = new Float64Array(size);
    }
    return compareReplicate(s, distributions);
  };
}

/**
 * The items' codes and the reference pairs, and the buffers of one replicate, column-major (entry
 * (g, j) at j * groups + g): the scaled means; whether each is defined (a mask rather than NaN, so a
 * mean that is NaN but not null takes the same path as in `columnsOf`); the centred complete
 * columns, their sums of squares and which columns are complete; one column's cross-products with
 * the later ones; each pair's correlation (the upper triangle, NaN where undefined).
 */
interface ReplicateScratch {
  m: number;
  codes: readonly (readonly number[])[];
  lows: number[];
  ranges: number[];
  refUpper: Float64Array;
  values: Float64Array;
  defined: Uint8Array;
  centred: Float64Array;
  ss: Float64Array;
  complete: Uint8Array;
  cross: Float64Array;
  rUpper: Float64Array;
}

/** One replicate of `replicateUpperComparer` (buffers sized by the caller). */
function compareReplicate(s: ReplicateScratch, distributions: FlatGroupWeights): UpperComparison {
  // Local bindings: the loops below read the buffers without going through the object.
  const { m, codes, lows, ranges, refUpper, values, defined, centred, ss, complete, cross, rUpper } = s;
  const G = distributions.groups.length;
  const offsets = distributions.offsets;
  for (let g = 0; g < G; g++) {
    const row = distributions.groups[g];
    for (let j = 0, k = g; j < m; j++, k += G) {
      defined[k] = scaledMeanInto(values, k, row, offsets[j], codes[j], lows[j], ranges[j]) ? 1 : 0;
    }
  }
  // columnsOf: sum in group order, mean = sum / groups, d = v - mean, ss += d * d. Other columns
  // are zero here (their correlations come from pearsonPairwise, as in columnPairCorrelation).
  for (let j = 0, o = 0; j < m; j++, o += G) {
    let all = G >= 2;
    for (let g = 0; g < G && all; g++) if (!defined[o + g]) all = false;
    complete[j] = all ? 1 : 0;
    if (!all) {
      centred.fill(0, o, o + G);
      continue;
    }
    let sum = 0;
    for (let g = 0; g < G; g++) sum += values[o + g];
    const mean = sum / G;
    let q = 0;
    for (let g = 0; g < G; g++) {
      const d = (centred[o + g] = values[o + g] - mean);
      q += d * d;
    }
    ss[j] = q;
  }
  // Every column complete: the correlations from the kernel (the same numbers, see
  // across-groups.wat), gathered where both sides are defined as in compareUpperVectors.
  let allComplete = true;
  for (let j = 0; j < m && allComplete; j++) if (complete[j] !== 1) allComplete = false;
  const kern = allComplete ? acrossGroups.get() : null;
  if (kern) {
    const npairs = refUpper.length;
    const cOff = 0;
    const ssOff = align(8 * G * m, 16);
    const outOff = ssOff + align(8 * m, 16);
    reserve(kern.memory, outOff + 8 * npairs);
    const f64 = new Float64Array(kern.memory.buffer);
    for (let j = 0, o = 0; j < m; j++, o += G) for (let g = 0, x = cOff / 8 + j; g < G; g++, x += m) f64[x] = centred[o + g];
    f64.set(ss.subarray(0, m), ssOff / 8);
    kern.correlations(cOff, ssOff, m, G, outOff);
    return compareUpperVectors(refUpper, f64.subarray(outOff / 8, outOff / 8 + npairs));
  }
  // acrossGroupUpper's correlations into rUpper (NaN where the reference's pair is undefined: not
  // computed), then compared as by compareUpperVectors.
  for (let i = 0, p = 0, oi = 0; i < m; i++, oi += G) {
    const ssi = ss[i];
    const dense = complete[i] === 1 && ssi > 0;
    if (dense) {
      // Column i's cross-products with the later columns, four at a time: each is still summed
      // over the groups in order (acrossGroupUpper's sxy), the four sums interleaved.
      let j = i + 1;
      for (; j + 3 < m; j += 4) {
        const o0 = j * G;
        const o1 = o0 + G;
        const o2 = o1 + G;
        const o3 = o2 + G;
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        for (let g = 0; g < G; g++) {
          const d = centred[oi + g];
          s0 += d * centred[o0 + g];
          s1 += d * centred[o1 + g];
          s2 += d * centred[o2 + g];
          s3 += d * centred[o3 + g];
        }
        cross[j] = s0;
        cross[j + 1] = s1;
        cross[j + 2] = s2;
        cross[j + 3] = s3;
      }
      for (; j < m; j++) {
        let s0 = 0;
        for (let g = 0, o = j * G; g < G; g++) s0 += centred[oi + g] * centred[o + g];
        cross[j] = s0;
      }
    }
    for (let j = i + 1; j < m; j++, p++) {
      // NaN: undefined in the reference, left out whatever the replicate's value. r through a
      // typed array, not a local: a local that may hold a call's result is kept as a boxed number,
      // one allocation per pair (measured: ~300 KB a replicate).
      if (refUpper[p] !== refUpper[p]) rUpper[p] = NaN;
      else if (complete[i] !== 1 || complete[j] !== 1) rUpper[p] = pearsonPairwise(nullableColumn(values, defined, oi, G), nullableColumn(values, defined, j * G, G)) ?? NaN;
      else if (!dense || !(ss[j] > 0)) rUpper[p] = NaN;
      else rUpper[p] = Math.max(-1, Math.min(1, cross[j] / Math.sqrt(ssi * ss[j])));
    }
  }
  return compareUpperVectors(refUpper, rUpper);
}

interface AcrossGroupsKernel {
  memory: KernelMemory;
  correlations(c: number, ss: number, m: number, G: number, out: number): void;
}

const acrossGroups = kernelSwitch<AcrossGroupsKernel>(acrossGroupsBytes);

/** Whether replicates' correlations across groups may run in WebAssembly (tests turn it off to check the JavaScript route). */
export const useWasmAcrossGroups = acrossGroups.allow;

/** Column `o`..`o + length` of a flat buffer as `columnsOf` has it: null where `defined` is 0. */
function nullableColumn(values: Float64Array, defined: Uint8Array, o: number, length: number): (number | null)[] {
  return Array.from({ length }, (_, g) => (defined[o + g] ? values[o + g] : null));
}
