/**
 * Additive sufficient statistics of categorical survey data: weighted per-item category counts and
 * the weighted contingency table of every item pair over the pair's complete rows (pairwise
 * deletion). Every measure of the evaluation (marginal distances, Pearson, Spearman, polychoric,
 * Cramer's V, group means) is a function of these tables, and tables of disjoint row sets add up
 * (`mergeSufficientStats`): chunks, workers, or a database can produce them independently.
 * This module is the model and its algebra; `sufficient.ts` counts them.
 */
import type { ItemCodebook } from '../read/codebook';

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

/**
 * @internal Empty statistics for `items`. `shared` puts the pair tables on a SharedArrayBuffer so
 * that worker threads can fill disjoint pairs of them (`src/core/parallel`).
 */
export function allocateSufficientStats(items: ItemCodebook[], weighted: boolean, marginalsOnly: boolean, shared = false): SufficientStats {
  return allocate(items, weighted, marginalsOnly, shared);
}

export function allocate(items: ItemCodebook[], weighted: boolean, marginalsOnly: boolean, shared = false): SufficientStats {
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
  const table = () => (shared ? new Float64Array(new SharedArrayBuffer(8 * total)) : new Float64Array(total));
  const pairWeights = table();
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
    pairCounts: weighted ? table() : pairWeights,
  };
}


/** Sum of the statistics of disjoint row sets over the same items (same order, same codes). */
export function mergeSufficientStats(a: SufficientStats, b: SufficientStats): SufficientStats {
  return combine(a, b, 1, 'mergeSufficientStats');
}

/**
 * The statistics of the rows in `total` but not in `part` (part's rows a subset of total's), as
 * total minus part: the second half of a split costs no second pass over the data.
 */
export function subtractSufficientStats(total: SufficientStats, part: SufficientStats): SufficientStats {
  return combine(total, part, -1, 'subtractSufficientStats');
}

/**
 * The same statistics without their pair tables (a view sharing the marginals), e.g. to subtract
 * marginals-only statistics from full ones.
 */
export function withoutPairTables(stats: SufficientStats): SufficientStats {
  const none = new Float64Array(0);
  return { ...stats, pairWeights: none, pairCounts: none };
}

/**
 * a + sign x b, cell by cell. Counts are exact; a weighted cell whose count is 0 is set to exactly
 * 0, so rounding in a difference never leaves a category with a weight of 1e-17 that a measure
 * would treat as observed (in a sum, such a cell is 0 on both sides anyway).
 */
function combine(a: SufficientStats, b: SufficientStats, sign: 1 | -1, name: string): SufficientStats {
  if (a.items.length !== b.items.length || a.items.some((it, i) => it.id !== b.items[i].id || it.codes.length !== b.items[i].codes.length)) {
    throw new Error(`${name}: the two statistics cover different items`);
  }
  if (a.pairWeights.length !== b.pairWeights.length) {
    throw new Error(`${name}: one side has pair tables and the other does not`);
  }
  const weighted = a.weighted || b.weighted;
  const out = allocate(a.items, weighted, a.pairWeights.length === 0 && a.items.length > 1);
  out.rows = a.rows + sign * b.rows;
  for (let i = 0; i < a.items.length; i++) {
    for (let c = 0; c < a.k[i]; c++) {
      const n = a.itemCounts[i][c] + sign * b.itemCounts[i][c];
      out.itemCounts[i][c] = n;
      out.itemWeights[i][c] = n === 0 ? 0 : a.itemWeights[i][c] + sign * b.itemWeights[i][c];
    }
    out.itemWeightSq[i] = a.itemWeightSq[i] + sign * b.itemWeightSq[i];
  }
  if (weighted) {
    for (let x = 0; x < out.pairCounts.length; x++) {
      const n = a.pairCounts[x] + sign * b.pairCounts[x];
      out.pairCounts[x] = n;
      out.pairWeights[x] = n === 0 ? 0 : a.pairWeights[x] + sign * b.pairWeights[x];
    }
  } else {
    for (let x = 0; x < out.pairWeights.length; x++) out.pairWeights[x] = a.pairWeights[x] + sign * b.pairWeights[x];
  }
  return out;
}
