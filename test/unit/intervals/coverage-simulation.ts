// Coverage of the headline intervals, by simulation: runs drawn from a known population (a
// multivariate normal thresholded into ordinal answers, some answers made invalid at random), each
// scored against a fixed reference with the engine's own functions and bootstrap, and the share of
// runs whose interval contains the population value counted, for the basic interval of the
// bias-corrected headline and for the percentile interval of arXiv 2601.15755.
//
// The population values are exact: item distributions from the normal CDF, the Pearson correlation
// of the codes from bivariate normal rectangle probabilities (Genz), the invalid share known.
// Used by test/unit/intervals/coverage.test.ts (small and fast) and bench/intervals-coverage.ts.
import { computeSufficientStats } from '../../../src/core/count/sufficient';
import type { SufficientStats } from '../../../src/core/count/tables';
import type { ItemCodebook } from '../../../src/core/read/codebook';
import { MISSING, type SurveyData } from '../../../src/core/read/dataset';
import { marginalHeadlines } from '../../../src/core/evaluate/marginal-summary';
import { usablePairValues, usableShareOf } from '../../../src/core/evaluate/invalid-answers';
import { associationMatrix } from '../../../src/core/stats/association';
import { basicBootstrap } from '../../../src/core/stats/bias-corrected';
import { bivariateNormalRectangle } from '../../../src/core/stats/bivariate-normal';
import { normalCdf } from '../../../src/core/stats/distributions';
import { compareUpperTriangles } from '../../../src/core/stats/group-structure';
import { Prng } from '../../../src/core/stats/prng';
import { bootstrapMultiplicities } from '../../../src/core/stats/resample';
import { wasserstein1 } from '../../../src/core/stats/marginal';

/** A population of respondents: latent normal with correlation `corr`, item j's answer = 1 + number of `cuts[j]` below it. */
export interface ThresholdedNormal {
  corr: number[][];
  cuts: number[][];
}

export function itemsOf(pop: ThresholdedNormal): ItemCodebook[] {
  return pop.cuts.map((c, j) => ({ id: `Q${j + 1}`, type: 'ordinal' as const, codes: Array.from({ length: c.length + 1 }, (_, k) => k + 1) }));
}

function cholesky(a: number[][]): number[][] {
  const n = a.length;
  const l = a.map(() => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i][j];
      for (let k = 0; k < j; k++) s -= l[i][k] * l[j][k];
      l[i][j] = i === j ? Math.sqrt(s) : s / l[j][j];
    }
  }
  return l;
}

/** Standard normal draws (Box-Muller) from the project's seeded generator. */
function gaussian(rng: Prng): () => number {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    const u = 1 - rng.nextFloat();
    const v = rng.nextFloat();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

/** n respondents of `pop`; each answer independently invalid (MISSING) with probability `invalid`. */
export function sample(pop: ThresholdedNormal, n: number, rng: Prng, invalid = 0): SurveyData {
  const items = itemsOf(pop);
  const m = items.length;
  const l = cholesky(pop.corr);
  const g = gaussian(rng);
  const values = items.map(() => new Uint8Array(n));
  const e = new Float64Array(m);
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < m; j++) e[j] = g();
    for (let j = 0; j < m; j++) {
      let z = 0;
      for (let k = 0; k <= j; k++) z += l[j][k] * e[k];
      let c = 0;
      while (c < pop.cuts[j].length && z > pop.cuts[j][c]) c++;
      values[j][r] = c;
    }
    if (invalid > 0) for (let j = 0; j < m; j++) if (rng.nextFloat() < invalid) values[j][r] = MISSING;
  }
  return { source: 'simulated', n, columns: items.map((item, j) => ({ item, values: values[j], invalid: 0, missing: 0 })), weights: null, attributes: new Map() };
}

/** Exact category probabilities of each item. */
export function populationMarginals(pop: ThresholdedNormal): Float64Array[] {
  return pop.cuts.map((c) => {
    const edges = [-Infinity, ...c, Infinity];
    return Float64Array.from({ length: c.length + 1 }, (_, k) => normalCdf(edges[k + 1]) - normalCdf(edges[k]));
  });
}

/** Exact Pearson correlation of the codes of every item pair (bivariate normal cell probabilities). */
export function populationPearson(pop: ThresholdedNormal): (number | null)[][] {
  const m = pop.cuts.length;
  const p = populationMarginals(pop);
  const mean = p.map((q) => q.reduce((s, x, k) => s + x * (k + 1), 0));
  const sd = p.map((q, j) => Math.sqrt(q.reduce((s, x, k) => s + x * (k + 1 - mean[j]) ** 2, 0)));
  const out: (number | null)[][] = Array.from({ length: m }, (_, i) => Array.from({ length: m }, (_, j) => (i === j ? 1 : null)));
  for (let i = 0; i < m; i++) {
    for (let j = i + 1; j < m; j++) {
      const ei = [-Infinity, ...pop.cuts[i], Infinity];
      const ej = [-Infinity, ...pop.cuts[j], Infinity];
      let exy = 0;
      for (let a = 0; a + 1 < ei.length; a++) for (let b = 0; b + 1 < ej.length; b++) exy += (a + 1) * (b + 1) * bivariateNormalRectangle(ei[a], ei[a + 1], ej[b], ej[b + 1], pop.corr[i][j]);
      out[i][j] = out[j][i] = (exy - mean[i] * mean[j]) / (sd[i] * sd[j]);
    }
  }
  return out;
}

export interface CoverageSetting {
  reference: ThresholdedNormal;
  /** Respondents of the fixed reference sample. */
  referenceN: number;
  run: ThresholdedNormal;
  /** Respondents of each simulated run. */
  n: number;
  /** Each run answer invalid with this probability. */
  invalid: number;
  simulations: number;
  bootstrap: number;
  seed: number;
}

export interface MeasureCoverage {
  /** The run population's value (the estimand). */
  truth: number;
  /** Runs whose basic interval (of the bias-corrected headline) contains the truth. */
  basic: number;
  /** Runs whose percentile interval contains the truth. */
  percentile: number;
  /** Runs whose basic interval contains its own bias-corrected value (must be all). */
  coherent: number;
  /** Mean of the bias-corrected headline and of the sample estimate over the runs. */
  meanHeadline: number;
  meanSample: number;
  simulations: number;
}

export interface CoverageResult {
  representativeness: MeasureCoverage;
  agreement: MeasureCoverage;
}

/** The reference side: a fixed sample's statistics and Pearson matrix. */
function referenceSide(s: CoverageSetting): { stats: SufficientStats; matrix: (number | null)[][] } {
  const data = sample(s.reference, s.referenceN, new Prng(s.seed ^ 0x5eed));
  const stats = computeSufficientStats(data, { weights: null });
  return { stats, matrix: associationMatrix(stats, 'pearson').values };
}

/** The headline representativeness and agreement of the run population against the reference sample. */
export function populationValues(s: CoverageSetting, ref = referenceSide(s)): { representativeness: number; agreement: number } {
  const items = itemsOf(s.run);
  const probs = populationMarginals(s.run);
  let w1 = 0;
  items.forEach((it, j) => {
    const range = it.codes.length - 1;
    const d = wasserstein1(it.codes, ref.stats.itemWeights[j], probs[j])! / range;
    w1 += (1 - s.invalid) * d + s.invalid;
  });
  const rho = compareUpperTriangles(ref.matrix, populationPearson(s.run)).pearson!;
  // Both answers of a pair valid: (1 - invalid)^2, answers made invalid independently.
  return { representativeness: 1 - w1 / items.length, agreement: (1 - s.invalid) ** 2 * rho };
}

/** Runs `s.simulations` simulated runs and counts how often each interval covers the population value. */
export function simulateCoverage(s: CoverageSetting): CoverageResult {
  const ref = referenceSide(s);
  const truth = populationValues(s, ref);
  const rng = new Prng(s.seed);
  const m = s.run.cuts.length;
  const tally = (t: number): MeasureCoverage => ({ truth: t, basic: 0, percentile: 0, coherent: 0, meanHeadline: 0, meanSample: 0, simulations: s.simulations });
  const out: CoverageResult = { representativeness: tally(truth.representativeness), agreement: tally(truth.agreement) };
  const answers = new Array<number>(m).fill(s.n);
  const mult = new Float64Array(s.n);
  const repRep = new Float64Array(s.bootstrap);
  const repAgree = new Float64Array(s.bootstrap);
  const score = (stats: SufficientStats, usable: number) => ({
    representativeness: marginalHeadlines(ref.stats, stats.itemWeights, answers).counted.representativeness!,
    agreement: usable * (compareUpperTriangles(ref.matrix, associationMatrix(stats, 'pearson').values).pearson ?? NaN),
  });
  const count = (c: MeasureCoverage, sampleValue: number, reps: Float64Array, lo: number, hi: number) => {
    const b = basicBootstrap(sampleValue, reps, reps.length, lo, hi);
    if (b.low !== null && b.high !== null && b.low <= c.truth && c.truth <= b.high) c.basic++;
    if (b.percentileLow !== null && b.percentileHigh !== null && b.percentileLow <= c.truth && c.truth <= b.percentileHigh) c.percentile++;
    if (b.value !== null && b.low !== null && b.high !== null && b.low <= b.value && b.value <= b.high) c.coherent++;
    c.meanHeadline += (b.value ?? NaN) / s.simulations;
    c.meanSample += sampleValue / s.simulations;
  };
  for (let k = 0; k < s.simulations; k++) {
    const data = sample(s.run, s.n, rng, s.invalid);
    const stats = computeSufficientStats(data, { weights: null });
    const rows = usablePairValues(data, data.columns.map((_, j) => j));
    const observed = score(stats, usableShareOf(rows.reduce((a, b) => a + b, 0), s.n, m) ?? NaN);
    for (let b = 0; b < s.bootstrap; b++) {
      bootstrapMultiplicities(s.n, rng, mult);
      let pairs = 0;
      for (let r = 0; r < s.n; r++) pairs += mult[r] * rows[r];
      const rep = score(computeSufficientStats(data, { weights: mult }), usableShareOf(pairs, s.n, m) ?? NaN);
      repRep[b] = rep.representativeness;
      repAgree[b] = rep.agreement;
    }
    count(out.representativeness, observed.representativeness, repRep, 0, 1);
    count(out.agreement, observed.agreement, repAgree, -1, 1);
  }
  return out;
}

/** The correlation matrix of a one-factor model with these loadings: r_ij = l_i l_j (|l| < 1). */
export function factorCorrelation(loadings: readonly number[]): number[][] {
  return loadings.map((a, i) => loadings.map((b, j) => (i === j ? 1 : a * b)));
}
