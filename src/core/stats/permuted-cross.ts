/// <reference path="../count/kernels/wat.d.ts" />
/**
 * The cross-product sums of a matrix permutation null (the Mantel test, the group-level null):
 * for each permutation p of the items, sum over i < j of x[p(i), p(j)] y[i, j], where x and y are
 * centred (or not) entries of two symmetric m x m matrices without undefined entries. With the
 * entries' means and sums of squares fixed under a permutation, these sums are all a permutation
 * costs (see `mantelTest` in ./compare.ts, `upperTrianglePermutationNull` in ./group-structure.ts).
 *
 * Two routes, the same numbers bit for bit: the WebAssembly kernel ../wasm/permuted-cross.wat, and
 * the JavaScript loop it replaces where the runtime has no WebAssembly. Both add the products in
 * the order i ascending, then j ascending, into one accumulator from 0. On 175 items, 999
 * permutations take 42.6 ms in the JavaScript loop and 7.2 ms in the kernel, which runs four
 * permutations a pass; the strong anchor's numpy version takes 164 ms (bench/permuted-cross.ts).
 * An evaluation runs three such nulls a run: the Mantel test of each method and the group level.
 */
import kernelBytes from './kernels/permuted-cross.wat';
import { align, kernelSwitch, reserve, type KernelMemory } from '../count/kernels/instance';

interface Kernel {
  memory: KernelMemory;
  crossSums(x: number, y: number, perms: number, count: number, m: number, out: number): void;
}

const kernel = kernelSwitch<Kernel>(kernelBytes);

/** Whether the sums may run in WebAssembly (tests turn it off to check the JavaScript route). */
export const useWasmPermutedCross = kernel.allow;

/**
 * out[b] = sum over i < j of permuted[p_b(i) m + p_b(j)] * fixed[i m + j], where p_b is
 * perms[b m .. b m + m - 1], for b < count. `permuted` is read in both triangles, `fixed` in its
 * strict upper triangle only.
 */
export function permutedCrossSums(permuted: Float64Array, fixed: Float64Array, m: number, perms: Uint32Array, count: number, out: Float64Array): void {
  if (permuted.length < m * m || fixed.length < m * m || perms.length < count * m || out.length < count) throw new RangeError('permutedCrossSums: arrays shorter than m x m, count x m or count');
  const k = kernel.get();
  if (!k) {
    crossSumsJs(permuted, fixed, m, perms, count, out);
    return;
  }
  const matrixBytes = align(m * m * 8, 16);
  const permBytes = align(count * m * 4, 16);
  reserve(k.memory, 2 * matrixBytes + permBytes + count * 8);
  const buffer = k.memory.buffer;
  const x = 0;
  const y = matrixBytes;
  const p = 2 * matrixBytes;
  const o = p + permBytes;
  new Float64Array(buffer, x, m * m).set(permuted.subarray(0, m * m));
  new Float64Array(buffer, y, m * m).set(fixed.subarray(0, m * m));
  new Uint32Array(buffer, p, count * m).set(perms.subarray(0, count * m));
  k.crossSums(x, y, p, count, m, o);
  out.set(new Float64Array(buffer, o, count));
}

/** The JavaScript route of `permutedCrossSums`. */
function crossSumsJs(permuted: Float64Array, fixed: Float64Array, m: number, perms: Uint32Array, count: number, out: Float64Array): void {
  for (let b = 0, base = 0; b < count; b++, base += m) {
    let sxy = 0;
    for (let i = 0; i < m; i++) {
      const row = perms[base + i] * m;
      const at = i * m;
      for (let j = i + 1; j < m; j++) sxy += permuted[row + perms[base + j]] * fixed[at + j];
    }
    out[b] = sxy;
  }
}
