/**
 * The polychoric likelihood's inner loop, two ways: `KernelLikelihood`, the WebAssembly kernel
 * ../wasm/bvn-grid.wat (one call per evaluation, two exponentials per SIMD instruction), where the
 * runtime has it; and `gridSums`, the JavaScript loop of the node sums the JavaScript likelihood
 * (../stats/polychoric.ts, TableLikelihood) takes otherwise. Both give the same fits to ~1e-13
 * (test/unit/polychoric/fast-fits.test.ts).
 */
import kernelBytes from '../wasm/bvn-grid.wat';
import { instantiate, reserve, type KernelMemory } from '../wasm/instance';
import {
  BivariateNormalAtRho,
  densityNode,
  HIGH_CORRELATION,
  incrementNodes,
  lowCorrelationNodes,
  newQuadratureNodes,
  type QuadratureNodes,
} from './bivariate-normal';

let kernel: LikelihoodKernel | null | undefined;
let wasmAllowed = true;

/** Whether the likelihood may run in WebAssembly (tests turn it off to check the JavaScript route). */
export function useWasmLikelihood(on: boolean): void {
  wasmAllowed = on;
}

/**
 * out[a * k.length + b] = (or += with `accumulate`) sum_i wt_i exp((sn_i h_a k_b - (h_a^2 + k_b^2) / 2) inv_i)
 * over the nodes (./bivariate-normal.ts, `QuadratureNodes`).
 */
export function gridSums(nodes: QuadratureNodes, h: Float64Array, k: Float64Array, out: Float64Array, accumulate: boolean): void {
  const nh = h.length;
  const nk = k.length;
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

interface LikelihoodKernel {
  memory: KernelMemory;
  evaluate(rho: number, nodes: number, n: number, mode: number, ki: number, kj: number, h: number, k: number, phiR: number, phiC: number, table: number, gi: number, g: number, d1: number, d2: number, d3: number, out: number): number;
}

/** Derivatives of the polychoric log-likelihood at one rho (and l itself when asked for). */
export interface LikelihoodDerivatives {
  logLik: number;
  score: number;
  info: number;
  third: number;
}

/** Stand-in for an infinite threshold in the kernel: every exponential term vanishes there. */
const FAR = 1e10;

/**
 * The polychoric likelihood of one table (../stats/polychoric.ts, `fitPolychoric`) evaluated by the
 * kernel's `evaluate`: the Phi2 grid (Genz's nodes at the first rho, increments between later
 * ones, Genz's high-correlation branch in JavaScript for |rho| >= 0.925), the density's
 * derivatives and the sums over the cells in one call, the table and thresholds copied into the
 * kernel's memory once per fit. One fit at a time per thread (the memory is the thread's).
 */
export class KernelLikelihood {
  private readonly k: LikelihoodKernel;
  private readonly ki: number;
  private readonly kj: number;
  private readonly rowTau: readonly number[];
  private readonly colTau: readonly number[];
  private readonly rowPhi: Float64Array;
  private readonly colPhi: Float64Array;
  private readonly table: ArrayLike<number>;
  /** The kernel's memory, as it is after this fit's layout was reserved (it does not grow during the fit). */
  private readonly f64: Float64Array;
  private readonly at: { nodes: number; h: number; k: number; phiR: number; phiC: number; table: number; gi: number; g: number; d1: number; d2: number; d3: number; out: number };
  private interiorRho = NaN;

  /** The kernel's likelihood, or null where the kernel is not available (or turned off). */
  static create(table: ArrayLike<number>, ki: number, kj: number, rowTau: readonly number[], colTau: readonly number[], rowPhi: Float64Array, colPhi: Float64Array): KernelLikelihood | null {
    if (kernel === undefined) kernel = instantiate<LikelihoodKernel>(kernelBytes);
    if (!wasmAllowed || !kernel) return null;
    return new KernelLikelihood(kernel, table, ki, kj, rowTau, colTau, rowPhi, colPhi);
  }

  private constructor(k: LikelihoodKernel, table: ArrayLike<number>, ki: number, kj: number, rowTau: readonly number[], colTau: readonly number[], rowPhi: Float64Array, colPhi: Float64Array) {
    this.k = k;
    this.ki = ki;
    this.kj = kj;
    this.rowTau = rowTau;
    this.colTau = colTau;
    this.rowPhi = rowPhi;
    this.colPhi = colPhi;
    this.table = table;
    // Layout (bytes): nodes (3 x 22), thresholds, Phi at the cuts, the table, the grids, the outputs.
    const full = (ki + 1) * (kj + 1);
    let next = 0;
    const take = (count: number): number => {
      const at = next;
      next += 8 * count;
      return at;
    };
    this.at = { nodes: take(66), h: take(ki - 1), k: take(kj - 1), phiR: take(ki + 1), phiC: take(kj + 1), table: take(ki * kj), gi: take((ki - 1) * (kj - 1)), g: take(full), d1: take(full), d2: take(full), d3: take(full), out: take(3) };
    reserve(k.memory, next);
    const f64 = (this.f64 = new Float64Array(k.memory.buffer));
    const at = this.at;
    for (let a = 0; a < ki - 1; a++) f64[at.h / 8 + a] = Number.isFinite(rowTau[a]) ? rowTau[a] : Math.sign(rowTau[a]) * FAR;
    for (let b = 0; b < kj - 1; b++) f64[at.k / 8 + b] = Number.isFinite(colTau[b]) ? colTau[b] : Math.sign(colTau[b]) * FAR;
    f64.set(rowPhi, at.phiR / 8);
    f64.set(colPhi, at.phiC / 8);
    for (let x = 0; x < ki * kj; x++) f64[at.table / 8 + x] = table[x];
    // Boundaries of the full grids: Phi2(-Inf, .) = 0, Phi2(+Inf, t) = Phi(t); densities 0.
    const stride = kj + 1;
    for (const grid of [at.g, at.d1, at.d2, at.d3]) f64.fill(0, grid / 8, grid / 8 + full);
    for (let b = 0; b <= kj; b++) f64[at.g / 8 + ki * stride + b] = colPhi[b];
    for (let a = 0; a <= ki; a++) f64[at.g / 8 + a * stride + kj] = rowPhi[a];
  }

  evaluate(rho: number, wantLogLik: boolean): LikelihoodDerivatives {
    const { ki, kj, at, f64 } = this;
    let mode: number;
    let n = 0;
    if (Math.abs(rho) < HIGH_CORRELATION) {
      mode = incrementNodes(this.interiorRho, rho, STEP_NODES) ? 1 : 0;
      if (mode === 0) lowCorrelationNodes(rho, STEP_NODES);
      n = STEP_NODES.n;
      this.interiorRho = rho;
    } else {
      // Genz's high-correlation branch, in JavaScript, straight into the interior grid.
      mode = 2;
      const bvn = new BivariateNormalAtRho(rho);
      for (let a = 0; a < ki - 1; a++) for (let b = 0; b < kj - 1; b++) f64[at.gi / 8 + a * (kj - 1) + b] = bvn.cdf(this.rowTau[a], this.colTau[b]);
      this.interiorRho = NaN;
    }
    // The kernel's nodes: sn[n + 2], inv[n + 2], wt[n + 2], each the step's n and the density's two.
    densityNode(rho, DENSITY);
    const base = at.nodes / 8;
    f64.set(STEP_NODES.sn.subarray(0, n), base);
    f64.set(DENSITY.sn.subarray(0, 2), base + n);
    f64.set(STEP_NODES.inv.subarray(0, n), base + n + 2);
    f64.set(DENSITY.inv.subarray(0, 2), base + 2 * n + 2);
    f64.set(STEP_NODES.wt.subarray(0, n), base + 2 * n + 4);
    f64.set(DENSITY.wt.subarray(0, 2), base + 3 * n + 4);
    const ok = this.k.evaluate(rho, at.nodes, n, mode, ki, kj, at.h, at.k, at.phiR, at.phiC, at.table, at.gi, at.g, at.d1, at.d2, at.d3, at.out);
    if (!ok) return { logLik: -Infinity, score: NaN, info: NaN, third: NaN };
    let logLik = NaN;
    if (wantLogLik) {
      logLik = 0;
      const stride = kj + 1;
      const g = at.g / 8;
      for (let a = 0; a < ki; a++) {
        for (let b = 0; b < kj; b++) {
          const nab = this.table[a * kj + b];
          if (nab > 0) logLik += nab * Math.log(f64[g + (a + 1) * stride + b + 1] - f64[g + a * stride + b + 1] - f64[g + (a + 1) * stride + b] + f64[g + a * stride + b]);
        }
      }
    }
    const out = at.out / 8;
    return { logLik, score: f64[out], info: f64[out + 1], third: f64[out + 2] };
  }
}

const STEP_NODES = newQuadratureNodes();
const DENSITY = newQuadratureNodes();
