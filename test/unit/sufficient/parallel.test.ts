import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { computeBootstrapSufficientStats, computeSufficientStats } from '../../../src/core/count/sufficient';
import type { SufficientStats } from '../../../src/core/count/tables';
import { startBootstrapSufficientStats, computeSufficientStatsParallel, closeSufficientWorkers } from '../../../src/core/parallel';
import { randomSurvey, multiplicities } from './helpers';

// The bundled worker, built by `npm run build` beside the CLI (repo root = four levels up from out/test/unit/sufficient).
const workerScript = path.join(path.resolve(__dirname, '../../../..'), 'out', 'sufficient-worker.js');

after(() => closeSufficientWorkers());

/** Every field equal, bit for bit (the parallel counting sums each table in the same order). */
function assertIdentical(a: SufficientStats, b: SufficientStats): void {
  assert.equal(a.rows, b.rows);
  assert.equal(a.weighted, b.weighted);
  assert.deepEqual(Array.from(a.k), Array.from(b.k));
  assert.deepEqual(Array.from(a.pairOffset), Array.from(b.pairOffset));
  assert.deepEqual(Array.from(a.pairWeights), Array.from(b.pairWeights));
  assert.deepEqual(Array.from(a.pairCounts), Array.from(b.pairCounts));
  assert.equal(a.pairCounts === a.pairWeights, b.pairCounts === b.pairWeights);
  assert.deepEqual(a.itemWeights.map((x) => Array.from(x)), b.itemWeights.map((x) => Array.from(x)));
  assert.deepEqual(a.itemCounts.map((x) => Array.from(x)), b.itemCounts.map((x) => Array.from(x)));
  assert.deepEqual(Array.from(a.itemWeightSq), Array.from(b.itemWeightSq));
}

// 30 items on mixed scales (blocks, single wide items): 6,000 rows x 435 pairs = 2.6 M increments,
// above the threshold under which the parallel path stays in the calling thread.
const KS = [4, 5, 4, 3, 6, 7, 4, 4, 11, 11, 20, 2, 5, 5, 4, 10, 9, 3, 4, 4, 6, 5, 4, 7, 8, 4, 3, 5, 4, 6];

for (const threads of [2, 3]) {
  test(`${threads} threads give exactly the single-threaded tables: unweighted, survey weights, bootstrap multiplicities`, async () => {
    const plain = randomSurvey(6000, KS, 21, 'none');
    assertIdentical(await computeSufficientStatsParallel(plain, {}, { workers: threads, workerScript }), computeSufficientStats(plain));
    const weighted = randomSurvey(6000, KS, 22, 'real');
    assertIdentical(await computeSufficientStatsParallel(weighted, {}, { workers: threads, workerScript }), computeSufficientStats(weighted));
    const mult = multiplicities(6000, 23);
    assertIdentical(await computeSufficientStatsParallel(plain, { weights: mult }, { workers: threads, workerScript }), computeSufficientStats(plain, { weights: mult }));
    const rows = Array.from({ length: 5000 }, (_, r) => (r * 13) % 6000);
    const columns = [3, 1, 0, 9, 8, 7, 6, 5, 4, 2, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29];
    assertIdentical(await computeSufficientStatsParallel(weighted, { rows, columns }, { workers: threads, workerScript }), computeSufficientStats(weighted, { rows, columns }));
    // Unweighted selections go through the bootstrap's kernel (one replicate of multiplicity 1).
    assertIdentical(await computeSufficientStatsParallel(weighted, { rows, columns, weights: null }, { workers: threads, workerScript }), computeSufficientStats(weighted, { rows, columns, weights: null }));
  });
}

test('unweighted tables up to 65,535 rows (the kernel\'s 16-bit lanes) and past it (the general counter) equal the single-threaded ones', async () => {
  for (const n of [65535, 65536]) {
    // Every answer the same in one item (a cell holding every row), the others random.
    const data = randomSurvey(n, [3, 11, 4, 6, 2, 9], 40 + n, 'none');
    data.columns[0].values.fill(1);
    assertIdentical(await computeSufficientStatsParallel(data, {}, { workers: 2, workerScript }), computeSufficientStats(data));
  }
});

test('small work, marginals only, and a missing worker script stay in the calling thread with the same result', async () => {
  const small = randomSurvey(50, [3, 4, 5], 31, 'real');
  assertIdentical(await computeSufficientStatsParallel(small, {}, { workers: 2, workerScript }), computeSufficientStats(small));
  assertIdentical(await computeSufficientStatsParallel(small, { marginalsOnly: true }, { workers: 2, workerScript }), computeSufficientStats(small, { marginalsOnly: true }));
  const big = randomSurvey(6000, KS, 32, 'none');
  assertIdentical(await computeSufficientStatsParallel(big, {}, { workers: 2, workerScript: '/nonexistent/sufficient-worker.js' }), computeSufficientStats(big));
});

test('bootstrap replicates on 2 threads equal the single-threaded replicate and the direct count exactly', async () => {
  const data = randomSurvey(6000, KS, 61, 'none');
  const unweighted = computeSufficientStats(data, { weights: null });
  const sharedUnweighted = await computeSufficientStatsParallel(data, { weights: null }, { workers: 2, workerScript });
  for (const seed of [62, 63]) {
    const mult = multiplicities(6000, seed);
    const single = computeBootstrapSufficientStats(unweighted, data, { multiplicities: mult });
    assertIdentical(await startBootstrapSufficientStats(unweighted, data, { multiplicities: mult }, { workers: 2, workerScript }), single);
    assertIdentical(await startBootstrapSufficientStats(sharedUnweighted, data, { multiplicities: mult }, { workers: 2, workerScript }), single);
    assertIdentical(single, computeSufficientStats(data, { weights: mult }));
  }
});
