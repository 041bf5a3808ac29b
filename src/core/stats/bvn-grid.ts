/**
 * The polychoric likelihood's inner loop, two ways: `KernelLikelihood`, the WebAssembly kernel
 * ../wasm/bvn-grid.wat (one call per evaluation, two exponentials per SIMD instruction), where the
 * runtime has it; and `gridSums`, the JavaScript loop of the node sums the JavaScript likelihood
 * (../stats/polychoric.ts, TableLikelihood) takes otherwise. Both give the same fits to ~1e-13
 * (test/unit/polychoric/fast-fits.test.ts).
 */
import kernelBytes from './kernels/bvn-grid.wat';
import { kernelSwitch, reserve, type KernelMemory } from '../count/kernels/instance';
import {
  BivariateNormalAtRho,
  densityNode,
  HIGH_CORRELATION,
  incrementNodes,
  lowCorrelationNodes,
  newQuadratureNodes,
  type QuadratureNodes,
} from './bivariate-normal';

const likelihoodKernel = kernelSwitch<LikelihoodKernel>(kernelBytes);

/** Whether the likelihood may run in WebAssembly (tests turn it off to check the JavaScript route). */
export const useWasmLikelihood = likelihoodKernel.allow;

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
  evaluate(rho: number, nodes: number, n: number, mode: number, ki: number, kj: number, h: number, k: number, phiR: number, phiC: number, table: number, gi: number, g: number, d1: number, d2: number, d3: number, out: number, work: number): number;
}

/** Derivatives of the polychoric log-likelihood at one rho (and l itself when asked for). */
export interface LikelihoodDerivatives {
  logLik: number;
  score: number;
  info: number;
  third: number;
}

/** Stand-in for an infinite threshold in the kernel: every exponential term vanishes there. */
export const FAR = 1e10;

/**
 * What the kernel takes of a thresholds array, worked out once per array (../stats/polychoric.ts
 * keeps them with its other per-array values): Phi at the cuts (-Inf, tau..., +Inf), and the
 * thresholds with +-FAR for infinities.
 */
export interface KernelCuts {
  phi: Float64Array;
  far: Float64Array;
}

/**
 * The polychoric likelihood of one table (../stats/polychoric.ts, `fitPolychoric`) evaluated by the
 * kernel's `evaluate`: the Phi2 grid (Genz's nodes at the first rho, increments between later
 * ones, Genz's high-correlation branch in JavaScript for |rho| >= 0.925), the density's
 * derivatives and the sums over the cells in one call, the table and thresholds copied into the
 * kernel's memory once per fit. One fit at a time per thread (the memory is the thread's); a
 * bootstrap fits millions of tables, so a fit allocates nothing: `create` hands out the thread's
 * one likelihood, set up for the new table, and `evaluate` returns the same result object each
 * time (the last evaluation's).
 */
export class KernelLikelihood {
  private readonly k: LikelihoodKernel;
  private ki = 0;
  private kj = 0;
  private rowTau: readonly number[] = [];
  private colTau: readonly number[] = [];
  private table: ArrayLike<number> = [];
  /** The kernel's memory, and its size in bytes when this view was made (it only grows, in `reset`). */
  private f64: Float64Array;
  private bytes: number;
  /**
   * Offsets in the kernel's memory, in doubles: nodes (3 x 21, room for 3 x 22) after the kernel's own constants
   * (its first 512 bytes), thresholds, Phi at the cuts, the table, the grids, the outputs, the
   * kernel's scratch space.
   */
  private readonly nodes = 64;
  private readonly h = 64 + 66;
  private kOff = 0;
  private phiR = 0;
  private phiC = 0;
  private tableOff = 0;
  private gi = 0;
  private g = 0;
  private d1 = 0;
  private d2 = 0;
  private d3 = 0;
  private out = 0;
  private work = 0;
  private interiorRho = NaN;
  private readonly result: LikelihoodDerivatives = { logLik: NaN, score: NaN, info: NaN, third: NaN };

  /** The thread's likelihood set up for this table, or null where the kernel is not available (or turned off). */
  static create(table: ArrayLike<number>, ki: number, kj: number, rowTau: readonly number[], colTau: readonly number[], rowCuts: KernelCuts, colCuts: KernelCuts): KernelLikelihood | null {
    const kernel = likelihoodKernel.get();
    if (!kernel) return null;
    shared ??= new KernelLikelihood(kernel);
    shared.reset(table, ki, kj, rowTau, colTau, rowCuts, colCuts);
    return shared;
  }

  private constructor(k: LikelihoodKernel) {
    this.k = k;
    this.f64 = new Float64Array(k.memory.buffer);
    this.bytes = this.f64.byteLength;
  }

  private reset(table: ArrayLike<number>, ki: number, kj: number, rowTau: readonly number[], colTau: readonly number[], rowCuts: KernelCuts, colCuts: KernelCuts): void {
    this.ki = ki;
    this.kj = kj;
    this.rowTau = rowTau;
    this.colTau = colTau;
    this.table = table;
    this.interiorRho = NaN;
    const full = (ki + 1) * (kj + 1);
    this.kOff = this.h + ki - 1;
    this.phiR = this.kOff + kj - 1;
    this.phiC = this.phiR + ki + 1;
    this.tableOff = this.phiC + kj + 1;
    this.gi = this.tableOff + ki * kj;
    this.g = this.gi + (ki - 1) * (kj - 1);
    this.d1 = this.g + full;
    this.d2 = this.d1 + full;
    this.d3 = this.d2 + full;
    this.out = this.d3 + full;
    // The kernel's scratch space, 16-byte aligned: 5 x the interior points rounded up to even.
    this.work = (this.out + 4) & ~1;
    const bytes = 8 * (this.work + 5 * (((ki - 1) * (kj - 1) + 1) & ~1));
    if (bytes > this.bytes) {
      reserve(this.k.memory, bytes);
      this.f64 = new Float64Array(this.k.memory.buffer);
      this.bytes = this.f64.byteLength;
    }
    const f64 = this.f64;
    // Element by element from typed arrays: a few to a few dozen values, where `set`'s call costs
    // more than the copy (a fit's setup took 0.8 us of 5.7 with `set` and the thresholds' infinities
    // mapped per fit; measured in bench/polychoric-replicates.ts).
    const rowFar = rowCuts.far;
    const colFar = colCuts.far;
    const rowPhi = rowCuts.phi;
    const colPhi = colCuts.phi;
    for (let a = 0, o = this.h; a < ki - 1; a++, o++) f64[o] = rowFar[a];
    for (let b = 0, o = this.kOff; b < kj - 1; b++, o++) f64[o] = colFar[b];
    for (let a = 0, o = this.phiR; a <= ki; a++, o++) f64[o] = rowPhi[a];
    for (let b = 0, o = this.phiC; b <= kj; b++, o++) f64[o] = colPhi[b];
    if (table instanceof Float64Array) copyCells(table, f64, this.tableOff, ki * kj);
    else for (let x = 0, o = this.tableOff; x < ki * kj; x++, o++) f64[o] = table[x];
    // Boundaries of the full grids: Phi2(-Inf, .) = 0, Phi2(+Inf, t) = Phi(t); densities 0 (the
    // kernel writes every interior point).
    f64.fill(0, this.g, this.out);
    const stride = kj + 1;
    for (let b = 0; b <= kj; b++) f64[this.g + ki * stride + b] = colPhi[b];
    for (let a = 0; a <= ki; a++) f64[this.g + a * stride + kj] = rowPhi[a];
  }

  evaluate(rho: number, wantLogLik: boolean): LikelihoodDerivatives {
    const { ki, kj, f64, result } = this;
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
      for (let a = 0; a < ki - 1; a++) for (let b = 0; b < kj - 1; b++) f64[this.gi + a * (kj - 1) + b] = bvn.cdf(this.rowTau[a], this.colTau[b]);
      this.interiorRho = NaN;
    }
    // The kernel's nodes: sn[n + 1], inv[n + 1], wt[n + 1], each the step's n and the density's one.
    densityNode(rho, DENSITY);
    const { sn, inv, wt } = STEP_NODES;
    const sn0 = this.nodes;
    const inv0 = sn0 + n + 1;
    const wt0 = inv0 + n + 1;
    for (let i = 0; i < n; i++) {
      f64[sn0 + i] = sn[i];
      f64[inv0 + i] = inv[i];
      f64[wt0 + i] = wt[i];
    }
    f64[sn0 + n] = DENSITY.sn[0];
    f64[inv0 + n] = DENSITY.inv[0];
    f64[wt0 + n] = DENSITY.wt[0];
    const ok = this.k.evaluate(rho, 8 * this.nodes, n, mode, ki, kj, 8 * this.h, 8 * this.kOff, 8 * this.phiR, 8 * this.phiC, 8 * this.tableOff, 8 * this.gi, 8 * this.g, 8 * this.d1, 8 * this.d2, 8 * this.d3, 8 * this.out, 8 * this.work);
    if (!ok) {
      result.logLik = -Infinity;
      result.score = result.info = result.third = NaN;
      return result;
    }
    let logLik = NaN;
    if (wantLogLik) {
      logLik = 0;
      const stride = kj + 1;
      const g = this.g;
      for (let a = 0; a < ki; a++) {
        for (let b = 0; b < kj; b++) {
          const nab = this.table[a * kj + b];
          if (nab > 0) logLik += nab * Math.log(f64[g + (a + 1) * stride + b + 1] - f64[g + a * stride + b + 1] - f64[g + (a + 1) * stride + b] + f64[g + a * stride + b]);
        }
      }
    }
    result.logLik = logLik;
    result.score = f64[this.out];
    result.info = f64[this.out + 1];
    result.third = f64[this.out + 2];
    return result;
  }
}

/** `count` values of a typed table into the kernel's memory at `to` (a loop that sees only Float64Arrays). */
function copyCells(table: Float64Array, f64: Float64Array, to: number, count: number): void {
  for (let x = 0; x < count; x++) f64[to + x] = table[x];
}

/** The thread's one likelihood (see `KernelLikelihood.create`). */
let shared: KernelLikelihood | undefined;
const STEP_NODES = newQuadratureNodes();
const DENSITY = newQuadratureNodes();
