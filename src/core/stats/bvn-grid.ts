/**
 * Quadrature sums of the bivariate normal over a grid of thresholds, the polychoric likelihood's
 * inner loop: out[a * nk + b] (+)= sum_i wt_i exp((sn_i h_a k_b - (h_a^2 + k_b^2) / 2) inv_i) for
 * the nodes of `QuadratureNodes` (./bivariate-normal.ts). Runs in the WebAssembly kernel
 * ../wasm/bvn-grid.wat (two exponentials per SIMD instruction) where the runtime has it, else in
 * the JavaScript loop below; both give the same sums to ~2e-16 relative (test/unit/polychoric).
 */
import gridBytes from '../wasm/bvn-grid.wat';
import { align, instantiate, reserve, type KernelMemory } from '../wasm/instance';
import type { QuadratureNodes } from './bivariate-normal';

interface Kernel {
  memory: KernelMemory;
  grid(nodes: number, n: number, h: number, nh: number, k: number, nk: number, out: number, accumulate: number): void;
}

let kernel: Kernel | null | undefined;
let wasmAllowed = true;

/** Whether grid sums may run in WebAssembly (tests turn it off to check the JavaScript loop). */
export function useWasmGridSums(on: boolean): void {
  wasmAllowed = on;
}

/** Layout of the kernel's memory: 20 nodes x 3 arrays, then h, k (255 thresholds each), then the grid. */
const NODES = 0;
const H = 512;
const K = H + 8 * 256;
const OUT = K + 8 * 256;

/**
 * out[a * k.length + b] = (or += with `accumulate`) the node sum at (h[a], k[b]). h and k must be
 * finite (at most 255 each) and the nodes' exponents non-positive, as every node set of
 * ./bivariate-normal.ts has.
 */
export function gridSums(nodes: QuadratureNodes, h: Float64Array, k: Float64Array, out: Float64Array, accumulate: boolean): void {
  const nh = h.length;
  const nk = k.length;
  if (kernel === undefined) kernel = instantiate<Kernel>(gridBytes);
  if (wasmAllowed && kernel && nodes.n % 2 === 0) {
    const memory = kernel.memory;
    reserve(memory, align(OUT + 8 * nh * nk, 8));
    const f64 = new Float64Array(memory.buffer);
    const n = nodes.n;
    f64.set(nodes.sn.subarray(0, n), NODES / 8);
    f64.set(nodes.inv.subarray(0, n), NODES / 8 + n);
    f64.set(nodes.wt.subarray(0, n), NODES / 8 + 2 * n);
    f64.set(h, H / 8);
    f64.set(k, K / 8);
    kernel.grid(NODES, n, H, nh, K, nk, OUT, 0);
    const sums = f64.subarray(OUT / 8, OUT / 8 + nh * nk);
    if (accumulate) for (let x = 0; x < sums.length; x++) out[x] += sums[x];
    else out.set(sums);
    return;
  }
  const { n, sn, inv, wt } = nodes;
  for (let a = 0; a < nh; a++) {
    const ha = h[a];
    for (let b = 0; b < nk; b++) {
      const kb = k[b];
      const hk = ha * kb;
      const hs = (ha * ha + kb * kb) / 2;
      let s = 0;
      for (let i = 0; i < n; i++) s += wt[i] * Math.exp((sn[i] * hk - hs) * inv[i]);
      if (accumulate) out[a * nk + b] += s;
      else out[a * nk + b] = s;
    }
  }
}
