/**
 * Per-item marginal measures: how far a run's (model's) answer distribution on one item is from
 * the reference (human) distribution on the same item.
 *
 * Inputs are weights per valid category in `item.codes` order (survey-weighted sums, plain counts,
 * or shares: they are normalised here, so all three give the same numbers). Invalid and missing
 * answers are NOT part of these vectors: they are excluded before (see `computeSufficientStats`,
 * which counts only valid codes) and reported beside the measures through `invalidRate`, never
 * folded in by silently renormalising. A vector shorter or longer than the item's codes is an error,
 * not something to realign: a dropped option must stay as a zero-weight category.
 */
import { itemRange, type ItemCodebook } from '../read/codebook';
import { countDefined, meanOfDefined, modalShare, normalizeDistribution, normalizeInto, totalWeight, weightedMean, weightedVariance } from './descriptive';

/**
 * Default additive smoothing of the KL divergence, added to every category's share of BOTH
 * distributions before renormalising. Small enough not to move KL when both distributions have full
 * support, so KL with zero cells is dominated by it (a zero-share category then costs about
 * p log2(p / 1e-6) bits): read KL beside the smoothing it was computed with.
 */
export const DEFAULT_KL_SMOOTHING = 1e-6;

export interface MarginalOptions {
  /**
   * Additive (Lidstone) smoothing epsilon for KL: p'_k = (p_k + eps) / (1 + K eps), applied to both
   * distributions. 0 disables it, and KL is then null wherever it is infinite. Default
   * `DEFAULT_KL_SMOOTHING`. Only KL is smoothed; every other measure uses the raw shares.
   */
  klSmoothing?: number;
}

export interface MarginalMeasures {
  /**
   * Wasserstein-1 (earth mover's) distance between the two distributions over the code VALUES:
   * sum over consecutive codes of |F_ref - F_run| x gap. scipy
   * `wasserstein_distance(codes, codes, ref, run)`. Null for nominal items or an empty side.
   */
  w1: number | null;
  /** w1 / (max code - min code), in [0, 1]. OpinionQA representativeness = 1 - mean of this. Null when the range is 0. */
  w1Normalized: number | null;
  /** Total variation distance 0.5 sum_k |p_k - q_k|, in [0, 1]; the headline for nominal items. */
  tvd: number | null;
  /** Jensen-Shannon DIVERGENCE in bits (log base 2), in [0, 1]: 0.5 KL(p||m) + 0.5 KL(q||m), m = (p + q) / 2. */
  jsDivergence: number | null;
  /** Jensen-Shannon DISTANCE sqrt(jsDivergence), scipy `jensenshannon(p, q, base=2)`; GlobalOpinionQA similarity = 1 - this. */
  jsDistance: number | null;
  /**
   * KL(reference || run) in bits, sum_k p_k log2(p_k / q_k), p = reference, q = run, after the
   * smoothing `klSmoothing`. This direction charges the run for giving (near) zero share to
   * answers the population gives: the mode-collapse failure of steered models. Null when the
   * smoothing is 0 and some category has reference share > 0 but run share 0.
   */
  kl: number | null;
  /** The smoothing epsilon KL was computed with. */
  klSmoothing: number;
  /** Run mean - reference mean, in code units. Null for nominal items. */
  meanDiff: number | null;
  /** Weighted mean of the code values. Null for nominal items or an empty side. */
  referenceMean: number | null;
  runMean: number | null;
  /** Weighted POPULATION variance of the code values (divided by the total weight). Null for nominal items. */
  referenceVariance: number | null;
  runVariance: number | null;
  /** Diversity (arXiv 2601.15755): variance / range^2. */
  referenceDiversity: number | null;
  runDiversity: number | null;
  /** runDiversity / referenceDiversity: < 1 means the run answers less diversely than the population. Null when the reference variance is 0. */
  varianceRatio: number | null;
  /** Share of the modal (most frequent) answer: 1 = complete mode collapse. */
  referenceModalShare: number | null;
  runModalShare: number | null;
  /** Total weight (or count) of valid answers. */
  referenceN: number;
  runN: number;
}

/**
 * All marginal measures of one item, reference (human) vs run (model).
 *
 * Sources: Wasserstein-1 over ordinal positions and its range normalisation, Santurkar et al. 2023
 * (OpinionQA); TVD for nominal items and diversity = variance / range^2, arXiv 2601.15755;
 * Jensen-Shannon as in scipy.spatial.distance.jensenshannon (Durmus et al. 2023 use 1 - distance);
 * KL with explicit Lidstone smoothing.
 */
export function marginalMeasures(
  reference: Float64Array,
  run: Float64Array,
  item: ItemCodebook,
  options: MarginalOptions = {},
): MarginalMeasures {
  checkCategories(item, reference, run);
  const eps = options.klSmoothing ?? DEFAULT_KL_SMOOTHING;
  if (!(eps >= 0) || !Number.isFinite(eps)) throw new RangeError(`klSmoothing must be finite and >= 0, got ${eps}`);
  const ordinal = item.type === 'ordinal';
  const range = itemRange(item);
  const referenceN = totalWeight(reference);
  const runN = totalWeight(run);
  const p = normalizeDistribution(reference);
  const q = normalizeDistribution(run);

  const referenceMean = ordinal ? weightedMean(item.codes, reference) : null;
  const runMean = ordinal ? weightedMean(item.codes, run) : null;
  const referenceVariance = ordinal ? weightedVariance(item.codes, reference) : null;
  const runVariance = ordinal ? weightedVariance(item.codes, run) : null;
  const diversity = (v: number | null): number | null => (v !== null && range > 0 ? v / (range * range) : null);
  const referenceDiversity = diversity(referenceVariance);
  const runDiversity = diversity(runVariance);

  const both = p !== null && q !== null;
  const w1 = both && ordinal ? wasserstein1(item.codes, reference, run) : null;
  const js = both ? jensenShannonDivergence(p, q) : null;
  return {
    w1,
    w1Normalized: w1 !== null && range > 0 ? w1 / range : null,
    tvd: both ? totalVariation(p, q) : null,
    jsDivergence: js,
    jsDistance: js === null ? null : Math.sqrt(js),
    kl: both ? klDivergence(p, q, eps) : null,
    klSmoothing: eps,
    meanDiff: runMean !== null && referenceMean !== null ? runMean - referenceMean : null,
    referenceMean,
    runMean,
    referenceVariance,
    runVariance,
    referenceDiversity,
    runDiversity,
    varianceRatio: runDiversity !== null && referenceDiversity !== null && referenceDiversity > 0 ? runDiversity / referenceDiversity : null,
    referenceModalShare: modalShare(reference),
    runModalShare: modalShare(run),
    referenceN,
    runN,
  };
}

/** Both distributions must have one weight per code of the item. */
function checkCategories(item: ItemCodebook, reference: ArrayLike<number>, run: ArrayLike<number>): void {
  const k = item.codes.length;
  if (reference.length !== k || run.length !== k) {
    throw new RangeError(`item ${item.id} has ${k} codes but the distributions have ${reference.length} (reference) and ${run.length} (run) categories`);
  }
}

/**
 * Wasserstein-1 distance between two weighted distributions on the same support `values`:
 * sum_j |U(x_j) - V(x_j)| (x_{j+1} - x_j) over the sorted distinct values, U and V the CDFs.
 * Same algorithm as scipy.stats.wasserstein_distance (`_cdf_distance` with p = 1): cumulative
 * weights divided by the total. The support is the code VALUES (scale positions), never the shares.
 * Null when either side has total weight 0.
 */
export function wasserstein1(values: readonly number[], u: ArrayLike<number>, v: ArrayLike<number>): number | null {
  const k = values.length;
  if (u.length !== k || v.length !== k) throw new RangeError(`wasserstein1: ${k} values, ${u.length} and ${v.length} weights`);
  const uTotal = totalWeight(u);
  const vTotal = totalWeight(v);
  if (!(uTotal > 0) || !(vTotal > 0)) return null;
  const order = valueOrder(values);
  let uCum = 0;
  let vCum = 0;
  let distance = 0;
  for (let j = 0; j < k - 1; j++) {
    uCum += u[order[j]];
    vCum += v[order[j]];
    const gap = values[order[j + 1]] - values[order[j]];
    if (gap > 0) distance += Math.abs(uCum / uTotal - vCum / vTotal) * gap;
  }
  return distance;
}

/**
 * The positions 0..k-1 of `values` in increasing order of value, ties in position order (a stable
 * sort: codes are in scale order, which need not be numeric order), by insertion into a reused
 * buffer: the bootstrap computes W1 for every item of every replicate.
 */
let orderBuffer = new Int32Array(16);
function valueOrder(values: readonly number[]): Int32Array {
  const k = values.length;
  if (orderBuffer.length < k) orderBuffer = new Int32Array(2 * k);
  const order = orderBuffer;
  for (let i = 0; i < k; i++) {
    let at = i;
    while (at > 0 && values[order[at - 1]] > values[i]) {
      order[at] = order[at - 1];
      at--;
    }
    order[at] = i;
  }
  return order;
}

/** What a run's headline takes from one item: `marginalMeasures`' w1Normalized, tvd and jsDistance. */
export interface HeadlineMeasures {
  w1Normalized: number | null;
  tvd: number | null;
  jsDistance: number | null;
}

/**
 * `marginalMeasures(reference, run, item)`'s w1Normalized, tvd and jsDistance, by the same
 * functions in the same order (so the same numbers), into `out`, without the other measures and
 * without allocating: the bootstrap takes these three for every item of every replicate.
 */
export function headlineMeasures(reference: ArrayLike<number>, run: ArrayLike<number>, item: ItemCodebook, out: HeadlineMeasures): HeadlineMeasures {
  checkCategories(item, reference, run);
  const k = item.codes.length;
  const buffers = (shareBuffers[k] ??= [new Float64Array(k), new Float64Array(k)]);
  const p = normalizeInto(reference, buffers[0]);
  const q = normalizeInto(run, buffers[1]);
  if (!p || !q) {
    out.w1Normalized = out.tvd = out.jsDistance = null;
    return out;
  }
  const range = itemRange(item);
  const w1 = item.type === 'ordinal' ? wasserstein1(item.codes, reference, run) : null;
  out.w1Normalized = w1 !== null && range > 0 ? w1 / range : null;
  out.tvd = totalVariation(p, q);
  out.jsDistance = Math.sqrt(jensenShannonDivergence(p, q));
  return out;
}
/** Two share vectors of each length k, reused. */
const shareBuffers: Float64Array[][] = [];

/** Total variation distance 0.5 sum_k |p_k - q_k| between two share vectors (each summing to 1). */
export function totalVariation(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let s = 0;
  for (let k = 0; k < p.length; k++) s += Math.abs(p[k] - q[k]);
  return 0.5 * s;
}

/**
 * Jensen-Shannon divergence in bits between two share vectors: (sum rel_entr(p, m) + sum
 * rel_entr(q, m)) / 2 / ln 2 with m = (p + q) / 2 and 0 log 0 = 0, exactly the arithmetic of
 * scipy.spatial.distance.jensenshannon(p, q, base=2) before its final square root. In [0, 1];
 * rounding can make the sum a few ulps negative for identical inputs, so it is clamped at 0.
 */
export function jensenShannonDivergence(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let left = 0;
  let right = 0;
  for (let k = 0; k < p.length; k++) {
    const m = (p[k] + q[k]) / 2;
    left += relativeEntropyTerm(p[k], m);
    right += relativeEntropyTerm(q[k], m);
  }
  const js = (left + right) / 2 / Math.LN2;
  return js > 0 ? js : 0;
}

/**
 * KL(p || q) in bits with additive smoothing eps applied to both share vectors first:
 * p'_k = (p_k + eps) / (1 + K eps). Null when it is infinite (eps = 0 and q_k = 0 < p_k).
 * Reference: scipy.special.rel_entr(p', q').sum() / ln 2 = scipy.stats.entropy(p', q', base=2).
 */
export function klDivergence(p: ArrayLike<number>, q: ArrayLike<number>, eps: number): number | null {
  const k = p.length;
  const denom = 1 + k * eps;
  let s = 0;
  for (let c = 0; c < k; c++) {
    const t = relativeEntropyTerm((p[c] + eps) / denom, (q[c] + eps) / denom);
    if (t === Infinity) return null;
    s += t;
  }
  return s / Math.LN2;
}

/** scipy.special.rel_entr(x, y): x log(x / y) for x, y > 0; 0 for x = 0; +Infinity for x > 0 = y. */
function relativeEntropyTerm(x: number, y: number): number {
  if (x === 0) return 0;
  if (y === 0) return Infinity;
  return x * Math.log(x / y);
}

/**
 * Share of invalid answers among all answers given, invalid / total, where total counts valid and
 * invalid answers (missing answers are usually excluded by the caller). The marginal measures use
 * only the valid answers, normalised among themselves; this rate is reported beside them so an
 * unparseable or off-scale model output is visible rather than silently renormalised away.
 * Null when total is 0.
 */
export function invalidRate(invalid: number, total: number): number | null {
  if (!(invalid >= 0) || !(total >= 0) || invalid > total) {
    throw new RangeError(`invalidRate needs 0 <= invalid <= total, got ${invalid} / ${total}`);
  }
  return total > 0 ? invalid / total : null;
}

/**
 * The headline distance of one item, as in arXiv 2601.15755: normalised Wasserstein-1 for ordinal
 * items, total variation distance for nominal items.
 */
export function headlineDistance(measures: MarginalMeasures, item: Pick<ItemCodebook, 'type'>): number | null {
  return item.type === 'ordinal' ? measures.w1Normalized : measures.tvd;
}

/**
 * OpinionQA representativeness (Santurkar et al. 2023, eq. 1): R = 1 - mean over items of
 * W1(item) / (max - min code), over the items whose normalised W1 is defined (ordinal, non-empty
 * on both sides). Null when no item qualifies.
 */
export function representativeness(items: readonly MarginalMeasures[]): number | null {
  const m = meanOfDefined(items.map((x) => x.w1Normalized));
  return m === null ? null : 1 - m;
}

/**
 * Dissimilarity of arXiv 2601.15755: mean over items of the headline distance (normalised W1 for
 * ordinal items, TVD for nominal ones), over items where it is defined. Null when none is.
 */
export function dissimilarity(items: readonly { measures: MarginalMeasures; item: Pick<ItemCodebook, 'type'> }[]): number | null {
  return meanOfDefined(items.map((x) => headlineDistance(x.measures, x.item)));
}

/** Mean of one measure over items, ignoring items where it is null; with the number of items used. */
export function meanOverItems(
  items: readonly MarginalMeasures[],
  measure: (m: MarginalMeasures) => number | null,
): { mean: number | null; items: number } {
  const values = items.map(measure);
  return { mean: meanOfDefined(values), items: countDefined(values) };
}
