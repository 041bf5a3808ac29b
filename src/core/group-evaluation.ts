/**
 * The group-level structure of one run against the reference (arXiv 2601.15755, section on
 * structure): item and topic level, with the permutation null, the human split-half ceiling and
 * bootstrap intervals over the run's respondents resampled within each group.
 */
import type { ItemCodebook } from './codebook';
import type { SurveyData } from './dataset';
import type { DiagnosticBag } from './diagnostics';
import type { GroupStructure, Interval } from './report';
import { acrossGroupCorrelation, compareUpperTriangles, groupMeanMatrix, topicMeanMatrix, type GroupMeanMatrix } from './stats/group-structure';
import type { Prng } from './stats/prng';
import { percentile, stratifiedBootstrapMultiplicities, stratifiedSplitHalf } from './stats/resample';
import { computeSufficientStats } from './sufficient';

export interface GroupEvaluationInput {
  reference: SurveyData;
  run: SurveyData;
  /** Column indices of the shared items in reference and run, same order. */
  referenceColumns: number[];
  runColumns: number[];
  items: ItemCodebook[];
  referenceGroupColumn: string;
  runGroupColumn: string;
  bootstrap: number;
  permutations: number;
  /** Random split-halves of the reference for the ceiling. */
  splits: number;
  rng: Prng;
  bag: DiagnosticBag;
  runPath: string;
  referencePath: string;
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
  return groupRows.map((rows) => computeSufficientStats(data, { columns, rows, weights, marginalsOnly: true }).itemWeights);
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
  return { low: percentile(v, tail), high: percentile(v, 100 - tail), confidence, method: 'percentile', replicates: v.length, bootstrapMean: v.reduce((a, b) => a + b, 0) / v.length };
}

function structureOf(a: GroupMeanMatrix, items: ItemCodebook[]) {
  const item = acrossGroupCorrelation(a);
  const topicOf = new Map(items.map((i) => [i.id, i.topic]));
  const t = topicMeanMatrix(a, (c) => topicOf.get(c));
  return { item, topicMatrix: t, topic: t.columns.length >= 3 ? acrossGroupCorrelation(t) : null };
}

export function evaluateGroupStructure(input: GroupEvaluationInput): GroupStructure | null {
  const { reference, run, items, rng, bag } = input;
  const refValues = reference.attributes.get(input.referenceGroupColumn);
  const runValues = run.attributes.get(input.runGroupColumn);
  if (!refValues || !runValues) {
    if (!refValues) bag.add({ severity: 'warning', code: 'group.column-missing', message: `The reference has no column ${input.referenceGroupColumn} to group by; group-level structure is skipped.`, file: input.referencePath, line: 1, column: 1 });
    if (!runValues) bag.add({ severity: 'warning', code: 'group.column-missing', message: `The run has no column ${input.runGroupColumn} to group by; group-level structure is skipped.`, file: input.runPath, line: 1, column: 1 });
    return null;
  }
  const refRows = rowsByGroup(refValues);
  const runRows = rowsByGroup(runValues);
  const groups = [...refRows.keys()].filter((g) => runRows.has(g)).sort();
  for (const g of runRows.keys()) if (!refRows.has(g)) bag.add({ severity: 'warning', code: 'group.unknown', message: `Group "${g}" of the run's ${input.runGroupColumn} has no respondents in the reference; it is left out of the group-level structure.`, file: input.runPath, line: 1, column: 1 });
  if (groups.length < 3) {
    bag.add({ severity: 'warning', code: 'group.too-few', message: `Group-level structure needs at least 3 groups present in both the reference and the run; found ${groups.length}.`, file: input.runPath, line: 1, column: 1 });
    return null;
  }
  const refGroupRows = groups.map((g) => Uint32Array.from(refRows.get(g)!));
  const runGroupRows = groups.map((g) => Uint32Array.from(runRows.get(g)!));
  const refA = groupMeanMatrix(groups, items, distributions(reference, input.referenceColumns, refGroupRows, reference.weights));
  const runA = groupMeanMatrix(groups, items, distributions(run, input.runColumns, runGroupRows, null));
  const refS = structureOf(refA, items);
  const runS = structureOf(runA, items);
  const observed = compareUpperTriangles(refS.item.values, runS.item.values);
  const topicObserved = refS.topic && runS.topic ? compareUpperTriangles(refS.topic.values, runS.topic.values) : null;

  // Permutation null: item labels of the run's matrix permuted (rows and columns together).
  const nullRho: number[] = [];
  const m = items.length;
  for (let k = 0; k < input.permutations; k++) {
    const c = compareUpperTriangles(refS.item.values, runS.item.values, rng.permutation(m));
    if (c.pearson !== null) nullRho.push(c.pearson);
  }
  const nullMean = nullRho.length ? nullRho.reduce((a, b) => a + b, 0) / nullRho.length : null;
  const nullCi = interval(nullRho);
  const pNull = observed.pearson === null || !nullRho.length ? null : (nullRho.filter((r) => r >= observed.pearson!).length + 1) / (nullRho.length + 1);

  // Human split-half ceiling: respondents split at random within each group.
  const ceilRho: number[] = [];
  const ceilRmse: number[] = [];
  for (let s = 0; s < input.splits; s++) {
    const halves = stratifiedSplitHalf(refGroupRows, rng);
    const a = acrossGroupCorrelation(groupMeanMatrix(groups, items, distributions(reference, input.referenceColumns, halves.map((h) => h[0]), reference.weights)));
    const b = acrossGroupCorrelation(groupMeanMatrix(groups, items, distributions(reference, input.referenceColumns, halves.map((h) => h[1]), reference.weights)));
    const c = compareUpperTriangles(a.values, b.values);
    if (c.pearson !== null) ceilRho.push(c.pearson);
    if (c.rmse !== null) ceilRmse.push(c.rmse);
  }

  // Bootstrap: the run's respondents resampled within each group.
  const bootRho: number[] = [];
  const bootRmse: number[] = [];
  const bootTopicRho: number[] = [];
  for (let b = 0; b < input.bootstrap; b++) {
    const mult = stratifiedBootstrapMultiplicities(runGroupRows, run.n, rng);
    const a = groupMeanMatrix(groups, items, distributions(run, input.runColumns, runGroupRows, times(run.weights, mult)));
    const s = structureOf(a, items);
    const c = compareUpperTriangles(refS.item.values, s.item.values);
    if (c.pearson !== null) bootRho.push(c.pearson);
    if (c.rmse !== null) bootRmse.push(c.rmse);
    if (refS.topic && s.topic) {
      const t = compareUpperTriangles(refS.topic.values, s.topic.values);
      if (t.pearson !== null) bootTopicRho.push(t.pearson);
    }
  }
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
  return {
    groupBy: { reference: input.referenceGroupColumn, run: input.runGroupColumn },
    groups,
    items: items.map((i) => i.id),
    groupSizes: { reference: refGroupRows.map((r) => r.length), run: runGroupRows.map((r) => r.length) },
    reference: { means: refA.values, correlation: refS.item.values, zeroVariance: refS.item.zeroVariance },
    run: { means: runA.values, correlation: runS.item.values, zeroVariance: runS.item.zeroVariance },
    comparison: { pearson: observed.pearson, rmse: observed.rmse, pairs: observed.pairs, pearsonCi: interval(bootRho), rmseCi: interval(bootRmse) },
    null: { permutations: input.permutations, mean: nullMean, low: nullCi?.low ?? null, high: nullCi?.high ?? null, p: pNull },
    ceiling: { splits: input.splits, pearson: mean(ceilRho), rmse: mean(ceilRmse), low: interval(ceilRho)?.low ?? null, high: interval(ceilRho)?.high ?? null },
    topics:
      refS.topic && runS.topic && topicObserved
        ? { topics: refS.topicMatrix.columns, reference: refS.topic.values, run: runS.topic.values, comparison: { pearson: topicObserved.pearson, rmse: topicObserved.rmse, pairs: topicObserved.pairs, pearsonCi: interval(bootTopicRho), rmseCi: null } }
        : null,
  };
}
