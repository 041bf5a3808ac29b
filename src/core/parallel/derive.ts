import { associationValues } from '../stats/association';
import type { BatchDerive } from './protocol';

/** The correlations of pairs `start, start + step, ...` of every replicate of a counted batch. */
export function deriveBatch(derive: BatchDerive, pairOffset: Int32Array, outputs: readonly Float64Array[], start: number, step: number): void {
  for (const [l, pairWeights] of outputs.entries()) {
    associationValues({ items: derive.items, k: derive.k, pairOffset, pairWeights, pairCounts: derive.pairCounts, weighted: true }, derive.methods, derive.values.map((v) => v[l]), start, step);
  }
}
