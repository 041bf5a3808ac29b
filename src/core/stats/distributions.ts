/**
 * Probability distributions the statistics need, from @stdlib (accurate to double precision,
 * the same algorithms R uses: erfc-based normal CDF, Wichura's AS241 quantile, regularised
 * incomplete gamma for chi-square).
 */
import normalCdfImpl from '@stdlib/stats-base-dists-normal-cdf';
import normalQuantileImpl from '@stdlib/stats-base-dists-normal-quantile';
import gammainc from '@stdlib/math-base-special-gammainc';
import erfc from '@stdlib/math-base-special-erfc';

/** Standard normal CDF, R `pnorm(x)`. */
export function normalCdf(x: number): number {
  return normalCdfImpl(x, 0, 1);
}

/** Standard normal upper tail 1 - Phi(x), accurate far in the tail, R `pnorm(x, lower.tail = FALSE)`. */
export function normalSf(x: number): number {
  return 0.5 * erfc(x / Math.SQRT2);
}

/** Standard normal quantile, R `qnorm(p)`; -Infinity at 0, Infinity at 1. */
export function normalQuantile(p: number): number {
  return normalQuantileImpl(p, 0, 1);
}

/** Chi-square upper tail P(X > x) with df degrees of freedom, R `pchisq(x, df, lower.tail = FALSE)`. */
export function chiSquareSf(x: number, df: number): number {
  if (x <= 0) return 1;
  // Upper regularised incomplete gamma Q(df/2, x/2).
  return gammainc(x / 2, df / 2, true, true);
}
