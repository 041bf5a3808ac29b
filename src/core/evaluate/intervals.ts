/**
 * The bootstrap's budget and the intervals made from its replicates.
 */
import type { EvaluationConfig } from './config';
import { DEFAULTS } from './config';
import type { Interval, ValueWithCi } from '../report/model';
import { basicBootstrap } from '../stats/bias-corrected';
import { bootstrapCI } from '../stats/resample';

/** The range a headline is clamped to: distances and representativeness, or agreements (correlations). */
export const UNIT_RANGE: readonly [number, number] = [0, 1];
export const CORRELATION_RANGE: readonly [number, number] = [-1, 1];

/**
 * A headline from its sample value and bootstrap replicates (the first `count`): the bias-corrected
 * estimate of the run population's value with its basic 95% interval, both clamped to `range`, the
 * sample and the percentile interval kept beside them (src/core/stats/bias-corrected.ts). Without
 * replicates (no bootstrap, a shares-only run): the sample, no interval.
 */
export function headlineOf(sample: number | null, replicates: ArrayLike<number>, count: number, range: readonly [number, number]): ValueWithCi {
  const r = basicBootstrap(sample, replicates, count, range[0], range[1]);
  if (r.value === null || r.low === null) return { value: r.value, ci: null, sample: r.sample, percentile: null };
  return {
    value: r.value,
    ci: { low: r.low, high: r.high, confidence: 0.95, method: 'basic', replicates: count, bootstrapMean: r.bootstrapMean },
    sample: r.sample,
    percentile: { low: r.percentileLow, high: r.percentileHigh },
  };
}

/**
 * Bootstrap work budget: replicate x pair x respondent cell updates for structure intervals. Runs
 * below it get every replicate asked for; above it, fewer (said in the report's notes). 1.6e10 is
 * 200 replicates of 5,000 respondents x 175 items (WVS-sized runs), about 3 s a run on 2 cores
 * (bench/README.md).
 */
export const STRUCTURE_BOOTSTRAP_BUDGET = 1.6e10;

/** Replicates of the polychoric structure interval asked for (at most `bootstrap`). */
export function polychoricReplicates(config: EvaluationConfig): number {
  return Math.min(config.bootstrap, config.polychoricBootstrap ?? DEFAULTS.polychoricBootstrap);
}

/**
 * 95% percentile interval (2.5th and 97.5th percentiles, numpy's linear interpolation) of the
 * finite replicates, as arXiv 2601.15755 reports, with the replicates' mean: distances grow and
 * agreements shrink under resampling, so for a run near the noise floor the interval can lie on
 * one side of the estimate, and the mean shows by how much.
 */
export function intervalOf(replicates: ArrayLike<number>, count: number): Interval {
  const finite = Array.from(replicates).filter(Number.isFinite);
  const r = bootstrapCI(0, finite, { confidence: 0.95, method: 'percentile' });
  return { low: r.low, high: r.high, confidence: 0.95, method: 'percentile', replicates: count, bootstrapMean: finite.length ? finite.reduce((x, y) => x + y, 0) / finite.length : null };
}
