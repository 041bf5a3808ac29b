import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeSufficientStats } from '../../../src/core/count/sufficient';
import { polychoricMatrix, polychoricUpperFromUpper, polychoricValuesFromUpper } from '../../../src/core/stats/polychoric';
import { upperTriangleOf } from '../../../src/core/stats/group-structure';
import { clearlyPositiveDefiniteUpper, smoothCorrelation } from '../../../src/core/stats/smooth';
import { num, readFixtureJson, readSurveyCsv } from './survey-csv';

type Cell = number | string | null;
interface SmoothFixture {
  rows: number;
  items: string[];
  raw: Cell[][];
  rawEigenvalues: Cell[];
  corSmooth: Cell[][];
  psychDefault: Cell[][];
  rawTight: Cell[][];
  corSmoothOfTight: Cell[][];
}
const fx = readFixtureJson<SmoothFixture>('smooth.json');
const toNumbers = (m: Cell[][]): number[][] => m.map((row) => row.map(num));

function maxDiff(a: (number | null)[][], b: Cell[][]): number {
  let worst = 0;
  for (let i = 0; i < b.length; i++) for (let j = 0; j < b.length; j++) worst = Math.max(worst, Math.abs(a[i][j]! - num(b[i][j])));
  return worst;
}

test('psych::cor.smooth of a non positive definite polychoric matrix (spi, 60 respondents x 40 items)', () => {
  const raw = toNumbers(fx.raw);
  const s = smoothCorrelation(raw);
  assert.equal(s.smoothed, true);
  // Eigenvalues vs R eigen(): symmetric QR on the same matrix, ~1e-15 x norm (<= 40): 1e-12.
  const eigenvalues = s.eigenvalues;
  assert.ok(eigenvalues !== null, 'a matrix that is not positive definite is decomposed');
  eigenvalues.forEach((v, i) => assert.ok(Math.abs(v - num(fx.rawEigenvalues[i])) < 1e-12, `eigenvalue ${i}`));
  assert.ok(eigenvalues[eigenvalues.length - 1] < 0);
  // V f(Lambda) V' is well conditioned (the raised eigenvalues are separated from the others), so
  // two eigensolvers agree to ~1e-14; 1e-10 leaves room and still fails for any formula change
  // (the floor 100 * eig.tol, the p / sum rescaling and cov2cor each move entries by > 1e-6).
  const d = maxDiff(s.matrix, fx.corSmooth);
  assert.ok(d < 1e-10, `max |ours - cor.smooth| = ${d}`);
  for (let i = 0; i < raw.length; i++) assert.equal(s.matrix[i][i], 1);
});

test('a positive definite matrix is returned unchanged and reported as not smoothed', () => {
  const m = [
    [1, 0.3, 0.2],
    [0.3, 1, 0.4],
    [0.2, 0.4, 1],
  ];
  const s = smoothCorrelation(m);
  assert.equal(s.smoothed, false);
  assert.deepEqual(s.matrix, m);
});

test('polychoricMatrix smooths like psych::polychoric defaults and says so', () => {
  const data = readSurveyCsv('spi.csv', fx.items, { rows: fx.rows });
  const res = polychoricMatrix(computeSufficientStats(data));
  assert.equal(res.smoothed, true);
  // Our tight rho (see polychoric.test.ts: 1e-6 vs psych's objective at optimize tol 1e-12),
  // smoothed: cor.smooth is a smooth map with derivative O(1) here, so the same 1e-6.
  const dTight = maxDiff(res.values, fx.corSmoothOfTight);
  assert.ok(dTight < 1e-6, `vs cor.smooth(tight) ${dTight}`);
  // psych's default output (optimize tol 1.2e-4, then smoothed): 1e-4 as for unsmoothed matrices.
  const dDefault = maxDiff(res.values, fx.psychDefault);
  assert.ok(dDefault < 1e-4, `vs psych::polychoric default ${dDefault}`);
  const unsmoothed = polychoricMatrix(computeSufficientStats(data), { smooth: false });
  assert.equal(unsmoothed.smoothed, false);
  assert.ok(maxDiff(unsmoothed.values, fx.rawTight) < 1e-6);
});

test('the positive-definiteness test: a Cholesky factor with a margin skips the eigen-decomposition, never psych\'s decision', () => {
  // Equicorrelation rho: eigenvalues 1 + 2 rho (once) and 1 - rho (twice), so rho = (delta - 1) / 2
  // puts the smallest at delta.
  const equi = (delta: number): number[][] => {
    const rho = (delta - 1) / 2;
    return [
      [1, rho, rho],
      [rho, 1, rho],
      [rho, rho, 1],
    ];
  };
  const clear = smoothCorrelation(equi(1e-6));
  assert.equal(clear.smoothed, false);
  assert.equal(clear.eigenvalues, null, 'clearly positive definite: no eigen-decomposition');
  // Positive definite within the margin: psych's test (min eigenvalue < eps) on the eigenvalues.
  const close = smoothCorrelation(equi(1e-10));
  assert.equal(close.smoothed, false);
  assert.ok(close.eigenvalues !== null && Math.abs(close.eigenvalues[2] - 1e-10) < 1e-14);
  const singular = smoothCorrelation(equi(-1e-3));
  assert.equal(singular.smoothed, true);
  assert.ok(singular.eigenvalues !== null && singular.eigenvalues[2] < 0);
});

test('a replicate\'s polychoric upper triangle (polychoricUpperFromUpper) is that of polychoricValuesFromUpper: as it is when clearly positive definite or incomplete, smoothed otherwise', () => {
  const m = 40;
  const upperOf = (r: number[][]) => upperTriangleOf(r);
  // The spi matrix psych smooths (not positive definite), the psych-smoothed one (positive
  // definite), the equicorrelation matrices around the margin, and the first with a value undefined.
  const raw = upperOf(toNumbers(fx.raw));
  const smooth = upperOf(toNumbers(fx.corSmooth));
  // Equicorrelation with smallest eigenvalue 1 - rho: rho = 1 - delta.
  const equal = (delta: number) => Float64Array.from({ length: 3 }, () => 1 - delta);
  const incomplete = Float64Array.from(raw);
  incomplete[17] = NaN;
  const cases: [string, Float64Array, number, 'same' | 'smoothed'][] = [
    ['non positive definite spi', raw, m, 'smoothed'],
    ['positive definite (psych-smoothed spi)', smooth, m, 'same'],
    ['incomplete', incomplete, m, 'same'],
    ['3 items, smallest eigenvalue 1e-6', equal(1e-6), 3, 'same'],
    ['3 items, within the margin (1e-10): eigenvalues decide', equal(1e-10), 3, 'same'],
    ['3 items, negative smallest eigenvalue', Float64Array.from({ length: 3 }, (_, p) => [0.9, 0.9, -0.9][p]), 3, 'smoothed'],
  ];
  for (const [label, upper, items, kind] of cases) {
    const got = polychoricUpperFromUpper(upper, items);
    const expected = upperTriangleOf(polychoricValuesFromUpper(upper, items));
    assert.equal(got.length, expected.length, label);
    for (let p = 0; p < got.length; p++) assert.ok(Object.is(got[p], expected[p]), `${label}, pair ${p}: ${got[p]} vs ${expected[p]}`);
    if (kind === 'same') assert.ok(Array.from(got).every((v, p) => Object.is(v, upper[p])), `${label}: unchanged`);
    else assert.ok(got.some((v, p) => v !== upper[p]), `${label}: smoothed`);
  }
});

test('clearlyPositiveDefiniteUpper reads the strict upper triangle in row order (every entry, at its place)', () => {
  // A positive definite matrix whose Cholesky test fails once any single entry is moved to a wrong place:
  // a chain with strong neighbours, and the same with one entry made inconsistent.
  const p = 6;
  const r = Array.from({ length: p }, (_, i) => Array.from({ length: p }, (_, j) => 0.8 ** Math.abs(i - j)));
  const upper = upperTriangleOf(r);
  assert.equal(clearlyPositiveDefiniteUpper(upper, p), true);
  for (let q = 0; q < upper.length; q++) {
    const bad = Float64Array.from(upper);
    bad[q] = -0.95; // far from 0.8^d: the matrix is no longer positive definite
    assert.equal(clearlyPositiveDefiniteUpper(bad, p), false, `entry ${q} is read`);
  }
});
