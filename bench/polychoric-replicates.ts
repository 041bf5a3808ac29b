/**
 * Benchmark: polychoric fits of bootstrap replicates, as the evaluation's polychoric interval
 * does them (global thresholds from the replicate's item weights, each pair's fit started at the
 * run's own estimate, rho only), on the first run of the bench data (5,000 x 175, 15,225 pairs).
 * Prints the time per fit, the likelihood evaluations per fit, and the largest difference from
 * fits to a step below 1e-12 started at 0 (not timed); then the run's own matrix (fits with
 * standard errors) started at 0 and at the normal-score start. One thread; never run in tests.
 * Needs the bench data (bench/generate-bench-data.py).
 *
 *   npm run build && node out/bench/polychoric-replicates.js [--replicates 4]
 */
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { computeSufficientStats } from '../src/core/count/sufficient';
import { fitPolychoric } from '../src/core/stats/polychoric-fit';
import { itemThresholds, polychoricMatrix } from '../src/core/stats/polychoric';
import { readSurveyCsvAt } from '../test/unit/polychoric/survey-csv';
import { MISSING, type SurveyData } from '../src/core/read/dataset';
import { Prng } from '../src/core/stats/prng';
import { arg } from './args';

const root = path.resolve(__dirname, '../..');
const dir = path.join(root, 'bench/data');
const config = JSON.parse(readFileSync(path.join(dir, 'representativeness.json'), 'utf8')) as { items: string[] };
const replicates = Number(arg('replicates', '4'));
const data = nonNegative(readSurveyCsvAt(path.join(dir, 'run1.csv'), config.items));

/** Negative codes are the survey's missing codes: make them missing, as the product's codebook does. */
function nonNegative(d: SurveyData): SurveyData {
  for (const col of d.columns) {
    const first = col.item.codes.findIndex((c) => c >= 0);
    if (first <= 0) continue;
    col.item.codes = col.item.codes.slice(first);
    for (let r = 0; r < d.n; r++) col.values[r] = col.values[r] === MISSING || col.values[r] < first ? MISSING : col.values[r] - first;
  }
  return d;
}
const stats = computeSufficientStats(data);
const observed = polychoricMatrix(stats, { smooth: false, standardErrors: false });
const m = stats.items.length;
const rng = new Prng(1);
let fits = 0;
let iterations = 0;
let seconds = 0;
let worst = 0;
const rhos: number[] = [];
for (let b = 0; b < replicates; b++) {
  const mult = new Float64Array(data.n);
  for (let r = 0; r < data.n; r++) mult[rng.nextInt(data.n)]++;
  const rep = computeSufficientStats(data, { weights: mult });
  const { thresholds } = itemThresholds(rep.itemWeights);
  const t0 = performance.now();
  for (let i = 0, p = 0; i < m; i++) {
    for (let j = i + 1; j < m; j++, p++) {
      const off = rep.pairOffset[p];
      const ki = rep.k[i];
      const kj = rep.k[j];
      const fit = fitPolychoric(rep.pairWeights.subarray(off, off + ki * kj), ki, kj, thresholds[i], thresholds[j], 1, observed.values[i][j] as number, true);
      fits++;
      iterations += fit.iterations;
      rhos.push(fit.rho);
    }
  }
  seconds += (performance.now() - t0) / 1000;
  // The same fits from 0 to a step below 1e-12, outside the timing.
  for (let i = 0, p = 0, x = rhos.length - (m * (m - 1)) / 2; i < m; i++) {
    for (let j = i + 1; j < m; j++, p++, x++) {
      const off = rep.pairOffset[p];
      const exact = fitPolychoric(rep.pairWeights.subarray(off, off + rep.k[i] * rep.k[j]), rep.k[i], rep.k[j], thresholds[i], thresholds[j]).rho;
      worst = Math.max(worst, Math.abs(exact - rhos[x]));
    }
  }
}
console.log(`${fits} fits: ${((seconds / fits) * 1e6).toFixed(1)} us per fit, ${(iterations / fits).toFixed(2)} evaluations per fit, ${seconds.toFixed(2)} s`);
console.log(`largest |rho - rho fitted from 0 to a step below 1e-12|: ${worst.toExponential(2)}`);
{
  let grid = 0;
  for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) grid += (stats.k[i] - 1) * (stats.k[j] - 1);
  console.log(`${m} items, ${stats.k.reduce((a, b) => Math.min(a, b), 99)}-${stats.k.reduce((a, b) => Math.max(a, b), 0)} categories, ${(grid / ((m * (m - 1)) / 2)).toFixed(1)} interior threshold points per pair on average`);
}
{
  // The observed matrix: every fit from 0, and from the normal-score start (polychoricMatrix's default).
  const zero = Array.from({ length: m }, () => new Array<number>(m).fill(0));
  for (let k = 0; k < 3; k++) {
    let t0 = performance.now();
    const fromZero = polychoricMatrix(stats, { start: zero });
    const tZero = performance.now() - t0;
    t0 = performance.now();
    const fromScores = polychoricMatrix(stats);
    const tScores = performance.now() - t0;
    let diff = 0;
    for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) diff = Math.max(diff, Math.abs((fromZero.values[i][j] as number) - (fromScores.values[i][j] as number)));
    console.log(`observed matrix (standard errors too): from 0 ${tZero.toFixed(0)} ms, from normal scores ${tScores.toFixed(0)} ms; max difference ${diff.toExponential(2)}`);
  }
}
