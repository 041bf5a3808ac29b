import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { computeSufficientStats } from '../../../src/core/count/sufficient';
import type { SufficientStats } from '../../../src/core/count/tables';
import { BATCH_LANES, MAX_BATCH_LANES, batchCountingAvailable, packMultiplicities } from '../../../src/core/parallel/batch-count';
import { bootstrapItemWeights, startBootstrapBatch, startBootstrapCorrelations, closeSufficientWorkers } from '../../../src/core/parallel';
import { randomSurvey, multiplicities } from './helpers';
import { MISSING, type SurveyData } from '../../../src/core/read/dataset';
import { associationMatrix } from '../../../src/core/stats/association';
import { polychoricMatrix, polychoricValuesFromUpper } from '../../../src/core/stats/polychoric';

const workerScript = path.join(path.resolve(__dirname, '../../../..'), 'out', 'sufficient-worker.js');

after(() => closeSufficientWorkers());

/** A replicate equals the direct count with the multiplicities as weights, bit for bit (integers). */
function assertReplicate(s: SufficientStats, data: SurveyData, columns: number[] | undefined, mult: Float64Array, label: string): void {
  const direct = computeSufficientStats(data, { columns, weights: mult });
  assert.equal(s.rows, direct.rows, label);
  assert.equal(s.weighted, true, label);
  assert.deepEqual(Array.from(s.pairWeights), Array.from(direct.pairWeights), `${label}: weighted tables`);
  assert.deepEqual(Array.from(s.pairCounts), Array.from(direct.pairCounts), `${label}: count tables`);
  assert.deepEqual(s.itemWeights.map((x) => Array.from(x)), direct.itemWeights.map((x) => Array.from(x)), `${label}: item weights`);
  assert.deepEqual(s.itemCounts.map((x) => Array.from(x)), direct.itemCounts.map((x) => Array.from(x)), `${label}: item counts`);
  assert.deepEqual(Array.from(s.itemWeightSq), Array.from(direct.itemWeightSq), `${label}: squared weights`);
}

// Mixed scales (2 to 20 codes: tables of 3 x 3 to 21 x 21 slots), an odd row count (the kernel's
// last single row), 10% missing answers from the generator.
const KS = [4, 5, 4, 3, 6, 7, 4, 4, 11, 11, 20, 2, 5, 5, 4, 10, 9, 3, 4, 4, 6, 5, 4, 7, 8, 4, 3, 5, 4, 6];
const N = 6001;

test('this runtime has WebAssembly SIMD (Node 20 and VS Code do): the batch kernel is what the tests below exercise', () => {
  assert.equal(batchCountingAvailable(), true);
});

for (const threads of [1, 2]) {
  test(`a batch of 1 to ${BATCH_LANES} replicates equals the direct count of each (${threads} thread${threads > 1 ? 's' : ''})`, async () => {
    const data = randomSurvey(N, KS, 71, 'none');
    const columns = [3, 1, 0, 9, 8, 7, 6, 5, 4, 2, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28];
    const unweighted = computeSufficientStats(data, { columns, weights: null });
    for (const lanes of [1, 3, BATCH_LANES]) {
      const mults = Array.from({ length: lanes }, (_, l) => multiplicities(N, 100 * lanes + l));
      const size = unweighted.pairCounts.length;
      const into = mults.map(() => new Float64Array(new SharedArrayBuffer(8 * size)).fill(-1));
      const got = await startBootstrapBatch(unweighted, data, { columns, multiplicities: mults, into }, { workers: threads, workerScript });
      assert.equal(got.length, lanes);
      for (let l = 0; l < lanes; l++) {
        assert.equal(got[l].pairWeights, into[l], 'counted into the given buffer');
        assertReplicate(got[l], data, columns, mults[l], `${lanes} lanes, replicate ${l}`);
      }
    }
  });
}

test('batches the kernel cannot count exactly are counted one replicate at a time, with the same result', async () => {
  const data = randomSurvey(N, KS, 72, 'none');
  const unweighted = computeSufficientStats(data, { weights: null });
  const big = multiplicities(N, 5);
  big[17] = 300; // above a uint8 lane
  const mults = [multiplicities(N, 6), big];
  assert.equal(packMultiplicities(mults, N, false), null);
  const into = mults.map(() => new Float64Array(unweighted.pairCounts.length));
  for (const threads of [1, 2]) {
    const got = await startBootstrapBatch(unweighted, data, { multiplicities: mults, into }, { workers: threads, workerScript });
    got.forEach((s, l) => {
      assert.equal(s.pairWeights, into[l]);
      assertReplicate(s, data, undefined, mults[l], `fallback, ${threads} threads, replicate ${l}`);
    });
  }
});

test('packMultiplicities interleaves the lanes and refuses what a uint16 lane could not hold', () => {
  const a = Float64Array.from([0, 1, 2, 255]);
  const b = Float64Array.from([3, 0, 0, 1]);
  const packed = packMultiplicities([a, b], 4, false)!;
  assert.equal(packed.length, 4 * BATCH_LANES);
  for (let r = 0; r < 4; r++) {
    assert.equal(packed[r * BATCH_LANES], a[r]);
    assert.equal(packed[r * BATCH_LANES + 1], b[r]);
    for (let l = 2; l < BATCH_LANES; l++) assert.equal(packed[r * BATCH_LANES + l], 0);
  }
  assert.equal(packMultiplicities([Float64Array.from([256, 0])], 2, false), null, 'multiplicity 256');
  assert.equal(packMultiplicities([Float64Array.from([0.5, 1])], 2, false), null, 'not an integer');
  assert.equal(packMultiplicities([Float64Array.from([-1, 1])], 2, false), null, 'negative');
  assert.equal(packMultiplicities(Array.from({ length: BATCH_LANES + 1 }, () => new Float64Array(2)), 2, false), null, 'too many lanes');
  assert.equal(packMultiplicities([], 2, false), null, 'no replicate');
  assert.equal(packMultiplicities([new Float64Array(65536).fill(1)], 65536, false), null, 'a total of 65,536');
  assert.notEqual(packMultiplicities([new Float64Array(65535).fill(1)], 65535, false), null, 'a total of 65,535 fits');
});

test('9 to 32 replicates are packed four vectors a row (32 lanes), 33 to 64 eight (64 lanes), only when the caller allows it', () => {
  const most = MAX_BATCH_LANES;
  assert.equal(most, 64);
  for (const [count, width] of [
    [11, 32],
    [32, 32],
    [33, 64],
    [64, 64],
  ]) {
    const mults = Array.from({ length: count }, (_, l) => Float64Array.from([l % 200, (2 * l) % 200, 0]));
    assert.equal(packMultiplicities(mults, 3, false), null, 'more than BATCH_LANES by default');
    const packed: Uint8Array = packMultiplicities(mults, 3, false, most)!;
    assert.equal(packed.length, 3 * width, `${count} replicates`);
    for (let r = 0; r < 3; r++) {
      for (let l = 0; l < width; l++) assert.equal(packed[r * width + l], l < count ? mults[l][r] : 0, `${count} replicates, row ${r}, lane ${l}`);
    }
  }
  assert.equal(packMultiplicities(Array.from({ length: most + 1 }, () => new Float64Array(2)), 2, false, 1000), null, 'more than 64 lanes');
  assert.equal(packMultiplicities(Array.from({ length: 8 }, () => new Float64Array(2)), 2, false, most)!.length, 2 * BATCH_LANES, 'eight or fewer: one vector a row');
});

test('batches of 9 to 64 replicates (four or eight vectors a pass): each replicate\'s correlations, item weights and marginal-only weights exactly', async () => {
  const data = randomSurvey(N, KS, 77, 'none');
  data.columns[8].item = { ...data.columns[8].item, type: 'nominal' };
  const unweighted = computeSufficientStats(data, { weights: null });
  const m = KS.length;
  const npairs = (m * (m - 1)) / 2;
  const methods = ['pearson', 'spearman'] as ('pearson' | 'spearman')[];
  for (const lanes of [9, 20, 33, MAX_BATCH_LANES]) {
    const mults = Array.from({ length: lanes }, (_, l) => multiplicities(N, 500 + 40 * lanes + l));
    const direct = mults.map((mu) => computeSufficientStats(data, { weights: mu }));
    for (const threads of [1, 2]) {
      const values = methods.map(() => mults.map(() => new Float64Array(new SharedArrayBuffer(8 * npairs)).fill(7)));
      const weights = await startBootstrapCorrelations(unweighted, data, { multiplicities: mults, methods, values }, { workers: threads, workerScript });
      assert.equal(weights.length, lanes);
      for (let l = 0; l < lanes; l++) {
        const where = `${lanes} replicates, ${threads} threads, replicate ${l}`;
        assert.deepEqual(weights[l].map((x) => Array.from(x)), direct[l].itemWeights.map((x) => Array.from(x)), `${where}: item weights`);
        for (const [mi, method] of methods.entries()) {
          const matrix = associationMatrix(direct[l], method);
          for (let i = 0, p = 0; i < m; i++) {
            for (let j = i + 1; j < m; j++, p++) {
              const v = matrix.values[i][j];
              const w = values[mi][l][p];
              assert.ok(v === null ? Number.isNaN(w) : w === v, `${where}, ${method} (${i}, ${j}): ${w} vs ${v}`);
            }
          }
        }
      }
    }
    const marginal = bootstrapItemWeights(unweighted, data, { multiplicities: mults });
    marginal.forEach((w, l) => assert.deepEqual(w.map((x) => Array.from(x)), direct[l].itemWeights.map((x) => Array.from(x)), `${lanes} replicates, marginal-only replicate ${l}`));
  }
});

test('a cell holding a replicate\'s whole total of 65,535 is exact (the top of a uint16 lane)', async () => {
  // Every row answers the same codes: one cell collects the whole total.
  const n = 65535;
  const data = randomSurvey(n, [3, 4, 2], 73, 'none');
  for (const c of data.columns) c.values.fill(1);
  const unweighted = computeSufficientStats(data, { weights: null });
  const ones = new Float64Array(n).fill(1);
  const twos = new Float64Array(n);
  for (let r = 0; r < n; r += 2) twos[r] = 2; // 32,768 rows x 2 = 65,536: refused, counted one by one
  for (const mults of [[ones], [ones, twos]]) {
    const got = await startBootstrapBatch(unweighted, data, { multiplicities: mults }, { workers: 1 });
    got.forEach((s, l) => assertReplicate(s, data, undefined, mults[l], `total ${mults[l].reduce((x, y) => x + y, 0)}`));
  }
  const [s] = await startBootstrapBatch(unweighted, data, { multiplicities: [ones] }, { workers: 1 });
  assert.equal(Math.max(...s.pairWeights), 65535);
});

test('the kernel\'s exact correlations hold up to a replicate total of 65,535 (the largest integer sums), and other codes take the centred Pearson, bit for bit', async () => {
  const n = 65535;
  // Items of 2 to 12 codes, strongly related (sums far from 0) and not; integer codes (exact
  // Pearson), codes spread over 255 (the widest exact span), halves and a spread of 1,000 (centred).
  const data = randomSurvey(n, [12, 11, 2, 5, 7, 12, 4], 79, 'none');
  for (const c of data.columns) for (let r = 0; r < n; r++) if (c.values[r] === MISSING) c.values[r] = 0;
  const lead = data.columns[0].values;
  for (const c of [data.columns[1], data.columns[5]]) for (let r = 0; r < n; r++) if (r % 5 !== 0) c.values[r] = Math.min(lead[r], c.item.codes.length - 1);
  const spread = (k: number, span: number) => Array.from({ length: k }, (_, a) => Math.round((a * span) / (k - 1)));
  data.columns[1].item = { ...data.columns[1].item, codes: spread(11, 255) };
  data.columns[4].item = { ...data.columns[4].item, codes: [0.5, 1.5, 2, 3.25, 4, 5, 6] };
  data.columns[5].item = { ...data.columns[5].item, codes: spread(12, 1000) };
  const unweighted = computeSufficientStats(data, { weights: null });
  const m = data.columns.length;
  const npairs = (m * (m - 1)) / 2;
  const ones = new Float64Array(n).fill(1);
  const heavy = new Float64Array(n);
  for (let r = 0; r < n; r += 3) heavy[r] = r % 2 === 0 ? 2 : 1; // 32,768 rows, total 43,690
  const mults = [ones, heavy, multiplicities(n, 4)];
  const methods = ['pearson', 'spearman'] as ('pearson' | 'spearman')[];
  const values = methods.map(() => mults.map(() => new Float64Array(new SharedArrayBuffer(8 * npairs)).fill(7)));
  await startBootstrapCorrelations(unweighted, data, { multiplicities: mults, methods, values }, { workers: 1, workerScript });
  for (let l = 0; l < mults.length; l++) {
    const direct = computeSufficientStats(data, { weights: mults[l] });
    for (const [mi, method] of methods.entries()) {
      const matrix = associationMatrix(direct, method);
      for (let i = 0, p = 0; i < m; i++) {
        for (let j = i + 1; j < m; j++, p++) {
          const v = matrix.values[i][j];
          assert.ok(v !== null && values[mi][l][p] === v, `replicate ${l}, ${method} (${i}, ${j}): ${values[mi][l][p]} vs ${v}`);
        }
      }
    }
  }
  assert.ok(values[0][0][0] > 0.7, `the related items are related: ${values[0][0][0]}`);
});

test('the counting threads\' correlations of each replicate are its matrices\' upper triangles', async () => {
  const data = randomSurvey(N, KS, 74, 'none');
  data.columns[5].item = { ...data.columns[5].item, type: 'nominal' }; // seven codes: Pearson / Spearman undefined
  const unweighted = computeSufficientStats(data, { weights: null });
  const m = KS.length;
  const npairs = (m * (m - 1)) / 2;
  const mults = Array.from({ length: 5 }, (_, l) => multiplicities(N, 200 + l));
  for (const threads of [1, 2]) {
    const values = [0, 1].map(() => mults.map(() => new Float64Array(new SharedArrayBuffer(8 * npairs)).fill(7)));
    const got = await startBootstrapBatch(unweighted, data, { multiplicities: mults, derive: { methods: ['pearson', 'spearman'], values } }, { workers: threads, workerScript });
    got.forEach((s, l) => {
      for (const [mi, method] of (['pearson', 'spearman'] as const).entries()) {
        const matrix = associationMatrix(computeSufficientStats(data, { weights: mults[l] }), method);
        for (let i = 0, p = 0; i < m; i++) {
          for (let j = i + 1; j < m; j++, p++) {
            const v = matrix.values[i][j];
            const w = values[mi][l][p];
            assert.ok(v === null ? Number.isNaN(w) : w === v, `${threads} threads, replicate ${l}, ${method} (${i}, ${j}): ${w} vs ${v}`);
          }
        }
      }
      assert.ok(s.pairWeights.length > 0);
    });
    assert.ok(values[0][0].some(Number.isNaN), 'the nominal item\'s pairs are undefined');
  }
});

test('correlations without tables equal those derived from the stored tables, and the item weights are the replicates\'', async () => {
  const data = randomSurvey(N, KS, 75, 'none');
  data.columns[3].item = { ...data.columns[3].item, type: 'nominal' }; // two codes: still ordered enough
  data.columns[8].item = { ...data.columns[8].item, type: 'nominal' }; // eleven codes: undefined
  const unweighted = computeSufficientStats(data, { weights: null });
  const m = KS.length;
  const npairs = (m * (m - 1)) / 2;
  const mults = Array.from({ length: 6 }, (_, l) => multiplicities(N, 300 + l));
  const methods = ['spearman', 'pearson'] as ('pearson' | 'spearman')[];
  const shared = () => methods.map(() => mults.map(() => new Float64Array(new SharedArrayBuffer(8 * npairs)).fill(7)));
  const expected = shared();
  const viaTables = await startBootstrapBatch(unweighted, data, { multiplicities: mults, derive: { methods, values: expected } }, { workers: 1 });
  const big = multiplicities(N, 9);
  big[3] = 256; // not packable: through the tables
  for (const [label, ms] of [['kernel', mults], ['fallback', [...mults.slice(0, 5), big]]] as const) {
    const reference = label === 'kernel' ? expected : shared();
    if (label === 'fallback') await startBootstrapBatch(unweighted, data, { multiplicities: ms, derive: { methods, values: reference } }, { workers: 1 });
    for (const threads of [1, 2]) {
      const values = shared();
      const weights = await startBootstrapCorrelations(unweighted, data, { multiplicities: ms, methods, values }, { workers: threads, workerScript });
      assert.equal(weights.length, ms.length);
      for (let l = 0; l < ms.length; l++) {
        assert.deepEqual(weights[l].map((x) => Array.from(x)), computeSufficientStats(data, { weights: ms[l] }).itemWeights.map((x) => Array.from(x)), `${label}, ${threads} threads, replicate ${l}: item weights`);
        for (let mi = 0; mi < methods.length; mi++) {
          for (let p = 0; p < npairs; p++) assert.ok(Object.is(values[mi][l][p], reference[mi][l][p]), `${label}, ${threads} threads, ${methods[mi]}, replicate ${l}, pair ${p}`);
        }
      }
      assert.ok(values[0][0].some(Number.isNaN) && !values[0][0].every(Number.isNaN));
    }
  }
  assert.equal(viaTables.length, mults.length);
});

test('polychoric rho of each replicate from the counting threads: polychoricMatrix\'s within 1e-11, from a cold or a warm start', async () => {
  const ks = [4, 5, 4, 3, 6, 7, 5, 2];
  const n = 3001;
  const data = randomSurvey(n, ks, 76, 'none');
  data.columns[6].item = { ...data.columns[6].item, type: 'nominal' };
  const unweighted = computeSufficientStats(data, { weights: null });
  const m = ks.length;
  const npairs = (m * (m - 1)) / 2;
  const mults = Array.from({ length: 4 }, (_, l) => multiplicities(n, 400 + l));
  const point = polychoricMatrix(unweighted);
  const warm = new Float64Array(new SharedArrayBuffer(8 * npairs));
  for (let i = 0, p = 0; i < m; i++) for (let j = i + 1; j < m; j++, p++) warm[p] = point.values[i][j] ?? NaN;
  const cold = new Float64Array(new SharedArrayBuffer(8 * npairs)).fill(NaN);
  for (const threads of [1, 2]) {
    for (const [label, start] of [['cold', cold], ['warm', warm]] as const) {
      const values = mults.map(() => new Float64Array(new SharedArrayBuffer(8 * npairs)).fill(7));
      await startBootstrapCorrelations(unweighted, data, { multiplicities: mults, methods: ['pearson'], values: [mults.map(() => new Float64Array(new SharedArrayBuffer(8 * npairs)))], polychoric: { lanes: 3, values, start } }, { workers: threads, workerScript });
      for (let l = 0; l < 4; l++) {
        if (l === 3) {
          assert.ok(values[l].every((v) => v === 7), 'lanes past `lanes` are not fitted');
          continue;
        }
        const expected = polychoricMatrix(computeSufficientStats(data, { weights: mults[l] }));
        const got = polychoricValuesFromUpper(values[l], m);
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < m; j++) {
            const e = expected.values[i][j];
            const g = got[i][j];
            const where = `${label}, ${threads} threads, replicate ${l} (${i}, ${j}): ${g} vs ${e}`;
            // Both fits stop within ~1e-12 of the maximiser (fitPolychoric): 1e-11 allows their sum.
            if (e === null) assert.equal(g, null, where);
            else assert.ok(g !== null && Math.abs(g - e) <= 1e-11, where);
          }
        }
        assert.equal(got[6][0], null, 'nominal item');
      }
    }
  }
});
