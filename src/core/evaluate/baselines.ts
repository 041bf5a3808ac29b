/**
 * Floors and ceilings every score is read against: independent marginals (the reference's answers
 * item by item, no structure), uniform random answering (no information) and the human split-half
 * (another human sample). Reference-only quantities, each from its own random stream, so they are
 * kept in the cache between evaluations and are the same for every run with the same items.
 */
import { subtractSufficientStats, withoutPairTables, type SufficientStats } from '../count/tables';
import { computeSufficientStatsParallel } from '../parallel';
import type { ItemCodebook } from '../read/codebook';
import type { SurveyData } from '../read/dataset';
import type { Baseline } from '../report/model';
import type { AssociationMatrix } from '../stats/association';
import { Prng } from '../stats/prng';
import { STREAM, streamSeed, type Memo } from './cache';
import type { AssociationChoice } from './config';
import { marginalHeadline } from './marginal-summary';
import { matrixFor, offDiagonalAgreement } from './matrices';

export interface BaselineInput {
  seed: number;
  reference: SurveyData;
  /** The reference's columns of the compared items, and their tables. */
  referenceColumns: number[];
  referenceStats: SufficientStats;
  referenceMatrices: Map<AssociationChoice, AssociationMatrix>;
  /** Respondents of each synthetic baseline: the run's size. */
  respondents: number;
  memo: Memo;
  /** Cache key of the compared items. */
  itemsKey: string;
}

/** The three baselines, in the report's order. */
export async function referenceBaselines(input: BaselineInput): Promise<Baseline[]> {
  const { seed, reference: refData, referenceColumns: refIdx, referenceStats: refStats, referenceMatrices: refMatrices, respondents: runN, memo, itemsKey: key } = input;
  const items = refStats.items;
  const methodsKey = [...refMatrices.keys()].join(',');
  const baselineOf = async (name: Baseline['name'], description: string, s: SufficientStats): Promise<Baseline> => {
    const h = marginalHeadline(refStats, s.itemWeights);
    const structure: Baseline['structure'] = {};
    for (const [method, refM] of refMatrices) structure[method] = offDiagonalAgreement(refM, await matrixFor(s, method, undefined, true));
    return { name, description, marginal: { meanW1Normalized: h.meanW1Normalized, representativeness: h.representativeness, meanTvd: h.meanTvd }, structure, population: populationOf(name, refStats, [...refMatrices.keys()], h.representativeness, structure) };
  };
  return [
    await memo.getAsync(`independent:${seed}:${key}:${runN}:${methodsKey}`, async () => {
      const indep = independentColumnsSample(refData, refIdx, runN, new Prng(streamSeed(seed, STREAM.independentMarginals, runN)));
      // Counts (integers): the same tables on every thread as on this one alone.
      const s = await computeSufficientStatsParallel(indep, { weights: null, marginalsOnly: refMatrices.size === 0 });
      return baselineOf('independent-marginals', `${runN} synthetic respondents whose answers are drawn from the reference item by item, independently: the reference marginals with no structure (what a model that samples each item on its own achieves at best).`, s);
    }),
    await memo.getAsync(`uniform:${seed}:${key}:${runN}:${methodsKey}`, async () => {
      const unif = uniformSample(items, runN, new Prng(streamSeed(seed, STREAM.uniformRandom, runN)));
      const s = await computeSufficientStatsParallel(unif, { weights: null, marginalsOnly: refMatrices.size === 0 });
      return baselineOf('uniform-random', `${runN} respondents answering uniformly at random: no information.`, s);
    }),
    await memo.getAsync(`split-half:${seed}:${key}:${methodsKey}`, async () => {
      const perm = new Prng(streamSeed(seed, STREAM.splitHalf)).permutation(refData.n);
      const half = Math.floor(refData.n / 2);
      const statsA = await computeSufficientStatsParallel(refData, { columns: refIdx, rows: perm.subarray(0, half), marginalsOnly: refMatrices.size === 0 });
      // The other half as the whole minus the first: no second pass over the reference.
      const statsB = subtractSufficientStats(refMatrices.size === 0 ? withoutPairTables(refStats) : refStats, statsA);
      const hh = marginalHeadline(statsA, statsB.itemWeights);
      const split: Baseline['structure'] = {};
      for (const [method, refM] of refMatrices) split[method] = offDiagonalAgreement(await matrixFor(statsA, method, refM, true), await matrixFor(statsB, method, refM, true));
      return { name: 'human-split-half' as const, description: `Two random halves of the reference (${half} and ${refData.n - half} respondents) compared with each other: as good as another human sample.`, marginal: { meanW1Normalized: hh.meanW1Normalized, representativeness: hh.representativeness, meanTvd: hh.meanTvd }, structure: split, population: populationOf('human-split-half', refStats, [...refMatrices.keys()], hh.representativeness, split) };
    }),
  ];
}

/**
 * A reference point as a population value, what verdicts compare the bias-corrected headlines with
 * (README, "Floors and ceilings"):
 * - uniform-random: the uniform distribution over each item's codes against the reference, computed
 *   exactly (no sample); structure 0 (no correlation at all: the agreement of a matrix without
 *   off-diagonal variation is undefined, and its samples scatter around 0).
 * - independent-marginals: the reference's own marginals (representativeness 1 where the reference
 *   answers) and structure 0: items drawn independently have no correlation.
 * - human-split-half: the human population against this reference. Two halves of n / 2 differ by
 *   sampling noise of variance 4 sigma^2 / n, the population and the reference by sigma^2 / n. A
 *   distance driven by noise scales with its standard deviation, so the population's distance is
 *   half the halves' (representativeness 1 - (1 - split) / 2); an agreement's shortfall scales with
 *   the noise variance (1 - r ~ noise variance / (2 x signal variance) for population vs reference,
 *   2 x noise variance / signal variance for the halves), so it is a quarter (1 - (1 - split) / 4).
 */
export function populationOf(name: Baseline['name'], refStats: SufficientStats, methods: readonly string[], sampleRepresentativeness: number | null, sampleStructure: Baseline['structure']): Baseline['population'] {
  const structure: Record<string, number | null> = {};
  if (name === 'human-split-half') {
    for (const m of methods) {
      const r = sampleStructure[m]?.pearson ?? null;
      structure[m] = r === null ? null : 1 - (1 - r) / 4;
    }
    return { representativeness: sampleRepresentativeness === null ? null : 1 - (1 - sampleRepresentativeness) / 2, structure };
  }
  for (const m of methods) structure[m] = 0;
  const weights = name === 'uniform-random' ? refStats.items.map((it) => new Float64Array(it.codes.length).fill(1)) : refStats.itemWeights;
  return { representativeness: marginalHeadline(refStats, weights).representativeness, structure };
}

/** Row indices drawn independently per column: same marginals as the reference, no structure. */
export function independentColumnsSample(data: SurveyData, columns: number[], n: number, rng: Prng): SurveyData {
  const cols = columns.map((c) => {
    const src = data.columns[c];
    const values = new Uint8Array(n);
    for (let r = 0; r < n; r++) values[r] = src.values[drawWeighted(data, rng)];
    return { ...src, values };
  });
  return { source: `${data.source} (independent columns)`, n, columns: cols, weights: null, attributes: new Map() };
}

/** A reference row drawn with probability proportional to its survey weight. */
function drawWeighted(data: SurveyData, rng: Prng): number {
  const w = data.weights;
  if (!w) return rng.nextInt(data.n);
  const cum = cumulativeWeights(data);
  const u = rng.nextFloat() * cum[cum.length - 1];
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cum[mid] > u) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

const cumCache = new WeakMap<SurveyData, Float64Array>();
function cumulativeWeights(data: SurveyData): Float64Array {
  let c = cumCache.get(data);
  if (!c) {
    c = new Float64Array(data.n);
    let s = 0;
    for (let r = 0; r < data.n; r++) c[r] = s += data.weights![r];
    cumCache.set(data, c);
  }
  return c;
}

function uniformSample(items: ItemCodebook[], n: number, rng: Prng): SurveyData {
  return {
    source: 'uniform random respondents',
    n,
    columns: items.map((item) => ({ item, values: Uint8Array.from({ length: n }, () => rng.nextInt(item.codes.length)), invalid: 0, missing: 0 })),
    weights: null,
    attributes: new Map(),
  };
}
