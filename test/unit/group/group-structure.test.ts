import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { acrossGroupCorrelation, acrossGroupUpper, compareUpperTriangles, compareUpperVectors, groupMeanMatrix, pearsonPairwise, replicateUpperComparer, topicMeanMatrix, upperTrianglePermutationNull, useWasmAcrossGroups, flatGroupWeights, type UpperComparison } from '../../../src/core/stats/group-structure';
import { Prng } from '../../../src/core/stats/prng';
import type { ItemCodebook } from '../../../src/core/read/codebook';

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
  // Without undefined values (the vectors compared as they are, no gathered copies); and with one
  // only in the last pair (found after the sums were begun).
  const third = groups.map(() => cols.map(() => rng.nextFloat()));
  const c = acrossGroupCorrelation({ ...a, values: third });
  const cu = acrossGroupUpper({ ...a, values: third });
  assert.ok(!cu.some(Number.isNaN) && !bu.some(Number.isNaN));
  assert.deepEqual(compareUpperVectors(cu, bu), compareUpperTriangles(c.values, b.values));
  const last = Float64Array.from(cu);
  last[last.length - 1] = NaN;
  const lastMatrix = c.values.map((row) => [...row]);
  lastMatrix[cols.length - 2][cols.length - 1] = lastMatrix[cols.length - 1][cols.length - 2] = null;
  assert.deepEqual(compareUpperVectors(last, bu), compareUpperTriangles(lastMatrix, b.values));
  assert.equal(compareUpperVectors(last, bu).pairs, cu.length - 1);
});

/** Bit for bit: Object.is tells -0 from 0 and NaN from a number, null from anything else. */
function sameComparison(actual: UpperComparison, expected: UpperComparison, what: string): void {
  assert.ok(Object.is(actual.pearson, expected.pearson), `${what}: pearson ${actual.pearson} vs ${expected.pearson}`);
  assert.ok(Object.is(actual.rmse, expected.rmse), `${what}: rmse ${actual.rmse} vs ${expected.rmse}`);
  assert.strictEqual(actual.pairs, expected.pairs, `${what}: pairs`);
}

// Items with uneven code sets, a two-code item and a one-code item (range 0: null in every group).
const codeSets = [[1, 2, 3, 4, 5], [0, 1], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [0, 3, 7], [1, 2, 3], [4]];
const replicateItems: ItemCodebook[] = Array.from({ length: 23 }, (_, j) => ({ id: `R${j}`, type: 'ordinal', codes: codeSets[j % codeSets.length] }));
const CONSTANT = 4; // codes [1, 2, 3]: weights [1, 0, 1] give exactly 0.5 in every group (zero variance)
const CONSTANT_WITH_HOLE = 10; // codes [1, 2, 3]: 0.5 where defined, empty in group 1
const HOLE = 2; // empty in group 1 only: that column's pairs go through pearsonPairwise
const NAN_WEIGHT = 7; // a NaN weight in group 0: no valid mean there
const INFINITE_WEIGHT = 13; // an infinite weight in group 2: a mean of NaN there, which is not null

/** One replicate's distributions ([group][item] over the item's codes): counts or fractional weights, with the special columns above. */
function replicateDistributions(rng: Prng, groups: number, holes: boolean): ArrayLike<number>[][] {
  return Array.from({ length: groups }, (_, g) =>
    replicateItems.map((item, j) => {
      const k = item.codes.length;
      if (holes && j === CONSTANT) return [1, 0, 1];
      if (holes && j === CONSTANT_WITH_HOLE) return g === 1 ? [0, 0, 0] : [2, 0, 2];
      if (holes && j === HOLE && g === 1) return new Float64Array(k);
      const d = Float64Array.from({ length: k }, () => (j % 2 ? Math.floor(rng.nextFloat() * 12) : rng.nextFloat() * 3));
      if (holes && j === NAN_WEIGHT && g === 0) d[0] = NaN;
      if (holes && j === INFINITE_WEIGHT && g === 2) d[0] = Infinity;
      return j % 3 ? d : Array.from(d);
    }),
  );
}

function referenceUpper(rng: Prng, undefinedPairs: boolean): Float64Array {
  const m = replicateItems.length;
  return Float64Array.from({ length: (m * (m - 1)) / 2 }, (_, p) => (undefinedPairs && p % 7 === 3 ? NaN : rng.nextFloat() * 2 - 1));
}

/** Replicate distributions as the fast path takes them. */
const flat = (d: readonly (readonly ArrayLike<number>[])[], items: readonly ItemCodebook[] = replicateItems) => flatGroupWeights(d, items.map((i) => i.codes.length));

const slowComparison = (refUpper: Float64Array, groups: number, d: ArrayLike<number>[][]) =>
  compareUpperVectors(refUpper, acrossGroupUpper(groupMeanMatrix(Array.from({ length: groups }, (_, g) => `G${g}`), replicateItems, d)));

test('the replicate fast path gives compareUpperVectors(acrossGroupUpper(groupMeanMatrix(...))) bit for bit, buffers reused across replicates', () => {
  const rng = new Prng(77);
  let checked = 0;
  for (const holes of [false, true]) {
    for (const undefinedPairs of [false, true]) {
      const refUpper = referenceUpper(rng, undefinedPairs);
      const compare = replicateUpperComparer(replicateItems, refUpper);
      // The same comparer across replicates of one size, then fewer and more groups (buffers kept or grown).
      for (const groups of [10, 10, 10, 3, 12, 2, 1, 10]) {
        const d = replicateDistributions(rng, groups, holes);
        const expected = slowComparison(refUpper, groups, d);
        sameComparison(compare(flat(d)), expected, `holes ${holes}, undefined pairs ${undefinedPairs}, ${groups} groups`);
        checked++;
        if (groups < 3) continue;
        // The cases the special columns are there for do occur.
        const upper = acrossGroupUpper(groupMeanMatrix(d.map((_, g) => `G${g}`), replicateItems, d));
        assert.ok(expected.pearson !== null && expected.pairs > 0);
        if (holes) {
          const m = replicateItems.length;
          const pair = (i: number, j: number) => i * m - (i * (i + 1)) / 2 + (j - i - 1);
          assert.ok(Number.isNaN(upper[pair(0, CONSTANT)]), 'zero variance: undefined');
          assert.ok(Number.isNaN(upper[pair(0, CONSTANT_WITH_HOLE)]), 'constant where defined: undefined');
          assert.ok(Number.isFinite(upper[pair(0, HOLE)]) && Number.isFinite(upper[pair(HOLE, 3)]), 'a hole: still a correlation, over the other groups');
          assert.ok(Number.isFinite(upper[pair(0, NAN_WEIGHT)]), 'a NaN weight: no mean in that group only');
          assert.ok(Number.isNaN(upper[pair(0, 5)]), 'a one-code item: undefined');
          assert.ok(Number.isNaN(upper[pair(0, INFINITE_WEIGHT)]), 'a NaN mean (not null): undefined, not left out of that column');
        }
        // Pairs undefined in either triangle are left out (the one-code item's always).
        const definedHere = upper.filter((v) => !Number.isNaN(v)).length;
        assert.strictEqual(expected.pairs, upper.filter((v, p) => !Number.isNaN(v) && !Number.isNaN(refUpper[p])).length);
        assert.ok(definedHere < upper.length);
        if (undefinedPairs) assert.ok(expected.pairs < definedHere);
      }
    }
  }
  assert.strictEqual(checked, 32);
});

test('with every column defined in every group, the WebAssembly correlations give the same comparisons bit for bit as the JavaScript loop and the slow path', () => {
  const rng = new Prng(31);
  // No one-code item, so every column is complete; the constant column (zero variance) stays.
  const complete = replicateItems.filter((it) => it.codes.length > 1);
  let checked = 0;
  for (const m of [2, 3, 4, 17, 18]) {
    const items = complete.slice(0, m);
    for (const undefinedPairs of [false, true]) {
      const refUpper = Float64Array.from({ length: (m * (m - 1)) / 2 }, (_, p) => (undefinedPairs && p % 5 === 1 ? NaN : rng.nextFloat() * 2 - 1));
      for (const groups of [2, 3, 10]) {
        const d = Array.from({ length: groups }, () =>
          items.map((item, j) => (j === CONSTANT ? [1, 0, 1] : Float64Array.from({ length: item.codes.length }, () => 0.5 + rng.nextFloat() * 3))),
        );
        const slow = compareUpperVectors(refUpper, acrossGroupUpper(groupMeanMatrix(d.map((_, g) => `G${g}`), items, d)));
        const results = [true, false].map((wasm) => {
          useWasmAcrossGroups(wasm);
          try {
            return replicateUpperComparer(items, refUpper)(flat(d, items));
          } finally {
            useWasmAcrossGroups(true);
          }
        });
        sameComparison(results[0], slow, `kernel, ${m} items, ${groups} groups`);
        sameComparison(results[1], slow, `JavaScript, ${m} items, ${groups} groups`);
        checked++;
      }
    }
  }
  assert.strictEqual(checked, 30);
});

test('the replicate fast path sees a change of one weight, of the reference, and nothing undefined gives null', () => {
  const rng = new Prng(78);
  const refUpper = referenceUpper(rng, true);
  const compare = replicateUpperComparer(replicateItems, refUpper);
  const d = replicateDistributions(rng, 10, true) as Float64Array[][];
  const before = slowComparison(refUpper, 10, d);
  sameComparison(compare(flat(d)), before, 'unchanged');
  // One more answer in one group x item: other numbers, the same as the slow path's again.
  const changed = d.map((row) => row.map((x) => Float64Array.from(x)));
  changed[4][0][1] += 1;
  const after = compare(flat(changed));
  assert.notStrictEqual(after.pearson, before.pearson);
  assert.notStrictEqual(after.rmse, before.rmse);
  sameComparison(after, slowComparison(refUpper, 10, changed), 'changed');
  // The reference changed at one pair: other numbers.
  const otherRef = Float64Array.from(refUpper);
  otherRef[1] += 0.25;
  assert.notStrictEqual(replicateUpperComparer(replicateItems, otherRef)(flat(d)).pearson, before.pearson);
  // Undefined everywhere: no pairs, as compareUpperVectors.
  const none = replicateUpperComparer(replicateItems, new Float64Array(refUpper.length).fill(NaN))(flat(d));
  assert.deepStrictEqual(none, { pearson: null, rmse: null, pairs: 0 });
  sameComparison(none, compareUpperVectors(new Float64Array(refUpper.length).fill(NaN), acrossGroupUpper(groupMeanMatrix(d.map((_, g) => `G${g}`), replicateItems, d))), 'none');
  assert.throws(() => replicateUpperComparer(replicateItems, new Float64Array(3)), /reference pairs/);
});
