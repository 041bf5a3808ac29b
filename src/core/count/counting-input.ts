/**
 * The selected rows' answers as the counting loops read them (item-major bytes, missing as an extra
 * slot), the counting mode that keeps every count exact, and the per-item counts from them.
 */
import type { ItemCodebook } from '../read/codebook';
import { MISSING, type SurveyData } from '../read/dataset';
import type { SufficientStats, SufficientStatsOptions } from './tables';

/**
 * How pair cells accumulate, chosen from the weights so that every count stays exact:
 * - `COUNT_PLAIN` (no weights): Int32 counts; the weighted table is the count table.
 * - `COUNT_PACKED` (non-negative integer weights, fewer than 65,536 rows and a weight total below
 *   65,536, e.g. bootstrap multiplicities of a model run): one Uint32 cell holds the count in its low
 *   16 bits and the weight sum in its high 16 bits, so one addition of `1 + (w << 16)` updates both.
 * - `COUNT_WEIGHTED` (any other weights): a Float64 weight table and an Int32 count table.
 */
export const COUNT_PLAIN = 0;
export const COUNT_PACKED = 1;
export const COUNT_WEIGHTED = 2;
/**
 * Bootstrap replicate as a change of the unweighted tables (`computeBootstrapSufficientStats`):
 * only rows drawn other than once are counted, with signed Int32 increments m - 1; the weighted
 * cell is the unweighted count plus the change, and the count table is the unweighted one.
 */
export const COUNT_DELTA = 3;
export type CountingMode = typeof COUNT_PLAIN | typeof COUNT_PACKED | typeof COUNT_WEIGHTED | typeof COUNT_DELTA;

/**
 * @internal The selected rows' answers as one thread (or worker) counts them.
 * `slots[i][r]` is row r's category index on item i, with missing mapped to `k[i]` (an extra slot
 * that keeps the inner loops branch-free and is dropped when a table is stored).
 */
export interface CountingInput {
  n: number;
  k: Int32Array;
  slots: Uint8Array[];
  mode: CountingMode;
  /**
   * COUNT_PACKED: per row `1 + w * 65536`; COUNT_WEIGHTED: per row weight; COUNT_DELTA: per row
   * m - 1 (Int32Array); COUNT_PLAIN: null.
   */
  increments: Uint32Array | Float64Array | Int32Array | null;
}

/**
 * @internal Gathers the selected rows' answers of the selected columns into one byte buffer (item-major,
 * missing -> k) and picks the counting mode. `shared` puts the buffers on a SharedArrayBuffer so that
 * worker threads can read them without a copy.
 */
export function gatherCountingInput(
  data: SurveyData,
  options: SufficientStatsOptions,
  shared: boolean,
): { input: CountingInput; items: ItemCodebook[]; rowWeights: Float64Array | null } {
  const colIdx = options.columns ?? data.columns.map((_, i) => i);
  const cols = colIdx.map((c) => data.columns[c]);
  const items = cols.map((c) => c.item);
  const w = options.weights !== undefined ? options.weights : data.weights;
  const rowList = options.rows ?? null;
  const n = rowList ? rowList.length : data.n;
  const m = cols.length;
  const k = Int32Array.from(items, (it) => it.codes.length);
  const buf = shared ? new SharedArrayBuffer(m * n) : new ArrayBuffer(m * n);
  const slots = cols.map((c, i) => {
    const kk = k[i];
    const out = new Uint8Array(buf, i * n, n);
    const v = c.values;
    if (rowList) {
      for (let r = 0; r < n; r++) {
        const x = v[rowList[r]];
        out[r] = x === MISSING ? kk : x;
      }
    } else {
      for (let r = 0; r < n; r++) {
        const x = v[r];
        out[r] = x === MISSING ? kk : x;
      }
    }
    return out;
  });
  let rowWeights: Float64Array | null = null;
  let mode: CountingMode = COUNT_PLAIN;
  let increments: Uint32Array | Float64Array | null = null;
  if (w) {
    rowWeights = new Float64Array(n);
    let integral = n < 65536;
    let total = 0;
    for (let r = 0; r < n; r++) {
      const x = w[rowList ? rowList[r] : r];
      rowWeights[r] = x;
      total += x;
      if (integral && !(Number.isInteger(x) && x >= 0)) integral = false;
    }
    if (integral && total < 65536) {
      mode = COUNT_PACKED;
      increments = new Uint32Array(shared ? new SharedArrayBuffer(4 * n) : new ArrayBuffer(4 * n));
      for (let r = 0; r < n; r++) increments[r] = 1 + rowWeights[r] * 65536;
    } else {
      mode = COUNT_WEIGHTED;
      increments = shared ? new Float64Array(new SharedArrayBuffer(8 * n)) : new Float64Array(n);
      increments.set(rowWeights);
    }
  }
  return { input: { n, k, slots, mode, increments }, items, rowWeights };
}

/** @internal Per-item counts, weight sums and squared-weight sums (O(rows x items), in row order). */
export function countItems(stats: SufficientStats, input: CountingInput, rw: Float64Array | null): void {
  const { n, slots } = input;
  for (let i = 0; i < slots.length; i++) {
    const kk = stats.k[i];
    const s = slots[i];
    // The thread's two scratch arrays (statistics of row sets, split halves and groups count items
    // thousands of times an evaluation: two arrays and two views an item each time were 80 MB).
    if (itemScratch.cc.length < kk + 1) itemScratch = { cw: new Float64Array(2 * (kk + 1)), cc: new Float64Array(2 * (kk + 1)) };
    const { cw, cc } = itemScratch;
    cw.fill(0, 0, kk + 1);
    cc.fill(0, 0, kk + 1);
    let sq = 0;
    if (rw) {
      for (let r = 0; r < n; r++) {
        const x = s[r];
        cc[x] += 1;
        const wr = rw[r];
        cw[x] += wr;
        if (x < kk) sq += wr * wr;
      }
    } else {
      for (let r = 0; r < n; r++) cc[s[r]] += 1;
    }
    const counts = stats.itemCounts[i];
    const weights = stats.itemWeights[i];
    const from = rw ? cw : cc;
    let total = 0;
    for (let c = 0; c < kk; c++) {
      counts[c] = cc[c];
      weights[c] = from[c];
      total += cc[c];
    }
    stats.itemWeightSq[i] = rw ? sq : total;
  }
}
let itemScratch = { cw: new Float64Array(0), cc: new Float64Array(0) };

