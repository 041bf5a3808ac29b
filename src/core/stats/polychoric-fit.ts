/**
 * One pair's polychoric correlation by maximum likelihood with the thresholds fixed (global or the
 * pair's own: the model and the conventions are in polychoric.ts), its starting value, and what the
 * likelihood kernel takes of each item's thresholds.
 */
import { BivariateNormalAtRho, densityNode, HIGH_CORRELATION, incrementNodes, lowCorrelationNodes, newQuadratureNodes } from './bivariate-normal';
import { FAR, gridSums, KernelLikelihood, type KernelCuts, type LikelihoodDerivatives } from './bvn-grid';
import { correlationAt, NO_WEIGHT, ZERO_VARIANCE } from './correlation';
import { normalCdf, normalQuantile } from './distributions';

/** A fitted polychoric correlation for one pair. */
export interface PolychoricFit {
  rho: number;
  /** 1 / sqrt(-l''(rho)) with the thresholds known; null when the information is not positive. */
  se: number | null;
  /** l(rho) = sum n_ab log P_ab at the optimum (on the table as given); NaN for a fit of rho only. */
  logLikelihood: number;
  /** Evaluations of the likelihood (Newton / bisection steps and their checks). */
  iterations: number;
  rowThresholds: number[];
  colThresholds: number[];
}

/** Failure of a pair: why rho is undefined. */
export interface PolychoricUndefined {
  reason: string;
}

/**
 * Thresholds of an item from its (weighted) answer counts per category in scale order:
 * tau_a = qnorm(sum_{c <= a} w_c / sum w), a = 1..k-1 (psych::polychoric, polycor::polychor).
 * Empty categories give repeated thresholds, and +-Infinity at the ends.
 */
export function categoryThresholds(weights: ArrayLike<number>): number[] {
  let total = 0;
  for (let c = 0; c < weights.length; c++) total += weights[c];
  const out: number[] = [];
  let cum = 0;
  for (let c = 0; c < weights.length - 1; c++) {
    cum += weights[c];
    out.push(normalQuantile(Math.min(1, cum / total)));
  }
  return out;
}

type Evaluation = LikelihoodDerivatives;

/**
 * What the likelihood takes from an item's thresholds, computed once per thresholds array (an
 * item's are shared by all its pairs): Phi at the k + 1 cut points -Inf, tau_1..tau_{k-1}, +Inf,
 * and the thresholds with infinite ones (empty end categories, whose grid rows are set apart) as 0.
 */
interface Cuts extends KernelCuts {
  finite: Float64Array;
}
const cutsCache = new WeakMap<number[], Cuts>();
function cutsOf(tau: number[]): Cuts {
  let cuts = cutsCache.get(tau);
  if (!cuts) {
    const phi = new Float64Array(tau.length + 2);
    const far = new Float64Array(tau.length);
    writeKernelCuts(tau, phi, far);
    cuts = { phi, finite: Float64Array.from(tau, (t) => (Number.isFinite(t) ? t : 0)), far };
    cutsCache.set(tau, cuts);
  }
  return cuts;
}

/** `KernelCuts` of thresholds `tau` into `phi` (tau.length + 2 values) and `far` (tau.length). */
function writeKernelCuts(tau: readonly number[], phi: Float64Array, far: Float64Array): void {
  const n = tau.length;
  phi[0] = 0;
  phi[n + 1] = 1;
  for (let a = 0; a < n; a++) {
    const t = tau[a];
    phi[a + 1] = normalCdf(t);
    far[a] = Number.isFinite(t) ? t : Math.sign(t) * FAR;
  }
}

/** Scratch arrays of the likelihood evaluations (one fit at a time on a thread), grown as needed. */
let scratch = new Float64Array(0);
function scratchOf(size: number): Float64Array {
  if (scratch.length < size) scratch = new Float64Array(Math.max(size, 2 * scratch.length));
  return scratch;
}

/**
 * The log-likelihood of rho and its first two derivatives for a ki x kj table with the given
 * thresholds. Phi2 is evaluated once per interior grid point (tau_a, t_b) and shared by the four
 * cells around it; Phi(tau) is cached per thresholds array. One likelihood is in use at a time per
 * thread: its arrays are the thread's scratch space.
 *
 * The grid of Phi2 comes from Genz's quadrature (`lowCorrelationNodes`) at the first rho, and at
 * each later rho within 0.05 radians of asin(rho) from the previous one (Newton's steps near the
 * optimum) as the previous grid plus the integral of phi2 between the two (`incrementNodes`,
 * 4 or 6 nodes instead of 6 to 20), both as accurate as Genz's evaluation (~3e-16). For
 * |rho| >= 0.925 each point takes Genz's high-correlation branch.
 */
class TableLikelihood {
  private readonly ki: number;
  private readonly kj: number;
  private readonly table: ArrayLike<number>;
  private readonly rowTau: number[];
  private readonly colTau: number[];
  private readonly rowPhi: Float64Array;
  private readonly colPhi: Float64Array;
  private readonly hIn: Float64Array;
  private readonly kIn: Float64Array;
  /** Phi2 on the interior grid (ki - 1) x (kj - 1) at `interiorRho`, and phi2 at the last rho. */
  private readonly interior: Float64Array;
  private readonly density: Float64Array;
  private interiorRho = NaN;
  private readonly grid: Float64Array;
  private readonly dens: Float64Array;
  private readonly dens2: Float64Array;
  private readonly dens3: Float64Array;
  private readonly wantLogLik: boolean;

  constructor(table: ArrayLike<number>, ki: number, kj: number, rowTau: number[], colTau: number[], wantLogLik = true) {
    this.table = table;
    this.ki = ki;
    this.kj = kj;
    this.rowTau = rowTau;
    this.colTau = colTau;
    this.wantLogLik = wantLogLik;
    const row = cutsOf(rowTau);
    const col = cutsOf(colTau);
    this.rowPhi = row.phi;
    this.colPhi = col.phi;
    this.hIn = row.finite;
    this.kIn = col.finite;
    const inner = (ki - 1) * (kj - 1);
    const size = (ki + 1) * (kj + 1);
    const space = scratchOf(2 * inner + 4 * size);
    this.interior = space.subarray(0, inner);
    this.density = space.subarray(inner, 2 * inner);
    this.grid = space.subarray(2 * inner, 2 * inner + size);
    this.dens = space.subarray(2 * inner + size, 2 * inner + 2 * size);
    this.dens2 = space.subarray(2 * inner + 2 * size, 2 * inner + 3 * size);
    this.dens3 = space.subarray(2 * inner + 3 * size, 2 * inner + 4 * size);
    // Boundary of the grid: Phi2(-Inf, .) = 0, Phi2(+Inf, t) = Phi(t); densities vanish there.
    const stride = kj + 1;
    for (let b = 0; b <= kj; b++) {
      this.grid[b] = 0;
      this.grid[ki * stride + b] = this.colPhi[b];
      this.dens[b] = this.dens2[b] = this.dens3[b] = 0;
      this.dens[ki * stride + b] = this.dens2[ki * stride + b] = this.dens3[ki * stride + b] = 0;
    }
    for (let a = 0; a <= ki; a++) {
      this.grid[a * stride] = 0;
      this.grid[a * stride + kj] = this.rowPhi[a];
      this.dens[a * stride] = this.dens2[a * stride] = this.dens3[a * stride] = 0;
      this.dens[a * stride + kj] = this.dens2[a * stride + kj] = this.dens3[a * stride + kj] = 0;
    }
  }

  /** Phi2 at the interior grid points (finite thresholds) for rho, into `interior`. */
  private phi2Interior(rho: number): void {
    const { interior, hIn, kIn, rowPhi, colPhi } = this;
    const nk = kIn.length;
    if (Math.abs(rho) < HIGH_CORRELATION) {
      if (incrementNodes(this.interiorRho, rho, NODES)) {
        gridSums(NODES, hIn, kIn, interior, true);
      } else {
        lowCorrelationNodes(rho, NODES);
        gridSums(NODES, hIn, kIn, interior, false);
        // P(X <= h, Y <= k) = P(X > -h, Y > -k) = Phi(h) Phi(k) + the sum, which is even in (h, k).
        for (let a = 0; a < hIn.length; a++) for (let b = 0; b < nk; b++) interior[a * nk + b] += rowPhi[a + 1] * colPhi[b + 1];
      }
      this.interiorRho = rho;
    } else {
      const bvn = new BivariateNormalAtRho(rho);
      for (let a = 0; a < hIn.length; a++) {
        for (let b = 0; b < nk; b++) interior[a * nk + b] = bvn.upperFinite(-hIn[a], -kIn[b], rowPhi[a + 1], colPhi[b + 1]);
      }
      this.interiorRho = NaN;
    }
  }

  evaluate(rho: number): Evaluation {
    const { ki, kj, table, rowTau, colTau, grid, dens, dens2, dens3, interior, density } = this;
    const stride = kj + 1;
    const s = 1 - rho * rho;
    const s2 = s * s;
    const s3 = s2 * s;
    const rhoS = rho / s;
    const a0 = (1 + rho * rho) / s2;
    this.phi2Interior(rho);
    densityNode(rho, NODES);
    gridSums(NODES, this.hIn, this.kIn, density, false);
    for (let a = 1; a < ki; a++) {
      const h = rowTau[a - 1];
      const hFinite = Number.isFinite(h);
      for (let b = 1; b < kj; b++) {
        const k = colTau[b - 1];
        const idx = a * stride + b;
        const x = (a - 1) * (kj - 1) + b - 1;
        if (hFinite && Number.isFinite(k)) {
          grid[idx] = interior[x];
          // phi2' = phi2 A, phi2'' = phi2 (A^2 + A'), with A = d log phi2 / d rho = rho / s + Q / s^2,
          // Q = (h - rho k)(k - rho h), and A' = (1 + rho^2) / s^2 + (2 rho h k - h^2 - k^2) / s^2 + 4 rho Q / s^3.
          const d = density[x];
          const q = (h - rho * k) * (k - rho * h);
          const A = rhoS + q / s2;
          const dA = a0 + (2 * rho * h * k - h * h - k * k) / s2 + (4 * rho * q) / s3;
          dens[idx] = d;
          dens2[idx] = d * A;
          dens3[idx] = d * (A * A + dA);
        } else {
          // An infinite threshold (an empty end category): Phi2(-Inf, .) = 0, Phi2(+Inf, t) = Phi(t).
          grid[idx] = h === -Infinity || k === -Infinity ? 0 : h === Infinity ? (k === Infinity ? 1 : this.colPhi[b]) : this.rowPhi[a];
          dens[idx] = 0;
          dens2[idx] = 0;
          dens3[idx] = 0;
        }
      }
    }
    // l = sum n log P, l' = sum n P'/P, l'' = sum n (P''/P - (P'/P)^2),
    // l''' = sum n (P'''/P - 3 (P'/P)(P''/P) + 2 (P'/P)^3).
    let logLik = 0;
    let score = 0;
    let info = 0;
    let third = 0;
    for (let a = 0; a < ki; a++) {
      for (let b = 0; b < kj; b++) {
        const nab = table[a * kj + b];
        if (!(nab > 0)) continue;
        const i11 = (a + 1) * stride + b + 1;
        const i01 = a * stride + b + 1;
        const i10 = (a + 1) * stride + b;
        const i00 = a * stride + b;
        const p = grid[i11] - grid[i01] - grid[i10] + grid[i00];
        if (!(p > 0)) return { logLik: -Infinity, score: NaN, info: NaN, third: NaN };
        const g = (dens[i11] - dens[i01] - dens[i10] + dens[i00]) / p;
        const g2 = (dens2[i11] - dens2[i01] - dens2[i10] + dens2[i00]) / p;
        const g3 = (dens3[i11] - dens3[i01] - dens3[i10] + dens3[i00]) / p;
        if (this.wantLogLik) logLik += nab * Math.log(p);
        score += nab * g;
        info += nab * (g * g - g2);
        third += nab * (g3 - 3 * g * g2 + 2 * g * g * g);
      }
    }
    return { logLik: this.wantLogLik ? logLik : NaN, score, info, third };
  }
}

/** Node workspace of the likelihood evaluations (one fit at a time on a thread). */
const NODES = newQuadratureNodes();

/** Step below which Newton's iteration stops: rho is then exact to far below 1e-12. */
const RHO_TOLERANCE = 1e-12;
/** |rho| this close to 1 is a boundary estimate (the bisection ran into +-1). */
const BOUNDARY = 1e-9;

/**
 * Maximum-likelihood rho for a ki x kj table (row-major, rows = categories of the first item)
 * with known thresholds (k - 1 per item). `seScale` multiplies the information before the
 * standard error is taken (n / sum of weights for weighted tables). See the module comment.
 *
 * Steps: Halley's (cubic convergence; l''' is exact too), else Newton's, else bisection, always
 * inside the bracket. Stops when a step is below 1e-12 (the likelihood was evaluated within 1e-12
 * of the returned rho: `se` and `logLikelihood` are taken there), or, with `rhoOnly` (bootstrap
 * replicates, which need rho only), when the last two steps, of one order q, predict the next
 * below 1e-12 (|e_{n+1}| ~ C |e_n|^q, C estimated from the two steps); `se` and `logLikelihood`
 * are then those of the previous iterate (within 1e-4) and the log-likelihood is not computed.
 */
export function fitPolychoric(
  table: ArrayLike<number>,
  ki: number,
  kj: number,
  rowThresholds: number[],
  colThresholds: number[],
  seScale = 1,
  start = 0,
  rhoOnly = false,
  rowCuts?: KernelCuts,
  colCuts?: KernelCuts,
): PolychoricFit {
  // The WebAssembly kernel's evaluation where the runtime has it, else the same in JavaScript.
  const kernelLik = KernelLikelihood.create(table, ki, kj, rowThresholds, colThresholds, rowCuts ?? cutsOf(rowThresholds), colCuts ?? cutsOf(colThresholds));
  const lik = kernelLik ? { evaluate: (r: number) => kernelLik.evaluate(r, !rhoOnly) } : new TableLikelihood(table, ki, kj, rowThresholds, colThresholds, !rhoOnly);
  // The score is positive below the maximiser and negative above it; [lo, hi] always brackets it.
  // `start` (e.g. the full sample's rho when fitting a bootstrap replicate) only saves steps: the
  // bracket and the tolerance are the same from any start.
  let lo = -1;
  let hi = 1;
  let rho = Number.isFinite(start) && Math.abs(start) < 0.99 ? start : 0;
  let ev = lik.evaluate(rho);
  let evaluations = 1;
  let lastStep = NaN;
  let lastOrder = 0;
  for (let iterations = 0; iterations < 200; iterations++) {
    let next = NaN;
    // Order of convergence of the step taken: 3 Halley, 2 Newton, 0 bisection.
    let order = 0;
    if (!Number.isFinite(ev.score)) {
      // An observed cell has probability 0 here (rho too close to +-1): step back towards 0.
      if (rho > 0) hi = rho;
      else lo = rho;
    } else {
      if (ev.score > 0) lo = rho;
      else hi = rho;
      // Halley: rho - 2 l' l'' / (2 l''^2 - l' l'''); else Newton: rho - l' / l''; inside the bracket.
      const denominator = 2 * ev.info * ev.info - ev.score * ev.third;
      if (ev.info > 0 && denominator > 0) {
        next = rho + (2 * ev.score * ev.info) / denominator;
        order = 3;
      }
      if (!(next > lo && next < hi) && ev.info > 0) {
        next = rho + ev.score / ev.info;
        order = 2;
      }
      // A step below the tolerance is taken as it is (it may not leave rho, the bracket's end).
      if (Math.abs(next - rho) < RHO_TOLERANCE) {
        rho = next;
        break;
      }
      if (!(next > lo && next < hi)) order = 0;
    }
    if (order === 0) next = (lo + hi) / 2;
    const step = Math.abs(next - rho);
    rho = next;
    // With rhoOnly, also converged when the last two steps, of the same order q, predict the next
    // below the tolerance: |e_{n+1}| ~ C |e_n|^q, C estimated from the two steps.
    // (Powers by products: Math.pow is a library call, and this runs once per step of millions of fits.)
    const predicted = order > 0 && order === lastOrder && step < 1e-4 ? (order === 3 ? (step * step * (step * step)) / (lastStep * lastStep * lastStep) : (step * step * step) / (lastStep * lastStep)) : Infinity;
    if (step < RHO_TOLERANCE || hi - lo < RHO_TOLERANCE || (rhoOnly && predicted < RHO_TOLERANCE)) break;
    ev = lik.evaluate(rho);
    evaluations++;
    lastStep = step;
    lastOrder = order;
  }
  const info = ev.info * seScale;
  // At the boundary (the likelihood still rising as |rho| -> 1, e.g. no respondents off the
  // diagonal) the curvature says nothing about sampling error: no standard error.
  const atBoundary = 1 - Math.abs(rho) < BOUNDARY;
  return {
    rho,
    se: info > 0 && !atBoundary ? 1 / Math.sqrt(info) : null,
    logLikelihood: ev.logLik,
    iterations: evaluations,
    rowThresholds,
    colThresholds,
  };
}

/**
 * Two-step polychoric correlation with the pair's own thresholds, polycor::polychor(x, y,
 * ML = FALSE, std.err = TRUE): empty rows and columns dropped, thresholds
 * qnorm(cumsum(margin)/n), then maximum likelihood for rho. Undefined when fewer than two
 * categories of either item remain.
 */
export function twoStepPolychoric(
  table: ArrayLike<number>,
  ki: number,
  kj: number,
  seScale = 1,
): PolychoricFit | PolychoricUndefined {
  const rowSum = new Float64Array(ki);
  const colSum = new Float64Array(kj);
  for (let a = 0; a < ki; a++) {
    for (let b = 0; b < kj; b++) {
      rowSum[a] += table[a * kj + b];
      colSum[b] += table[a * kj + b];
    }
  }
  const rows = [...rowSum.keys()].filter((a) => rowSum[a] > 0);
  const cols = [...colSum.keys()].filter((b) => colSum[b] > 0);
  if (rows.length < 2 || cols.length < 2) {
    const which = rows.length < 2 ? 'first' : 'second';
    return { reason: `the ${which} item has fewer than two answer categories among the pair's respondents` };
  }
  const sub = new Float64Array(rows.length * cols.length);
  rows.forEach((a, r) => cols.forEach((b, c) => (sub[r * cols.length + c] = table[a * kj + b])));
  const rowTau = categoryThresholds(rows.map((a) => rowSum[a]));
  const colTau = categoryThresholds(cols.map((b) => colSum[b]));
  return fitPolychoric(sub, rows.length, cols.length, rowTau, colTau, seScale);
}

/** An item's categories' normal scores and their standard deviation over the item's distribution. */
export interface NormalScores {
  scores: Float64Array;
  sd: number;
}

/**
 * Each category's normal score E[Z | tau_{a-1} < Z <= tau_a] = (phi(tau_{a-1}) - phi(tau_a)) /
 * (Phi(tau_a) - Phi(tau_{a-1})) (0 for an empty category), and the scores' standard deviation
 * sqrt(sum_a p_a s_a^2 - (sum_a p_a s_a)^2) with p_a the category's probability.
 */
export function normalScores(tau: number[]): NormalScores {
  const cuts = [-Infinity, ...tau, Infinity];
  const scores = new Float64Array(tau.length + 1);
  let mean = 0;
  let square = 0;
  for (let a = 0; a <= tau.length; a++) {
    const p = normalCdf(cuts[a + 1]) - normalCdf(cuts[a]);
    scores[a] = p > 0 ? (normalDensity(cuts[a]) - normalDensity(cuts[a + 1])) / p : 0;
    mean += p * scores[a];
    square += p * scores[a] * scores[a];
  }
  return { scores, sd: Math.sqrt(Math.max(0, square - mean * mean)) };
}

/**
 * Where a pair's fit starts without a better guess: the correlation of the two items' normal
 * scores over the table (`correlationAt`), divided by the scores' standard deviations (for a
 * discretised bivariate normal, Cov(s(X), s(Y)) ~ rho Var s(X) Var s(Y) to first order in rho),
 * clamped to +-0.9; 0 where that correlation is undefined. Only saves steps (measured: see
 * bench/README-polychoric.md).
 */
export function normalScoreStart(cells: Float64Array, off: number, ki: number, kj: number, x: NormalScores, y: NormalScores): number {
  const r = correlationAt(cells, off, ki, kj, x.scores, y.scores);
  if (r === NO_WEIGHT || r === ZERO_VARIANCE || !(x.sd > 0 && y.sd > 0)) return 0;
  return Math.max(-0.9, Math.min(0.9, r / (x.sd * y.sd)));
}

/** Density of the standard normal. */
export function normalDensity(x: number): number {
  return Number.isFinite(x) ? Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI) : 0;
}

/**
 * The unsmoothed rho of one pair as `polychoricMatrix` (global thresholds) computes it, from the
 * pair's weighted table at `off` in `cells`, or NaN where the matrix has null: a nominal item, an
 * item with at most one answered category (`constantI`, `constantJ`), no weight on the table.
 * Bootstrap replicates are fitted pair by pair on worker threads with this (src/core/parallel/batch-count.ts).
 */
export function polychoricRhoAt(cells: Float64Array, off: number, ki: number, kj: number, thresholdsI: number[], thresholdsJ: number[], constantI: boolean, constantJ: boolean, start: number, cutsI?: KernelCuts, cutsJ?: KernelCuts): number {
  if (constantI || constantJ) return NaN;
  let total = 0;
  for (let x = off, end = off + ki * kj; x < end; x++) total += cells[x];
  if (!(total > 0)) return NaN;
  return fitPolychoric(off === 0 && cells.length === ki * kj ? cells : cells.subarray(off, off + ki * kj), ki, kj, thresholdsI, thresholdsJ, 1, start, true, cutsI, cutsJ).rho;
}

/**
 * What the likelihood kernel takes of each item's thresholds (`KernelCuts`, as `fitPolychoric`
 * works them out per thresholds array) in each of several replicates (`thresholds[lane][item]`),
 * at index item x lanes + lane, as views of one buffer laid out item by item: a bootstrap fits a
 * pair in every replicate in turn, and its items' values are then side by side instead of spread
 * over the heap (millions of fits, each with a lookup of two thresholds arrays before).
 */
export function kernelCutsOf(thresholds: readonly (readonly number[][])[]): KernelCuts[] {
  const lanes = thresholds.length;
  const m = lanes ? thresholds[0].length : 0;
  let size = 0;
  for (const lane of thresholds) for (const tau of lane) size += 2 * tau.length + 2;
  const buffer = new Float64Array(size);
  const out: KernelCuts[] = new Array(m * lanes);
  for (let i = 0, o = 0; i < m; i++) {
    for (let l = 0; l < lanes; l++) {
      const tau = thresholds[l][i];
      const n = tau.length;
      const phi = buffer.subarray(o, o + n + 2);
      const far = buffer.subarray(o + n + 2, o + 2 * n + 2);
      o += 2 * n + 2;
      writeKernelCuts(tau, phi, far);
      out[i * lanes + l] = { phi, far };
    }
  }
  return out;
}
