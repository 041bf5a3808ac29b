/**
 * Resampling machinery: percentiles, bootstrap confidence intervals (percentile and BCa, as
 * scipy.stats.bootstrap), permutation p-values, and random split halves.
 *
 * Respondents are resampled through MULTIPLICITIES: a bootstrap replicate is a vector m with
 * m[r] = how many times row r was drawn (n draws with replacement, so sum m = n). Multiplied by the
 * survey weights it feeds `computeSufficientStats(data, { weights })`, so every statistic of the
 * evaluation is bootstrapped from the same one-pass, mergeable tables as the point estimate. A
 * leave-one-out jackknife replicate is the multiplicity vector of ones with a 0 at the left-out row.
 *
 * Reproducibility: all randomness comes from a seeded `Prng`, in the draw order documented on each
 * function, so the same seed gives the same numbers on every platform.
 */
import { normalCdf, normalQuantile } from './distributions';
import { Prng } from './prng';

/**
 * The q-th percentile (0 <= q <= 100) of the values with linear interpolation between order
 * statistics: numpy `np.percentile(values, q)` (method='linear', Hyndman & Fan type 7, R's
 * default `quantile` type 7). With x the sorted values and h = (n - 1) q / 100, the result is
 * x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h]), evaluated with numpy's `_lerp` (from
 * the upper neighbour when the fraction is >= 0.5) so results agree to the last bit.
 * Values must not be NaN. Null for an empty input. Pass `sorted: true` to skip the copy and sort.
 */
export function percentile(values: ArrayLike<number>, q: number, options: { sorted?: boolean } = {}): number | null {
  if (!(q >= 0 && q <= 100)) throw new RangeError(`percentile: q must be in [0, 100], got ${q}`);
  const n = values.length;
  if (n === 0) return null;
  const x = options.sorted ? values : sortedCopy(values);
  const h = (n - 1) * (q / 100);
  if (h >= n - 1) return x[n - 1];
  const lo = Math.floor(h);
  const t = h - lo;
  const a = x[lo];
  const b = x[lo + 1];
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/** Several percentiles of the same values, sorting once. */
export function percentiles(values: ArrayLike<number>, qs: readonly number[]): (number | null)[] {
  const x = sortedCopy(values);
  return qs.map((q) => percentile(x, q, { sorted: true }));
}

function sortedCopy(values: ArrayLike<number>): Float64Array {
  const x = Float64Array.from(values as ArrayLike<number>);
  for (let i = 0; i < x.length; i++) if (Number.isNaN(x[i])) throw new RangeError('percentile: values contain NaN');
  return x.sort();
}

/**
 * One nonparametric bootstrap replicate as multiplicities: n draws with replacement from rows
 * 0..n-1, returned as counts per row (sum = n). Draw order: n successive `rng.nextInt(n)` calls;
 * draw d adds 1 to row nextInt(n). Pass `out` (length n) to reuse a buffer; it is zeroed first.
 */
export function bootstrapMultiplicities(n: number, rng: Prng, out?: Float64Array): Float64Array {
  const m = out ?? new Float64Array(n);
  if (m.length !== n) throw new RangeError(`bootstrapMultiplicities: buffer of length ${m.length} for n = ${n}`);
  m.fill(0);
  for (let d = 0; d < n; d++) m[rng.nextInt(n)] += 1;
  return m;
}

/**
 * A stratified bootstrap replicate: within each group, as many draws with replacement from the
 * group's rows as it has rows (arXiv 2601.15755 resamples within group), as multiplicities over
 * the n rows of the data (rows in no group get 0; a row in several groups accumulates). Draw order:
 * groups in the given order; within a group, g.length successive `rng.nextInt(g.length)` calls.
 */
export function stratifiedBootstrapMultiplicities(groupsRows: readonly Uint32Array[], n: number, rng: Prng, out?: Float64Array): Float64Array {
  const m = out ?? new Float64Array(n);
  if (m.length !== n) throw new RangeError(`stratifiedBootstrapMultiplicities: buffer of length ${m.length} for n = ${n}`);
  m.fill(0);
  for (const g of groupsRows) {
    for (let d = 0; d < g.length; d++) {
      const r = g[rng.nextInt(g.length)];
      if (r >= n) throw new RangeError(`row ${r} out of range for n = ${n}`);
      m[r] += 1;
    }
  }
  return m;
}

export type BootstrapMethod = 'percentile' | 'bca';

export interface BootstrapCIOptions {
  /** Confidence level, default 0.95 (the 2.5th and 97.5th percentiles). */
  confidence?: number;
  /** Default 'percentile'. */
  method?: BootstrapMethod;
  /** Leave-one-out jackknife statistics theta_(i), one per row; required for 'bca'. */
  jackknife?: ArrayLike<number>;
}

export interface BootstrapCI {
  low: number | null;
  high: number | null;
  method: BootstrapMethod;
  confidence: number;
  /** Number of (finite) bootstrap replicates the interval is computed from. */
  replicates: number;
  /** Replicates dropped because the statistic was undefined (NaN) on them. */
  undefinedReplicates: number;
  /** BCa bias correction z0 and acceleration a (null for 'percentile' or when undefined). */
  biasCorrection: number | null;
  acceleration: number | null;
}

/**
 * Bootstrap confidence interval from the replicates theta*_b and the observed statistic theta^,
 * exactly as scipy.stats.bootstrap (scipy 1.10, `_bca_interval` and `_percentile_of_score`).
 *
 * - percentile: [P(alpha), P(1 - alpha)] of the replicates, alpha = (1 - confidence) / 2, P =
 *   numpy's linear-interpolation percentile (so 2.5 and 97.5 for 95%).
 * - BCa (Efron & Tibshirani 1993, 14.3 and eq. 15.36): z0 = Phi^-1(F), F = (#{theta* < theta^} +
 *   #{theta* <= theta^}) / (2B) (scipy's 'mean' percentile of score, which splits ties); with
 *   U_i = (n - 1)(mean_j theta_(j) - theta_(i)) from the jackknife, a = (1/6) (sum U^3 / n^3) /
 *   (sum U^2 / n^2)^(3/2); alpha_1 = Phi(z0 + (z0 + z_alpha) / (1 - a (z0 + z_alpha))), alpha_2
 *   likewise with z_(1-alpha); the interval is [P(alpha_1), P(alpha_2)].
 *
 * Differences from scipy, both reported: NaN replicates (statistic undefined on a resample) are
 * dropped and counted in `undefinedReplicates` where scipy would return NaN; a bound is null where
 * scipy returns NaN (degenerate BCa, e.g. all jackknife values equal, or no replicates).
 */
export function bootstrapCI(observed: number, replicates: ArrayLike<number>, options: BootstrapCIOptions = {}): BootstrapCI {
  const confidence = options.confidence ?? 0.95;
  const method = options.method ?? 'percentile';
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  const finite: number[] = [];
  for (let b = 0; b < replicates.length; b++) if (!Number.isNaN(replicates[b])) finite.push(replicates[b]);
  const sorted = Float64Array.from(finite).sort();
  const result: BootstrapCI = {
    low: null,
    high: null,
    method,
    confidence,
    replicates: sorted.length,
    undefinedReplicates: replicates.length - sorted.length,
    biasCorrection: null,
    acceleration: null,
  };
  if (sorted.length === 0) return result;
  const alpha = (1 - confidence) / 2;
  let q1 = alpha;
  let q2 = 1 - alpha;
  if (method === 'bca') {
    if (!options.jackknife) throw new RangeError('bootstrapCI: the BCa interval needs the jackknife statistics');
    if (Number.isNaN(observed)) return result;
    const z0 = normalQuantile(percentileOfScore(sorted, observed));
    const a = jackknifeAcceleration(options.jackknife);
    result.biasCorrection = Number.isFinite(z0) ? z0 : null;
    result.acceleration = Number.isNaN(a) ? null : a;
    const zAlpha = normalQuantile(alpha);
    const num1 = z0 + zAlpha;
    q1 = normalCdf(z0 + num1 / (1 - a * num1));
    const num2 = z0 - zAlpha;
    q2 = normalCdf(z0 + num2 / (1 - a * num2));
    if (Number.isNaN(q1) || Number.isNaN(q2)) return result;
  } else if (method !== 'percentile') {
    throw new RangeError(`unknown bootstrap method ${String(method)}`);
  }
  // scipy passes alpha * 100 to np.percentile, which divides by 100 again: do the same for bitwise agreement.
  result.low = percentile(sorted, q1 * 100, { sorted: true });
  result.high = percentile(sorted, q2 * 100, { sorted: true });
  return result;
}

/** scipy's `_percentile_of_score` ('mean' kind): (#{a < score} + #{a <= score}) / (2B), a sorted. */
function percentileOfScore(sorted: Float64Array, score: number): number {
  let less = 0;
  let lessEqual = 0;
  for (let i = 0; i < sorted.length; i++) {
    if (sorted[i] < score) less++;
    if (sorted[i] <= score) lessEqual++;
  }
  return (less + lessEqual) / (2 * sorted.length);
}

/**
 * BCa acceleration from leave-one-out jackknife statistics theta_(i), i = 1..n (Efron & Tibshirani
 * 1993, eq. 14.15; scipy `_bca_interval`): U_i = (n - 1)(theta_(.) - theta_(i)),
 * a = (1/6) (sum U_i^3 / n^3) / (sum U_i^2 / n^2)^(3/2). NaN when all theta_(i) are equal.
 */
export function jackknifeAcceleration(jackknife: ArrayLike<number>): number {
  const n = jackknife.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += jackknife[i];
  mean /= n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    const u = (n - 1) * (mean - jackknife[i]);
    num += u * u * u;
    den += u * u;
  }
  return ((1 / 6) * (num / n ** 3)) / (den / n ** 2) ** (3 / 2);
}

export interface BootstrapOptions {
  /** Number of bootstrap replicates, default 9999 (scipy's default). */
  nResamples?: number;
  seed: number;
  method?: BootstrapMethod;
  confidence?: number;
  /** For stratified resampling (e.g. within group): the rows of each stratum. Default: all n rows, one stratum. */
  strata?: readonly Uint32Array[];
}

export interface BootstrapResult {
  /** statistic(all ones). */
  observed: number | null;
  ci: BootstrapCI;
  /** theta*_b in draw order; NaN where the statistic was undefined. */
  replicates: Float64Array;
  /** Leave-one-out statistics (computed for 'bca' only); NaN where undefined. */
  jackknife: Float64Array | null;
  /** Bootstrap standard error, sample SD (ddof = 1) of the finite replicates, as scipy's `standard_error`. */
  standardError: number | null;
}

/**
 * Bootstrap a statistic of respondents given as a function of row multiplicities (e.g. multiply
 * by the survey weights and call `computeSufficientStats`). The statistic may return null (or
 * NaN) when undefined on a resample.
 *
 * Draw order from `new Prng(seed)`: replicate b = 0..B-1 each calls `bootstrapMultiplicities`
 * (or `stratifiedBootstrapMultiplicities` with `strata`), then the statistic on a fresh vector.
 * For BCa, the jackknife then evaluates the statistic n times, leaving out row i (multiplicity 0,
 * all others 1): O(n) statistic calls, affordable for small n only, as in scipy.
 */
export function bootstrap(statistic: (multiplicity: Float64Array) => number | null, n: number, options: BootstrapOptions): BootstrapResult {
  const nResamples = options.nResamples ?? 9999;
  const method = options.method ?? 'percentile';
  const rng = new Prng(options.seed);
  const ones = new Float64Array(n).fill(1);
  const observed = toNumber(statistic(ones.slice()));
  const replicates = new Float64Array(nResamples);
  for (let b = 0; b < nResamples; b++) {
    const m = options.strata ? stratifiedBootstrapMultiplicities(options.strata, n, rng) : bootstrapMultiplicities(n, rng);
    replicates[b] = toNumber(statistic(m));
  }
  let jackknife: Float64Array | null = null;
  if (method === 'bca') {
    jackknife = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const m = ones.slice();
      m[i] = 0;
      jackknife[i] = toNumber(statistic(m));
    }
  }
  const defined = Number.isNaN(observed) ? null : observed;
  const ci = bootstrapCI(observed, replicates, { method, confidence: options.confidence, jackknife: jackknife ?? undefined });
  return { observed: defined, ci, replicates, jackknife, standardError: bootstrapStandardError(replicates) };
}

function toNumber(x: number | null): number {
  return x === null ? NaN : x;
}

/**
 * Bootstrap standard error: the sample standard deviation (divisor B - 1) of the replicates, as
 * scipy.stats.bootstrap's `standard_error` (np.std(ddof=1)). NaN replicates are skipped; null
 * with fewer than 2.
 */
export function bootstrapStandardError(x: ArrayLike<number>): number | null {
  let n = 0;
  let mean = 0;
  for (let i = 0; i < x.length; i++) {
    if (Number.isNaN(x[i])) continue;
    n++;
    mean += x[i];
  }
  if (n < 2) return null;
  mean /= n;
  let ss = 0;
  for (let i = 0; i < x.length; i++) if (!Number.isNaN(x[i])) ss += (x[i] - mean) * (x[i] - mean);
  return Math.sqrt(ss / (n - 1));
}

export type Alternative = 'greater' | 'less' | 'two-sided';

/** vegan's tie tolerance: sqrt(.Machine$double.eps), so null values equal to the observed one in theory count as "as extreme". */
export const VEGAN_TIE_TOLERANCE = Math.sqrt(Number.EPSILON);

/**
 * Monte Carlo permutation p-value with the +1 correction (Phipson & Smyth 2010), vegan's convention:
 * greater: (#{null >= observed - tol} + 1) / (N + 1) (vegan `mantel`, tol = sqrt(.Machine$double.eps));
 * less: (#{null <= observed + tol} + 1) / (N + 1);
 * two-sided: min(1, 2 min(p_less, p_greater)) (scipy.stats.permutation_test).
 * `tieTolerance` defaults to VEGAN_TIE_TOLERANCE; scipy uses max(1e-14, 1e-14 |observed|).
 * Null when the observed value is undefined (NaN); NaN null values count as not extreme.
 */
export function permutationPValue(
  observed: number,
  nullValues: ArrayLike<number>,
  alternative: Alternative = 'greater',
  options: { tieTolerance?: number } = {},
): number | null {
  if (Number.isNaN(observed)) return null;
  const tol = options.tieTolerance ?? VEGAN_TIE_TOLERANCE;
  const n = nullValues.length;
  let ge = 0;
  let le = 0;
  for (let i = 0; i < n; i++) {
    if (nullValues[i] >= observed - tol) ge++;
    if (nullValues[i] <= observed + tol) le++;
  }
  const greater = (ge + 1) / (n + 1);
  const less = (le + 1) / (n + 1);
  if (alternative === 'greater') return greater;
  if (alternative === 'less') return less;
  return Math.min(1, 2 * Math.min(greater, less));
}

/**
 * Random split of rows 0..n-1 into two halves (sizes floor(n/2) and ceil(n/2)), each sorted.
 * Draw order: one `rng.permutation(n)` (Fisher-Yates, n - 1 draws); its first floor(n/2) entries
 * form the first half.
 */
export function splitHalf(n: number, rng: Prng): [Uint32Array, Uint32Array] {
  const perm = rng.permutation(n);
  const h = Math.floor(n / 2);
  return [perm.slice(0, h).sort(), perm.slice(h).sort()];
}

/**
 * Split-half within each group (the human ceiling of arXiv 2601.15755: respondents split at random
 * within each group, so both halves keep the group composition). groupsRows[g] are the row
 * indices of group g; returns per group the two halves (row indices, sorted), sizes floor and ceil
 * of half the group. Draw order: groups in order, each one `rng.permutation(groupsRows[g].length)`.
 */
export function stratifiedSplitHalf(groupsRows: readonly Uint32Array[], rng: Prng): [Uint32Array, Uint32Array][] {
  return groupsRows.map((rows) => {
    const [a, b] = splitHalf(rows.length, rng);
    return [a.map((i) => rows[i]).sort(), b.map((i) => rows[i]).sort()];
  });
}
