/**
 * Item-by-item association matrices (the "structure" of a population's answers), every entry
 * computed from the pair's contingency table in the sufficient statistics, so a matrix of a
 * 97,000-respondent survey costs one pass over the data plus O(pairs x k^2).
 */
import type { ItemCodebook } from '../read/codebook';
import { pairIndex, pairTable, type SufficientStats } from '../count/tables';
import { correlationAt, correlationFromMargins, measureOf, NO_WEIGHT, tableMargins, ZERO_VARIANCE, type PairMeasure } from './correlation';
import { cramerV, cramerVCorrected } from './cramer';

/** Association measures computed here (polychoric has its own module with the same result shape). */
export type AssociationMethod = 'pearson' | 'spearman' | 'cramer' | 'cramerCorrected';

export interface AssociationMatrix {
  method: string;
  /** Item ids, in the order of the statistics. */
  items: string[];
  /** Symmetric; diagonal 1 (null if the item has zero variance); null where undefined. Never NaN. */
  values: (number | null)[][];
  /** Unweighted complete-pair counts; the diagonal holds each item's count of valid answers. */
  n: number[][];
  /** Every null entry (diagonal ones included, with i === j) and why it is undefined. */
  undefinedPairs: { i: number; j: number; reason: string }[];
}

export interface AssociationOptions {
  /** Use the survey weights held in the statistics (default true when the statistics are weighted). */
  weighted?: boolean;
}

/**
 * The association matrix of all items of `stats` with pairwise deletion.
 *
 * - `pearson`: R `cor(x, use = "pairwise.complete.obs")` on the items' codes; weighted, R
 *   `cov.wt(cbind(x, y), wt = w / sum(w), cor = TRUE)` on each pair's complete rows.
 * - `spearman`: R `cor(x, method = "spearman", use = "pairwise.complete.obs")` (ranks recomputed on
 *   each pair's complete rows); weighted, weighted Pearson of weighted mid-ranks.
 * - `cramer`: Cramer's V (scipy `contingency.association(method = "cramer")`), items as categories.
 * - `cramerCorrected`: Bergsma's (2013) bias-corrected V.
 *
 * Pearson and Spearman use the order of a scale, so they are undefined (null, reported) for a
 * nominal item with more than two codes; a two-code nominal item is fine (its correlation is the
 * point-biserial one, up to sign). Use Cramer's V for nominal items.
 */
export function associationMatrix(
  stats: SufficientStats,
  method: AssociationMethod,
  options: AssociationOptions = {},
): AssociationMatrix {
  const weighted = options.weighted ?? stats.weighted;
  const m = stats.items.length;
  const values: (number | null)[][] = Array.from({ length: m }, () => new Array<number | null>(m).fill(null));
  const n: number[][] = Array.from({ length: m }, () => new Array<number>(m).fill(0));
  const undefinedPairs: { i: number; j: number; reason: string }[] = [];
  const ordered = method === 'pearson' || method === 'spearman';
  const unordered = stats.items.map((it) => ordered && it.type === 'nominal' && it.codes.length > 2);

  for (let i = 0; i < m; i++) {
    const counts = stats.itemCounts[i];
    const w = weighted ? stats.itemWeights[i] : counts;
    let valid = 0;
    let used = 0;
    for (let c = 0; c < counts.length; c++) {
      valid += counts[c];
      if (w[c] > 0) used++;
    }
    n[i][i] = valid;
    if (unordered[i]) undefinedPairs.push({ i, j: i, reason: `${stats.items[i].id} is nominal with more than two codes` });
    else if (used < 2) undefinedPairs.push({ i, j: i, reason: `${stats.items[i].id} has zero variance (fewer than two answered categories)` });
    else values[i][i] = 1;
  }

  const cellsOf = weighted ? stats.pairWeights : stats.pairCounts;
  const codes = stats.items.map((it) => Float64Array.from(it.codes));
  for (let i = 0, p = 0; i < m; i++) {
    const ki = stats.k[i];
    for (let j = i + 1; j < m; j++, p++) {
      // Tables are read in place (pairs in pairIndex order): a replicate's matrix allocates nothing per pair.
      const kj = stats.k[j];
      const off = stats.pairOffset[p];
      const complete = completeRows(stats.pairCounts, off, ki * kj);
      n[i][j] = n[j][i] = complete;
      let res: PairMeasure;
      if (unordered[i] || unordered[j]) {
        res = { value: null, reason: `${stats.items[unordered[i] ? i : j].id} is nominal with more than two codes` };
      } else if (complete < 2) {
        res = { value: null, reason: 'fewer than 2 complete rows' };
      } else if (method === 'pearson' || method === 'spearman') {
        res = measureOf(method === 'pearson' ? correlationAt(cellsOf, off, ki, kj, codes[i], codes[j]) : correlationAt(cellsOf, off, ki, kj, null, null));
      } else {
        const t = pairTable(stats, i, j);
        const cells = weighted ? t.weights : t.counts;
        if (method === 'cramer') res = cramerV(cells, ki, kj);
        else if (method === 'cramerCorrected') res = cramerVCorrected(cells, ki, kj);
        else throw new Error(`unknown association method ${String(method)}`);
      }
      values[i][j] = values[j][i] = res.value;
      if (res.value === null) undefinedPairs.push({ i, j, reason: res.reason ?? 'undefined' });
    }
  }
  return { method, items: stats.items.map((it) => it.id), values, n, undefinedPairs };
}

/** What `associationValues` reads: the item scales and the tables of a `SufficientStats`. */
export type TableSource = Pick<SufficientStats, 'items' | 'k' | 'pairOffset' | 'pairWeights' | 'pairCounts' | 'weighted'>;

/**
 * The strict upper triangles of `associationMatrix(stats, method).values` for each of `methods`
 * (pairs in `pairIndex` order, NaN where the matrix has null) for the pairs `start, start + step,
 * ...` only, written into `out[method index]`: the same numbers, without the matrices' objects, and
 * the methods share each table's margins. A bootstrap needs only these, and worker threads each
 * fill their share of the pairs (src/core/parallel).
 */
export function associationValues(stats: TableSource, methods: readonly ('pearson' | 'spearman')[], out: readonly Float64Array[], start = 0, step = 1): void {
  const m = stats.items.length;
  const pc = new PairCorrelations(stats.items, methods);
  for (let i = 0, p = 0; i < m; i++) {
    for (let j = i + 1; j < m; j++, p++) {
      if (p < start || (p - start) % step !== 0) continue;
      pairValues(stats, pc, i, j, p, out);
    }
  }
}

/**
 * `associationValues` for the listed pairs only (`pairs`: item i then item j of each, i < j): a
 * counting thread derives the pairs whose tables it counted.
 */
export function associationValuesOfPairs(stats: TableSource, methods: readonly ('pearson' | 'spearman')[], out: readonly Float64Array[], pairs: ArrayLike<number>): void {
  const m = stats.items.length;
  const pc = new PairCorrelations(stats.items, methods);
  for (let q = 0; q < pairs.length; q += 2) {
    const i = pairs[q];
    const j = pairs[q + 1];
    pairValues(stats, pc, i, j, pairIndex(m, i, j), out);
  }
}

/** Each method's value of pair (i, j) (index p) into out[method][p], NaN where undefined. */
function pairValues(stats: TableSource, pc: PairCorrelations, i: number, j: number, p: number, out: readonly Float64Array[]): void {
  const ki = stats.k[i];
  const kj = stats.k[j];
  const off = stats.pairOffset[p];
  if (!pc.defined(i, j, completeRows(stats.pairCounts, off, ki * kj))) {
    for (const o of out) o[p] = NaN;
    return;
  }
  pc.compute(stats.weighted ? stats.pairWeights : stats.pairCounts, off, ki, kj, i, j);
  for (let mi = 0; mi < out.length; mi++) out[mi][p] = pc.r[mi];
}

/** Unweighted rows of a pair's table (its `cells` cells at `off`): the pair's complete rows. */
export function completeRows(counts: Float64Array, off: number, cells: number): number {
  let complete = 0;
  for (let x = off, end = off + cells; x < end; x++) complete += counts[x];
  return complete;
}

/**
 * @internal Pearson and Spearman of pair tables by `associationMatrix`'s rules, the items' scales
 * prepared once: for `associationValues` and the bootstrap's counting threads (src/core/parallel/batch-count.ts).
 */
export class PairCorrelations {
  private readonly unordered: boolean[];
  private readonly codes: Float64Array[];
  private readonly ranked: boolean[];
  /** The last `compute`'s value of each method (NaN where undefined). */
  readonly r: Float64Array;

  constructor(items: readonly ItemCodebook[], methods: readonly ('pearson' | 'spearman')[]) {
    this.unordered = items.map((it) => it.type === 'nominal' && it.codes.length > 2);
    this.codes = items.map((it) => Float64Array.from(it.codes));
    this.ranked = methods.map((method) => method === 'spearman');
    this.r = new Float64Array(methods.length);
  }

  /** False where the matrix has null whatever the table: a nominal item with more than two codes, fewer than 2 complete rows. */
  defined(i: number, j: number, complete: number): boolean {
    return !(this.unordered[i] || this.unordered[j] || complete < 2);
  }

  /** Each method's correlation of the ki x kj table at `off` of items i and j, into `r` (the methods share its margins). */
  compute(cells: Float64Array, off: number, ki: number, kj: number, i: number, j: number): void {
    tableMargins(cells, off, ki, kj);
    for (let mi = 0; mi < this.ranked.length; mi++) {
      const r = this.ranked[mi] ? correlationFromMargins(cells, off, ki, kj, null, null) : correlationFromMargins(cells, off, ki, kj, this.codes[i], this.codes[j]);
      this.r[mi] = r === NO_WEIGHT || r === ZERO_VARIANCE ? NaN : r;
    }
  }
}
