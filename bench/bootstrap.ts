/**
 * Benchmark: the pair tables of a run's structure bootstrap, one replicate at a time (scalar
 * counting of the rows drawn other than once) against batches of eight replicates (the WebAssembly
 * SIMD kernel of src/core/parallel/batch-count.ts), on the data of `npm run bench`.
 *
 *   npm run build && node out/bench/bootstrap.js [--data bench/data] [--run run1.csv] [--repeats 3] [--replicates N] [--evaluation-only]
 *
 * As the evaluation does it: the run's 175 items (codebook from the reference), as many replicates
 * as its work budget allows (all 200 for 5,000 respondents since the budget is 1.6e10; it was 52
 * with 4e9, and `--replicates 52` times that many), multiplicities drawn from one seeded stream.
 * Both ways are timed on all cores and on one thread; before any time is printed, every replicate's
 * tables of both ways are checked equal. Then the evaluation's own path (startBootstrapCorrelations:
 * each replicate's Pearson and Spearman straight from the kernel, no table stored), 8 or 32
 * replicates a kernel pass, after checking its values equal the stored tables' matrices. Never run
 * from the tests.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { readSurvey } from '../src/core/read';
import { computeSufficientStats } from '../src/core/count/sufficient';
import type { SufficientStats } from '../src/core/count/tables';
import { startBootstrapBatch, startBootstrapCorrelations, startBootstrapSufficientStats, closeSufficientWorkers } from '../src/core/parallel';
import { BATCH_LANES, MAX_BATCH_LANES, batchCountingAvailable } from '../src/core/parallel/batch-count';
import { bootstrapMultiplicities } from '../src/core/stats/resample';
import { Prng } from '../src/core/stats/prng';
import { associationMatrix } from '../src/core/stats/association';
import { arg } from './args';

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main(): Promise<void> {
  const data = path.resolve(arg('data', 'bench/data'));
  const repeats = Number(arg('repeats', '3'));
  const config = JSON.parse(readFileSync(path.join(data, 'representativeness.json'), 'utf8'));
  const ref = await readSurvey(path.join(data, config.reference.path), { items: config.items, weight: config.reference.weight });
  const run = await readSurvey(path.join(data, arg('run', 'run1.csv')), { codebook: ref.codebook, items: config.items, weight: null });
  if (!run.data) throw new Error('the run has no respondents');
  const runData = run.data;
  const m = runData.columns.length;
  const npairs = (m * (m - 1)) / 2;
  // The evaluation's budget (src/core/evaluate/evaluate.ts, STRUCTURE_BOOTSTRAP_BUDGET), or --replicates.
  const B = Number(arg('replicates', String(Math.min(Number(config.bootstrap ?? 200), Math.floor(1.6e10 / (npairs * runData.n))))));
  console.log(`${runData.n} respondents x ${m} items (${npairs} pairs), ${B} replicates; WebAssembly SIMD: ${batchCountingAvailable() ? 'yes' : 'no'}`);
  const unweighted = computeSufficientStats(runData, { weights: null });
  const rng = new Prng(1);
  const mults = Array.from({ length: B }, () => bootstrapMultiplicities(runData.n, rng, new Float64Array(runData.n)));

  const oneByOne = async (workers: number) => {
    const out: SufficientStats[] = [];
    for (const mu of mults) out.push(await startBootstrapSufficientStats(unweighted, runData, { multiplicities: mu }, { workers }));
    return out;
  };
  const batched = async (workers: number) => {
    const out: SufficientStats[] = [];
    for (let b = 0; b < B; b += BATCH_LANES) out.push(...(await startBootstrapBatch(unweighted, runData, { multiplicities: mults.slice(b, b + BATCH_LANES) }, { workers })));
    return out;
  };

  // Agreement first. With --evaluation-only, only the evaluation's path (the last section) is timed,
  // still checked against the batched tables.
  const evaluationOnly = process.argv.includes('--evaluation-only');
  const b = await batched(2);
  const a = evaluationOnly ? [] : await oneByOne(2);
  for (let r = 0; r < a.length; r++) {
    const x = a[r].pairWeights;
    const y = b[r].pairWeights;
    for (let c = 0; c < x.length; c++) if (x[c] !== y[c]) throw new Error(`replicate ${r}, cell ${c}: ${x[c]} one by one, ${y[c]} batched`);
  }
  if (!evaluationOnly) console.log(`agreement: all ${B} replicates' ${a[0].pairWeights.length} cells equal`);

  const rows: [string, number[]][] = [];
  for (const [label, fn, workers] of evaluationOnly ? [] : [
    ['one replicate at a time, 2 threads', oneByOne, 2],
    ['batches of 8 (SIMD kernel), 2 threads', batched, 2],
    ['one replicate at a time, 1 thread', oneByOne, 1],
    ['batches of 8 (SIMD kernel), 1 thread', batched, 1],
  ] as const) {
    const times: number[] = [];
    for (let i = 0; i < repeats; i++) {
      const t0 = performance.now();
      await fn(workers);
      times.push((performance.now() - t0) / 1000);
    }
    rows.push([label, times]);
  }
  for (const [label, times] of rows) {
    console.log(`${label.padEnd(42)} median ${median(times).toFixed(3)} s (min ${Math.min(...times).toFixed(3)}, max ${Math.max(...times).toFixed(3)}), ${((median(times) / B) * 1000).toFixed(1)} ms a replicate`);
  }
  // What the evaluation then does with each replicate's tables: its Pearson and Spearman matrices.
  for (const method of evaluationOnly ? [] : (['pearson', 'spearman'] as const)) {
    const times: number[] = [];
    for (let i = 0; i < repeats; i++) {
      const t0 = performance.now();
      for (const s of b) associationMatrix(s, method);
      times.push((performance.now() - t0) / 1000);
    }
    console.log(`${`${method} matrices of the ${B} replicates`.padEnd(42)} median ${median(times).toFixed(3)} s, ${((median(times) / B) * 1000).toFixed(1)} ms a replicate`);
  }
  if (!evaluationOnly) console.log(`ratio (one at a time / batched): 2 threads ${(median(rows[0][1]) / median(rows[1][1])).toFixed(2)}x, 1 thread ${(median(rows[2][1]) / median(rows[3][1])).toFixed(2)}x`);

  // The evaluation's own path: each replicate's Pearson and Spearman upper triangles straight from
  // the kernel's tables (no table stored), 8 or 32 replicates a kernel pass. Checked equal to the
  // matrices of the stored tables above before it is timed.
  const methods = ['pearson', 'spearman'] as ('pearson' | 'spearman')[];
  const npairsAll = (m * (m - 1)) / 2;
  const values = methods.map(() => mults.map(() => new Float64Array(new SharedArrayBuffer(8 * npairsAll))));
  const derived = async (lanes: number, workers: number) => {
    for (let r = 0; r < B; r += lanes) {
      await startBootstrapCorrelations(unweighted, runData, { multiplicities: mults.slice(r, r + lanes), methods, values: values.map((v) => v.slice(r, r + lanes)) }, { workers });
    }
  };
  await derived(MAX_BATCH_LANES, 2);
  for (const [mi, method] of methods.entries()) {
    for (let r = 0; r < B; r++) {
      const matrix = associationMatrix(b[r], method).values;
      for (let i = 0, p = 0; i < m; i++) {
        for (let j = i + 1; j < m; j++, p++) {
          const v = matrix[i][j];
          const w = values[mi][r][p];
          if (!(v === null ? Number.isNaN(w) : v === w)) throw new Error(`replicate ${r}, ${method} (${i}, ${j}): ${w} from the kernel, ${v} from the stored tables`);
        }
      }
    }
  }
  console.log(`agreement: all ${B} replicates' Pearson and Spearman values equal those of their stored tables`);
  for (const [lanes, workers] of [[BATCH_LANES, 2], [MAX_BATCH_LANES, 2], [BATCH_LANES, 1], [MAX_BATCH_LANES, 1]] as const) {
    const times: number[] = [];
    for (let i = 0; i < repeats; i++) {
      const t0 = performance.now();
      await derived(lanes, workers);
      times.push((performance.now() - t0) / 1000);
    }
    const label = `Pearson + Spearman, ${lanes} a pass, ${workers} thread${workers > 1 ? 's' : ''}`;
    console.log(`${label.padEnd(42)} median ${median(times).toFixed(3)} s (min ${Math.min(...times).toFixed(3)}, max ${Math.max(...times).toFixed(3)}), ${((median(times) / B) * 1000).toFixed(1)} ms a replicate`);
  }
  await closeSufficientWorkers();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
