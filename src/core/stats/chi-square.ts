/**
 * Chi-square tail from @stdlib's regularised incomplete gamma (the algorithm R uses). Kept apart
 * from ./distributions: @stdlib/math-base-special-gammainc bundles a generator-support feature test
 * that evaluates a constant string (see test/unit/reliability/no-eval.test.ts), which the counting
 * worker, needing only the normal functions, then does not carry.
 */
import gammainc from '@stdlib/math-base-special-gammainc';

/** Chi-square upper tail P(X > x) with df degrees of freedom, R `pchisq(x, df, lower.tail = FALSE)`. */
export function chiSquareSf(x: number, df: number): number {
  if (x <= 0) return 1;
  // Upper regularised incomplete gamma Q(df/2, x/2).
  return gammainc(x / 2, df / 2, true, true);
}
