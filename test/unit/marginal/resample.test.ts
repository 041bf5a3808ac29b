import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeSufficientStats } from '../../../src/core/count/sufficient';
import { weightedMean, weightedVariance } from '../../../src/core/stats/descriptive';
import { Prng } from '../../../src/core/stats/prng';
import {
  bootstrap,
  bootstrapCI,
  bootstrapMultiplicities,
  bootstrapStandardError,
  jackknifeAcceleration,
  percentile,
  percentiles,
  permutationPValue,
  splitHalf,
  stratifiedBootstrapMultiplicities,
  stratifiedSplitHalf,
} from '../../../src/core/stats/resample';
import { close, readJson, readNumericCsv, surveyData } from './data';

// Reference values: test/fixtures/marginal/generate.py (numpy 1.24.2, scipy 1.10.1) and
// generate.R (vegan 2.6-4), on the real bfi export.
interface BootstrapCase {
  item: string;
  statistic: 'mean' | 'sd';
  rows: number[];
  n: number;
  nResamples: number;
  confidence: number;
  seed: number;
  observed: number;
  replicates: number[];
  jackknife: number[];
  firstResampleIndices: number[][];
  percentile: { low: number; high: number };
  bca: { low: number; high: number; alpha1: number; alpha2: number; acceleration: number; biasCorrection: number };
  standardError: number;
  percentile25: number;
}
const boot = readJson<{ cases: BootstrapCase[] }>('test/fixtures/marginal/bootstrap.json');
const pct = readJson<{ qs: number[]; sets: { name: string; values: number[]; expected: number[] }[] }>('test/fixtures/marginal/percentile.json');
const perm = readJson<{ cases: { x: string; y: string; observed: number; null: number[]; pvalue: Record<'greater' | 'less' | 'two-sided', number> }[] }>(
  'test/fixtures/marginal/permutation.json',
);
const mantel = readJson<{ statistic: number; signif: number; perm: number[] }>('test/fixtures/marginal/mantel.json');
const bfi = readNumericCsv('test/fixtures/data/bfi.csv');
const CODES = [1, 2, 3, 4, 5, 6];

/** The case's statistic of the bfi item over its rows, as a function of row multiplicities, through sufficient statistics. */
function statisticOf(c: BootstrapCase): (m: Float64Array) => number | null {
  const data = surveyData(bfi, [{ id: c.item, codes: CODES }]);
  const rows = Uint32Array.from(c.rows);
  return (m) => {
    // Multiplicity per position in `rows`, expressed as per-row weights of the data.
    const w = new Float64Array(data.n);
    for (let i = 0; i < rows.length; i++) w[rows[i]] += m[i];
    const s = computeSufficientStats(data, { rows, weights: w, marginalsOnly: true });
    if (c.statistic === 'mean') return weightedMean(CODES, s.itemWeights[0]);
    const v = weightedVariance(CODES, s.itemWeights[0]);
    return v === null ? null : Math.sqrt(v);
  };
}

test('percentile equals numpy.percentile (linear) on real data', () => {
  for (const set of pct.sets) {
    for (let i = 0; i < pct.qs.length; i++) {
      // Same lerp as numpy: agreement is bit-for-bit in practice; 1e-12 relative still flags any formula difference.
      const got = percentile(set.values, pct.qs[i]);
      close(got, set.expected[i], 1e-12 * Math.max(1, Math.abs(set.expected[i])), `${set.name} q=${pct.qs[i]}`);
    }
    const all = percentiles(set.values, pct.qs);
    all.forEach((v, i) => close(v, set.expected[i], 1e-12 * Math.max(1, Math.abs(set.expected[i])), `${set.name} q=${pct.qs[i]} (sorted once)`));
  }
  assert.equal(percentile([], 50), null);
  assert.throws(() => percentile([1, 2], 101));
  assert.throws(() => percentile([1, NaN], 50));
});

test('bootstrap CIs reproduce scipy.stats.bootstrap (percentile and BCa) from the same replicates', () => {
  for (const c of boot.cases) {
    const what = `${c.item} ${c.statistic} n=${c.n} B=${c.nResamples} conf=${c.confidence}`;
    const reps = Float64Array.from(c.replicates);
    // Closed-form interpolation between the same order statistics: 1e-10.
    const p = bootstrapCI(c.observed, reps, { confidence: c.confidence, method: 'percentile' });
    close(p.low, c.percentile.low, 1e-10, `${what}: percentile low`);
    close(p.high, c.percentile.high, 1e-10, `${what}: percentile high`);
    assert.equal(p.replicates, c.nResamples);
    const b = bootstrapCI(c.observed, reps, { confidence: c.confidence, method: 'bca', jackknife: c.jackknife });
    // z0 and a are closed forms of the same numbers (ndtri from @stdlib vs scipy's cephes): 1e-10.
    close(b.biasCorrection, c.bca.biasCorrection, 1e-10, `${what}: BCa z0`);
    close(b.acceleration, c.bca.acceleration, 1e-10, `${what}: BCa acceleration`);
    close(jackknifeAcceleration(c.jackknife), c.bca.acceleration, 1e-10, `${what}: jackknife acceleration`);
    close(b.low, c.bca.low, 1e-10, `${what}: BCa low`);
    close(b.high, c.bca.high, 1e-10, `${what}: BCa high`);
    close(bootstrapStandardError(reps), c.standardError, 1e-12, `${what}: standard error (np.std ddof=1)`);
  }
});

test('peer mistake: the 95% lower bound is the 2.5th percentile, not the 25th', () => {
  const c = boot.cases[0];
  const ci = bootstrapCI(c.observed, Float64Array.from(c.replicates));
  assert.equal(ci.confidence, 0.95);
  close(ci.low, percentile(c.replicates, 2.5), 0, 'low = P(2.5)');
  assert.ok(Math.abs(ci.low! - c.percentile25) > 0.05, `must differ from the 25th percentile ${c.percentile25}`);
});

test('multiplicities through sufficient statistics reproduce scipy\'s resamples and jackknife', () => {
  for (const c of boot.cases) {
    const stat = statisticOf(c);
    close(stat(new Float64Array(c.n).fill(1)), c.observed, 1e-12, `${c.item}: observed`);
    // scipy's first resamples (rng.integers(0, n, (B, n)) from default_rng(seed)) as multiplicities.
    c.firstResampleIndices.forEach((idx, b) => {
      const m = new Float64Array(c.n);
      for (const i of idx) m[i] += 1;
      close(stat(m), c.replicates[b], 1e-12, `${c.item}: replicate ${b}`); // weighted mean/SD, O(1) values
    });
    // Leave-one-out = multiplicity 0.
    for (let i = 0; i < c.n; i += 17) {
      const m = new Float64Array(c.n).fill(1);
      m[i] = 0;
      close(stat(m), c.jackknife[i], 1e-12, `${c.item}: jackknife ${i}`);
    }
  }
});

test('bootstrap() draws multiplicities in the documented order, is reproducible, and computes the jackknife for BCa', () => {
  const c = boot.cases[1];
  const stat = statisticOf(c);
  const a = bootstrap(stat, c.n, { seed: 99, nResamples: 200, method: 'bca', confidence: c.confidence });
  const b = bootstrap(stat, c.n, { seed: 99, nResamples: 200, method: 'bca', confidence: c.confidence });
  assert.deepEqual(Array.from(a.replicates), Array.from(b.replicates));
  assert.deepEqual(a.ci, b.ci);
  const other = bootstrap(stat, c.n, { seed: 100, nResamples: 200 });
  assert.notDeepEqual(Array.from(other.replicates), Array.from(a.replicates));
  // Draw order: replicate b = bootstrapMultiplicities(n, rng) from one Prng(seed).
  const rng = new Prng(99);
  for (let r = 0; r < 200; r++) assert.equal(a.replicates[r], stat(bootstrapMultiplicities(c.n, rng)));
  close(a.observed, c.observed, 1e-12, 'observed');
  assert.ok(a.jackknife);
  a.jackknife.forEach((v, i) => close(v, c.jackknife[i], 1e-12, `jackknife ${i}`)); // = numpy leave-one-out means
  const direct = bootstrapCI(c.observed, a.replicates, { method: 'bca', confidence: c.confidence, jackknife: c.jackknife });
  close(a.ci.low, direct.low, 1e-12, 'BCa low');
  close(a.ci.high, direct.high, 1e-12, 'BCa high');
  assert.equal(bootstrap(stat, c.n, { seed: 1, nResamples: 5 }).jackknife, null);
});

test('bootstrap multiplicities: n draws, stratified draws stay within their group', () => {
  const rng = new Prng(5);
  const mean = new Float64Array(50);
  for (let b = 0; b < 400; b++) {
    const m = bootstrapMultiplicities(50, rng);
    assert.equal(m.reduce((s, x) => s + x, 0), 50);
    m.forEach((x, i) => (mean[i] += x / 400));
  }
  // Each row's expected multiplicity is 1 (SD of the 400-replicate mean ~ 0.05).
  for (const x of mean) assert.ok(Math.abs(x - 1) < 0.3, `mean multiplicity ${x}`);
  const groups = [Uint32Array.of(0, 2, 4, 6), Uint32Array.of(1, 3), Uint32Array.of(9)];
  for (let b = 0; b < 50; b++) {
    const m = stratifiedBootstrapMultiplicities(groups, 10, rng);
    for (const g of groups) assert.equal(g.reduce((s, r) => s + m[r], 0), g.length);
    assert.equal(m[5] + m[7] + m[8], 0);
  }
});

test('BCa and percentile CIs are null where undefined, and undefined replicates are dropped and counted', () => {
  const c = boot.cases[0];
  // All jackknife values equal: acceleration 0/0, as scipy (NaN) -> null.
  const flat = bootstrapCI(c.observed, c.replicates, { method: 'bca', jackknife: new Float64Array(10).fill(2) });
  assert.equal(flat.low, null);
  assert.equal(flat.high, null);
  assert.equal(flat.acceleration, null);
  const empty = bootstrapCI(1, new Float64Array(0));
  assert.equal(empty.low, null);
  assert.equal(empty.replicates, 0);
  const withNaN = Float64Array.from([...c.replicates, NaN, NaN]);
  const ci = bootstrapCI(c.observed, withNaN, { method: 'percentile' });
  assert.equal(ci.undefinedReplicates, 2);
  assert.equal(ci.replicates, c.nResamples);
  close(ci.low, c.percentile.low, 1e-10, 'low without the undefined replicates');
  assert.throws(() => bootstrapCI(1, c.replicates, { method: 'bca' }), /jackknife/);
});

test('permutation p-values reproduce scipy.stats.permutation_test and vegan::mantel', () => {
  for (const c of perm.cases) {
    const tieTolerance = Math.max(1e-14, Math.abs(1e-14 * c.observed)); // scipy's tie tolerance
    for (const alt of ['greater', 'less', 'two-sided'] as const) {
      // Ratios of small integers: 1e-15.
      close(permutationPValue(c.observed, c.null, alt, { tieTolerance }), c.pvalue[alt], 1e-15, `${c.x}~${c.y} ${alt}`);
    }
  }
  // vegan: (#{perm >= stat - sqrt(eps)} + 1) / (999 + 1).
  close(permutationPValue(mantel.statistic, mantel.perm), mantel.signif, 1e-15, 'vegan mantel signif');
  assert.equal(permutationPValue(NaN, mantel.perm), null);
});

test('split halves partition the rows at random, within each group for the stratified split', () => {
  const [a, b] = splitHalf(11, new Prng(3));
  assert.equal(a.length, 5);
  assert.equal(b.length, 6);
  assert.deepEqual([...a, ...b].sort((x, y) => x - y), Array.from({ length: 11 }, (_, i) => i));
  assert.deepEqual(splitHalf(11, new Prng(3)), [a, b]);
  assert.notDeepEqual(splitHalf(11, new Prng(4))[0], a);
  const groups = [Uint32Array.of(10, 12, 14, 16, 18), Uint32Array.of(1, 2, 3, 4), Uint32Array.of(7)];
  const halves = stratifiedSplitHalf(groups, new Prng(8));
  halves.forEach(([h1, h2], g) => {
    assert.equal(h1.length, Math.floor(groups[g].length / 2));
    assert.equal(h2.length, Math.ceil(groups[g].length / 2));
    assert.deepEqual([...h1, ...h2].sort((x, y) => x - y), Array.from(groups[g]));
  });
  // Draw order: one permutation per group, groups in order.
  const rng = new Prng(8);
  const [p0] = splitHalf(5, rng);
  assert.deepEqual(halves[0][0], p0.map((i) => groups[0][i]).sort());
});
