/**
 * The parts that make polychoric fits of bootstrap replicates fast: the node sums of the bivariate
 * normal, increments of Phi2 between two values of rho, the likelihood in WebAssembly (against the
 * JavaScript route), Halley's steps from the run's estimate, and the stop on predicted convergence.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  bivariateNormalCdf,
  bivariateNormalDensity,
  densityNode,
  incrementNodes,
  lowCorrelationNodes,
  newQuadratureNodes,
  type QuadratureNodes,
} from '../../../src/core/stats/bivariate-normal';
import { gridSums, useWasmLikelihood } from '../../../src/core/stats/bvn-grid';
import { categoryThresholds, fitPolychoric } from '../../../src/core/stats/polychoric-fit';
import { itemThresholds, polychoricMatrix } from '../../../src/core/stats/polychoric';
import { computeSufficientStats } from '../../../src/core/count/sufficient';
import { Prng } from '../../../src/core/stats/prng';
import { normalCdf } from '../../../src/core/stats/distributions';
import { csvColumns, readFixtureJson, readSurveyCsv, num, REPO_ROOT } from './survey-csv';
import { closeSufficientWorkers, polychoricMatrixParallel } from '../../../src/core/parallel';
import path from 'node:path';

/** The node sum at (h, k) with Math.exp, term by term in node order. */
function direct(nodes: QuadratureNodes, h: number, k: number): number {
  let s = 0;
  for (let i = 0; i < nodes.n; i++) s += nodes.wt[i] * Math.exp((nodes.sn[i] * h * k - (h * h + k * k) / 2) * nodes.inv[i]);
  return s;
}

function withWasm<T>(on: boolean, f: () => T): T {
  useWasmLikelihood(on);
  try {
    return f();
  } finally {
    useWasmLikelihood(true);
  }
}

const H = Float64Array.from([-6, -3.1, -1.2, -0.4, 0, 0.05, 0.9, 1.7, 2.6, 5.5]);
const K = Float64Array.from([-5.2, -2.2, -0.7, 0, 0.3, 1.1, 2.4, 4.8]);

test('the density node is phi2 and the Genz nodes plus Phi(h) Phi(k) are Phi2', () => {
  const nodes = newQuadratureNodes();
  for (const rho of [-0.9, -0.3, 0.2, 0.7]) {
    densityNode(rho, nodes);
    const dens = new Float64Array(H.length * K.length);
    gridSums(nodes, H, K, dens, false);
    lowCorrelationNodes(rho, nodes);
    const sums = new Float64Array(H.length * K.length);
    gridSums(nodes, H, K, sums, false);
    for (let a = 0; a < H.length; a++) {
      for (let b = 0; b < K.length; b++) {
        const x = a * K.length + b;
        assert.ok(Math.abs(dens[x] - bivariateNormalDensity(H[a], K[b], rho)) <= 1e-16 + 4e-16 * dens[x], `phi2 at rho ${rho}`);
        const phi2 = sums[x] + normalCdf(H[a]) * normalCdf(K[b]);
        // Genz's accuracy (~1e-15, see bivariate-normal.test.ts) plus the kernel's rounding.
        assert.ok(Math.abs(phi2 - bivariateNormalCdf(H[a], K[b], rho)) <= 2e-15, `Phi2 at rho ${rho}: ${phi2}`);
      }
    }
  }
});

test('increments of Phi2 between two values of rho equal the difference of full evaluations', () => {
  const rng = new Prng(11);
  const nodes = newQuadratureNodes();
  let worst = 0;
  let checked = 0;
  for (let t = 0; t < 20000; t++) {
    const rhoA = (rng.nextFloat() * 2 - 1) * 0.92;
    const rhoB = Math.sin(Math.asin(rhoA) + (rng.nextFloat() * 2 - 1) * 0.05);
    const h = (rng.nextFloat() * 2 - 1) * 5;
    const k = (rng.nextFloat() * 2 - 1) * 5;
    if (!incrementNodes(rhoA, rhoB, nodes)) {
      assert.ok(Math.abs(rhoB) >= 0.925, 'only an end at high correlation refuses an interval this short');
      continue;
    }
    const d = Math.abs(direct(nodes, h, k) - (bivariateNormalCdf(h, k, rhoB) - bivariateNormalCdf(h, k, rhoA)));
    worst = Math.max(worst, d);
    checked++;
  }
  // Measured 2.7e-16 (the full evaluations' own rounding, ~1e-16 each); 1e-15 leaves a margin while
  // an interval integrated with too few nodes is off by 1e-14 and more at 0.05 radians.
  assert.ok(checked > 19000);
  assert.ok(worst <= 1e-15, `worst ${worst}`);
  assert.equal(incrementNodes(0.1, 0.2, nodes), false, 'an interval of 0.1 radians takes a full evaluation');
  assert.equal(incrementNodes(0.92, 0.93, nodes), false, 'an end at |rho| >= 0.925 takes a full evaluation');
  assert.equal(incrementNodes(NaN, 0.2, nodes), false, 'no previous rho');
});

interface BfiFixture {
  items: string[];
  psychTight: (number | string | null)[][];
}

test('bootstrap replicate fits (rho only, Halley from the full sample\'s rho) equal fits from 0 to 1e-12, in two or three evaluations, with and without WebAssembly', () => {
  const bfi = readFixtureJson<BfiFixture>('bfi.json');
  const data = readSurveyCsv('bfi.csv', bfi.items);
  const stats = computeSufficientStats(data);
  const observed = polychoricMatrix(stats, { smooth: false });
  // The observed matrix is psych's (this is what the replicates start from).
  for (let i = 0; i < 25; i++) for (let j = 0; j < 25; j++) assert.ok(Math.abs(observed.values[i][j]! - num(bfi.psychTight[i][j])) <= 1e-6);
  const rng = new Prng(5);
  const m = stats.items.length;
  let worst = 0;
  let most = 0;
  for (let b = 0; b < 3; b++) {
    const mult = new Float64Array(data.n);
    for (let r = 0; r < data.n; r++) mult[rng.nextInt(data.n)]++;
    const rep = computeSufficientStats(data, { weights: mult });
    const { thresholds } = itemThresholds(rep.itemWeights);
    for (let i = 0, p = 0; i < m; i++) {
      for (let j = i + 1; j < m; j++, p++) {
        const table = rep.pairWeights.subarray(rep.pairOffset[p], rep.pairOffset[p] + rep.k[i] * rep.k[j]);
        const exact = fitPolychoric(table, rep.k[i], rep.k[j], thresholds[i], thresholds[j]);
        const fast = fitPolychoric(table, rep.k[i], rep.k[j], thresholds[i], thresholds[j], 1, observed.values[i][j]!, true);
        const js = withWasm(false, () => fitPolychoric(table, rep.k[i], rep.k[j], thresholds[i], thresholds[j], 1, observed.values[i][j]!, true));
        assert.ok(Number.isNaN(fast.logLikelihood), 'a rho-only fit computes no log-likelihood');
        // Both stop within ~1e-12 of the maximiser (see fitPolychoric): 1e-11 allows their sum.
        worst = Math.max(worst, Math.abs(fast.rho - exact.rho));
        assert.ok(Math.abs(fast.rho - exact.rho) <= 1e-11, `pair ${i},${j}: ${fast.rho} vs ${exact.rho}`);
        assert.ok(Math.abs(js.rho - fast.rho) <= 1e-13, `pair ${i},${j}: JavaScript ${js.rho} vs WebAssembly ${fast.rho}`);
        most = Math.max(most, fast.iterations);
      }
    }
  }
  // Halley's cubic convergence from a start ~1/sqrt(n) away: two evaluations, at most three; a
  // wrong third derivative (Newton's quadratic rate) needs three to four.
  assert.ok(most <= 3, `at most ${most} evaluations`);
  assert.ok(worst < 1e-11);
});

test('infinite thresholds (empty end categories) and correlations beyond 0.925 (Genz\'s other branch): the same fits in WebAssembly and JavaScript', () => {
  // 5 x 4 tables: the first and last row categories empty (thresholds -Inf and +Inf), and a strongly
  // concordant table (rho ~0.97) whose Newton steps pass |rho| >= 0.925.
  const empty = [0, 0, 0, 0, 30, 12, 5, 1, 10, 25, 14, 6, 2, 9, 28, 33, 0, 0, 0, 0];
  const concordant = [80, 6, 0, 0, 5, 90, 7, 0, 0, 6, 85, 5, 0, 0, 4, 95, 0, 0, 0, 1];
  const rowsOf = (t: number[]) => [0, 1, 2, 3, 4].map((a) => t.slice(4 * a, 4 * a + 4).reduce((x, y) => x + y, 0));
  const colsOf = (t: number[]) => [0, 1, 2, 3].map((b) => [0, 1, 2, 3, 4].reduce((x, a) => x + t[4 * a + b], 0));
  for (const [label, table] of [['empty end categories', empty], ['rho ~0.97', concordant]] as const) {
    const rowTau = categoryThresholds(rowsOf([...table]));
    const colTau = categoryThresholds(colsOf([...table]));
    if (label === 'empty end categories') assert.ok(rowTau[0] === -Infinity && rowTau[3] === Infinity, 'infinite thresholds in the test');
    for (const start of [0, 0.5, -0.3]) {
      const fast = fitPolychoric(table, 5, 4, rowTau, colTau, 1, start, true);
      const js = withWasm(false, () => fitPolychoric(table, 5, 4, rowTau, colTau, 1, start, true));
      const full = withWasm(false, () => fitPolychoric(table, 5, 4, rowTau, colTau));
      assert.ok(Number.isFinite(fast.rho), `${label}: finite rho`);
      assert.ok(Math.abs(fast.rho - js.rho) <= 1e-12, `${label}, start ${start}: WebAssembly ${fast.rho} vs JavaScript ${js.rho}`);
      assert.ok(Math.abs(fast.rho - full.rho) <= 1e-11, `${label}, start ${start}: ${fast.rho} vs a full fit ${full.rho}`);
      if (label === 'rho ~0.97') assert.ok(full.rho > 0.925, `the fit is in the high-correlation branch (${full.rho})`);
    }
  }
});

test('the JavaScript route of the likelihood gives psych\'s matrix too', () => {
  const bfi = readFixtureJson<BfiFixture>('bfi.json');
  const data = readSurveyCsv('bfi.csv', bfi.items);
  const res = withWasm(false, () => polychoricMatrix(computeSufficientStats(data), { smooth: false }));
  // TIGHT of polychoric.test.ts: the reference is good to ~1e-8, ours to 1e-12.
  for (let i = 0; i < 25; i++) for (let j = 0; j < 25; j++) assert.ok(Math.abs(res.values[i][j]! - num(bfi.psychTight[i][j])) <= 1e-6);
});


test('a polychoric matrix fitted on the counting threads is the matrix fitted here, exactly: values, standard errors, undefined pairs, smoothing', async () => {
  const workerScript = path.join(REPO_ROOT, 'out', 'sufficient-worker.js');
  const spiItems = csvColumns(path.join(REPO_ROOT, 'test/fixtures/data/spi.csv')).filter((c) => c.startsWith('q_')).slice(0, 40);
  const data = readSurveyCsv('spi.csv', spiItems, { rows: 1500 });
  // A nominal item and survey weights, so every branch of the per-pair work is there.
  data.columns[3].item = { ...data.columns[3].item, type: 'nominal' };
  const rng = new Prng(9);
  data.weights = Float64Array.from({ length: data.n }, () => 0.5 + rng.nextFloat());
  const stats = computeSufficientStats(data);
  try {
    for (const options of [{}, { standardErrors: false }, { start: polychoricMatrix(stats).values }]) {
      const here = polychoricMatrix(stats, options);
      const threads = await polychoricMatrixParallel(stats, options, { workers: 2, workerScript });
      assert.deepEqual(threads, here);
    }
  } finally {
    await closeSufficientWorkers();
  }
});
