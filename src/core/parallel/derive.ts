import { associationValues, associationValuesOfPairs } from '../stats/association';
import type { BatchDerive } from './protocol';

/**
 * The correlations of every replicate of a counted batch: of all pairs (`pairs` null), or of the
 * listed ones (item i then item j of each: the pairs a counting thread counted, `coverPairsOf`).
 */
export function deriveBatch(derive: BatchDerive, pairOffset: Int32Array, outputs: readonly Float64Array[], pairs: Int32Array | null): void {
  for (const [l, pairWeights] of outputs.entries()) {
    const stats = { items: derive.items, k: derive.k, pairOffset, pairWeights, pairCounts: derive.pairCounts, weighted: true };
    const out = derive.values.map((v) => v[l]);
    if (pairs) associationValuesOfPairs(stats, derive.methods, out, pairs);
    else associationValues(stats, derive.methods, out);
  }
}
