import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { acrossGroupCorrelation, acrossGroupUpper, compareUpperTriangles, compareUpperVectors, groupMeanMatrix, pearsonPairwise, topicMeanMatrix, upperTrianglePermutationNull } from '../../../src/core/stats/group-structure';
import { Prng } from '../../../src/core/stats/prng';
import type { ItemCodebook } from '../../../src/core/codebook';

// Reference: test/fixtures/group/generate.py (pandas 1.5 / numpy on psychTools::bfi).
const root = path.resolve(__dirname, '../../../..');
const ref = JSON.parse(readFileSync(path.join(root, 'test/fixtures/group/group.json'), 'utf8'));
const items: ItemCodebook[] = ref.items.map((id: string) => ({ id, type: 'ordinal', codes: [1, 2, 3, 4, 5, 6], topic: id[0] }));

// Closed forms in double precision; sums over <= 2800 answers and 10 groups in a different order
// than pandas: relative rounding differences stay below ~1e-14, so 1e-12 absolute is safe and
// still catches any formula error (which would be >= 1e-4 here).
const TOL = 1e-12;

function close(a: number | null, b: number | null, what: string): void {
  if (b === null || Number.isNaN(b)) return assert.equal(a, null, what);
  assert.ok(a !== null && Math.abs(a - b) <= TOL, `${what}: ${a} vs ${b}`);
}

function upper(m: (number | null)[][]): (number | null)[] {
  const out: (number | null)[] = [];
  for (let i = 0; i < m.length; i++) for (let j = i + 1; j < m.length; j++) out.push(m[i][j]);
  return out;
}

for (const side of ['human', 'model'] as const) {
  test(`${side}: scaled group means and item-item correlation across groups match pandas`, () => {
    const a = groupMeanMatrix(ref.groups, items, ref[side].distributions);
    a.values.forEach((row, g) => row.forEach((v, j) => close(v, ref[side].A[g][j], `A[${g}][${j}]`)));
    const r = acrossGroupCorrelation(a);
    r.values.forEach((row, i) => row.forEach((v, j) => close(v, ref[side].R[i][j], `R[${i}][${j}]`)));
    assert.deepEqual(r.zeroVariance, []);
    const t = topicMeanMatrix(a, (c) => items.find((i) => i.id === c)?.topic);
    assert.deepEqual(t.columns, ref.topics);
    t.values.forEach((row, g) => row.forEach((v, j) => close(v, ref[side].topicA[g][j], `topicA[${g}][${j}]`)));
    const tr = acrossGroupCorrelation(t);
    tr.values.forEach((row, i) => row.forEach((v, j) => close(v, ref[side].topicR[i][j], `topicR[${i}][${j}]`)));
  });
}

test('human vs model comparison of the upper triangles matches numpy (rho and RMSE)', () => {
  const h = acrossGroupCorrelation(groupMeanMatrix(ref.groups, items, ref.human.distributions));
  const m = acrossGroupCorrelation(groupMeanMatrix(ref.groups, items, ref.model.distributions));
  const hu = upper(h.values);
  const mu = upper(m.values);
  close(pearsonPairwise(hu, mu), ref.comparison.pearson, 'rho');
  const rmse = Math.sqrt(hu.reduce((s: number, v, k) => s + ((v as number) - (mu[k] as number)) ** 2, 0) / hu.length);
  close(rmse, ref.comparison.rmse, 'rmse');
});

test('an item that does not vary across groups is reported and gets null correlations, not NaN', () => {
  const flat: ItemCodebook = { id: 'flat', type: 'ordinal', codes: [1, 2, 3] };
  const vary: ItemCodebook = { id: 'vary', type: 'ordinal', codes: [1, 2, 3] };
  const a = groupMeanMatrix(['g1', 'g2', 'g3'], [flat, vary], [
    [[1, 0, 1], [1, 0, 0]],
    [[2, 0, 2], [0, 1, 0]],
    [[0, 5, 0], [0, 0, 1]],
  ]);
  const r = acrossGroupCorrelation(a);
  assert.deepEqual(r.zeroVariance, ['flat']);
  assert.equal(r.values[0][1], null);
  assert.equal(r.values[0][0], null);
  assert.equal(r.values[1][1], 1);
});

test('across-group correlations equal pearsonPairwise bit for bit, with complete columns, holes and constant columns', () => {
  let seed = 12345;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const groups = 9;
  const columns = Array.from({ length: 14 }, (_, j) => `C${j}`);
  const values = Array.from({ length: groups }, () => columns.map(() => rand() as number | null));
  values[3][2] = null; // a hole: that column takes the general path
  values[0][5] = null;
  for (let g = 0; g < groups; g++) values[g][7] = 0.5; // constant: undefined correlations
  const a = { groups: Array.from({ length: groups }, (_, g) => `G${g}`), columns, values, weight: values.map((r) => r.map(() => 1)) };
  const c = acrossGroupCorrelation(a);
  const col = (j: number) => values.map((r) => r[j]);
  for (let i = 0; i < columns.length; i++) {
    for (let j = i + 1; j < columns.length; j++) {
      assert.equal(c.values[i][j], pearsonPairwise(col(i), col(j)), `${i},${j}`);
      assert.equal(c.n[i][j], values.filter((r) => r[i] !== null && r[j] !== null).length);
    }
  }
  assert.equal(c.values[7][1], null);
  assert.deepEqual(c.zeroVariance, ['C7']);
});

test('the permutation null of the upper-triangle Pearson: the same draws and values (to rounding) as permuting and comparing one by one', () => {
  const rng = new Prng(11);
  const m = 30;
  const sym = (f: (i: number, j: number) => number | null) => {
    const out: (number | null)[][] = Array.from({ length: m }, () => new Array<number | null>(m).fill(1));
    for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) out[i][j] = out[j][i] = f(i, j);
    return out;
  };
  const a = sym(() => rng.nextFloat() * 2 - 1);
  const b = sym((i, j) => (a[i][j] as number) * 0.5 + rng.nextFloat() - 0.5);
  const holes = sym((i, j) => (i === 3 ? null : (b[i][j] as number)));
  for (const [label, other] of [['complete', b], ['with undefined entries', holes]] as const) {
    const fast = upperTrianglePermutationNull(a, other, 200, new Prng(5));
    const slow: number[] = [];
    const draws = new Prng(5);
    for (let k = 0; k < 200; k++) {
      const r = compareUpperTriangles(a, other, draws.permutation(m)).pearson;
      if (r !== null) slow.push(r);
    }
    assert.equal(fast.length, slow.length, label);
    for (let k = 0; k < slow.length; k++) assert.ok(Math.abs(fast[k] - slow[k]) <= 1e-13, `${label} ${k}: ${fast[k]} vs ${slow[k]}`);
    if (label === 'with undefined entries') assert.deepEqual(fast, slow);
    // The draws after the null are the same too: the stream advanced by exactly `permutations` draws.
    const after = new Prng(5);
    for (let k = 0; k < 200; k++) after.permutation(m);
    const rngAfter = new Prng(5);
    upperTrianglePermutationNull(a, other, 200, rngAfter);
    assert.equal(rngAfter.nextFloat(), after.nextFloat());
  }
  // A constant matrix (0.5: its mean is exact, so its variance is exactly 0) has no null distribution.
  const constant = sym(() => 0.5);
  assert.deepEqual(upperTrianglePermutationNull(a, constant, 10, new Prng(1)), [], 'zero variance: no null values');
  const slowConstant = new Prng(1);
  for (let k = 0; k < 10; k++) assert.equal(compareUpperTriangles(a, constant, slowConstant.permutation(m)).pearson, null);
});

test('acrossGroupUpper is the correlation matrix\'s upper triangle exactly, and compareUpperVectors is compareUpperTriangles', () => {
  const rng = new Prng(21);
  const groups = ['a', 'b', 'c', 'd', 'e', 'f'];
  const cols = Array.from({ length: 12 }, (_, j) => `Q${j}`);
  const values = groups.map((_, g) => cols.map((_, j) => (j === 4 && g === 2 ? null : j === 7 ? 0.5 : rng.nextFloat())));
  const a = { groups, columns: cols, values, weight: values.map((row) => row.map(() => 1)) };
  const full = acrossGroupCorrelation(a);
  const upper = acrossGroupUpper(a);
  for (let i = 0, p = 0; i < cols.length; i++) {
    for (let j = i + 1; j < cols.length; j++, p++) {
      const v = full.values[i][j];
      assert.ok(v === null ? Number.isNaN(upper[p]) : upper[p] === v, `(${i}, ${j}): ${upper[p]} vs ${v}`);
    }
  }
  assert.ok(upper.some(Number.isNaN), 'the constant column gives undefined pairs');
  const other = groups.map(() => cols.map(() => rng.nextFloat()));
  const b = acrossGroupCorrelation({ ...a, values: other });
  const bu = acrossGroupUpper({ ...a, values: other });
  assert.deepEqual(compareUpperVectors(upper, bu), compareUpperTriangles(full.values, b.values));
});
