/**
 * How the panel and the HTML report write statistics. Pure (no DOM), so the unit tests run it
 * in node.
 */

export { formatP, pText, P_FLOOR } from '../src/core/report/p-value';

export type TuckerReading = 'equal' | 'fair similarity' | 'not similar';

/**
 * The conventional reading of Tucker's congruence coefficient phi (Lorenzo-Seva & ten Berge 2006,
 * Methodology 2(2), 57-64): 0.85-0.94 fair similarity, 0.95 and above the components can be
 * considered equal; below 0.85 they are not similar. The bands are given to two decimals, so phi
 * is read rounded to two (0.9496 is "equal"). Null when phi is undefined.
 */
export function tuckerReading(phi: number | null | undefined): TuckerReading | null {
  if (phi === null || phi === undefined || !Number.isFinite(phi)) return null;
  const r = Math.round(Math.abs(phi) * 100) / 100;
  return r >= 0.95 ? 'equal' : r >= 0.85 ? 'fair similarity' : 'not similar';
}

/** The true minus sign, so negative numbers line up and read as numbers, not hyphens. */
const MINUS = '\u2212';

/** `x` to `digits` significant digits without trailing zeros ("0.047", "0.5", "1"), with a true minus sign. */
export function significant(x: number, digits = 2): string {
  if (!Number.isFinite(x)) return 'n/a';
  if (x === 0) return '0';
  const s = String(Number(Math.abs(x).toPrecision(digits)));
  return x < 0 ? `${MINUS}${s}` : s;
}

/** A number to `digits` decimals, "n/a" when undefined: how the panel writes every statistic. */
export function fmt(x: number | null | undefined, digits = 3): string {
  return x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(digits);
}

/** A share as a percentage to one decimal ("2.9%"), "n/a" when undefined. */
export function percentText(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : `${(x * 100).toFixed(1)}%`;
}
