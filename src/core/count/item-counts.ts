/**
 * Per-item category sums without pair tables: marginals of row subsets (groups, split halves,
 * bootstrap replicates), column-wise or from a cached row-major copy, whichever is cheaper.
 */
import { MISSING, type SurveyData } from '../read/dataset';
import { allocate, type SufficientStats, type SufficientStatsOptions } from './tables';
import { wasmRowSetSums } from './table-count';

/**
 * Per-item statistics straight from the data's columns, without gathering the answer matrix first
 * (group means and marginal bootstraps call this hundreds of times on subsets of a 97,000-row
 * reference; gathering all columns first cost as much as the counting). Same row order and the
 * same sums as `countItems`, so the numbers are identical.
 */
export function countMarginalsOnly(data: SurveyData, options: SufficientStatsOptions): SufficientStats {
  const colIdx = options.columns ?? data.columns.map((_, i) => i);
  const cols = colIdx.map((c) => data.columns[c]);
  const w = options.weights !== undefined ? options.weights : data.weights;
  const rowList = options.rows ?? null;
  const n = rowList ? rowList.length : data.n;
  const stats = allocate(cols.map((c) => c.item), w !== null, true);
  stats.rows = n;
  if (rowList && data.n * cols.length >= ROW_MAJOR_MIN_WORK) {
    countMarginalsRowMajor(stats, data, colIdx, rowList, w);
    return stats;
  }
  // Slot 255 (MISSING) collects missing answers: one branch-free increment per row. The two
  // 256-slot accumulators are shared by the items and cleared after each:
  // a fresh pair per item was most of the time for small row sets (group bootstraps).
  const cc = new Float64Array(256);
  const cw = w ? new Float64Array(256) : cc;
  for (let i = 0; i < cols.length; i++) {
    const kk = stats.k[i];
    const v = cols[i].values;
    if (w) {
      let sq = 0;
      for (let r = 0; r < n; r++) {
        const row = rowList ? rowList[r] : r;
        const x = v[row];
        const wr = w[row];
        cc[x] += 1;
        cw[x] += wr;
        if (x !== MISSING) sq += wr * wr;
      }
      stats.itemWeights[i].set(cw.subarray(0, kk));
      stats.itemWeightSq[i] = sq;
    } else {
      for (let r = 0; r < n; r++) cc[v[rowList ? rowList[r] : r]] += 1;
    }
    stats.itemCounts[i].set(cc.subarray(0, kk));
    if (!w) {
      stats.itemWeights[i].set(cc.subarray(0, kk));
      stats.itemWeightSq[i] = stats.itemCounts[i].reduce((a, b) => a + b, 0);
    }
    cc.fill(0);
    if (w) cw.fill(0);
  }
  return stats;
}

/**
 * Per-item weighted category sums of a fixed set of rows under weights that change from call to
 * call: the marginals of bootstrap replicates (the run's rows, or one group's rows, under new
 * multiplicities each time). The selected rows' answers are gathered once, item-major, so each
 * call is one sequential pass per item; sums run in row order, so a call gives exactly the
 * `itemWeights` of `computeSufficientStats(data, { columns, rows, weights, marginalsOnly: true })`.
 */
export class ItemWeightCounter {
  private readonly slots: Uint8Array[];
  private readonly rows: Uint32Array | null;
  private readonly k: Int32Array;
  private readonly acc = new Float64Array(256);

  constructor(data: SurveyData, columns: readonly number[], rows: Uint32Array | null = null) {
    this.rows = rows;
    this.k = Int32Array.from(columns, (c) => data.columns[c].item.codes.length);
    const n = rows ? rows.length : data.n;
    this.slots = columns.map((c) => {
      const v = data.columns[c].values;
      if (!rows) return v;
      const out = new Uint8Array(n);
      for (let r = 0; r < n; r++) out[r] = v[rows[r]];
      return out;
    });
  }

  /** Sums of `weights` (indexed by the data's row numbers) per item and category. */
  count(weights: ArrayLike<number>): Float64Array[] {
    const { rows, acc } = this;
    const n = rows ? rows.length : weights.length;
    let w: ArrayLike<number> = weights;
    if (rows) {
      const g = new Float64Array(n);
      for (let r = 0; r < n; r++) g[r] = weights[rows[r]];
      w = g;
    }
    return this.slots.map((s, i) => {
      for (let r = 0; r < n; r++) acc[s[r]] += w[r];
      const out = acc.slice(0, this.k[i]);
      acc.fill(0);
      return out;
    });
  }
}

/**
 * Row subsets of data at least this large (all rows x selected items) are counted from the cached
 * row-major copy (built once per data and column set, ~30 ms for 97,000 x 175): measured 97,000 x
 * 175, 10 group halves of ~2,400 random rows each: 146-186 ms column-wise, 32 ms row-major.
 */
const ROW_MAJOR_MIN_WORK = 1 << 20;

/** Row-major copies of data (respondent x selected item, missing -> k), built once per data and column set. */
const rowMajorCache = new WeakMap<SurveyData, Map<string, Uint8Array>>();

function rowMajor(data: SurveyData, colIdx: readonly number[], k: Int32Array): Uint8Array {
  let byCols = rowMajorCache.get(data);
  if (!byCols) {
    byCols = new Map();
    rowMajorCache.set(data, byCols);
  }
  const key = colIdx.join(',');
  let bytes = byCols.get(key);
  if (!bytes) {
    const m = colIdx.length;
    bytes = new Uint8Array(data.n * m);
    for (let i = 0; i < m; i++) {
      const v = data.columns[colIdx[i]].values;
      const kk = k[i];
      for (let r = 0, o = i; r < data.n; r++, o += m) {
        const x = v[r];
        bytes[o] = x === MISSING ? kk : x;
      }
    }
    byCols.set(key, bytes);
  }
  return bytes;
}

/** The row-major answers, and where each item's k + 1 slots start in a per-row-set accumulator. */
function rowMajorLayout(data: SurveyData, colIdx: readonly number[], k: Int32Array): { bytes: Uint8Array; off: Int32Array; total: number } {
  const off = new Int32Array(colIdx.length);
  let total = 0;
  for (let i = 0; i < colIdx.length; i++) {
    off[i] = total;
    total += k[i] + 1;
  }
  return { bytes: rowMajor(data, colIdx, k), off, total };
}

/**
 * Marginals of a row subset (group means, split halves: random row orders over a 97,000-row
 * reference) from the row-major copy: each row's answers are one contiguous read instead of one
 * cache miss per item. Each cell still sums its rows in the given order (and the squared-weight sum
 * adds 0 for missing answers), so the numbers are identical to the column-wise count.
 */
function countMarginalsRowMajor(stats: SufficientStats, data: SurveyData, colIdx: readonly number[], rowList: Uint32Array | readonly number[], w: Float64Array | null): void {
  const m = colIdx.length;
  const k = stats.k;
  const { bytes, off, total } = rowMajorLayout(data, colIdx, k);
  const cc = new Float64Array(total);
  const n = rowList.length;
  if (w) {
    const cw = new Float64Array(total);
    const sq = new Float64Array(m);
    for (let r = 0; r < n; r++) {
      const row = rowList[r];
      const base = row * m;
      const wr = w[row];
      const w2 = wr * wr;
      for (let i = 0; i < m; i++) {
        const x = bytes[base + i];
        const c = off[i] + x;
        cc[c] += 1;
        cw[c] += wr;
        sq[i] += x !== k[i] ? w2 : 0;
      }
    }
    for (let i = 0; i < m; i++) {
      stats.itemWeights[i].set(cw.subarray(off[i], off[i] + k[i]));
      stats.itemWeightSq[i] = sq[i];
    }
  } else {
    for (let r = 0; r < n; r++) {
      const base = rowList[r] * m;
      for (let i = 0; i < m; i++) cc[off[i] + bytes[base + i]] += 1;
    }
  }
  for (let i = 0; i < m; i++) {
    stats.itemCounts[i].set(cc.subarray(off[i], off[i] + k[i]));
    if (!w) {
      stats.itemWeights[i].set(stats.itemCounts[i]);
      stats.itemWeightSq[i] = stats.itemCounts[i].reduce((a, b) => a + b, 0);
    }
  }
}

/**
 * Per row set (a group, or a half of one): each item's weighted category sums and counts over the
 * rows, added in the given order, so exactly the `itemWeights` / `itemCounts` of
 * `computeSufficientStats(data, { columns, rows, weights, marginalsOnly: true })`; without the
 * squared-weight sums, which group means do not use (a third of the work of a split-half ceiling
 * over a 97,000-row reference). Unweighted: the weights are the counts.
 */
export function rowSetItemSums(data: SurveyData, colIdx: readonly number[], rowSets: readonly Uint32Array[], w: Float64Array | null): { weights: Float64Array[]; counts: Float64Array[] }[] {
  const m = colIdx.length;
  const k = Int32Array.from(colIdx, (c) => data.columns[c].item.codes.length);
  const { bytes, off, total } = rowMajorLayout(data, colIdx, k);
  const wasm = wasmRowSetSums(bytes, m, off, total, rowSets, w);
  if (wasm) {
    return wasm.map(({ counts: cc, sums: cw }) => {
      const counts = Array.from({ length: m }, (_, i) => cc.slice(off[i], off[i] + k[i]));
      return { counts, weights: w ? Array.from({ length: m }, (_, i) => cw.slice(off[i], off[i] + k[i])) : counts };
    });
  }
  return rowSets.map((rows) => {
    const cc = new Float64Array(total);
    const cw = w ? new Float64Array(total) : cc;
    if (w) {
      for (let r = 0; r < rows.length; r++) {
        const row = rows[r];
        const base = row * m;
        const wr = w[row];
        for (let i = 0; i < m; i++) {
          const c = off[i] + bytes[base + i];
          cc[c] += 1;
          cw[c] += wr;
        }
      }
    } else {
      for (let r = 0; r < rows.length; r++) {
        const base = rows[r] * m;
        for (let i = 0; i < m; i++) cc[off[i] + bytes[base + i]] += 1;
      }
    }
    const counts = Array.from({ length: m }, (_, i) => cc.slice(off[i], off[i] + k[i]));
    return { counts, weights: w ? Array.from({ length: m }, (_, i) => cw.slice(off[i], off[i] + k[i])) : counts };
  });
}

