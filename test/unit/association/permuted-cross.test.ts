/**
 * The cross-product sums of the permutation nulls (Mantel, group level): the WebAssembly kernel
 * against the JavaScript route and against the permuted matrix built explicitly, bit for bit, for
 * batch sizes around the kernel's four permutations a pass.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { permutedCrossSums, useWasmPermutedCross } from '../../../src/core/stats/permuted-cross';
import { Prng } from '../../../src/core/stats/prng';

function symmetric(m: number, rng: Prng): Float64Array {
  const x = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    x[i * m + i] = 1;
    for (let j = i + 1; j < m; j++) x[i * m + j] = x[j * m + i] = 2 * rng.nextFloat() - 1;
  }
  return x;
}

/** Each permutation's matrix built entry by entry, then its upper triangle against y's, in order. */
function explicit(x: Float64Array, y: Float64Array, m: number, perms: Uint32Array, count: number): Float64Array {
  const out = new Float64Array(count);
  for (let b = 0; b < count; b++) {
    const p = perms.subarray(b * m, b * m + m);
    const xp = Array.from({ length: m }, (_, i) => Array.from({ length: m }, (_, j) => x[p[i] * m + p[j]]));
    let s = 0;
    for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) s += xp[i][j] * y[i * m + j];
    out[b] = s;
  }
  return out;
}

function sums(wasm: boolean, x: Float64Array, y: Float64Array, m: number, perms: Uint32Array, count: number): Float64Array {
  useWasmPermutedCross(wasm);
  try {
    const out = new Float64Array(count);
    permutedCrossSums(x, y, m, perms, count, out);
    return out;
  } finally {
    useWasmPermutedCross(true);
  }
}

test('both routes equal the explicitly permuted sums bit for bit, 1 to 13 permutations, 1 to 175 items', () => {
  const rng = new Prng(11);
  for (const m of [1, 2, 3, 5, 17, 60, 175]) {
    const x = symmetric(m, rng);
    const y = symmetric(m, rng);
    for (const count of [1, 3, 4, 5, 7, 8, 9, 13]) {
      const perms = new Uint32Array(count * m);
      for (let b = 0; b < count; b++) perms.set(rng.permutation(m), b * m);
      const want = explicit(x, y, m, perms, count);
      for (const wasm of [true, false]) {
        const got = sums(wasm, x, y, m, perms, count);
        for (let b = 0; b < count; b++) assert.ok(Object.is(got[b], want[b]), `${wasm ? 'kernel' : 'JavaScript'}, m ${m}, permutation ${b} of ${count}: ${got[b]} vs ${want[b]}`);
      }
    }
  }
});

test('only the strict upper triangle of the fixed matrix is read', () => {
  const rng = new Prng(5);
  const m = 9;
  const x = symmetric(m, rng);
  const y = symmetric(m, rng);
  const perms = new Uint32Array(6 * m);
  for (let b = 0; b < 6; b++) perms.set(rng.permutation(m), b * m);
  const lowerChanged = Float64Array.from(y);
  for (let i = 0; i < m; i++) for (let j = 0; j <= i; j++) lowerChanged[i * m + j] = 1e300;
  for (const wasm of [true, false]) assert.deepEqual(sums(wasm, x, lowerChanged, m, perms, 6), sums(wasm, x, y, m, perms, 6));
});

test('a large batch (999 permutations of 175 items) is the same through both routes', () => {
  const rng = new Prng(3);
  const m = 175;
  const count = 999;
  const x = symmetric(m, rng);
  const y = symmetric(m, rng);
  const perms = new Uint32Array(count * m);
  for (let b = 0; b < count; b++) perms.set(rng.permutation(m), b * m);
  const a = sums(true, x, y, m, perms, count);
  const b = sums(false, x, y, m, perms, count);
  for (let q = 0; q < count; q++) assert.ok(Object.is(a[q], b[q]), `permutation ${q}`);
});
