/**
 * Benchmark: a permutation null of a matrix correlation (the Mantel test of each method and the
 * group-level null; 999 permutations of 175 items in the end-to-end case), ours through both
 * routes of src/core/stats/permuted-cross (the WebAssembly kernel and the JavaScript loop) against
 * the strong anchor's `permutation_rhos` (bench/anchors/strong.py: numpy gathers of 128
 * permutations at once and a matrix-vector product), run after ours in the same command.
 *
 *   npm run build && node out/bench/permuted-cross.js [--items 175] [--permutations 999] [--runs 9]
 *
 * Matrices: two symmetric matrices of uniform entries from a seeded `Prng` (the time does not depend
 * on the values). Each timing is the median of `--runs` rounds after one warm-up; a round times each
 * of ours once. Never run from the tests.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { permutedCrossSums, useWasmPermutedCross } from '../src/core/stats/permuted-cross';
import { Prng } from '../src/core/stats/prng';
import { arg } from './args';

const m = Number(arg('items', '175'));
const count = Number(arg('permutations', '999'));
const runs = Number(arg('runs', '9'));
const rng = new Prng(1);
const x = new Float64Array(m * m);
const y = new Float64Array(m * m);
for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) {
  x[i * m + j] = x[j * m + i] = rng.nextFloat();
  y[i * m + j] = y[j * m + i] = rng.nextFloat();
}
const perms = new Uint32Array(count * m);
for (let b = 0; b < count; b++) perms.set(rng.permutation(m), b * m);

const routes: [string, boolean][] = [['WebAssembly kernel', true], ['JavaScript loop', false]];
const times = new Map<string, number[]>(routes.map(([name]) => [name, []]));
const results = new Map<string, Float64Array>();
for (let round = -1; round < runs; round++) {
  for (const [name, wasm] of routes) {
    useWasmPermutedCross(wasm);
    const out = new Float64Array(count);
    const t0 = performance.now();
    permutedCrossSums(x, y, m, perms, count, out);
    const ms = performance.now() - t0;
    if (round >= 0) times.get(name)!.push(ms);
    results.set(name, out);
  }
}
const [a, b] = [...results.values()];
if (!a.every((v, q) => Object.is(v, b[q]))) throw new Error('the two routes differ');
const median = (v: number[]) => [...v].sort((p, q) => p - q)[v.length >> 1];
console.log(`${count} permutations of ${m} items, median of ${runs} rounds:`);
for (const [name, t] of times) console.log(`  ours, ${name.padEnd(20)} ${median(t).toFixed(1)} ms (min ${Math.min(...t).toFixed(1)})`);

// The strong anchor on matrices of the same size (its own permutations; numpy's generator).
const anchors = path.resolve(__dirname, '../../bench/anchors');
const py = `
import sys, time
sys.path.insert(0, ${JSON.stringify(anchors)})
import numpy as np, strong
rng = np.random.default_rng(1)
m, n, runs = ${m}, ${count}, ${runs}
a = rng.random((m, m)); a = np.triu(a, 1); a = a + a.T + np.eye(m)
b = rng.random((m, m)); b = np.triu(b, 1); b = b + b.T + np.eye(m)
strong.permutation_rhos(a, b, n, rng)
t = []
for _ in range(runs):
    t0 = time.perf_counter(); strong.permutation_rhos(a, b, n, rng); t.append(time.perf_counter() - t0)
t.sort()
print(f"{t[len(t) // 2] * 1000:.1f} {t[0] * 1000:.1f}")
`;
const r = spawnSync('/usr/bin/python3', ['-c', py], { encoding: 'utf8' });
if (r.status !== 0) console.log(`  strong anchor: not run (${(r.stderr || r.error?.message || '').trim().split('\n').pop()}; bench/install-anchors.sh installs numpy)`);
else {
  const [med, min] = r.stdout.trim().split(' ').map(Number);
  console.log(`  strong anchor (numpy)      ${med.toFixed(1)} ms (min ${min.toFixed(1)})`);
  console.log(`  ratio anchor / kernel: ${(med / median(times.get('WebAssembly kernel')!)).toFixed(1)}x`);
}
