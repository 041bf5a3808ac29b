import { test } from 'node:test';
import assert from 'node:assert/strict';
import { polarFactor, singularValueDecomposition } from '../../../src/core/stats/svd';
import { readLatentFixture, matmul, maxAbsDiff, transpose } from './fixtures';

interface SvdCase {
  a: number[][];
  d: number[];
  u: number[][];
  v: number[][];
}
const F = readLatentFixture<{ cases: SvdCase[] }>('svd.json');
const EPS = Number.EPSILON;

function identity(k: number): number[][] {
  return Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => (i === j ? 1 : 0)));
}

function frobenius(A: number[][]): number {
  return Math.sqrt(A.reduce((s, row) => s + row.reduce((t, v) => t + v * v, 0), 0));
}

test('SVD: singular values as base::svd (LAPACK dgesdd), A = U D V\', orthonormal U and V', () => {
  for (const [c, C] of F.cases.entries()) {
    const { d, u, v } = singularValueDecomposition(C.a);
    const norm = frobenius(C.a);
    const m = C.a.length;
    const n = C.a[0].length;
    // Both are backward stable: each singular value within ~max(m, n) eps ||A|| of the exact one
    // (Weyl for singular values); 10 max(m, n) eps ||A||_F leaves a margin for both errors.
    const tol = 10 * Math.max(m, n) * EPS * norm;
    d.forEach((x, i) => assert.ok(Math.abs(x - C.d[i]) <= tol, `case ${c} d[${i}]: ${x} vs R ${C.d[i]}`));
    const rebuilt = matmul(u.map((row) => row.map((x, j) => x * d[j])), transpose(v));
    assert.ok(maxAbsDiff(rebuilt, C.a) <= tol, `case ${c}: U D V' differs from A by ${maxAbsDiff(rebuilt, C.a)}`);
    const r = Math.min(m, n);
    assert.ok(maxAbsDiff(matmul(transpose(u), u), identity(r)) <= 10 * m * EPS, `case ${c}: U'U`);
    assert.ok(maxAbsDiff(matmul(transpose(v), v), identity(r)) <= 10 * n * EPS, `case ${c}: V'V`);
    // Singular vectors of distinct, non-negligible singular values are unique up to a shared sign
    // (their angular error is ~ eps ||A|| / gap: the gaps here are >= 0.49, so 1e-13 is generous).
    for (let j = 0; j < r; j++) {
      if (C.d[j] < 1e-8 * C.d[0]) continue;
      const sign = Math.sign(u.reduce((s, row, i) => s + row[j] * C.u[i][j], 0));
      const du = Math.max(...u.map((row, i) => Math.abs(sign * row[j] - C.u[i][j])));
      const dv = Math.max(...v.map((row, i) => Math.abs(sign * row[j] - C.v[i][j])));
      assert.ok(du <= 1e-13 && dv <= 1e-13, `case ${c} vector ${j}: ${du}, ${dv}`);
    }
  }
});

test('SVD: a rank-deficient matrix gets a zero singular value and a completed orthonormal U', () => {
  // Case 2 of svd.json: column 3 = column 1 + 2 column 2.
  const { d, u } = singularValueDecomposition(F.cases[2].a);
  assert.ok(d[3] <= 1e-14 * d[0], `smallest singular value ${d[3]}`);
  assert.ok(maxAbsDiff(matmul(transpose(u), u), identity(4)) <= 1e-14);
  // The zero matrix: all singular values 0, still orthonormal factors.
  const z = singularValueDecomposition([
    [0, 0],
    [0, 0],
    [0, 0],
  ]);
  assert.deepEqual(z.d, [0, 0]);
  assert.ok(maxAbsDiff(matmul(transpose(z.u), z.u), identity(2)) <= 1e-15);
});

test('polarFactor: U V\' is orthogonal, equals A for an orthogonal A, and the singular sum is the nuclear norm', () => {
  const t = 0.7;
  const Q = [
    [Math.cos(t), -Math.sin(t)],
    [Math.sin(t), Math.cos(t)],
  ];
  const p = polarFactor(Q);
  assert.ok(maxAbsDiff(p.rotation, Q) <= 4 * EPS);
  assert.ok(Math.abs(p.singularSum - 2) <= 4 * EPS);
  // A = Q S with S symmetric positive definite has polar factor Q (Higham 1986).
  const S = [
    [2, 0.5],
    [0.5, 1],
  ];
  const q = polarFactor(matmul(Q, S));
  assert.ok(maxAbsDiff(q.rotation, Q) <= 1e-15 * 16, `polar factor off by ${maxAbsDiff(q.rotation, Q)}`);
  assert.ok(Math.abs(q.singularSum - 3) <= 16 * EPS, 'trace of S');
});

test('SVD rejects ragged and non-finite input', () => {
  assert.throws(() => singularValueDecomposition([[1, 2], [3]]), RangeError);
  assert.throws(() => singularValueDecomposition([[1, NaN]]), RangeError);
});
