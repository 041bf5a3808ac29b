import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeSufficientStats } from '../../../src/core/sufficient';
import { polychoricMatrix } from '../../../src/core/stats/polychoric';
import { smoothCorrelation } from '../../../src/core/stats/smooth';
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
