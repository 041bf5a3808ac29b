/**
 * Counting the sufficient statistics (tables.ts) of a survey on this thread: one pass over the
 * selected rows and columns for the item counts and every pair's table. `threads/` counts the same
 * tables on every core with identical numbers.
 */
import type { SurveyData } from '../read/dataset';
import { countItems, gatherCountingInput } from './counting-input';
import { countMarginalsOnly } from './item-counts';
import { countPairTables } from './pair-tables';
import { prepareBootstrapReplicate } from './bootstrap-tables';
import { allocate, type SufficientStats, type SufficientStatsOptions } from './tables';

/**
 * One pass over the data: per-item counts and every pair's table.
 *
 * Cost O(rows x pairs), counted as pair-tables.ts describes. Results are exact integers
 * for unweighted data and integer weights, and do not depend on how the pairs are split over
 * threads (`computeSufficientStatsParallel` gives identical numbers).
 */
export function computeSufficientStats(data: SurveyData, options: SufficientStatsOptions = {}): SufficientStats {
  if (options.marginalsOnly) return countMarginalsOnly(data, options);
  const { input, items, rowWeights } = gatherCountingInput(data, options, false);
  const stats = allocate(items, rowWeights !== null, false);
  stats.rows = input.n;
  countItems(stats, input, rowWeights);
  countPairTables(input, stats.pairOffset, stats.pairWeights, stats.pairCounts, 0, 1);
  return stats;
}

/**
 * The statistics of one bootstrap replicate, `computeSufficientStats(data, { columns, weights:
 * multiplicities })` exactly, computed as a change of `unweighted` (= `computeSufficientStats(data,
 * { columns, weights: null })`, all rows): a replicate's weighted cell is the unweighted count plus
 * sum over rows of (m_r - 1), and rows drawn exactly once (about 37% when m ~ Multinomial(n, 1/n))
 * change nothing, so only the other rows are counted, with one signed Int32 addition each. Counts
 * (and the unweighted tables) are shared with `unweighted`, read-only as everywhere.
 *
 * Source of the identity: the tables are linear in the row weights (sum_r w_r e_{a_r b_r}).
 */
export function computeBootstrapSufficientStats(
  unweighted: SufficientStats,
  data: SurveyData,
  options: { columns?: readonly number[]; multiplicities: Float64Array },
): SufficientStats {
  const { stats, input } = prepareBootstrapReplicate(unweighted, data, options, false);
  if (stats.pairWeights.length > 0) countPairTables(input, stats.pairOffset, stats.pairWeights, stats.pairCounts, 0, 1);
  return stats;
}

