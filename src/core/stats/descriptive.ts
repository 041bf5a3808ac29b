/**
 * Weighted descriptive statistics of one item's answer distribution, given as weights (or counts)
 * per category together with the categories' code values. Shared by the marginal measures and the
 * group-level structure (group means).
 */

/**
 * Sum of the weights of a distribution. Throws on a negative or non-finite weight: a negative
 * share is an input error upstream, and summing it would silently cancel real answers.
 */
export function totalWeight(weights: ArrayLike<number>): number {
  let total = 0;
  for (let k = 0; k < weights.length; k++) {
    const w = weights[k];
    if (!(w >= 0) || !Number.isFinite(w)) {
      throw new RangeError(`category weights must be finite and >= 0, got ${w} at category ${k}`);
    }
    total += w;
  }
  return total;
}

/**
 * The distribution as shares p_k = w_k / sum(w), or null when the total weight is 0 (no valid
 * answers: every measure of such a distribution is undefined). Counts and shares give the same result.
 */
export function normalizeDistribution(weights: ArrayLike<number>): Float64Array | null {
  return normalizeInto(weights, new Float64Array(weights.length));
}

/** `normalizeDistribution` into `out` (of the same length, returned), or null for no weight. */
export function normalizeInto(weights: ArrayLike<number>, out: Float64Array): Float64Array | null {
  const total = totalWeight(weights);
  if (!(total > 0)) return null;
  for (let k = 0; k < weights.length; k++) out[k] = weights[k] / total;
  return out;
}

/**
 * Weighted mean of the code values, sum_k p_k x_k with p the normalised weights
 * (numpy `np.average(values, weights=w)`). Null when the total weight is 0.
 */
export function weightedMean(values: ArrayLike<number>, weights: ArrayLike<number>): number | null {
  checkLengths(values, weights);
  const total = totalWeight(weights);
  if (!(total > 0)) return null;
  let s = 0;
  for (let k = 0; k < values.length; k++) s += weights[k] * values[k];
  return s / total;
}

/**
 * Weighted population variance of the code values: sum_k w_k (x_k - mean)^2 / sum_k w_k, i.e.
 * divided by the total weight, not by (n - 1) (numpy `np.average((x - m)**2, weights=w)`; R
 * `cov.wt(x, w, method = "ML")`). The population form is the one that describes a distribution of
 * shares, where no sample size exists. Null when the total weight is 0.
 */
export function weightedVariance(values: ArrayLike<number>, weights: ArrayLike<number>): number | null {
  const mean = weightedMean(values, weights);
  if (mean === null) return null;
  let total = 0;
  let s = 0;
  for (let k = 0; k < values.length; k++) {
    const d = values[k] - mean;
    s += weights[k] * d * d;
    total += weights[k];
  }
  return s / total;
}

/**
 * Share of the most frequent category, max_k w_k / sum_k w_k: 1 means every answer is the same
 * (complete mode collapse), 1/K a uniform spread. Null when the total weight is 0.
 */
export function modalShare(weights: ArrayLike<number>): number | null {
  const total = totalWeight(weights);
  if (!(total > 0)) return null;
  let max = 0;
  for (let k = 0; k < weights.length; k++) if (weights[k] > max) max = weights[k];
  return max / total;
}

/** Mean of the values that are defined (not null, finite), or null when none is. */
export function meanOfDefined(values: Iterable<number | null | undefined>): number | null {
  const mean = new RunningMean();
  for (const v of values) mean.add(v);
  return mean.value;
}

/** `meanOfDefined` of the values added so far, in the order added, without keeping them. */
export class RunningMean {
  private sum = 0;
  private n = 0;

  add(v: number | null | undefined): void {
    if (v === null || v === undefined || !Number.isFinite(v)) return;
    this.sum += v;
    this.n++;
  }

  get value(): number | null {
    return this.n > 0 ? this.sum / this.n : null;
  }
}

/** Number of values that are defined (not null, finite). */
export function countDefined(values: Iterable<number | null | undefined>): number {
  let n = 0;
  for (const v of values) if (v !== null && v !== undefined && Number.isFinite(v)) n++;
  return n;
}

function checkLengths(values: ArrayLike<number>, weights: ArrayLike<number>): void {
  if (values.length !== weights.length) {
    throw new RangeError(`${weights.length} weights for ${values.length} values`);
  }
}
