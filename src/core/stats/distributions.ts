/**
 * Normal distribution functions the statistics need, from @stdlib (accurate to double precision,
 * the same algorithms R uses: erfc-based normal CDF, Wichura's AS241 quantile). The chi-square
 * tail is in ./chi-square (its incomplete gamma pulls in code the counting worker need not carry).
 */
import normalCdfImpl from '@stdlib/stats-base-dists-normal-cdf';
import normalQuantileImpl from '@stdlib/stats-base-dists-normal-quantile';
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

