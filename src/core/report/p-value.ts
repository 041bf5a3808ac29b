/**
 * How reports write p- and q-values, shared by the Markdown report, the panel and the HTML report.
 */

/** The smallest p-value written as a number; below it, "< 0.001" (APA style). */
export const P_FLOOR = 0.001;

/**
 * A p- or q-value as a reader expects it: "< 0.001" below 0.001 (a permutation test with 999
 * permutations cannot give less than 0.001, and "0.0000" claims a precision no test has), else
 * three significant digits ("0.0123", "0.500", "1.00"); "n/a" when undefined.
 */
export function formatP(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return 'n/a';
  if (p < P_FLOOR) return `< ${P_FLOOR}`;
  return p.toPrecision(3);
}

/** "p < 0.001", "p = 0.0123", "p n/a". */
export function pText(p: number | null | undefined): string {
  const s = formatP(p);
  return s === 'n/a' ? 'p n/a' : s.startsWith('<') ? `p ${s}` : `p = ${s}`;
}
