// The exact routes of the table correlations (correlationFromMargins): for a table of counts with
// integer scores every sum is an integer, so r is the exact value after three roundings. Checked
// against the exact rational value computed with BigInt from the table's definition (Pearson of the
// codes; Spearman as Pearson of the mid-ranks, doubled to stay integers), on random tables from a
// few rows to the largest totals each route takes, with correlations near 0 (where a formula that
// cancels would lose digits) and near +-1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { correlationAt, EXACT_CODE_SPAN, EXACT_CODE_TOTAL, EXACT_RANK_TOTAL, exactCodeBase } from '../../../src/core/stats/correlation';
import { Prng } from '../../../src/core/stats/prng';

/** Largest integer whose square is at most n (Newton's method from above). */
function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << BigInt((n.toString(2).length >> 1) + 1);
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

/** num / sqrt(den), rounded once to a double (to 2^-200 relative before the rounding). */
function ratio(num: bigint, den: bigint): number {
  if (num === 0n) return 0;
  const neg = num < 0n;
  const q = ((neg ? -num : num) << 400n) / isqrt(den << 400n);
  const r = Number(q) / 2 ** 200;
  return neg ? -r : r;
}

/** Pearson of a kx x ky table of integer counts with integer scores, exactly (null if undefined). */
function exactPearson(cells: number[], kx: number, ky: number, x: bigint[], y: bigint[]): number | null {
  let n = 0n, sx = 0n, sy = 0n, sxx = 0n, syy = 0n, sxy = 0n;
  for (let a = 0; a < kx; a++) {
    for (let b = 0; b < ky; b++) {
      const w = BigInt(cells[a * ky + b]);
      n += w;
      sx += w * x[a];
      sy += w * y[b];
      sxx += w * x[a] * x[a];
      syy += w * y[b] * y[b];
      sxy += w * x[a] * y[b];
    }
  }
  const vx = n * sxx - sx * sx;
  const vy = n * syy - sy * sy;
  if (vx === 0n || vy === 0n) return null;
  return ratio(n * sxy - sx * sy, vx * vy);
}

/** Twice the mid-ranks of a margin: 2 F_{a-1} + f_a + 1. */
function doubledMidRanks(freq: number[]): bigint[] {
  let before = 0n;
  return freq.map((f) => {
    const r = 2n * before + BigInt(f) + 1n;
    before += BigInt(f);
    return r;
  });
}

function margins(cells: number[], kx: number, ky: number): { rows: number[]; cols: number[] } {
  const rows = new Array<number>(kx).fill(0);
  const cols = new Array<number>(ky).fill(0);
  for (let a = 0; a < kx; a++) for (let b = 0; b < ky; b++) { rows[a] += cells[a * ky + b]; cols[b] += cells[a * ky + b]; }
  return { rows, cols };
}

/** A random table of `total` counts: answers b follow a in strength `link` (0: independent; 1: monotone), some categories left empty. */
function randomTable(rng: Prng, kx: number, ky: number, total: number, link: number): number[] {
  const cells = new Array<number>(kx * ky).fill(0);
  const skipX = rng.nextFloat() < 0.3 ? rng.nextInt(kx) : -1;
  const skipY = rng.nextFloat() < 0.3 ? rng.nextInt(ky) : -1;
  for (let r = 0; r < total; r++) {
    let a = rng.nextInt(kx);
    if (a === skipX) a = (a + 1) % kx;
    let b = rng.nextFloat() < link ? Math.min(ky - 1, Math.floor(((a + rng.nextFloat()) * ky) / kx)) : rng.nextInt(ky);
    if (b === skipY) b = (b + 1) % ky;
    cells[a * ky + b]++;
  }
  return cells;
}

/** Distinct random integer codes in [lo, lo + span], increasing. */
function randomCodes(rng: Prng, k: number, lo: number, span: number): number[] {
  const set = new Set<number>([lo, lo + span]);
  while (set.size < k) set.add(lo + rng.nextInt(span + 1));
  return [...set].sort((p, q) => p - q).slice(0, k);
}

function ulp(x: number): number {
  return x === 0 ? Number.MIN_VALUE : 2 ** (Math.floor(Math.log2(Math.abs(x))) - 52);
}

/** The library's value (NaN codes as null) for a table. */
function computed(cells: number[], kx: number, ky: number, x: number[] | null, y: number[] | null): number | null {
  const r = correlationAt(Float64Array.from(cells), 0, kx, ky, x && Float64Array.from(x), y && Float64Array.from(y));
  return Math.abs(r) <= 1 ? r : null;
}

test('exact routes: Pearson (integer codes spanning up to 255) and Spearman of tables of counts are the exact value within 2 ulp', () => {
  const rng = new Prng(20261202);
  const totals = [2, 3, 7, 40, 500, 5000, 65535];
  let cases = 0;
  let worst = 0;
  for (const total of totals) {
    for (let rep = 0; rep < 12; rep++) {
      const kx = 2 + rng.nextInt(11);
      const ky = 2 + rng.nextInt(11);
      const link = [0, 0.05, 0.5, 0.97, 1][rep % 5];
      const cells = randomTable(rng, kx, ky, total, link);
      const span = [kx - 1, 10, 100, EXACT_CODE_SPAN][rep % 4];
      const x = randomCodes(rng, kx, -50 + rng.nextInt(100), Math.max(span, kx - 1));
      const y = randomCodes(rng, ky, -50 + rng.nextInt(100), Math.max(span, ky - 1));
      assert.ok(exactCodeBase(x) === x[0] && exactCodeBase(y) === y[0]);
      const { rows, cols } = margins(cells, kx, ky);
      const expected = [
        exactPearson(cells, kx, ky, x.map(BigInt), y.map(BigInt)),
        exactPearson(cells, kx, ky, doubledMidRanks(rows), doubledMidRanks(cols)),
      ];
      const got = [computed(cells, kx, ky, x, y), computed(cells, kx, ky, null, null)];
      for (let m = 0; m < 2; m++) {
        const e = expected[m];
        const g = got[m];
        const where = `${m ? 'Spearman' : 'Pearson'}: total ${total}, ${kx} x ${ky}, link ${link}`;
        if (e === null) {
          assert.equal(g, null, where);
          continue;
        }
        assert.ok(g !== null, where);
        const err = Math.abs(g - Math.max(-1, Math.min(1, e))) / ulp(e);
        worst = Math.max(worst, err);
        assert.ok(err <= 2, `${where}: ${g} vs ${e} (${err} ulp)`);
        cases++;
      }
    }
  }
  assert.ok(cases > 120, `${cases} defined cases`);
  assert.ok(worst > 0, 'some value is not exactly representable (the comparison is not vacuous)');
});

test('Spearman near the largest total of the exact route, and past it (centred route), stays within 2 ulp and 1e-13', () => {
  const rng = new Prng(7);
  for (const [total, tolerance] of [[EXACT_RANK_TOTAL - 1, 'ulp'], [EXACT_RANK_TOTAL + 5000, 'relative']] as const) {
    for (const link of [0.02, 0.9]) {
      const cells = randomTable(rng, 11, 9, total, link);
      const { rows, cols } = margins(cells, 11, 9);
      const e = exactPearson(cells, 11, 9, doubledMidRanks(rows), doubledMidRanks(cols))!;
      const g = computed(cells, 11, 9, null, null)!;
      if (tolerance === 'ulp') assert.ok(Math.abs(g - e) <= 2 * ulp(e), `${total}: ${g} vs ${e}`);
      else assert.ok(Math.abs(g - e) <= 1e-13 * Math.abs(e), `${total}: ${g} vs ${e}`);
    }
  }
});

test('the centred route (weights, non-integer or widely spread codes, large totals) gives the same correlations to 1e-13', () => {
  const rng = new Prng(11);
  for (let rep = 0; rep < 20; rep++) {
    const kx = 2 + rng.nextInt(9);
    const ky = 2 + rng.nextInt(9);
    const cells = randomTable(rng, kx, ky, 3000, [0.03, 0.6, 0.95][rep % 3]);
    const x = randomCodes(rng, kx, 1, 20);
    const y = randomCodes(rng, ky, 1, 20);
    const { rows, cols } = margins(cells, kx, ky);
    const pearson = exactPearson(cells, kx, ky, x.map(BigInt), y.map(BigInt));
    const spearman = exactPearson(cells, kx, ky, doubledMidRanks(rows), doubledMidRanks(cols));
    if (pearson === null || spearman === null) continue;
    const close = (g: number | null, e: number, where: string) => assert.ok(g !== null && Math.abs(g - e) <= 1e-13 * Math.max(1e-3, Math.abs(e)), `${where}: ${g} vs ${e}`);
    // Survey weights: every cell times 0.37 (a correlation does not change).
    const weighted = cells.map((c) => c * 0.37);
    close(computed(weighted, kx, ky, x, y), pearson, 'weighted Pearson');
    close(computed(weighted, kx, ky, null, null), spearman, 'weighted Spearman');
    // Codes halved (not integers), and codes spread wider than EXACT_CODE_SPAN (scaled by 100).
    close(computed(cells, kx, ky, x.map((v) => v / 2), y), pearson, 'half codes');
    close(computed(cells, kx, ky, x.map((v) => v * 100), y), pearson, 'wide codes');
    assert.ok(Number.isNaN(exactCodeBase(x.map((v) => v * 100))) && Number.isNaN(exactCodeBase(x.map((v) => v / 2 + 0.25))));
  }
  // Pearson past the exact route's largest total.
  const cells = randomTable(rng, 5, 4, EXACT_CODE_TOTAL + 1000, 0.4);
  const e = exactPearson(cells, 5, 4, [1n, 2n, 3n, 4n, 5n], [1n, 2n, 3n, 4n])!;
  const g = computed(cells, 5, 4, [1, 2, 3, 4, 5], [1, 2, 3, 4])!;
  assert.ok(Math.abs(g - e) <= 1e-13 * Math.abs(e), `${g} vs ${e}`);
});
