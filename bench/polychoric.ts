/**
 * Benchmark: the full spi polychoric matrix (4,000 respondents x 135 six-point items, 9,045
 * pairs) in psych-compatible mode, against psych::polychoric (bench/anchors/polychoric.R, run
 * first; it writes out/bench/polychoric-psych.json). Prints our time, psych's, the ratio and the
 * largest |difference| between the two matrices. Never run in tests.
 *
 *   Rscript bench/anchors/polychoric.R && npm run build && node out/bench/polychoric.js
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { computeSufficientStats } from '../src/core/count/sufficient';
import { polychoricMatrix } from '../src/core/stats/polychoric';
import { csvColumns, readSurveyCsvAt } from '../test/unit/polychoric/survey-csv';

const root = path.resolve(__dirname, '../..');
const csv = path.join(root, 'test/fixtures/data/spi.csv');
const items = csvColumns(csv).filter((c) => c.startsWith('q_'));
const data = readSurveyCsvAt(csv, items);

function time<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const out = f();
  return [out, (performance.now() - t0) / 1000];
}

// Warm-up on a small subset so the JIT has compiled the hot loops (psych's timing has no such
// advantage to remove: R's byte compiler has already run on load).
polychoricMatrix(computeSufficientStats(data, { columns: [0, 1, 2, 3, 4, 5] }));

const runs = 3;
let best = Infinity;
let bestStats = Infinity;
let result = polychoricMatrix(computeSufficientStats(data, { columns: [0, 1] }));
for (let r = 0; r < runs; r++) {
  const [stats, tStats] = time(() => computeSufficientStats(data));
  const [res, tPoly] = time(() => polychoricMatrix(stats));
  if (tStats + tPoly < best + bestStats) {
    best = tPoly;
    bestStats = tStats;
  }
  result = res;
}
const total = best + bestStats;
console.log(`spi ${data.n} x ${items.length} (${(items.length * (items.length - 1)) / 2} pairs), best of ${runs}:`);
console.log(`  sufficient statistics (one pass, all pair tables): ${bestStats.toFixed(3)} s`);
console.log(`  polychoric matrix (global thresholds, Newton, smoothing check): ${best.toFixed(3)} s`);
console.log(`  total: ${total.toFixed(3)} s; smoothed: ${result.smoothed}; undefined pairs: ${result.undefinedPairs.length}`);

const anchorFile = path.join(root, 'out/bench/polychoric-psych.json');
if (existsSync(anchorFile)) {
  const anchor = JSON.parse(readFileSync(anchorFile, 'utf8')) as { seconds: number; psych: string; items: string[]; rho: number[][] };
  let worst = 0;
  for (let i = 0; i < items.length; i++) {
    for (let j = 0; j < items.length; j++) worst = Math.max(worst, Math.abs(result.values[i][j]! - anchor.rho[i][j]));
  }
  console.log(`psych::polychoric (psych ${anchor.psych}, single-threaded): ${anchor.seconds.toFixed(2)} s`);
  console.log(`  ratio psych / ours (total): ${(anchor.seconds / total).toFixed(1)}x`);
  console.log(`  max |ours - psych| over the matrix: ${worst.toExponential(3)}`);
} else {
  console.log(`no anchor at ${anchorFile}: run Rscript bench/anchors/polychoric.R first`);
}
