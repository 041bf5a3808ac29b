/**
 * Multiple-testing adjustment for the many item-pair tests of a structure comparison
 * (m items give m(m - 1)/2 tests: 45,150 for 301 WVS items).
 */

/**
 * Benjamini-Hochberg (1995) adjusted p-values ("q-values"), exactly as R `p.adjust(p, "BH")`:
 * with the N non-null p-values sorted in decreasing order p_(N) >= ... >= p_(1),
 *
 *   q_(i) = min(1, min_{k >= i} N / k * p_(k)).
 *
 * Null p-values stay null and do not count in N (R's `n = sum(!is.na(p))`). Rejecting every test
 * with q <= alpha controls the false discovery rate at alpha for independent or positively
 * dependent tests.
 */
export function benjaminiHochberg(p: readonly (number | null)[]): (number | null)[] {
  const idx: number[] = [];
  for (let t = 0; t < p.length; t++) {
    const v = p[t];
    if (v !== null && !Number.isNaN(v)) idx.push(t);
  }
  const n = idx.length;
  const out: (number | null)[] = p.map(() => null);
  // Decreasing p; ties need no stable order: tied values end with the same q either way.
  // -1, 0 or 1 rather than the difference: the same order, without a boxed number per comparison.
  idx.sort((a, b) => ((p[b] as number) < (p[a] as number) ? -1 : (p[b] as number) > (p[a] as number) ? 1 : 0));
  let running = Infinity;
  for (let s = 0; s < n; s++) {
    const rank = n - s; // position in increasing order, 1-based
    const v = (n / rank) * (p[idx[s]] as number);
    if (v < running) running = v;
    out[idx[s]] = Math.min(1, running);
  }
  return out;
}
