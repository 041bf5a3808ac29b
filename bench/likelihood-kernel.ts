/**
 * Benchmark: the polychoric likelihood kernel alone (src/core/stats/kernels/bvn-grid.wat through
 * `KernelLikelihood`, as every polychoric fit calls it), on one k x k table with realistic
 * thresholds, at the three node counts of Genz's quadrature and for the increments between
 * iterates. Prints the time of one evaluation and, from the difference between node counts, the
 * time of one f64x2 exponential (two grid points at one node). One thread; never run in tests.
 *
 *   npm run build && node out/bench/likelihood-kernel.js [--categories 8] [--evaluations 200000]
 */
import { KernelLikelihood } from '../src/core/stats/bvn-grid';
import { categoryThresholds, kernelCutsOf } from '../src/core/stats/polychoric-fit';
import { arg } from './args';

const k = Number(arg('categories', '8'));
const evaluations = Number(arg('evaluations', '200000'));
// A table of 5,000 answers with unequal margins and a positive association; every cell answered.
const table = new Float64Array(k * k);
for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) table[a * k + b] = Math.round(5000 * ((1 + Math.min(a, b)) / (k * k * k)) + 3 + ((a * 7 + b * 3) % 5));
const rows = new Float64Array(k);
const cols = new Float64Array(k);
for (let a = 0; a < k; a++) {
  for (let b = 0; b < k; b++) {
    rows[a] += table[a * k + b];
    cols[b] += table[a * k + b];
  }
}
const rowTau = categoryThresholds(rows);
const colTau = categoryThresholds(cols);
// What the kernel takes of the thresholds, as the bootstrap's fits have it (one replicate, two items).
const [rowCuts, colCuts] = kernelCutsOf([[rowTau, colTau]]);
const points = (k - 1) * (k - 1);

/** ns per evaluation at `rho` (Genz's nodes, a full evaluation each time) or alternating between two close values (increments). */
function time(rhos: number[]): number {
  const lik = KernelLikelihood.create(table, k, k, rowTau, colTau, rowCuts, colCuts);
  if (!lik) throw new Error('the WebAssembly kernel is not available here');
  let sink = 0;
  const t0 = performance.now();
  for (let e = 0; e < evaluations; e++) {
    // A fresh setup every other call keeps the full evaluations full (no increment from the last rho).
    const l = rhos.length === 1 ? KernelLikelihood.create(table, k, k, rowTau, colTau, rowCuts, colCuts)! : lik;
    sink += l.evaluate(rhos[e % rhos.length], false).score;
  }
  const ns = ((performance.now() - t0) * 1e6) / evaluations;
  if (!Number.isFinite(sink)) throw new Error('the likelihood was not finite');
  return ns;
}

// Warm up (the kernel is compiled by V8's optimising tier once it is hot).
time([0.2]);
// Genz's rule by |rho|: 6 nodes below 0.3, 12 below 0.75, 20 below 0.925; increments take 4 nodes.
const cases: [string, number[], number][] = [
  ['Genz, 6 nodes (|rho| < 0.3)', [0.2], 6],
  ['Genz, 12 nodes (|rho| < 0.75)', [0.5], 12],
  ['Genz, 20 nodes (|rho| < 0.925)', [0.8], 20],
  ['increment, 4 nodes (steps of 0.01)', [0.2, 0.21], 4],
];
console.log(`${k} x ${k} table, ${points} interior threshold points, ${evaluations} evaluations each; each node count plus the density node`);
const measured: [number, number][] = [];
for (const [name, rhos, nodes] of cases) {
  const ns = time(rhos);
  measured.push([nodes, ns]);
  console.log(`  ${name.padEnd(38)} ${(ns / 1000).toFixed(2)} us an evaluation${rhos.length === 1 ? ' (with the setup of its fit)' : ''}`);
}
// Marginal cost of nodes: from 6 to 20 nodes at the same points.
const [n6, t6] = measured[0];
const [n20, t20] = measured[2];
console.log(`one f64x2 exponential (from 6 to 20 nodes): ${((t20 - t6) / ((n20 - n6) * Math.ceil(points / 2))).toFixed(1)} ns`);
