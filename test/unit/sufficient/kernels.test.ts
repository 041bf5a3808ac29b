import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeBootstrapSufficientStats, computeSufficientStats } from '../../../src/core/count/sufficient';
import { ItemWeightCounter, rowSetItemSums } from '../../../src/core/count/item-counts';
import { pairTable, type SufficientStats } from '../../../src/core/count/tables';
import { planBlocks } from '../../../src/core/count/pair-tables';
import { MISSING, type SurveyData } from '../../../src/core/read/dataset';
import { setWasmLimits, useWasmTableCounting } from '../../../src/core/count/table-count';
import { Prng } from '../../../src/core/stats/prng';
import { randomSurvey, multiplicities } from './helpers';

/**
 * The definition, counted the slow obvious way: for each pair and each selected row with both
 * answers present, add the row's weight to the weighted cell and 1 to the count cell (rows of
 * weight 0 still count, as in the product's contract).
 */
function assertMatchesDefinition(s: SufficientStats, data: SurveyData, columns: number[], rows: number[], w: Float64Array | null): void {
  const m = columns.length;
  for (let i = 0; i < m; i++) {
    const vi = data.columns[columns[i]].values;
    const ki = s.k[i];
    const cw = new Float64Array(ki);
    const cc = new Float64Array(ki);
    for (const r of rows) {
      if (vi[r] === MISSING) continue;
      cw[vi[r]] += w ? w[r] : 1;
      cc[vi[r]] += 1;
    }
    assert.deepEqual(Array.from(s.itemCounts[i]), Array.from(cc), `item ${i} counts`);
    // Item weight sums are accumulated in the same row order as here: identical doubles.
    assert.deepEqual(Array.from(s.itemWeights[i]), Array.from(cw), `item ${i} weights`);
    for (let j = i + 1; j < m; j++) {
      const vj = data.columns[columns[j]].values;
      const t = pairTable(s, i, j);
      const ew = new Float64Array(t.ki * t.kj);
      const ec = new Float64Array(t.ki * t.kj);
      for (const r of rows) {
        if (vi[r] === MISSING || vj[r] === MISSING) continue;
        ew[vi[r] * t.kj + vj[r]] += w ? w[r] : 1;
        ec[vi[r] * t.kj + vj[r]] += 1;
      }
      // Counts (and integer weights) are exact integers whatever the summation order.
      assert.deepEqual(Array.from(t.counts), Array.from(ec), `pair ${i},${j} counts`);
      for (let x = 0; x < ew.length; x++) {
        // Real weights: the same terms summed in another order (per joint cell, then folded); a
        // cell sums at most a few thousand terms of size <= 3.2, so 1e-12 relative is ~100x the
        // worst rounding drift.
        assert.ok(Math.abs(t.weights[x] - ew[x]) <= 1e-12 * Math.max(1, Math.abs(ew[x])), `pair ${i},${j} cell ${x}: ${t.weights[x]} vs ${ew[x]}`);
      }
    }
  }
}

const all = (n: number) => Array.from({ length: n }, (_, r) => r);

// Scales chosen to exercise every route: 4-point items pair into blocks and, with 3,000 rows, take
// the one-table-per-block-pair route; 11- and 20-point items are too wide to pair (single blocks);
// 2-point items; an odd item count leaves a single block at the end.
const KS = [4, 4, 5, 3, 11, 11, 20, 2, 7, 6, 4, 40, 5];

/**
 * Runs `fn` counting with the WebAssembly loop (answers resident, or copied in chunks of 1,000 rows
 * as for data too large to keep) or the JavaScript one (runtimes without WebAssembly).
 */
function withLoop(loop: 'wasm' | 'wasm-chunked' | 'js', fn: () => void): void {
  useWasmTableCounting(loop !== 'js');
  setWasmLimits(loop === 'wasm-chunked' ? { residentBytes: 0, chunkRows: 1000 } : null);
  try {
    fn();
  } finally {
    useWasmTableCounting(true);
    setWasmLimits(null);
  }
}

for (const [n, loop] of [[37, 'wasm'], [3000, 'wasm'], [3000, 'wasm-chunked'], [37, 'js'], [3000, 'js']] as const) {
  test(`unweighted tables equal the definition (${n} rows, every counting route, ${loop} loop)`, () => withLoop(loop, () => {
    const data = randomSurvey(n, KS, 1, 'none');
    const s = computeSufficientStats(data);
    assert.equal(s.weighted, false);
    assert.equal(s.pairCounts, s.pairWeights);
    assertMatchesDefinition(s, data, all(KS.length), all(n), null);
  }));

  test(`survey-weighted tables equal the definition (${n} rows, ${loop} loop)`, () => withLoop(loop, () => {
    const data = randomSurvey(n, KS, 2, 'real');
    const s = computeSufficientStats(data);
    assert.equal(s.weighted, true);
    assertMatchesDefinition(s, data, all(KS.length), all(n), data.weights);
  }));

  test(`bootstrap multiplicities (packed integer counting) equal the definition (${n} rows, ${loop} loop)`, () => withLoop(loop, () => {
    const data = randomSurvey(n, KS, 3, 'none');
    const mult = multiplicities(n, 4);
    const s = computeSufficientStats(data, { weights: mult });
    assert.equal(s.weighted, true);
    assertMatchesDefinition(s, data, all(KS.length), all(n), mult);
  }));
}

test('integer weights whose total passes 65,535 are counted as general weights, still exactly', () => {
  const n = 1500;
  const data = randomSurvey(n, [4, 5, 4, 6, 3], 5, 'none');
  const w = Float64Array.from({ length: n }, (_, r) => 50 + (r % 7)); // total ~79,500
  assert.ok(w.reduce((a, b) => a + b, 0) > 65535);
  const s = computeSufficientStats(data, { weights: w });
  assertMatchesDefinition(s, data, all(5), all(n), w);
});

test('selected rows (with repeats) and reordered columns equal the definition', () => {
  const n = 2500;
  const data = randomSurvey(n, KS, 6, 'real');
  const rng = new Prng(9);
  const rows = Array.from({ length: 4000 }, () => rng.nextInt(n));
  const columns = [5, 0, 1, 12, 3, 2, 11, 8];
  const s = computeSufficientStats(data, { rows, columns });
  assert.equal(s.rows, 4000);
  assertMatchesDefinition(s, data, columns, rows, data.weights);
});

test('blocks pair neighbouring items only when their joint code fits a byte-sized table', () => {
  const plan = planBlocks(Int32Array.from([4, 4, 11, 11, 50, 2, 7]));
  assert.deepEqual(Array.from(plan.first), [0, 2, 4, 5]);
  assert.deepEqual(Array.from(plan.second), [1, 3, -1, 6]);
  assert.equal(plan.units, 4 + 6);
});

test('one item and no items give empty pair tables', () => {
  const one = computeSufficientStats(randomSurvey(10, [3], 1, 'none'));
  assert.equal(one.pairWeights.length, 0);
  assert.deepEqual(Array.from(one.itemCounts[0]).reduce((a, b) => a + b, 0) <= 10, true);
  const none = computeSufficientStats(randomSurvey(10, [], 1, 'real'));
  assert.equal(none.items.length, 0);
});

test('a bootstrap replicate computed as a change of the unweighted tables equals the direct count exactly', () => {
  for (const n of [40, 3000]) {
    const data = randomSurvey(n, KS, 41, 'real'); // survey weights must be ignored by both routes
    const columns = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12];
    const unweighted = computeSufficientStats(data, { columns, weights: null });
    for (const seed of [1, 2]) {
      const mult = multiplicities(n, seed);
      const direct = computeSufficientStats(data, { columns, weights: mult });
      const viaChange = computeBootstrapSufficientStats(unweighted, data, { columns, multiplicities: mult });
      // All cells are integers (sums of integer multiplicities): equal exactly.
      assert.deepEqual(Array.from(viaChange.pairWeights), Array.from(direct.pairWeights));
      assert.deepEqual(Array.from(viaChange.pairCounts), Array.from(direct.pairCounts));
      assert.deepEqual(viaChange.itemWeights.map((x) => Array.from(x)), direct.itemWeights.map((x) => Array.from(x)));
      assert.deepEqual(viaChange.itemCounts.map((x) => Array.from(x)), direct.itemCounts.map((x) => Array.from(x)));
      assert.deepEqual(Array.from(viaChange.itemWeightSq), Array.from(direct.itemWeightSq));
      assert.equal(viaChange.weighted, true);
      assert.equal(viaChange.rows, direct.rows);
    }
  }
  const data = randomSurvey(30, [3, 4], 42, 'none');
  assert.throws(() => computeBootstrapSufficientStats(computeSufficientStats(data, { weights: Float64Array.from({ length: 30 }, () => 2) }), data, { multiplicities: new Float64Array(30) }), /unweighted statistics/);
  assert.throws(() => computeBootstrapSufficientStats(computeSufficientStats(data), data, { multiplicities: new Float64Array(30).fill(0.5) }), /not a non-negative integer/);
});

test('marginals-only statistics equal the marginals of the full statistics, bit for bit', () => {
  // 200,000 rows x 13 items passes the size from which row subsets are counted row-major.
  const data = randomSurvey(200000, KS, 51, 'real');
  const rng = new Prng(52);
  const rows = Array.from({ length: 150000 }, () => rng.nextInt(200000));
  const mult = multiplicities(200000, 53);
  for (const options of [{}, { rows }, { weights: mult }, { weights: null }, { rows, columns: [4, 2, 0] }]) {
    const full = computeSufficientStats(data, options);
    const only = computeSufficientStats(data, { ...options, marginalsOnly: true });
    assert.equal(only.pairWeights.length, 0);
    assert.equal(only.rows, full.rows);
    assert.equal(only.weighted, full.weighted);
    assert.deepEqual(only.itemWeights.map((x) => Array.from(x)), full.itemWeights.map((x) => Array.from(x)));
    assert.deepEqual(only.itemCounts.map((x) => Array.from(x)), full.itemCounts.map((x) => Array.from(x)));
    assert.deepEqual(Array.from(only.itemWeightSq), Array.from(full.itemWeightSq));
  }
});

test('replicate marginals from gathered answers equal the marginals-only statistics, bit for bit', () => {
  const data = randomSurvey(5000, KS, 61, 'real');
  const rng = new Prng(62);
  const rows = Uint32Array.from({ length: 700 }, () => rng.nextInt(5000));
  const columns = [4, 2, 0, 7];
  for (const rowSet of [null, rows]) {
    const counter = new ItemWeightCounter(data, columns, rowSet);
    for (let b = 0; b < 3; b++) {
      // Multiplicities and survey weight x multiplicity, as the bootstraps use them.
      const mult = multiplicities(5000, 63 + b);
      const weighted = Float64Array.from(mult, (m, r) => m * data.weights![r]);
      for (const weights of [mult, weighted]) {
        const expected = computeSufficientStats(data, { columns, rows: rowSet ?? undefined, weights, marginalsOnly: true }).itemWeights;
        assert.deepEqual(counter.count(weights).map((x) => Array.from(x)), expected.map((x) => Array.from(x)));
      }
    }
  }
});

test('row-set item sums equal the marginals-only statistics of each row set, bit for bit (weighted, unweighted, any row order; WebAssembly and JavaScript loops)', () => {
  for (const [n, weights, loop] of [[200000, 'real', 'wasm'], [3000, 'real', 'wasm'], [3000, 'none', 'wasm'], [3000, 'real', 'wasm-chunked'], [3000, 'none', 'js']] as const) withLoop(loop, () => {
    const data = randomSurvey(n, KS, 81, weights);
    const rng = new Prng(82);
    const sets = [0, 1, 2].map((s) => Uint32Array.from({ length: Math.floor(n / (s + 2)) }, () => rng.nextInt(n)));
    const columns = [4, 2, 0, 7, 9];
    const sums = rowSetItemSums(data, columns, sets, data.weights);
    sets.forEach((rows, s) => {
      const ref = computeSufficientStats(data, { columns, rows, marginalsOnly: true });
      assert.deepEqual(sums[s].weights.map((x) => Array.from(x)), ref.itemWeights.map((x) => Array.from(x)), `${n} rows, ${weights}, ${loop}, set ${s}: weights`);
      assert.deepEqual(sums[s].counts.map((x) => Array.from(x)), ref.itemCounts.map((x) => Array.from(x)), `${n} rows, ${weights}, ${loop}, set ${s}: counts`);
    });
  });
});
