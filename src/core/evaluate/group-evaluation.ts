/**
 * The group-level structure of one run against the reference (arXiv 2601.15755, section on
 * structure): item and topic level, with the permutation null, the human split-half ceiling and
 * bootstrap intervals over the run's respondents resampled within each group. Nominal items are
 * left out unless the config names them (`groupLevelItems`).
 */
import type { ItemCodebook } from '../read/codebook';
import type { DistributionData, SurveyData } from '../read/dataset';
import type { DiagnosticBag } from '../report/diagnostics';
import type { GroupStructure, Interval } from '../report/model';
import { acrossGroupCorrelation, compareUpperTriangles, flatGroupWeights, groupMeanMatrix, nestedGroupWeights, replicateUpperComparer, topicMeanMatrix, upperTriangleOf, upperTrianglePermutationNull, type FlatGroupWeights, type GroupMeanMatrix } from '../stats/group-structure';
import { Prng } from '../stats/prng';
import { NO_CACHE, type Memo } from './cache';
import { CORRELATION_RANGE, headlineOf } from './intervals';
import { verdictOf } from './verdict';
import { meanOfDefined, totalWeight } from '../stats/descriptive';
import { percentile, stratifiedBootstrapMultiplicities, stratifiedSplitHalf } from '../stats/resample';
import { computeSufficientStats } from '../count/sufficient';
import { gatherCountingInput } from '../count/counting-input';
import { ItemWeightCounter, rowSetItemSums } from '../count/item-counts';
import type { SufficientStats } from '../count/tables';
import { MAX_BATCH_LANES, batchCountingAvailable, countGroupItemWeightsBatch, newCodesId, packMultiplicities, type BatchCountingInput } from '../parallel/batch-count';

/**
 * The run's side of the group-level comparison: respondents grouped by a column, or per-group
 * answer distributions (OpinionQA-style runs), observed and resampled.
 */
export interface RunGroupSide {
  /** Groups with data in the run. */
  groups: string[];
  /** Respondents (or total answer count) of a group; null when the run gives only shares. */
  size(group: string): number | null;
  /** distributions[g][j]: the run's answers to item j in group g, over the item's codes. */
  observed(groups: string[]): ArrayLike<number>[][];
  /** `count` bootstrap replicates of the same (drawn in order), or null when the run cannot be resampled. */
  resample(groups: string[], rng: Prng, count: number): FlatGroupWeights[] | null;
}

/** Respondent-level run: groups from a column; bootstrap resamples respondents within each group. */
export function respondentGroups(run: SurveyData, columns: number[], groupColumn: string): RunGroupSide | null {
  const values = run.attributes.get(groupColumn);
  if (!values) return null;
  const rows = rowsByGroup(values);
  const rowsOf = (groups: string[]) => groups.map((g) => Uint32Array.from(rows.get(g) ?? []));
  // The groups' rows, and each row's group as a code (groups.length: none), once for all replicates.
  let selected: { key: string; groupRows: Uint32Array[]; code: Uint8Array; counters: ItemWeightCounter[] | null } | null = null;
  let codes: BatchCountingInput['codes'] | null = null;
  const codesId = newCodesId();
  return {
    groups: [...rows.keys()],
    size: (g) => rows.get(g)?.length ?? 0,
    observed: (groups) => distributions(run, columns, rowsOf(groups), run.weights),
    resample: (groups, rng, count) => {
      const key = groups.join('\u0001');
      if (selected?.key !== key) {
        const groupRows = rowsOf(groups);
        const code = new Uint8Array(run.n).fill(Math.min(255, groups.length));
        groupRows.forEach((rs, g) => rs.forEach((r) => (code[r] = g)));
        selected = { key, groupRows, code, counters: null };
      }
      const sel = selected;
      const mults = Array.from({ length: count }, () => stratifiedBootstrapMultiplicities(sel.groupRows, run.n, rng));
      // Unweighted runs (the usual case): all replicates of the batch (up to 64) in one kernel pass per item.
      const packed = !run.weights && groups.length < 256 && batchCountingAvailable() ? packMultiplicities(mults, run.n, false, MAX_BATCH_LANES) : null;
      if (packed) {
        codes ??= gatherCountingInput(run, { columns, weights: null }, false).input;
        return countGroupItemWeightsBatch({ codes, codesId, mult: packed, lanes: count }, sel.code, groups.length);
      }
      sel.counters ??= sel.groupRows.map((r) => new ItemWeightCounter(run, columns, r));
      const k = columns.map((c) => run.columns[c].item.codes.length);
      return mults.map((mu) => {
        const weights = times(run.weights, mu);
        return flatGroupWeights(sel.counters!.map((c) => c.count(weights)), k);
      });
    },
  };
}

/**
 * Distribution-level run: per-group distributions as given. With counts, a replicate draws each
 * group x item's answers anew from its observed distribution (multinomial, same total, "resampling
 * model responses within group x item"); with shares only, no interval can be computed.
 */
export function distributionGroups(dist: DistributionData, items: ItemCodebook[], counts: boolean): RunGroupSide {
  const groups = [...dist.distributions.keys()].filter((g) => g !== '');
  const cell = (g: string, id: string, k: number) => dist.distributions.get(g)?.get(id) ?? new Float64Array(k);
  return {
    groups,
    size: (g) => (counts ? Math.max(0, ...items.map((it) => totalWeight(cell(g, it.id, it.codes.length)))) : null),
    observed: (gs) => gs.map((g) => items.map((it) => cell(g, it.id, it.codes.length))),
    resample: (gs, rng, count) =>
      counts
        ? Array.from({ length: count }, () =>
            flatGroupWeights(
              gs.map((g) => items.map((it) => multinomial(cell(g, it.id, it.codes.length), rng))),
              items.map((it) => it.codes.length),
            ),
          )
        : null,
  };
}

/** round(sum) draws from the categorical distribution proportional to `weights`. */
export function multinomial(weights: ArrayLike<number>, rng: Prng): Float64Array {
  const k = weights.length;
  const cum = new Float64Array(k);
  let s = 0;
  for (let c = 0; c < k; c++) cum[c] = s += weights[c];
  const out = new Float64Array(k);
  const n = Math.round(s);
  if (!(s > 0)) return out;
  for (let d = 0; d < n; d++) {
    const u = rng.nextFloat() * s;
    let c = 0;
    while (c < k - 1 && cum[c] <= u) c++;
    out[c] += 1;
  }
  return out;
}

export interface GroupEvaluationInput {
  reference: SurveyData;
  /** The run's groups, or null when the run has no group column. */
  run: RunGroupSide | null;
  /** Column indices of the shared items in the reference. */
  referenceColumns: number[];
  items: ItemCodebook[];
  referenceGroupColumn: string;
  runGroupColumn: string;
  bootstrap: number;
  permutations: number;
  /** Random split-halves of the reference for the ceiling. */
  splits: number;
  /** The group level's own stream: permutation null and bootstrap (nothing else draws from it). */
  rng: Prng;
  /** The seed of the ceiling's own stream (reference only, so it can be cached). */
  ceilingSeed: number;
  /** Where the reference side (group means, ceiling) is kept between runs and evaluations. */
  memo?: Memo;
  /** Identifies the reference columns and group column in `memo`. */
  memoKey?: string;
  bag: DiagnosticBag;
  runPath: string;
  referencePath: string;
  /** Checked between splits, permutations and replicates. */
  signal?: AbortSignal;
  /** The usable shares of the run's and the reference's answers, and the factor the headline agreement is multiplied by (`usableFactor`). */
  usable?: { share: number | null; reference: number | null; factor: number };
  /** Nominal items of the run left out of `items` (reported as `excludedNominal`). */
  excludedNominal?: string[];
}

/**
 * The items of the group level: the mean of unordered codes means nothing, so nominal items are left
 * out (arXiv 2601.15755 leaves them out too) unless named in `include` (the config's
 * `groupLevelNominal`, e.g. a nominal yes/no item whose codes 1 and 2 the user wants as a share).
 */
export function groupLevelItems(items: readonly ItemCodebook[], include: readonly string[] = []): { kept: number[]; excludedNominal: string[] } {
  const named = new Set(include);
  const kept: number[] = [];
  const excludedNominal: string[] = [];
  items.forEach((it, k) => {
    if (it.type === 'ordinal' || named.has(it.id)) kept.push(k);
    else excludedNominal.push(it.id);
  });
  return { kept, excludedNominal };
}

/** Rows of each group value ('' = missing, skipped). */
function rowsByGroup(values: string[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  // Insertion order = first appearance; callers sort the keys they use.
  values.forEach((v, r) => {
    const key = v.trim();
    if (!key) return;
    let list = out.get(key);
    if (!list) out.set(key, (list = []));
    list.push(r);
  });
  return out;
}

function distributions(data: SurveyData, columns: number[], groupRows: readonly Uint32Array[], weights: Float64Array | null): Float64Array[][] {
  return groupCounts(data, columns, groupRows, weights).map((s) => s.itemWeights);
}

/** Per group: the per-item counts of its rows (marginals only). */
function groupCounts(data: SurveyData, columns: number[], groupRows: readonly Uint32Array[], weights: Float64Array | null): SufficientStats[] {
  return groupRows.map((rows) => computeSufficientStats(data, { columns, rows, weights, marginalsOnly: true }));
}

interface GroupReferenceSide {
  refGroupRows: Uint32Array[];
  refA: GroupMeanMatrix;
  refS: ReturnType<typeof structureOf>;
  ceilRho: number[];
  ceilRmse: number[];
}

/**
 * The reference's side of the group-level comparison: group means, their structure, and the
 * human split-half ceiling (respondents split at random within each group, the halves compared;
 * the second half's counts as the group's minus the first's, so a split costs one half-pass), a
 * split a slice of `groupStructureSteps`.
 */
function* groupReferenceSide(input: GroupEvaluationInput, groups: string[], refRows: Map<string, number[]>): Generator<void, GroupReferenceSide, void> {
  const { reference, items } = input;
  const refGroupRows = groups.map((g) => Uint32Array.from(refRows.get(g)!));
  const whole = rowSetItemSums(reference, input.referenceColumns, refGroupRows, reference.weights);
  const refA = groupMeanMatrix(groups, items, whole.map((s) => s.weights));
  const refS = structureOf(refA, items);
  const rng = new Prng(input.ceilingSeed);
  const ceilRho: number[] = [];
  const ceilRmse: number[] = [];
  for (let s = 0; s < input.splits; s++) {
    input.signal?.throwIfAborted();
    const halves = stratifiedSplitHalf(refGroupRows, rng);
    const first = rowSetItemSums(reference, input.referenceColumns, halves.map((h) => h[0]), reference.weights);
    const a = acrossGroupCorrelation(groupMeanMatrix(groups, items, first.map((x) => x.weights)));
    const b = acrossGroupCorrelation(groupMeanMatrix(groups, items, first.map((x, g) => otherHalf(whole[g], x))));
    const c = compareUpperTriangles(a.values, b.values);
    if (c.pearson !== null) ceilRho.push(c.pearson);
    if (c.rmse !== null) ceilRmse.push(c.rmse);
    yield;
  }
  return { refGroupRows, refA, refS, ceilRho, ceilRmse };
}

/**
 * The weights of a group's other half: whole minus first, zero where no answer is left (as
 * `subtractSufficientStats`, so the same numbers).
 */
function otherHalf(whole: { weights: Float64Array[]; counts: Float64Array[] }, first: { weights: Float64Array[]; counts: Float64Array[] }): Float64Array[] {
  return whole.weights.map((w, i) => {
    const out = new Float64Array(w.length);
    for (let c = 0; c < w.length; c++) out[c] = whole.counts[i][c] + -1 * first.counts[i][c] === 0 ? 0 : w[c] + -1 * first.weights[i][c];
    return out;
  });
}

/** Survey weight x multiplicity (null survey weights = 1). */
function times(weights: Float64Array | null, mult: Float64Array): Float64Array {
  if (!weights) return mult;
  const out = new Float64Array(mult.length);
  for (let r = 0; r < mult.length; r++) out[r] = weights[r] * mult[r];
  return out;
}

function interval(values: number[], confidence = 0.95): Interval | null {
  const v = values.filter(Number.isFinite);
  if (!v.length) return null;
  const tail = (100 * (1 - confidence)) / 2;
  return { low: percentile(v, tail), high: percentile(v, 100 - tail), confidence, method: 'percentile', replicates: v.length, bootstrapMean: meanOfDefined(v) };
}

function structureOf(a: GroupMeanMatrix, items: ItemCodebook[]) {
  return { item: acrossGroupCorrelation(a), ...topicStructureOf(a, items) };
}

/** The topic-level matrix of A and its correlation across groups (null with fewer than 3 topics). */
function topicStructureOf(a: GroupMeanMatrix, items: ItemCodebook[]) {
  const topicOf = new Map(items.map((i) => [i.id, i.topic]));
  const t = topicMeanMatrix(a, (c) => topicOf.get(c));
  return { topicMatrix: t, topic: t.columns.length >= 3 ? acrossGroupCorrelation(t) : null };
}

/** Permutations of the group-level null a slice of `groupStructureSteps`. */
const NULL_SLICE = 100;

/**
 * Group-level structure (arXiv 2601.15755): the across-group correlation of item means in the
 * reference and the run compared, with a permutation null, a split-half ceiling and a stratified
 * bootstrap interval; null (with diagnostics) when fewer than 3 groups are shared.
 */
export function evaluateGroupStructure(input: GroupEvaluationInput): GroupStructure | null {
  const steps = groupStructureSteps(input);
  let step = steps.next();
  while (!step.done) step = steps.next();
  return step.value;
}

/**
 * `evaluateGroupStructure` in slices of a few milliseconds to a few hundred (the reference side,
 * once per reference): each `yield` is a point where the caller may give the thread to other work,
 * e.g. collecting the counting threads' bootstrap batches. The same numbers whatever runs in
 * between, since the group level draws from its own stream (`input.rng`) alone.
 */
export function* groupStructureSteps(input: GroupEvaluationInput): Generator<void, GroupStructure | null, void> {
  const { reference, run, items, rng, bag } = input;
  const refValues = reference.attributes.get(input.referenceGroupColumn);
  if (!refValues || !run) {
    if (!refValues) bag.add({ severity: 'warning', code: 'group.column-missing', message: `The reference has no column ${input.referenceGroupColumn} to group by; group-level structure is skipped.`, file: input.referencePath, line: 1, column: 1 });
    if (!run) bag.add({ severity: 'warning', code: 'group.column-missing', message: `The run has no column ${input.runGroupColumn} to group by; group-level structure is skipped.`, file: input.runPath, line: 1, column: 1 });
    return null;
  }
  const refRows = rowsByGroup(refValues);
  const runGroupSet = new Set(run.groups);
  const groups = [...refRows.keys()].filter((g) => runGroupSet.has(g)).sort();
  for (const g of run.groups) if (!refRows.has(g)) bag.add({ severity: 'warning', code: 'group.unknown', message: `Group "${g}" of the run's ${input.runGroupColumn} has no respondents in the reference; it is left out of the group-level structure.`, file: input.runPath, line: 1, column: 1 });
  if (groups.length < 3) {
    bag.add({ severity: 'warning', code: 'group.too-few', message: `Group-level structure needs at least 3 groups present in both the reference and the run; found ${groups.length}.`, file: input.runPath, line: 1, column: 1 });
    return null;
  }
  const memo = input.memo ?? NO_CACHE;
  const { refGroupRows, refA, refS, ceilRho, ceilRmse } = yield* memo.getSteps(`${input.memoKey ?? 'group'}:${input.splits}:${groups.join('\u0001')}`, () => groupReferenceSide(input, groups, refRows));
  yield;
  const runA = groupMeanMatrix(groups, items, run.observed(groups));
  const runS = structureOf(runA, items);
  const observed = compareUpperTriangles(refS.item.values, runS.item.values);
  const topicObserved = refS.topic && runS.topic ? compareUpperTriangles(refS.topic.values, runS.topic.values) : null;

  // Permutation null: item labels of the run's matrix permuted (rows and columns together), 100
  // permutations a slice (the same permutations in the same order as all at once).
  const nullRho: number[] = [];
  for (let done = 0; done < input.permutations; ) {
    const count = Math.min(NULL_SLICE, input.permutations - done);
    for (const r of upperTrianglePermutationNull(refS.item.values, runS.item.values, count, rng, input.signal)) nullRho.push(r);
    done += count;
    yield;
  }
  const nullCi = interval(nullRho);
  const pNull = observed.pearson === null || !nullRho.length ? null : (nullRho.filter((r) => r >= observed.pearson!).length + 1) / (nullRho.length + 1);

  // Bootstrap: the run's respondents resampled within each group.
  const compareReplicate = replicateUpperComparer(items, upperTriangleOf(refS.item.values));
  const bootRho: number[] = [];
  const bootRmse: number[] = [];
  const bootTopicRho: number[] = [];
  for (let b = 0; b < input.bootstrap; ) {
    input.signal?.throwIfAborted();
    const count = Math.min(MAX_BATCH_LANES, input.bootstrap - b);
    const replicates = run.resample(groups, rng, count);
    if (!replicates) break;
    for (const replicate of replicates) {
      // Item level straight from the distributions into reused buffers: the numbers of
      // compareUpperVectors on acrossGroupUpper(groupMeanMatrix(...)), without the matrix objects.
      const c = compareReplicate(replicate);
      if (c.pearson !== null) bootRho.push(c.pearson);
      if (c.rmse !== null) bootRmse.push(c.rmse);
      // The topic level's matrix only when the reference has one (building it draws nothing).
      const topic = refS.topic ? topicStructureOf(groupMeanMatrix(groups, items, nestedGroupWeights(replicate)), items).topic : null;
      if (refS.topic && topic) {
        const t = compareUpperTriangles(refS.topic.values, topic.values);
        if (t.pearson !== null) bootTopicRho.push(t.pearson);
      }
    }
    b += count;
    yield;
  }
  const ceilCi = interval(ceilRho);
  const ceilingMean = meanOfDefined(ceilRho);
  // The ceiling as a population value, like the headline (README, "Floors and ceilings").
  const ceilingPopulation = ceilingMean === null ? null : 1 - (1 - ceilingMean) / 4;
  const u = input.usable?.factor ?? 1;
  const agreement = headlineOf(observed.pearson === null ? null : u * observed.pearson, bootRho.map((r) => u * r), bootRho.length, CORRELATION_RANGE);
  agreement.verdict = verdictOf(agreement, { baseline: 'permutation-null', value: 0 }, { baseline: 'human-split-half', value: ceilingPopulation });
  return {
    groupBy: { reference: input.referenceGroupColumn, run: input.runGroupColumn },
    groups,
    items: items.map((i) => i.id),
    excludedNominal: input.excludedNominal ?? [],
    agreement,
    usableShare: input.usable?.share ?? null,
    referenceUsableShare: input.usable?.reference ?? null,
    groupSizes: { reference: refGroupRows.map((r) => r.length), run: groups.map((g) => run.size(g)) },
    reference: { means: refA.values, correlation: refS.item.values, zeroVariance: refS.item.zeroVariance },
    run: { means: runA.values, correlation: runS.item.values, zeroVariance: runS.item.zeroVariance },
    comparison: { pearson: observed.pearson, rmse: observed.rmse, pairs: observed.pairs, pearsonCi: interval(bootRho), rmseCi: interval(bootRmse) },
    null: { permutations: input.permutations, mean: meanOfDefined(nullRho), low: nullCi?.low ?? null, high: nullCi?.high ?? null, p: pNull },
    ceiling: { splits: input.splits, pearson: ceilingMean, rmse: meanOfDefined(ceilRmse), low: ceilCi?.low ?? null, high: ceilCi?.high ?? null, population: ceilingPopulation },
    topics:
      refS.topic && runS.topic && topicObserved
        ? { topics: refS.topicMatrix.columns, reference: refS.topic.values, run: runS.topic.values, comparison: { pearson: topicObserved.pearson, rmse: topicObserved.rmse, pairs: topicObserved.pairs, pearsonCi: interval(bootTopicRho), rmseCi: null } }
        : null,
  };
}
