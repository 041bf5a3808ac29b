/**
 * Per-item marginal measures and their means over items (the marginal headline), from the
 * reference's item tables and the run's answers per item.
 */
import type { SufficientStats } from '../count/tables';
import type { MarginalItem } from '../report/model';
import { RunningMean } from '../stats/descriptive';
import { headlineMeasures, marginalMeasures, type HeadlineMeasures } from '../stats/marginal';

/** Per item: the run's answers over the item's codes (counts, or shares for a shares-only run). */
export type RunItemWeights = Float64Array[];

/** Marginal measures of every item from two sets of sufficient statistics over the same items. */
export function marginalItems(ref: SufficientStats, run: RunItemWeights, runInvalid: number[]): MarginalItem[] {
  return ref.items.map((item, i) => {
    const mm = marginalMeasures(ref.itemWeights[i], run[i], item);
    const n = run[i].reduce((a, b) => a + b, 0);
    const answered = n + runInvalid[i];
    return {
      item: item.id,
      label: item.label,
      topic: item.topic,
      type: item.type,
      codes: item.codes,
      labels: item.labels,
      n,
      referenceN: ref.itemCounts[i].reduce((a, b) => a + b, 0),
      w1Normalized: mm.w1Normalized,
      tvd: mm.tvd,
      jsDistance: mm.jsDistance,
      jsDivergence: mm.jsDivergence,
      kl: mm.kl,
      klSmoothing: mm.klSmoothing,
      meanDiff: mm.meanDiff,
      varianceRatio: mm.varianceRatio,
      referenceModalShare: mm.referenceModalShare,
      runModalShare: mm.runModalShare,
      invalid: answered > 0 ? runInvalid[i] / answered : null,
      invalidCount: runInvalid[i],
      referenceDistribution: shares(ref.itemWeights[i]),
      runDistribution: shares(run[i]),
      weak: false,
      reasons: [],
    };
  });
}

export interface MarginalHeadline {
  meanW1Normalized: number | null;
  representativeness: number | null;
  meanTvd: number | null;
  meanJsDistance: number | null;
}

/**
 * The means over items of W1 (ordinal items), TVD and JS distance: `meanOfDefined` of
 * `marginalMeasures`' values, as they come from `headlineMeasures`, which allocates nothing:
 * every bootstrap replicate takes this.
 */
export function marginalHeadline(ref: SufficientStats, run: RunItemWeights): MarginalHeadline {
  const w1 = new RunningMean();
  const tvd = new RunningMean();
  const js = new RunningMean();
  const mm = headlineScratch;
  ref.items.forEach((item, i) => {
    headlineMeasures(ref.itemWeights[i], run[i], item, mm);
    if (item.type === 'ordinal') w1.add(mm.w1Normalized);
    tvd.add(mm.tvd);
    js.add(mm.jsDistance);
  });
  const mw = w1.value;
  return { meanW1Normalized: mw, representativeness: mw === null ? null : 1 - mw, meanTvd: tvd.value, meanJsDistance: js.value };
}
const headlineScratch: HeadlineMeasures = { w1Normalized: null, tvd: null, jsDistance: null };

export function sum(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}

export function shares(w: ArrayLike<number>): number[] {
  const tot = sum(w);
  return Array.from(w, (x) => (tot > 0 ? x / tot : 0));
}
