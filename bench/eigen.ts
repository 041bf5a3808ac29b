/**
 * Benchmark: the symmetric eigen-decomposition behind every matrix comparison (compare.ts: all
 * eigenvalues, the first 3 eigenvectors for Tucker congruence), ours (src/core/stats/symmetric-eigen)
 * against ml-matrix's `EigenvalueDecomposition`, which the comparison used before, and against
 * numpy.linalg.eigh (bench/anchors/eigen.py, run after this on the same matrices).
 *
 *   npm run build && node out/bench/eigen.js [--sizes 175,300] [--runs 9] [--vectors 3] [--seed 1] [--out /tmp/replens-bench-eigen]
 *   /usr/bin/python3 bench/anchors/eigen.py [/tmp/replens-bench-eigen]
 *
 * Matrices: Pearson correlations of 4 x size respondents drawn from a seeded `Prng` (three latent
 * factors plus noise, so a few large eigenvalues and a spread of small ones, as survey matrices).
 * They are written to `--out` (row-major float64, with our eigenvalues) so that the anchor times
 * the very same matrices and checks that both sides agree. Each timing is the median of `--runs`
 * rounds after two warm-up rounds; a round times every contender once (the machine is shared, so
 * load changes hit all of them alike). Never run from the tests.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { symmetricEigen } from '../src/core/stats/symmetric-eigen';
import { Prng } from '../src/core/stats/prng';
import { arg, normalDeviate } from './args';

const sizes = arg('sizes', '175,300').split(',').map(Number);
const runs = Number(arg('runs', '9'));
const k = Number(arg('vectors', '3'));
const seed = Number(arg('seed', '1'));
const out = arg('out', '/tmp/replens-bench-eigen');

function correlationMatrix(p: number): number[][] {
  const rng = new Prng(seed * 1000 + p);
  const rows = 4 * p;
  const loading = Array.from({ length: p }, () => [0, 1, 2].map(() => (rng.nextFloat() - 0.3) * 0.9));
  const x = Array.from({ length: p }, () => new Float64Array(rows));
  for (let r = 0; r < rows; r++) {
    const f = [normalDeviate(rng), normalDeviate(rng), normalDeviate(rng)];
    for (let c = 0; c < p; c++) x[c][r] = normalDeviate(rng) + loading[c][0] * f[0] + loading[c][1] * f[1] + loading[c][2] * f[2];
  }
  for (const col of x) {
    const m = col.reduce((s, v) => s + v, 0) / rows;
    let ss = 0;
    for (let r = 0; r < rows; r++) ss += (col[r] -= m) ** 2;
    const inv = 1 / Math.sqrt(ss);
    for (let r = 0; r < rows; r++) col[r] *= inv;
  }
  const R = Array.from({ length: p }, () => new Array<number>(p).fill(1));
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < i; j++) {
      let s = 0;
      for (let r = 0; r < rows; r++) s += x[i][r] * x[j][r];
      R[i][j] = R[j][i] = s;
    }
  }
  return R;
}

interface Timing {
  ms: number;
  min: number;
  max: number;
}

/**
 * Median time of each function over `runs` rounds, after two warm-up rounds; each round calls every
 * function once, so a change of load on the shared machine affects all of them alike.
 */
function medians(contenders: (() => unknown)[]): Timing[] {
  for (let w = 0; w < 2; w++) contenders.forEach((f) => f());
  const t: number[][] = contenders.map(() => []);
  for (let r = 0; r < runs; r++) {
    contenders.forEach((f, i) => {
      const t0 = performance.now();
      f();
      t[i].push(performance.now() - t0);
    });
  }
  return t.map((times) => {
    times.sort((a, b) => a - b);
    return { ms: times[Math.floor(times.length / 2)], min: times[0], max: times[times.length - 1] };
  });
}

const fmt = (m: Timing): string =>
  `${m.ms.toFixed(2).padStart(8)} ms (${m.min.toFixed(2)}-${m.max.toFixed(2)})`;

fs.mkdirSync(out, { recursive: true });
console.log(`load average ${loadavg()[0].toFixed(2)}; median of ${runs} rounds (ms, min-max)`);
const summary: Record<string, unknown>[] = [];
for (const p of sizes) {
  const R = correlationMatrix(p);
  const [ours, oursAll, ml] = medians([
    () => symmetricEigen(R, k),
    () => symmetricEigen(R, p),
    () => new EigenvalueDecomposition(new Matrix(R), { assumeSymmetric: true }),
  ]);
  // Agreement: eigenvalues and the leading vectors (up to sign) of the two implementations.
  const a = symmetricEigen(R, k);
  const b = new EigenvalueDecomposition(new Matrix(R), { assumeSymmetric: true });
  const bv = b.realEigenvalues;
  const order = bv.map((_, c) => c).sort((x, y) => bv[y] - bv[x]);
  const valueDiff = Math.max(...a.values.map((v, c) => Math.abs(v - bv[order[c]])));
  let vectorDiff = 0;
  for (let c = 0; c < k; c++) {
    const col = b.eigenvectorMatrix.getColumn(order[c]);
    const dot = col.reduce((s, v, i) => s + v * a.vectors[c][i], 0);
    vectorDiff = Math.max(vectorDiff, ...col.map((v, i) => Math.abs(Math.sign(dot) * v - a.vectors[c][i])));
  }
  console.log(`${p} x ${p} correlation matrix (eigenvalues ${a.values[0].toFixed(2)} .. ${a.values[p - 1].toFixed(3)})`);
  console.log(`  ours, all values + ${k} vectors   ${fmt(ours)}`);
  console.log(`  ours, all values + all vectors  ${fmt(oursAll)}`);
  console.log(`  ml-matrix (all vectors)         ${fmt(ml)}   ml-matrix / ours = ${(ml.ms / ours.ms).toFixed(1)}x`);
  console.log(`  agreement: eigenvalues ${valueDiff.toExponential(1)}, leading vectors ${vectorDiff.toExponential(1)}`);
  const flat = new Float64Array(p * p);
  R.forEach((row, i) => flat.set(row, i * p));
  fs.writeFileSync(path.join(out, `corr-${p}.f64`), flat);
  summary.push({ size: p, load: loadavg()[0], vectors: k, oursMs: ours.ms, oursAllVectorsMs: oursAll.ms, mlMatrixMs: ml.ms, values: a.values });
}
fs.writeFileSync(path.join(out, 'summary-ts.json'), JSON.stringify({ runs, seed, sizes: summary }, null, 2));
console.log(`wrote ${out}; now /usr/bin/python3 bench/anchors/eigen.py ${out}`);
