/**
 * Additive sufficient statistics of categorical survey data: weighted per-item category counts and
 * the weighted contingency table of every item pair over the pair's complete rows (pairwise
 * deletion). Every measure of the evaluation (marginal distances, Pearson, Spearman, polychoric,
 * Cramer's V, group means) is a function of these tables, so they are computed in one pass,
 * and tables of disjoint row sets add up (`mergeSufficientStats`): chunks, workers, or a database
 * can produce them independently.
 */
import type { ItemCodebook } from './codebook';
import { MISSING, type SurveyData } from './dataset';

export interface SufficientStats {
  items: ItemCodebook[];
  /** Number of valid categories per item (items[i].codes.length). */
  k: Int32Array;
  /** Respondents (rows) that contributed, whatever their answers. */
  rows: number;
  /** Whether cells hold weighted sums (true) or plain counts (false). */
  weighted: boolean;
  /** Per item: sum of weights per category (length k[i]). */
  itemWeights: Float64Array[];
  /** Per item: number of respondents per category (unweighted). */
  itemCounts: Float64Array[];
  /** Per item: sum of squared weights of its valid answers (for Kish's effective n). */
  itemWeightSq: Float64Array;
  /** Offset of pair (i < j) in pairWeights / pairCounts; the table is k[i] x k[j], row-major. */
  pairOffset: Int32Array;
  /** Weighted tables of all pairs, concatenated. */
  pairWeights: Float64Array;
  /** Unweighted tables (the same array as pairWeights when the data are unweighted). */
  pairCounts: Float64Array;
}

/** Index of the unordered pair (i < j) among m items, in row-major upper-triangle order. */
export function pairIndex(m: number, i: number, j: number): number {
  return (i * (2 * m - i - 1)) / 2 + (j - i - 1);
}

export interface PairTable {
  /** Rows: categories of item i; columns: categories of item j. */
  ki: number;
  kj: number;
  /** Weighted cell sums, row-major (length ki * kj). A view: do not modify. */
  weights: Float64Array;
  /** Unweighted cell counts, row-major. */
  counts: Float64Array;
}

/** The contingency table of items i < j. */
export function pairTable(stats: SufficientStats, i: number, j: number): PairTable {
  if (!(i < j)) throw new RangeError(`pairTable needs i < j, got ${i}, ${j}`);
  const m = stats.items.length;
  const p = pairIndex(m, i, j);
  const ki = stats.k[i];
  const kj = stats.k[j];
  const off = stats.pairOffset[p];
  const len = ki * kj;
  return {
    ki,
    kj,
    weights: stats.pairWeights.subarray(off, off + len),
    counts: stats.pairCounts.subarray(off, off + len),
  };
}

export interface SufficientStatsOptions {
  /** Indices of the columns (items) to include; default all, in data order. */
  columns?: readonly number[];
  /** Rows to include (e.g. a subgroup); default all. Repeats count as repeats. */
  rows?: Uint32Array | readonly number[];
  /**
   * Per-row weights overriding data.weights (e.g. survey weight x bootstrap multiplicity);
   * indexed by row number in the data, not by position in `rows`.
   */
  weights?: Float64Array | null;
  /** Skip pair tables (marginals only). */
  marginalsOnly?: boolean;
}

function allocate(items: ItemCodebook[], weighted: boolean, marginalsOnly: boolean): SufficientStats {
  const m = items.length;
  const k = Int32Array.from(items, (it) => it.codes.length);
  const npairs = (m * (m - 1)) / 2;
  const pairOffset = new Int32Array(npairs);
  let total = 0;
  if (!marginalsOnly) {
    let p = 0;
    for (let i = 0; i < m; i++) {
      for (let j = i + 1; j < m; j++) {
        pairOffset[p++] = total;
        total += k[i] * k[j];
      }
    }
  }
  const pairWeights = new Float64Array(total);
  return {
    items,
    k,
    rows: 0,
    weighted,
    itemWeights: items.map((it) => new Float64Array(it.codes.length)),
    itemCounts: items.map((it) => new Float64Array(it.codes.length)),
    itemWeightSq: new Float64Array(m),
    pairOffset,
    pairWeights,
    pairCounts: weighted ? new Float64Array(total) : pairWeights,
  };
}

/**
 * One pass over the data: per-item counts and every pair's table.
 *
 * Cost O(rows x pairs). Missing answers are mapped to an extra slot (index k) so the inner loop is
 * branch-free; the slot's row and column are dropped when the table is stored.
 */
export function computeSufficientStats(data: SurveyData, options: SufficientStatsOptions = {}): SufficientStats {
  const colIdx = options.columns ?? data.columns.map((_, i) => i);
  const cols = colIdx.map((c) => data.columns[c]);
  const items = cols.map((c) => c.item);
  const w = options.weights !== undefined ? options.weights : data.weights;
  const stats = allocate(items, w !== null, options.marginalsOnly === true);
  const rowList = options.rows ?? null;
  const nrows = rowList ? rowList.length : data.n;
  stats.rows = nrows;
  const m = cols.length;

  // Gather each item's answers for the selected rows with missing mapped to k (dense, cache-friendly).
  const slots: Uint8Array[] = cols.map((c, i) => {
    const kk = stats.k[i];
    const out = new Uint8Array(nrows);
    const v = c.values;
    for (let r = 0; r < nrows; r++) {
      const x = v[rowList ? rowList[r] : r];
      out[r] = x === MISSING ? kk : x;
    }
    return out;
  });
  let rw: Float64Array | null = null;
  if (w) {
    rw = new Float64Array(nrows);
    for (let r = 0; r < nrows; r++) rw[r] = w[rowList ? rowList[r] : r];
  }

  for (let i = 0; i < m; i++) {
    const kk = stats.k[i];
    const s = slots[i];
    const cw = new Float64Array(kk + 1);
    const cc = new Float64Array(kk + 1);
    let sq = 0;
    for (let r = 0; r < nrows; r++) {
      const x = s[r];
      cc[x] += 1;
      if (rw) {
        const wr = rw[r];
        cw[x] += wr;
        if (x < kk) sq += wr * wr;
      }
    }
    stats.itemCounts[i].set(cc.subarray(0, kk));
    stats.itemWeights[i].set((rw ? cw : cc).subarray(0, kk));
    stats.itemWeightSq[i] = rw ? sq : stats.itemCounts[i].reduce((a, b) => a + b, 0);
  }
  if (options.marginalsOnly) return stats;

  let p = 0;
  for (let i = 0; i < m; i++) {
    const ki = stats.k[i];
    const a = slots[i];
    for (let j = i + 1; j < m; j++, p++) {
      const kj = stats.k[j];
      const stride = kj + 1;
      const b = slots[j];
      const tw = new Float64Array((ki + 1) * stride);
      if (rw) {
        const tc = new Float64Array((ki + 1) * stride);
        for (let r = 0; r < nrows; r++) {
          const idx = a[r] * stride + b[r];
          tw[idx] += rw[r];
          tc[idx] += 1;
        }
        storeTable(stats.pairCounts, stats.pairOffset[p], tc, ki, kj);
      } else {
        for (let r = 0; r < nrows; r++) tw[a[r] * stride + b[r]] += 1;
      }
      storeTable(stats.pairWeights, stats.pairOffset[p], tw, ki, kj);
    }
  }
  return stats;
}

function storeTable(dest: Float64Array, off: number, t: Float64Array, ki: number, kj: number): void {
  const stride = kj + 1;
  for (let a = 0; a < ki; a++) {
    for (let b = 0; b < kj; b++) dest[off + a * kj + b] = t[a * stride + b];
  }
}

/** Sum of the statistics of disjoint row sets over the same items (same order, same codes). */
export function mergeSufficientStats(a: SufficientStats, b: SufficientStats): SufficientStats {
  if (a.items.length !== b.items.length || a.items.some((it, i) => it.id !== b.items[i].id || it.codes.length !== b.items[i].codes.length)) {
    throw new Error('mergeSufficientStats: the two statistics cover different items');
  }
  if (a.pairWeights.length !== b.pairWeights.length) {
    throw new Error('mergeSufficientStats: one side has pair tables and the other does not');
  }
  const weighted = a.weighted || b.weighted;
  const out = allocate(a.items, weighted, a.pairWeights.length === 0 && a.items.length > 1);
  out.rows = a.rows + b.rows;
  for (let i = 0; i < a.items.length; i++) {
    for (let c = 0; c < a.k[i]; c++) {
      out.itemWeights[i][c] = a.itemWeights[i][c] + b.itemWeights[i][c];
      out.itemCounts[i][c] = a.itemCounts[i][c] + b.itemCounts[i][c];
    }
    out.itemWeightSq[i] = a.itemWeightSq[i] + b.itemWeightSq[i];
  }
  for (let x = 0; x < out.pairWeights.length; x++) out.pairWeights[x] = a.pairWeights[x] + b.pairWeights[x];
  if (weighted) {
    for (let x = 0; x < out.pairCounts.length; x++) out.pairCounts[x] = a.pairCounts[x] + b.pairCounts[x];
  }
  return out;
}
