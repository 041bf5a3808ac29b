/**
 * Benchmark: association matrices of a WVS-sized respondent file, and a side-by-side anchor
 * (bench/anchors/association.py: numpy masked-BLAS pairwise Pearson, scipy / pandas Spearman).
 *
 *   npm run build && node out/bench/association.js [--rows 100000] [--items 300] [--missing 0.06] [--seed 1] [--out /tmp/replens-bench]
 *   /usr/bin/python3 bench/anchors/association.py /tmp/replens-bench
 *
 * The data are generated from a seeded `Prng`: six-point items driven by three latent factors (so
 * correlations are real, ~0.1-0.5), each answer missing with probability `--missing`. The answers
 * (row-major uint8, 0 = missing, 1..6) and the Pearson and Spearman matrices are written to
 * `--out` so the anchor reads the very same data and checks that both sides agree.
 * Never run from the tests.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MISSING, type SurveyData } from '../src/core/read/dataset';
import { computeSufficientStats } from '../src/core/count/sufficient';
import { closeSufficientWorkers, computeSufficientStatsParallel } from '../src/core/parallel';
import { associationMatrix } from '../src/core/stats/association';
import { Prng } from '../src/core/stats/prng';
import { arg, normalDeviate } from './args';

const rows = Number(arg('rows', '100000'));
const items = Number(arg('items', '300'));
const missing = Number(arg('missing', '0.06'));
const seed = Number(arg('seed', '1'));
const out = arg('out', '/tmp/replens-bench');

function generate(): { data: SurveyData; raw: Uint8Array } {
  const rng = new Prng(seed);
  const factors = 3;
  const loading = Array.from({ length: items }, () => Array.from({ length: factors }, () => (rng.nextFloat() - 0.3) * 0.9));
  const raw = new Uint8Array(rows * items);
  const columns = Array.from({ length: items }, (_, c) => ({
    item: { id: `Q${c + 1}`, type: 'ordinal' as const, codes: [1, 2, 3, 4, 5, 6] },
    values: new Uint8Array(rows),
    invalid: 0,
    missing: 0,
  }));
  const f = new Float64Array(factors);
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < factors; k++) f[k] = normalDeviate(rng);
    for (let c = 0; c < items; c++) {
      if (rng.nextFloat() < missing) {
        columns[c].values[r] = MISSING;
        columns[c].missing++;
        continue;
      }
      let z = normalDeviate(rng);
      for (let k = 0; k < factors; k++) z += loading[c][k] * f[k];
      const v = Math.min(6, Math.max(1, Math.round(3.5 + 1.1 * z)));
      columns[c].values[r] = v - 1;
      raw[r * items + c] = v;
    }
  }
  return { data: { source: 'bench', n: rows, columns, weights: null, attributes: new Map() }, raw };
}

function time<T>(label: string, f: () => T): { value: T; seconds: number } {
  const t0 = process.hrtime.bigint();
  const value = f();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`${label.padEnd(44)} ${seconds.toFixed(3)} s`);
  return { value, seconds };
}

function writeMatrix(file: string, values: (number | null)[][]): void {
  const a = new Float64Array(values.length * values.length);
  values.forEach((row, i) => row.forEach((v, j) => (a[i * values.length + j] = v ?? NaN)));
  fs.writeFileSync(file, a);
}

fs.mkdirSync(out, { recursive: true });
console.log(`${rows} respondents x ${items} items, ${missing * 100}% missing, seed ${seed}`);
const { data, raw } = time('generate data', generate).value;
async function timeAsync<T>(label: string, f: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const t0 = process.hrtime.bigint();
  const value = await f();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`${label.padEnd(44)} ${seconds.toFixed(3)} s`);
  return { value, seconds };
}

async function main(): Promise<void> {
  time('sufficient statistics, one thread (for reference)', () => computeSufficientStats(data));
  // The product's path: the same tables on every core (2 here), bit for bit equal.
  const stats = await timeAsync('sufficient statistics, all threads (as evaluated)', () => computeSufficientStatsParallel(data));
  await closeSufficientWorkers();
  const pearson = time('Pearson matrix from the tables', () => associationMatrix(stats.value, 'pearson'));
  const spearman = time('Spearman matrix from the tables (pairwise ranks)', () => associationMatrix(stats.value, 'spearman'));
  const cramer = time('Cramer V matrix from the tables', () => associationMatrix(stats.value, 'cramer'));
  fs.writeFileSync(path.join(out, 'data.u8'), raw);
  writeMatrix(path.join(out, 'pearson.f64'), pearson.value.values);
  writeMatrix(path.join(out, 'spearman.f64'), spearman.value.values);
  const summary = {
    rows,
    items,
    missing,
    seed,
    seconds: {
      sufficientStats: stats.seconds,
      pearson: pearson.seconds,
      spearman: spearman.seconds,
      cramer: cramer.seconds,
    },
  };
  fs.writeFileSync(path.join(out, 'summary-ts.json'), JSON.stringify(summary, null, 2));
  console.log(`wrote ${out}/{data.u8,pearson.f64,spearman.f64,summary-ts.json}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
