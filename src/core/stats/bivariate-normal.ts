/**
 * The standard bivariate normal distribution with correlation rho: CDF, upper orthant,
 * rectangle probabilities and density, to full double precision (~1e-15 absolute).
 *
 * Method: Genz (2004), "Numerical computation of rectangular bivariate and trivariate normal and
 * t probabilities", Statistics and Computing 14, 251-260, section 2.1, itself a double-precision
 * refinement of Drezner & Wesolowsky (1990). It is the method of Genz's Fortran BVNU / MVBVU,
 * which R `mvtnorm::pmvnorm` calls for every two-dimensional normal probability (its MVTDST
 * takes the exact bivariate path for two dimensions and reports an error of 1e-15), and of
 * `mnormt::sadmvn` / `biv.nt.prob`, which `psych::polychoric` uses.
 *
 * - |rho| < 0.925: Plackett's identity dPhi2/drho = phi2 integrated from 0 to rho after the
 *   substitution rho = sin(theta): P(X > h, Y > k) = Phi(-h) Phi(-k) +
 *   (1 / 2pi) int_0^asin(rho) exp(-(h^2 + k^2 - 2 hk sin t) / (2 cos^2 t)) dt,
 *   by Gauss-Legendre with 6, 12 or 20 points for |rho| < 0.3, < 0.75, otherwise.
 * - |rho| >= 0.925: the integral from the other end (rho = +-1, where the probability is a
 *   univariate one) with the singularity removed by a series (Drezner & Wesolowsky's
 *   asymptotic terms) and the remainder by 20-point Gauss-Legendre.
 */
import { normalCdf } from './distributions';

const TWO_PI = 2 * Math.PI;
const SQRT_TWO_PI = Math.sqrt(TWO_PI);

/**
 * Gauss-Legendre nodes (negative half, x < 0) and weights of the n-point rule on [-1, 1],
 * by Newton's method on the three-term Legendre recurrence (converges to machine precision);
 * the rule is symmetric, so the positive half is -x with the same weights.
 */
function gaussLegendreHalf(n: number): { x: Float64Array; w: Float64Array } {
  const half = n / 2;
  const x = new Float64Array(half);
  const w = new Float64Array(half);
  for (let i = 0; i < half; i++) {
    let z = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let dp = 0;
    for (let iter = 0; iter < 100; iter++) {
      let p0 = 1;
      let p1 = z;
      for (let m = 2; m <= n; m++) {
        const p2 = ((2 * m - 1) * z * p1 - (m - 1) * p0) / m;
        p0 = p1;
        p1 = p2;
      }
      dp = (n * (z * p1 - p0)) / (z * z - 1);
      const dz = p1 / dp;
      z -= dz;
      if (Math.abs(dz) < 1e-16) break;
    }
    // Recompute the derivative at the converged node for the weight.
    let p0 = 1;
    let p1 = z;
    for (let m = 2; m <= n; m++) {
      const p2 = ((2 * m - 1) * z * p1 - (m - 1) * p0) / m;
      p0 = p1;
      p1 = p2;
    }
    dp = (n * (z * p1 - p0)) / (z * z - 1);
    x[i] = -Math.abs(z);
    w[i] = 2 / ((1 - z * z) * dp * dp);
  }
  return { x, w };
}

const RULES = [gaussLegendreHalf(6), gaussLegendreHalf(12), gaussLegendreHalf(20)];
const RULE4 = gaussLegendreHalf(4);

function ruleFor(absRho: number): { x: Float64Array; w: Float64Array } {
  return absRho < 0.3 ? RULES[0] : absRho < 0.75 ? RULES[1] : RULES[2];
}

/** |rho| from which Genz's algorithm integrates from the other end (rho = +-1). */
export const HIGH_CORRELATION = 0.925;

/**
 * Quadrature nodes of a bivariate normal probability in the one form
 * sum_i wt_i exp((sn_i h k - (h^2 + k^2) / 2) inv_i), which Genz's low-correlation branch, an
 * increment of Phi2 between two values of rho, and the density phi2 all take (see
 * `lowCorrelationNodes`, `incrementNodes`, `densityNode`). At most 20 nodes.
 */
export interface QuadratureNodes {
  n: number;
  sn: Float64Array;
  inv: Float64Array;
  wt: Float64Array;
}

export function newQuadratureNodes(): QuadratureNodes {
  return { n: 0, sn: new Float64Array(20), inv: new Float64Array(20), wt: new Float64Array(20) };
}

/** Nodes for theta_i on [t0, t1] by the Gauss-Legendre rule `rule` (with Plackett's 1 / 2pi). */
function thetaNodes(t0: number, t1: number, rule: { x: Float64Array; w: Float64Array }, out: QuadratureNodes): void {
  const half = (t1 - t0) / 2;
  const mid = (t1 + t0) / 2;
  const lg = rule.x.length;
  for (let i = 0; i < lg; i++) {
    const s1 = Math.sin(mid + half * rule.x[i]);
    const s2 = Math.sin(mid - half * rule.x[i]);
    out.sn[2 * i] = s1;
    out.sn[2 * i + 1] = s2;
    out.inv[2 * i] = 1 / (1 - s1 * s1);
    out.inv[2 * i + 1] = 1 / (1 - s2 * s2);
    out.wt[2 * i] = out.wt[2 * i + 1] = (rule.w[i] * half) / TWO_PI;
  }
  out.n = 2 * lg;
}

/**
 * Genz's nodes for |rho| < HIGH_CORRELATION: P(X > h, Y > k) = Phi(-h) Phi(-k) + the sum, theta on
 * [0, asin rho] with 6, 12 or 20 points.
 */
export function lowCorrelationNodes(rho: number, out: QuadratureNodes): void {
  thetaNodes(0, Math.asin(rho), ruleFor(Math.abs(rho)), out);
}

/**
 * Nodes of Phi2(h, k; rhoB) - Phi2(h, k; rhoA) = (1 / 2pi) int_{asin rhoA}^{asin rhoB} of Genz's
 * integrand (Plackett's identity), by 4-point Gauss-Legendre when the interval is at most 0.02
 * radians long and 6-point when at most 0.05; false (no nodes) for a longer interval or an end at
 * |rho| >= HIGH_CORRELATION. Checked against differences of full evaluations over h, k in
 * [-5, 5] and |rho| < 0.925: at most 2.7e-16 apart, the full evaluations' own accuracy
 * (test/unit/polychoric/fast-fits.test.ts).
 */
export function incrementNodes(rhoA: number, rhoB: number, out: QuadratureNodes): boolean {
  if (!(Math.abs(rhoA) < HIGH_CORRELATION && Math.abs(rhoB) < HIGH_CORRELATION)) return false;
  const t0 = Math.asin(rhoA);
  const t1 = Math.asin(rhoB);
  const length = Math.abs(t1 - t0);
  if (length > 0.05) return false;
  thetaNodes(t0, t1, length > 0.02 ? RULES[0] : RULE4, out);
  return true;
}

/** The density phi2(h, k; rho) as one node. */
export function densityNode(rho: number, out: QuadratureNodes): void {
  const s = 1 - rho * rho;
  out.sn[0] = rho;
  out.inv[0] = 1 / s;
  out.wt[0] = 1 / (TWO_PI * Math.sqrt(s));
  out.n = 1;
}

/**
 * Everything in Genz's algorithm that depends on rho only, computed once so that many (h, k)
 * evaluations at the same rho (a contingency table's threshold grid) cost a few exponentials each.
 */
export class BivariateNormalAtRho {
  readonly rho: number;
  private readonly low: boolean;
  // Low-correlation branch: sin(theta_i), 1 / (1 - sin^2), weights x asin(rho) / (4 pi).
  private readonly nodes: QuadratureNodes | null = null;
  // High-correlation branch.
  private readonly as: number = 0;
  private readonly a: number = 0;
  private readonly xs1: Float64Array = new Float64Array(0);
  private readonly rs1: Float64Array = new Float64Array(0);
  private readonly xs2: Float64Array = new Float64Array(0);
  private readonly rs2: Float64Array = new Float64Array(0);
  private readonly wh: Float64Array = new Float64Array(0);

  constructor(rho: number) {
    if (!(rho >= -1 && rho <= 1)) throw new RangeError(`correlation must be in [-1, 1], got ${rho}`);
    this.rho = rho;
    const r = Math.abs(rho);
    const { x, w } = ruleFor(r);
    const lg = x.length;
    this.low = r < HIGH_CORRELATION;
    if (this.low) {
      this.nodes = newQuadratureNodes();
      lowCorrelationNodes(rho, this.nodes);
    } else if (r < 1) {
      this.as = (1 - r) * (1 + r);
      this.a = Math.sqrt(this.as);
      const ah = this.a / 2;
      this.xs1 = new Float64Array(lg);
      this.rs1 = new Float64Array(lg);
      this.xs2 = new Float64Array(lg);
      this.rs2 = new Float64Array(lg);
      this.wh = new Float64Array(lg);
      for (let i = 0; i < lg; i++) {
        const t1 = ah * (x[i] + 1);
        this.xs1[i] = t1 * t1;
        this.rs1[i] = Math.sqrt(1 - this.xs1[i]);
        this.xs2[i] = (this.as * (-x[i] + 1) * (-x[i] + 1)) / 4;
        this.rs2[i] = Math.sqrt(1 - this.xs2[i]);
        this.wh[i] = ah * w[i];
      }
    }
  }

  /**
   * P(X > h, Y > k) for finite h, k (Genz's BVNU). `sfH` and `sfK` are Phi(-h) and Phi(-k),
   * passed in so that callers evaluating a grid compute each once.
   */
  upperFinite(h: number, k: number, sfH: number, sfK: number): number {
    const rho = this.rho;
    if (this.low) {
      const hk = h * k;
      const hs = (h * h + k * k) / 2;
      const { n, sn, inv, wt } = this.nodes!;
      let bvn = 0;
      for (let i = 0; i < n; i++) bvn += wt[i] * Math.exp((sn[i] * hk - hs) * inv[i]);
      return bvn + sfH * sfK;
    }
    // High correlation: for rho < 0 use P(X > h, Y > k) = P(X > h) - P(X > h, -Y > -k).
    const kk = rho < 0 ? -k : k;
    const hk = h * kk;
    let bvn = 0;
    if (Math.abs(rho) < 1) {
      const as = this.as;
      const a = this.a;
      const d2 = h - kk;
      const bs = d2 * d2;
      const c = (4 - hk) / 8;
      const d = (12 - hk) / 16;
      bvn = a * Math.exp(-(bs / as + hk) / 2) * (1 - (c * (bs - as) * (1 - (d * bs) / 5)) / 3 + (c * d * as * as) / 5);
      if (hk > -160) {
        const b = Math.sqrt(bs);
        bvn -= Math.exp(-hk / 2) * SQRT_TWO_PI * normalCdf(-b / a) * b * (1 - (c * bs * (1 - (d * bs) / 5)) / 3);
      }
      const xs1 = this.xs1;
      const rs1 = this.rs1;
      const xs2 = this.xs2;
      const rs2 = this.rs2;
      const wh = this.wh;
      for (let i = 0; i < xs1.length; i++) {
        let xs = xs1[i];
        let rs = rs1[i];
        bvn += wh[i] * (Math.exp(-bs / (2 * xs) - hk / (1 + rs)) / rs - Math.exp(-(bs / xs + hk) / 2) * (1 + c * xs * (1 + d * xs)));
        xs = xs2[i];
        rs = rs2[i];
        bvn +=
          wh[i] *
          Math.exp(-(bs / xs + hk) / 2) *
          (Math.exp((-hk * (1 - rs)) / (2 * (1 + rs))) / rs - (1 + c * xs * (1 + d * xs)));
      }
      bvn = -bvn / TWO_PI;
    }
    if (rho > 0) return bvn + normalCdf(-Math.max(h, kk));
    // rho < 0: sfK is Phi(-k) = 1 - Phi(-kk).
    return -bvn + Math.max(0, sfH - (1 - sfK));
  }

  /** P(X > h, Y > k), any h, k including +-Infinity. */
  upper(h: number, k: number): number {
    if (h === Infinity || k === Infinity) return 0;
    if (h === -Infinity) return k === -Infinity ? 1 : normalCdf(-k);
    if (k === -Infinity) return normalCdf(-h);
    return this.upperFinite(h, k, normalCdf(-h), normalCdf(-k));
  }

  /** P(X <= h, Y <= k), any h, k including +-Infinity. */
  cdf(h: number, k: number): number {
    if (h === -Infinity || k === -Infinity) return 0;
    if (h === Infinity) return k === Infinity ? 1 : normalCdf(k);
    if (k === Infinity) return normalCdf(h);
    // By symmetry of the centred normal, P(X <= h, Y <= k) = P(X > -h, Y > -k).
    return this.upperFinite(-h, -k, normalCdf(h), normalCdf(k));
  }
}

/**
 * Bivariate normal CDF Phi2(h, k; rho) = P(X <= h, Y <= k) for standard normal X, Y with
 * correlation rho in [-1, 1]; h, k may be +-Infinity.
 * R: `mvtnorm::pmvnorm(lower = c(-Inf, -Inf), upper = c(h, k), corr = matrix(c(1, rho, rho, 1), 2))`.
 */
export function bivariateNormalCdf(h: number, k: number, rho: number): number {
  return new BivariateNormalAtRho(rho).cdf(h, k);
}

/** Upper orthant P(X > h, Y > k) (Genz's BVNU); h, k may be +-Infinity. */
export function bivariateNormalUpper(h: number, k: number, rho: number): number {
  return new BivariateNormalAtRho(rho).upper(h, k);
}

/**
 * Rectangle probability P(h1 < X <= h2, k1 < Y <= k2) by inclusion-exclusion of four CDF values
 * (absolute error ~4e-16), clamped at 0 against rounding; the limits may be infinite, as
 * the thresholds of a contingency table's first and last categories are.
 */
export function bivariateNormalRectangle(h1: number, h2: number, k1: number, k2: number, rho: number): number {
  if (!(h1 < h2) || !(k1 < k2)) return 0;
  const b = new BivariateNormalAtRho(rho);
  const p = b.cdf(h2, k2) - b.cdf(h1, k2) - b.cdf(h2, k1) + b.cdf(h1, k1);
  return p > 0 ? p : 0;
}

/**
 * Bivariate normal density phi2(h, k; rho) = exp(-(h^2 - 2 rho h k + k^2) / (2 (1 - rho^2))) /
 * (2 pi sqrt(1 - rho^2)); 0 when h or k is infinite. By Plackett's identity it is also
 * d Phi2(h, k; rho) / d rho, which the polychoric likelihood's score uses.
 */
export function bivariateNormalDensity(h: number, k: number, rho: number): number {
  if (!Number.isFinite(h) || !Number.isFinite(k)) return 0;
  const s = 1 - rho * rho;
  return Math.exp(-(h * h - 2 * rho * h * k + k * k) / (2 * s)) / (TWO_PI * Math.sqrt(s));
}
