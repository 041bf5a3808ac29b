/**
 * Per-item marginal measures and their means over items (the marginal headline), from the
 * reference's item tables and the run's answers per item.
 */
import type { SufficientStats } from '../count/tables';
import type { MarginalItem } from '../report/model';
import { itemRange } from '../read/codebook';
import { RunningMean } from '../stats/descriptive';
import { headlineMeasures, marginalMeasures, type HeadlineMeasures } from '../stats/marginal';

/** Per item: the run's answers over the item's codes (counts, or shares for a shares-only run). */
export type RunItemWeights = Float64Array[];

/**
 * Marginal measures of every item from two sets of sufficient statistics over the same items;
 * `answers[i]` is the run's answers to item i valid or not (see `marginalHeadlines`).
 */
export function marginalItems(ref: SufficientStats, run: RunItemWeights, runInvalid: number[], answers: ArrayLike<number>, referenceNotValid: ArrayLike<number>): MarginalItem[] {
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
      notValidShare: notValidShare(n, answers[i]),
      referenceNotValidShare: referenceNotValid[i],
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

/** Share of `answers` without a valid answer (`valid` of them valid), in [0, 1]; 1 when there are no answers at all. */
export function notValidShare(valid: number, answers: number): number {
  if (!(answers > 0)) return 1;
  const s = (answers - valid) / answers;
  return s < 0 ? 0 : s > 1 ? 1 : s;
}

/** The two marginal headlines of a run (or a replicate) and the share of its answers without a valid answer. */
export interface MarginalHeadlines {
  /** The headline: answers without a valid code at distance 1 (`marginalHeadlines`). */
  counted: MarginalHeadline;
  /** Valid answers only: `marginalHeadline`, the paper's numbers. */
  validOnly: MarginalHeadline;
  /** Answers without a valid answer over all answers, over the items the reference answers. */
  invalidShare: number | null;
}

/**
 * Both marginal headlines at once, allocating nothing but the result (every bootstrap replicate takes this).
 *
 * `answers[i]` is the number (or mass) of the run's answers to item i, valid or not: its respondents
 * for a respondent-level run (an answer matching no option, an empty cell and a missing code all
 * count as not valid), valid plus invalid mass for a distribution run. `allowed[i]` is the
 * reference's own share of item i without a valid answer (its "don't know", "no answer", "not
 * asked"): with s_i the run's share without a valid answer beyond it, max(0, run's share -
 * allowed), every distance d_i (normalised W1, TVD, JS distance, each in [0, 1]) becomes
 * (1 - s_i) d_i + s_i: the mass the run leaves unanswered beyond what humans leave sits at the
 * maximal distance 1 instead of being dropped by renormalising over valid answers. An item the run never answers validly counts at distance 1
 * (its valid-only distance is undefined and would drop out of the mean); an item the reference never
 * answers stays out of both (nothing to compare with); a run without any answer (no respondents)
 * has no headline (null). `validOnly` equals `marginalHeadline` exactly.
 */
export function marginalHeadlines(ref: SufficientStats, run: RunItemWeights, answers: ArrayLike<number>, allowed: ArrayLike<number> | null = null): MarginalHeadlines {
  const w1 = new RunningMean();
  const tvd = new RunningMean();
  const js = new RunningMean();
  const cw1 = new RunningMean();
  const ctvd = new RunningMean();
  const cjs = new RunningMean();
  let missing = 0;
  let total = 0;
  const mm = headlineScratch;
  const items = ref.items;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    headlineMeasures(ref.itemWeights[i], run[i], item, mm);
    const ordinal = item.type === 'ordinal';
    if (ordinal) w1.add(mm.w1Normalized);
    tvd.add(mm.tvd);
    js.add(mm.jsDistance);
    if (!(sum(ref.itemWeights[i]) > 0)) continue;
    const valid = sum(run[i]);
    const a = answers[i];
    // Only the share beyond the reference's own (humans' "don't know" and "not asked") counts.
    const s = Math.max(0, notValidShare(valid, a) - (allowed ? allowed[i] : 0));
    missing += a > valid ? a - valid : 0;
    total += a;
    if (valid > 0) {
      if (ordinal && mm.w1Normalized !== null) cw1.add((1 - s) * mm.w1Normalized + s);
      if (mm.tvd !== null) ctvd.add((1 - s) * mm.tvd + s);
      if (mm.jsDistance !== null) cjs.add((1 - s) * mm.jsDistance + s);
    } else {
      // No valid answer: the maximal distance, for every measure the item has.
      if (ordinal && itemRange(item) > 0) cw1.add(1);
      ctvd.add(1);
      cjs.add(1);
    }
  }
  const mw = w1.value;
  // A run without any answer (a header and no rows) has nothing to score: null, not distance 1.
  const cmw = total > 0 ? cw1.value : null;
  return {
    validOnly: { meanW1Normalized: mw, representativeness: mw === null ? null : 1 - mw, meanTvd: tvd.value, meanJsDistance: js.value },
    counted: { meanW1Normalized: cmw, representativeness: cmw === null ? null : 1 - cmw, meanTvd: total > 0 ? ctvd.value : null, meanJsDistance: total > 0 ? cjs.value : null },
    invalidShare: total > 0 ? missing / total : null,
  };
}

export function sum(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}

export function shares(w: ArrayLike<number>): number[] {
  const tot = sum(w);
  return Array.from(w, (x) => (tot > 0 ? x / tot : 0));
}
