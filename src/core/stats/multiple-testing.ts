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
  let n = 0;
  for (let t = 0; t < p.length; t++) {
    const v = p[t];
    if (v !== null && !Number.isNaN(v)) n++;
  }
  const sorted = new Float64Array(n);
  for (let t = 0, s = 0; t < p.length; t++) {
    const v = p[t];
    if (v !== null && !Number.isNaN(v)) sorted[s++] = v;
  }
  // Increasing p (the typed array's numeric sort); then, from the largest down, the running
  // minimum of n / rank * p at each position. A tie block takes the value at its largest rank
  // (the others' n / rank * p are no smaller), so each p-value's q is the one at the end of its
  // block, found by binary search: the numbers of sorting the tests themselves in decreasing order.
  sorted.sort();
  const qAt = new Float64Array(n);
  let running = Infinity;
  for (let s = n - 1; s >= 0; s--) {
    const v = (n / (s + 1)) * sorted[s];
    if (v < running) running = v;
    qAt[s] = Math.min(1, running);
  }
  const out: (number | null)[] = new Array(p.length);
  for (let t = 0; t < p.length; t++) {
    const v = p[t];
    if (v === null || Number.isNaN(v)) {
      out[t] = null;
      continue;
    }
    // First position above v; its block ends just before.
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (v < sorted[mid]) hi = mid;
      else lo = mid + 1;
    }
    out[t] = qAt[lo - 1];
  }
  return out;
}
