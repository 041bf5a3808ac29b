/**
 * A bootstrap replicate's tables as a change of the unweighted ones: only rows drawn other than once
 * are counted (see `computeBootstrapSufficientStats` in sufficient.ts).
 */
import type { SurveyData } from '../read/dataset';
import { COUNT_DELTA, gatherCountingInput, type CountingInput } from './counting-input';
import type { SufficientStats } from './tables';

/**
 * @internal Everything of `computeBootstrapSufficientStats` but the pair counting: the replicate's
 * item statistics, its empty weighted tables (on a SharedArrayBuffer when `shared`), and the
 * counting input of the rows drawn other than once.
 */
export function prepareBootstrapReplicate(
  unweighted: SufficientStats,
  data: SurveyData,
  options: { columns?: readonly number[]; multiplicities: Float64Array },
  shared: boolean,
): { stats: SufficientStats; input: CountingInput } {
  const mult = options.multiplicities;
  if (mult.length !== data.n) throw new RangeError(`computeBootstrapSufficientStats: ${mult.length} multiplicities for ${data.n} rows`);
  const colIdx = bootstrapColumns(unweighted, data, options.columns);
  const changed: number[] = [];
  for (let r = 0; r < data.n; r++) {
    const x = mult[r];
    if (!(Number.isInteger(x) && x >= 0 && x < 2 ** 31)) throw new RangeError(`computeBootstrapSufficientStats: multiplicity ${x} of row ${r} is not a non-negative integer`);
    if (x !== 1) changed.push(r);
  }
  const { input } = gatherCountingInput(data, { columns: colIdx, rows: changed, weights: null }, shared);
  const delta = Int32Array.from(changed, (r) => mult[r] - 1);
  input.mode = COUNT_DELTA;
  input.increments = delta;
  const m = colIdx.length;
  const stats: SufficientStats = {
    items: unweighted.items,
    k: unweighted.k,
    rows: data.n,
    weighted: true,
    itemWeights: unweighted.itemCounts.map((c) => Float64Array.from(c)),
    itemCounts: unweighted.itemCounts,
    itemWeightSq: new Float64Array(m),
    pairOffset: unweighted.pairOffset,
    pairWeights: shared ? new Float64Array(new SharedArrayBuffer(8 * unweighted.pairCounts.length)) : new Float64Array(unweighted.pairCounts.length),
    pairCounts: unweighted.pairCounts,
  };
  for (let i = 0; i < m; i++) {
    const kk = input.k[i];
    const s = input.slots[i];
    const w = stats.itemWeights[i];
    // Sum of m^2 over valid answers = (valid count) + sum over changed rows of (m^2 - 1).
    let sq = unweighted.itemCounts[i].reduce((a, b) => a + b, 0);
    for (let r = 0; r < changed.length; r++) {
      const x = s[r];
      if (x === kk) continue;
      const mr = delta[r] + 1;
      w[x] += delta[r];
      sq += mr * mr - 1;
    }
    stats.itemWeightSq[i] = sq;
  }
  return { stats, input };
}

/** @internal The bootstrap's columns, after checking `unweighted` is their unweighted statistics over all rows. */
export function bootstrapColumns(unweighted: SufficientStats, data: SurveyData, columns: readonly number[] | undefined): readonly number[] {
  const colIdx = columns ?? data.columns.map((_, i) => i);
  if (unweighted.weighted || unweighted.rows !== data.n || unweighted.items.length !== colIdx.length || colIdx.some((c, i) => data.columns[c].item.id !== unweighted.items[i].id)) {
    throw new Error('computeBootstrapSufficientStats: `unweighted` must be the unweighted statistics of the same columns over all rows');
  }
  return colIdx;
}

/**
 * @internal A replicate's statistics from its item sums (`itemWeights`, `itemWeightSq`, see
 * `countItemWeightsBatch`) and its weighted tables `pairWeights` (still to be counted); counts and
 * unweighted tables are `unweighted`'s, as in `prepareBootstrapReplicate`.
 */
export function bootstrapReplicateStats(unweighted: SufficientStats, itemWeights: Float64Array[], itemWeightSq: Float64Array, pairWeights: Float64Array): SufficientStats {
  return { items: unweighted.items, k: unweighted.k, rows: unweighted.rows, weighted: true, itemWeights, itemCounts: unweighted.itemCounts, itemWeightSq, pairOffset: unweighted.pairOffset, pairWeights, pairCounts: unweighted.pairCounts };
}

