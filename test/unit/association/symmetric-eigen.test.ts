import { test } from 'node:test';
import assert from 'node:assert/strict';
import { symmetricEigen, symmetricEigenFlat, type SymmetricEigen } from '../../../src/core/stats/symmetric-eigen';
import { readFixture } from './survey-csv';

/** A case of reference-eigen.json (test/fixtures/association/generate-eigen.py, numpy.linalg.eigh). */
interface EigenCase {
  name: string;
  source: string;
  n: number;
  /** Upper triangle with the diagonal, row by row. */
  upper: number[];
  /** All eigenvalues, decreasing. */
  values: number[];
  /** numpy's unit eigenvectors of the first vectors.length values. */
  vectors: number[][];
}

const F = readFixture<{ numpy: string; cases: EigenCase[] }>('reference-eigen.json');
const EPS = Number.EPSILON;

function matrixOf(c: EigenCase): number[][] {
  const A = Array.from({ length: c.n }, () => new Array<number>(c.n).fill(0));
  let t = 0;
  for (let i = 0; i < c.n; i++) {
    for (let j = i; j < c.n; j++) A[i][j] = A[j][i] = c.upper[t++];
  }
  return A;
}

function frobenius(A: number[][]): number {
  return Math.sqrt(A.reduce((s, row) => s + row.reduce((r, v) => r + v * v, 0), 0));
}

function dot(x: number[], y: number[]): number {
  return x.reduce((s, v, i) => s + v * y[i], 0);
}

function norm(x: number[]): number {
  return Math.sqrt(dot(x, x));
}

interface Worst {
  value: number;
  vector: number;
  dot: number;
  residual: number;
  orthogonality: number;
}

/**
 * Tolerances. Both solvers are backward stable: each returns the exact decomposition of A + E with
 * ||E||_2 <= c n eps ||A||, where c is a modest constant in the error analyses (Golub & Van Loan
 * 8.3.4; Wilkinson) and in practice below 1. We take c = 1 per solver with ||A||_F >= ||A||_2:
 *
 * - eigenvalues (Weyl: |lambda_i(A + E) - lambda_i(A)| <= ||E||_2): |ours - numpy| <= 2 n eps ||A||_F;
 * - eigenvectors (Davis-Kahan: the angle between the invariant subspace of a group of eigenvalues
 *   and its perturbation is at most ||E||_2 / gap, gap the distance to the other eigenvalues): for a
 *   group of eigenvalues separated from the rest by more than 1e-6 ||A||_F, each of our vectors lies
 *   in numpy's subspace of the group up to sin(angle) <= 2 (2 n eps ||A||_F / gap), the factor 2 for
 *   ||v - v'|| = 2 sin(angle / 2) <= sqrt(2) sin(angle). A single eigenvalue is a group of one: the
 *   vector equals numpy's up to sign, and then also |v . v'| >= 1 - 1e-10 (the bound gives ~1e-14).
 *   Repeated or close eigenvalues (a group of several) have no unique vectors, so only the subspace
 *   is compared, plus:
 * - residual ||A v - lambda v||_2 = ||E v|| <= n eps ||A||_F, doubled for the rounding of A v itself;
 * - orthonormality |v_i . v_j - delta_ij| <= 2 n eps (products of n Householder reflections and
 *   Givens rotations lose orthogonality by O(n eps)).
 */
function checkAgainstNumpy(A: number[][], ours: SymmetricEigen, ref: EigenCase): Worst {
  const n = ref.n;
  const normA = frobenius(A);
  const tolValue = 2 * n * EPS * normA;
  const worst: Worst = { value: 0, vector: 0, dot: 0, residual: 0, orthogonality: 0 };
  assert.equal(ours.values.length, n, `${ref.name}: number of eigenvalues`);
  for (let c = 0; c < n; c++) {
    const err = Math.abs(ours.values[c] - ref.values[c]);
    worst.value = Math.max(worst.value, err);
    assert.ok(err <= tolValue, `${ref.name}: eigenvalue ${c}: ${ours.values[c]} vs numpy ${ref.values[c]} (tolerance ${tolValue})`);
  }
  // Groups of numpy eigenvalues closer than 1e-6 ||A||_F to a neighbour.
  const separation = 1e-6 * normA;
  let start = 0;
  while (start < n) {
    let end = start + 1;
    while (end < n && ref.values[end - 1] - ref.values[end] <= separation) end++;
    const gap = Math.min(start > 0 ? ref.values[start - 1] - ref.values[end - 1] : Infinity, end < n ? ref.values[start] - ref.values[end] : Infinity);
    if (end <= ref.vectors.length && end <= ours.vectors.length && Number.isFinite(gap)) {
      const tol = 2 * ((2 * n * EPS * normA) / gap);
      const basis = ref.vectors.slice(start, end);
      for (let c = start; c < end; c++) {
        const v = ours.vectors[c];
        // Distance of v from numpy's subspace: || v - V V' v ||.
        const outside = v.slice();
        for (const b of basis) {
          const p = dot(b, v);
          for (let i = 0; i < n; i++) outside[i] -= p * b[i];
        }
        const dist = norm(outside);
        worst.vector = Math.max(worst.vector, dist);
        assert.ok(dist <= tol, `${ref.name}: vector ${c} is ${dist} away from numpy's (tolerance ${tol}, gap ${gap})`);
        if (end - start === 1) {
          const d = 1 - Math.abs(dot(v, basis[0]));
          worst.dot = Math.max(worst.dot, Math.abs(d));
          assert.ok(Math.abs(d) <= 1e-10, `${ref.name}: |v . numpy v| = ${1 - d} for vector ${c}`);
        }
      }
    }
    start = end;
  }
  const tolResidual = 2 * n * EPS * normA;
  const tolOrthogonal = 2 * n * EPS;
  ours.vectors.forEach((v, c) => {
    const r = A.map((row, i) => dot(row, v) - ours.values[c] * v[i]);
    const res = norm(r);
    worst.residual = Math.max(worst.residual, res);
    assert.ok(res <= tolResidual, `${ref.name}: residual of vector ${c}: ${res} (tolerance ${tolResidual})`);
    ours.vectors.forEach((u, c2) => {
      const e = Math.abs(dot(u, v) - (c === c2 ? 1 : 0));
      worst.orthogonality = Math.max(worst.orthogonality, e);
      assert.ok(e <= tolOrthogonal, `${ref.name}: v${c} . v${c2} off by ${e} (tolerance ${tolOrthogonal})`);
    });
  });
  return worst;
}

for (const ref of F.cases) {
  test(`${ref.name} (${ref.source}): eigenvalues and eigenvectors equal numpy.linalg.eigh`, (t) => {
    const A = matrixOf(ref);
    const ours = symmetricEigen(A, ref.n);
    const worst = checkAgainstNumpy(A, ours, ref);
    t.diagnostic(
      `n=${ref.n} value ${worst.value.toExponential(1)}, vector ${worst.vector.toExponential(1)}, 1-|dot| ${worst.dot.toExponential(1)}, ` +
        `residual ${worst.residual.toExponential(1)}, orthogonality ${worst.orthogonality.toExponential(1)}`,
    );
  });
}

test('only the first k eigenvectors: the same numbers as all of them; the flat form agrees', () => {
  for (const ref of F.cases) {
    const A = matrixOf(ref);
    const all = symmetricEigen(A, ref.n);
    for (const k of [0, 1, 3]) {
      const some = symmetricEigen(A, k);
      assert.deepEqual(some.values, all.values, `${ref.name}, k = ${k}: values`);
      assert.deepEqual(some.vectors, all.vectors.slice(0, Math.min(k, ref.n)), `${ref.name}, k = ${k}: vectors`);
    }
    const flat = new Float64Array(ref.n * ref.n);
    A.forEach((row, i) => flat.set(row, i * ref.n));
    assert.deepEqual(symmetricEigenFlat(flat, ref.n, 3), symmetricEigen(A, 3), `${ref.name}: flat`);
  }
});

test('the checks are sharp: a slightly wrong decomposition fails them', () => {
  const ref = F.cases.find((c) => c.name === 'spi')!;
  const A = matrixOf(ref);
  const good = symmetricEigen(A, 10);
  checkAgainstNumpy(A, good, ref);
  const normA = frobenius(A);
  // An eigenvalue off by 10 x its tolerance.
  const values = good.values.slice();
  values[5] += 20 * ref.n * EPS * normA;
  assert.throws(() => checkAgainstNumpy(A, { values, vectors: good.vectors }, ref), /eigenvalue 5/);
  // The first vector turned by 1e-7 radians towards the second.
  const turned = good.vectors.map((v) => v.slice());
  turned[0] = good.vectors[0].map((x, i) => Math.cos(1e-7) * x + Math.sin(1e-7) * good.vectors[1][i]);
  assert.throws(() => checkAgainstNumpy(A, { values: good.values, vectors: turned }, ref), /vector 0/);
  // Vectors in the wrong order.
  const swapped = [good.vectors[1], good.vectors[0], ...good.vectors.slice(2)];
  assert.throws(() => checkAgainstNumpy(A, { values: good.values, vectors: swapped }, ref), /vector 0/);
});

test('no rows, k out of range, input left alone', () => {
  assert.deepEqual(symmetricEigen([], 3), { values: [], vectors: [] });
  assert.deepEqual(symmetricEigenFlat(new Float64Array(0), 0, 0), { values: [], vectors: [] });
  const A = [
    [2, 1],
    [1, 2],
  ];
  const copy = A.map((r) => r.slice());
  assert.equal(symmetricEigen(A, 5).vectors.length, 2);
  assert.equal(symmetricEigen(A, -1).vectors.length, 0);
  assert.deepEqual(A, copy);
  assert.throws(() => symmetricEigen([[1, 2], [3]], 1), RangeError);
  assert.throws(() => symmetricEigenFlat(new Float64Array(3), 2, 1), RangeError);
});

test('entries far from 1 in magnitude: scaled exactly, same decomposition', () => {
  const ref = F.cases.find((c) => c.name === 'bfi')!;
  const A = matrixOf(ref);
  const base = symmetricEigen(A, 3);
  for (const f of [2 ** 700, 2 ** 1000, 2 ** -700, 2 ** -1000]) {
    const scaled = symmetricEigen(
      A.map((row) => row.map((v) => v * f)),
      3,
    );
    scaled.values.forEach((v, c) => assert.ok(Math.abs(v / f - base.values[c]) <= 1e-14 * base.values[0], `factor ${f}, value ${c}`));
    scaled.vectors.forEach((v, c) => assert.ok(Math.abs(Math.abs(dot(v, base.vectors[c])) - 1) <= 1e-12, `factor ${f}, vector ${c}`));
  }
});

test('a non-finite entry gives NaN values and vectors', () => {
  const out = symmetricEigen(
    [
      [1, NaN],
      [NaN, 1],
    ],
    1,
  );
  assert.ok(out.values.length === 2 && out.values.every(Number.isNaN));
  assert.ok(out.vectors.length === 1 && out.vectors[0].every(Number.isNaN));
  const inf = symmetricEigen([[Infinity]], 1);
  assert.ok(Number.isNaN(inf.values[0]) && Number.isNaN(inf.vectors[0][0]));
});
