/**
 * Cramer's V of two categorical items from their contingency table, plain and bias-corrected.
 * Items are treated as unordered categories whatever their type, as Argyle et al. (2023, "Out of
 * One, Many") did for every pair of ANES variables.
 */
import type { PairMeasure } from './correlation';

interface ObservedTable {
  /** Cells of the table restricted to observed rows and columns, row-major r x c. */
  cells: Float64Array;
  rowSum: Float64Array;
  colSum: Float64Array;
  r: number;
  c: number;
  n: number;
}

/** Drop the empty rows and columns: codes never answered on the pair's complete rows are not categories of this table. */
function observedTable(cells: ArrayLike<number>, kx: number, ky: number): ObservedTable {
  const rs = new Float64Array(kx);
  const cs = new Float64Array(ky);
  for (let a = 0; a < kx; a++) {
    for (let b = 0; b < ky; b++) {
      rs[a] += cells[a * ky + b];
      cs[b] += cells[a * ky + b];
    }
  }
  const rows: number[] = [];
  const cols: number[] = [];
  for (let a = 0; a < kx; a++) if (rs[a] > 0) rows.push(a);
  for (let b = 0; b < ky; b++) if (cs[b] > 0) cols.push(b);
  const out = new Float64Array(rows.length * cols.length);
  let n = 0;
  rows.forEach((a, ra) => {
    cols.forEach((b, cb) => {
      out[ra * cols.length + cb] = cells[a * ky + b];
    });
    n += rs[a];
  });
  return {
    cells: out,
    rowSum: Float64Array.from(rows, (a) => rs[a]),
    colSum: Float64Array.from(cols, (b) => cs[b]),
    r: rows.length,
    c: cols.length,
    n,
  };
}

/** Pearson's chi-square of independence, sum (O - E)^2 / E with E = row * col / n, no continuity correction. */
function chiSquare(t: ObservedTable): number {
  let chi2 = 0;
  for (let a = 0; a < t.r; a++) {
    for (let b = 0; b < t.c; b++) {
      const e = (t.rowSum[a] * t.colSum[b]) / t.n;
      const d = t.cells[a * t.c + b] - e;
      chi2 += (d * d) / e;
    }
  }
  return chi2;
}

const ONE_CATEGORY = 'an item has a single category on the pair\'s complete rows';

/**
 * Cramer's V (Cramer 1946): V = sqrt(chi2 / (n (min(r, c) - 1))), chi2 without continuity
 * correction, over the categories actually observed on the pair's complete rows (empty rows and
 * columns dropped first). Matches scipy `scipy.stats.contingency.association(table,
 * method = "cramer")` and R `DescTools::CramerV(table)`. With a weighted table, n is the sum of
 * weights (frequency-weight reading). Null when an item has fewer than two observed categories.
 */
export function cramerV(cells: ArrayLike<number>, kx: number, ky: number): PairMeasure {
  const t = observedTable(cells, kx, ky);
  if (t.r < 2 || t.c < 2) return { value: null, reason: ONE_CATEGORY };
  const v = Math.sqrt(chiSquare(t) / (t.n * (Math.min(t.r, t.c) - 1)));
  return { value: Math.min(v, 1) };
}

/**
 * Bias-corrected Cramer's V (Bergsma 2013, "A bias-correction for Cramer's V and Tschuprow's T",
 * J. Korean Stat. Soc. 42:323-328), as R `DescTools::CramerV(table, correct = TRUE)`:
 *
 *   phi2+ = max(0, chi2/n - (r - 1)(c - 1)/(n - 1)),  r~ = r - (r - 1)^2/(n - 1),  c~ = c - (c - 1)^2/(n - 1),
 *   V~ = sqrt(phi2+ / min(r~ - 1, c~ - 1)).
 *
 * Plain V overstates association in small or sparse tables (E[V] > 0 under independence); V~ does
 * not, so it is a different number and is reported under its own name. Null when an item has fewer
 * than two observed categories or min(r~ - 1, c~ - 1) <= 0 (tiny n).
 */
export function cramerVCorrected(cells: ArrayLike<number>, kx: number, ky: number): PairMeasure {
  const t = observedTable(cells, kx, ky);
  if (t.r < 2 || t.c < 2) return { value: null, reason: ONE_CATEGORY };
  if (!(t.n > 1)) return { value: null, reason: 'fewer than 2 complete rows' };
  const n1 = t.n - 1;
  const phi2 = Math.max(0, chiSquare(t) / t.n - ((t.r - 1) * (t.c - 1)) / n1);
  const rc = t.r - ((t.r - 1) * (t.r - 1)) / n1;
  const cc = t.c - ((t.c - 1) * (t.c - 1)) / n1;
  const den = Math.min(rc - 1, cc - 1);
  if (!(den > 0)) return { value: null, reason: 'too few rows for the bias correction' };
  return { value: Math.min(Math.sqrt(phi2 / den), 1) };
}
