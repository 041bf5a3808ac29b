/**
 * One model run against the reference, in the order the report is built: the items both share,
 * the run's answers per item, marginals, association matrices, one bootstrap for every interval
 * (with the group level and the matrix comparisons fitted in while the counting threads count),
 * structure, baselines, the group level, where items are named, weak items, subgroups.
 */
import { readFile } from 'node:fs/promises';
import { computeSufficientStatsParallel } from '../parallel';
import type { ItemCodebook } from '../read/codebook';
import type { SurveyData } from '../read/dataset';
import type { ReadResult } from '../read';
import { InputError, type DiagnosticBag } from '../report/diagnostics';
import { findItemLiterals } from '../report/locate';
import type { Baseline, GroupStructure, IndividualStructure, ItemLocation, MarginalItem, MarginalMeans, MarginalSummary, PairDifference, RunReport, WeakItem, WeakPair } from '../report/model';
import type { AssociationMatrix } from '../stats/association';
import { clusterOrder } from '../stats/cluster';
import { compareMatrices } from '../stats/compare';
import { Prng } from '../stats/prng';
import { nameHash, STREAM, streamSeed, type Memo } from './cache';
import { checkAborted } from './cancel';
import type { AssociationChoice, EvaluationConfig, RunConfig } from './config';
import { referenceBaselines } from './baselines';
import { distributionGroups, groupLevelItems, groupStructureSteps, multinomial, respondentGroups } from './group-evaluation';
import { CORRELATION_RANGE, headlineOf, polychoricReplicates, STRUCTURE_BOOTSTRAP_BUDGET, UNIT_RANGE } from './intervals';
import { invalidAnswerHints, referenceAnswerShares, sameAsReference, usableFactor, usablePairValues, usableShareOf, usableShareOfItems } from './invalid-answers';
import { marginalHeadlines, marginalItems, sum, type MarginalHeadline, type RunItemWeights } from './marginal-summary';
import { verdictOf } from './verdict';
import { evaluateLatent } from './latent';
import { intervalOf } from './intervals';
import { matrixFor } from './matrices';
import { respondentBootstrap } from './respondent-bootstrap';
import { subgroupScores } from './subgroups';

/** Random split-halves of the reference for the group-level ceiling. */
const GROUP_SPLITS = 20;

/** What every step of one run's evaluation reads: the evaluation's shared state. */
export interface RunContext {
  config: EvaluationConfig;
  refData: SurveyData;
  /** The reference's column of each item id. */
  refColumn: Map<string, number>;
  memo: Memo;
  bag: DiagnosticBag;
  notes: string[];
  progress: (message: string, fraction: number) => void;
  lap: (stage: string) => void;
  signal: AbortSignal | undefined;
  /** Stages one after the other (timing each alone) instead of overlapped. */
  sequential: boolean;
}

export async function evaluateRun(ctx: RunContext, run: RunConfig, runRead: ReadResult): Promise<RunReport> {
  const { config, refData, memo, bag, notes, progress, lap, signal } = ctx;
  // The run's own random stream: its numbers do not depend on the other runs in the report.
  const rng = new Prng(streamSeed(config.seed, STREAM.run, nameHash(run.name)));
  const runData = runRead.kind === 'respondents' ? runRead.data ?? null : null;
  const dist = runRead.kind === 'distribution' ? runRead.distribution ?? null : null;
  if (!runData && !dist) throw new InputError({ code: 'run.unreadable', message: `Run ${run.name} could not be read; see the diagnostics.`, file: run.path, line: 1, column: 1 });
  const { shared, refIdx, runIdx } = sharedItems(ctx, run, runRead, runData, dist);
  const key = refIdx.join(',');
  progress(`Counting the reference (${shared.length} items)`, 0.05);
  const refStats = await memo.getAsync(`stats:${key}`, () => computeSufficientStatsParallel(refData, { columns: refIdx }));
  lap('reference tables');
  const items = refStats.items;
  warnScaleDifferences(ctx, run, runRead, items, runData ? runIdx.map((c) => runData.columns[c].item) : runIdx.map((c) => dist!.items[c]), shared);
  progress(`Counting run ${run.name}`, 0.15);
  const runStats = runData ? await computeSufficientStatsParallel(runData, { columns: runIdx, weights: null }) : null;
  const counts = runData !== null || runRead.distributionValues === 'counts';
  const { runWeights, runInvalid } = runStats
    ? { runWeights: runStats.itemWeights, runInvalid: runIdx.map((c) => runData!.columns[c].invalid) }
    : distributionAnswers(run, dist!, items, counts, notes);
  const runSize = runData ? runData.n : counts ? Math.round(Math.max(0, ...runWeights.map((w) => w.reduce((a, b) => a + b, 0)))) : 0;
  // Each item's answers, valid or not: a respondent-level run's respondents (an empty answer or a
  // missing code is an answer that is not valid), a distribution run's valid and invalid mass.
  const answers = runData ? items.map(() => runData.n) : runWeights.map((w, i) => sum(w) + runInvalid[i]);

  // The reference's own shares without a valid answer: what a run may leave unanswered without it counting.
  const refShares = memo.get(`answer-shares:${key}`, () => referenceAnswerShares(refData, refIdx));

  // Marginals, and the matrices of each association method for both sides.
  const marginal = marginalItems(refStats, runWeights, runInvalid, answers, refShares.notValid);
  const observed = marginalHeadlines(refStats, runWeights, answers, refShares.notValid);
  if (sameAsReference(refStats, runWeights)) {
    bag.add({ severity: 'warning', code: 'reference.same-as-run', message: `Run ${run.name} has the same answer distribution as the reference on every item: it is compared with its own data (the same file, or a copy), so its scores (1.000) say nothing about a model. Point the run at the model's answers.`, file: run.path, line: 1, column: 1 });
  }
  // The share of usable answer pairs behind the structure headline (respondent-level runs: mean over
  // pairs of the share of respondents answering both validly; distribution runs: from item shares).
  const usableRows = runData ? usablePairValues(runData, runIdx) : null;
  const usableShare = usableRows ? usableShareOf(sum(usableRows), runData!.n, items.length) : usableShareOfItems(marginal.map((m) => m.notValidShare));
  const refUsable = usableRows ? refShares.usable : usableShareOfItems(refShares.notValid);
  lap(`run ${run.name}: tables and marginals`);
  const refMatrices = new Map<AssociationChoice, AssociationMatrix>();
  const runMatrices = new Map<AssociationChoice, AssociationMatrix>();
  let individualUnavailable: string | undefined;
  if (runData && runStats) {
    for (const [mi, method] of config.association.entries()) {
      checkAborted(signal);
      progress(`Structure: ${method}`, 0.2 + (0.1 * mi) / config.association.length);
      refMatrices.set(method, await memo.getAsync(`matrix:${key}:${method}`, () => matrixFor(refStats, method)));
      runMatrices.set(method, await matrixFor(runStats, method, refMatrices.get(method)));
    }
  } else individualUnavailable = `Run ${run.name} gives answer distributions, not respondents: correlations between items need one simulated respondent answering many items.`;
  lap(`run ${run.name}: matrices`);

  // One bootstrap over the run's respondents (or, for distribution runs with counts, over each
  // item's answers drawn anew from its distribution) for every statistic: each replicate gives the
  // marginal headline, and the first `tableB` replicates (the work budget for pair tables) also
  // the structure agreement of every method from the same replicate tables.
  const B = counts ? config.bootstrap : 0;
  const means = () => ({ meanW1Normalized: new Float64Array(B), representativeness: new Float64Array(B), meanTvd: new Float64Array(B), meanJsDistance: new Float64Array(B) });
  const reps = { counted: means(), validOnly: means() };
  const usableReps = new Float64Array(B);
  const npairs = (items.length * (items.length - 1)) / 2;
  const tableB = runData && runStats ? Math.min(B, Math.floor(STRUCTURE_BOOTSTRAP_BUDGET / Math.max(1, npairs * runData.n))) : 0;
  if (runData && tableB < B) notes.push(`Structure intervals use ${tableB} bootstrap replicates (of ${B}) to bound the work for ${items.length} items x ${runData.n} respondents.`);
  // Polychoric fits every pair by maximum likelihood: fewer replicates keep it to seconds.
  const structureB = new Map([...refMatrices.keys()].map((m) => [m, m === 'polychoric' ? Math.min(tableB, polychoricReplicates(config)) : tableB]));
  const polyB = structureB.get('polychoric');
  if (polyB === 0 && tableB > 0) notes.push('The polychoric structure has no interval (polychoricBootstrap 0).');
  else if (polyB !== undefined && polyB < tableB) notes.push(`The polychoric structure interval uses ${polyB} bootstrap replicates.`);
  const agreeReps = new Map([...structureB].map(([m, n]) => [m, new Float64Array(n)]));
  // A replicate's headlines the same way as the run's: its item weights (valid answers) against its
  // answers (a respondent replicate has n respondents; a distribution replicate its drawn total).
  const headline = (b: number, replicate: RunItemWeights, replicateAnswers: ArrayLike<number>, usablePairs: number) => {
    if (b % 10 === 0) {
      checkAborted(signal);
      progress(`Bootstrap (${b}/${B})`, 0.3 + (0.5 * b) / B);
    }
    const h = marginalHeadlines(refStats, replicate, replicateAnswers, refShares.notValid);
    for (const [rule, m] of [['counted', h.counted], ['validOnly', h.validOnly]] as const) {
      reps[rule].meanW1Normalized[b] = m.meanW1Normalized ?? NaN;
      reps[rule].representativeness[b] = m.representativeness ?? NaN;
      reps[rule].meanTvd[b] = m.meanTvd ?? NaN;
      reps[rule].meanJsDistance[b] = m.meanJsDistance ?? NaN;
    }
    usableReps[b] = runData ? usableShareOf(usablePairs, runData.n, items.length) ?? NaN : NaN;
  };
  // The observed matrices' comparisons (Mantel permutations, eigen-decompositions: a few hundred
  // milliseconds) are computed while the counting threads count the first bootstrap batches.
  const comparisons = new Map<AssociationChoice, ReturnType<typeof compareMatrices>>();
  const compareAll = () => {
    for (const method of refMatrices.keys()) {
      checkAborted(signal);
      comparisons.set(method, compareMatrices(refMatrices.get(method)!, runMatrices.get(method)!, { referenceN: refData.n, runN: runData!.n, permutations: config.permutations, seed: config.seed, fdr: config.thresholds.fdr }));
    }
  };
  // Group-level structure (arXiv 2601.15755), from its own random stream: its slices run on this
  // thread while it would wait for the counting threads' bootstrap batches; the rest after.
  // Its items: nominal ones left out unless the config names them (the mean of unordered codes means nothing).
  const { kept: groupKept, excludedNominal } = groupLevelItems(items, config.groupLevelNominal);
  const groupItems = groupKept.map((k) => items[k]);
  const groupKey = groupKept.map((k) => refIdx[k]).join(',');
  // The usable shares over the group level's items, the run's and the reference's.
  const groupUsable = () => {
    const refGroup = memo.get(`answer-shares:${groupKey}`, () => referenceAnswerShares(refData, groupKept.map((k) => refIdx[k])));
    const share = runData ? usableShareOf(sum(usablePairValues(runData, groupKept.map((k) => runIdx[k]))), runData.n, groupKept.length) : usableShareOfItems(groupKept.map((k) => marginal[k].notValidShare));
    const reference = runData ? refGroup.usable : usableShareOfItems(refGroup.notValid);
    return { share, reference, factor: usableFactor(share, reference) };
  };
  if (config.groupBy && excludedNominal.length) notes.push(`Nominal items are left out of the group-level structure (the mean of unordered codes means nothing; arXiv 2601.15755 leaves them out too): ${excludedNominal.join(', ')}. Name an item in "groupLevelNominal" to keep it (e.g. a yes/no item, whose mean is a share).`);
  const groupSteps = config.groupBy && groupItems.length >= 2
    ? groupStructureSteps({
        reference: refData,
        run: runData ? respondentGroups(runData, groupKept.map((k) => runIdx[k]), config.groupBy.run) : distributionGroups(dist!, groupItems, counts),
        referenceColumns: groupKept.map((k) => refIdx[k]),
        items: groupItems,
        usable: groupUsable(),
        excludedNominal,
        referenceGroupColumn: config.groupBy.reference,
        runGroupColumn: config.groupBy.run,
        bootstrap: B,
        permutations: config.permutations,
        splits: GROUP_SPLITS,
        rng: new Prng(streamSeed(config.seed, STREAM.groupLevel, nameHash(run.name))),
        ceilingSeed: streamSeed(config.seed, STREAM.groupCeiling),
        memo,
        memoKey: `group:${config.seed}:${groupKey}:${config.groupBy.reference}`,
        bag,
        runPath: run.path,
        referencePath: config.reference.path,
        signal,
      })
    : null;
  let groupDone: IteratorReturnResult<GroupStructure | null> | null = null;
  const groupSlice = (): boolean => {
    if (!groupSteps || groupDone) return false;
    const step = groupSteps.next();
    if (step.done) groupDone = step;
    return !step.done;
  };
  if (runData && runStats) {
    checkAborted(signal);
    const overlap = !ctx.sequential;
    await respondentBootstrap({ data: runData, columns: runIdx, unweighted: runStats, replicates: B, tableReplicates: tableB, rng, reference: refMatrices, agreement: agreeReps, polychoricStart: runMatrices.get('polychoric'), rowValues: usableRows!, each: (b, w, pairs) => headline(b, w, answers, pairs), whileCounting: overlap ? compareAll : undefined, whileWaiting: overlap ? groupSlice : undefined });
  } else {
    for (let b = 0; b < B; b++) {
      // Each item's answers drawn anew from its distribution, the invalid mass one more category of
      // it (items without invalid mass drawn as before it was counted: the same stream).
      const drawn = runWeights.map((w, i) => (runInvalid[i] > 0 ? multinomial(Float64Array.of(...w, runInvalid[i]), rng) : multinomial(w, rng)));
      headline(b, drawn.map((d, i) => (runInvalid[i] > 0 ? d.subarray(0, d.length - 1) : d)), drawn.map(sum), 0);
    }
  }
  lap(`run ${run.name}: bootstrap`);
  if (ctx.sequential && runData && runStats) compareAll();
  const meansOf = (h: MarginalHeadline, r: ReturnType<typeof means>): MarginalMeans => ({
    meanW1Normalized: headlineOf(h.meanW1Normalized, r.meanW1Normalized, B, UNIT_RANGE),
    representativeness: headlineOf(h.representativeness, r.representativeness, B, UNIT_RANGE),
    meanTvd: headlineOf(h.meanTvd, r.meanTvd, B, UNIT_RANGE),
    meanJsDistance: headlineOf(h.meanJsDistance, r.meanJsDistance, B, UNIT_RANGE),
  });
  const summary: MarginalSummary = {
    ...meansOf(observed.counted, reps.counted),
    invalidShare: observed.invalidShare,
    referenceInvalidShare: refShares.notValid.length ? sum(refShares.notValid) / refShares.notValid.length : null,
    validOnly: meansOf(observed.validOnly, reps.validOnly),
  };

  const weakPairs: WeakPair[] = [];
  const individual = runData ? individualStructure(ctx, items, key, refMatrices, runMatrices, comparisons, structureB, agreeReps, { share: usableShare, reference: refUsable, replicates: usableReps }, weakPairs) : {};
  lap(`run ${run.name}: structure comparisons`);

  progress('Baselines: independent marginals, uniform random, human split-half', 0.85);
  // Baselines of the run's size; a shares-only run has none, so the reference's size is used.
  const baselines = await referenceBaselines({ seed: config.seed, reference: refData, referenceColumns: refIdx, referenceStats: refStats, referenceMatrices: refMatrices, respondents: runSize || refData.n, memo, itemsKey: key });
  lap(`run ${run.name}: baselines`);
  // Verdicts against the floors and ceilings as population values, like the headlines.
  const point = (name: Baseline['name'], value: (b: Baseline) => number | null) => {
    const b = baselines.find((x) => x.name === name);
    return b ? { baseline: name, value: value(b) } : null;
  };
  summary.representativeness.verdict = verdictOf(summary.representativeness, point('uniform-random', (b) => b.population.representativeness), point('human-split-half', (b) => b.population.representativeness));
  for (const [method, s] of Object.entries(individual)) {
    s.agreement.verdict = verdictOf(s.agreement, point('independent-marginals', (b) => b.population.structure[method] ?? null), point('human-split-half', (b) => b.population.structure[method] ?? null));
  }

  // Group-level structure (arXiv 2601.15755): the slices the bootstrap left.
  let group: RunReport['structure']['group'] = null;
  let groupUnavailable: string | undefined;
  if (groupSteps) {
    progress(`Group-level structure by ${config.groupBy!.reference}`, 0.88);
    while (groupSlice());
    group = groupDone!.value;
    if (!group) groupUnavailable = 'Group-level structure could not be computed; see the diagnostics.';
    lap(`run ${run.name}: group-level structure`);
  } else if (config.groupBy) groupUnavailable = `The group level needs at least 2 ordinal items (or nominal ones named in "groupLevelNominal"); ${groupItems.length} left after leaving out the nominal items ${excludedNominal.join(', ')}.`;
  else groupUnavailable = 'Set "groupBy" (the group column of the reference and of the run) to compare the structure across groups.';

  progress('Locating weak items', 0.95);
  const locations = await itemMentions(ctx, run, runRead, shared);
  const weakItems = markWeakItems(marginal, config.thresholds, locations);
  const totalAnswers = sum(answers);
  const hints = invalidAnswerHints({
    diagnostics: runRead.diagnostics,
    items,
    answers: totalAnswers,
    notValid: totalAnswers * (observed.invalidShare ?? 0),
    missing: runData ? runIdx.reduce((s, c) => s + runData.columns[c].missing, 0) : 0,
    referenceShare: summary.referenceInvalidShare ?? 0,
  });
  weakPairs.sort((a, b) => Math.abs(b.difference ?? 0) - Math.abs(a.difference ?? 0));

  const latent = evaluateLatent({ config, refData, memo, bag, notes, signal, run, runData, items, refMatrices, runMatrices, lap });
  const groups = runData ? await subgroupScores(config, refData, refIdx, runData, runIdx, run.path, run.name, bag, signal) : [];
  if (groups.length) lap(`run ${run.name}: subgroups`);
  const itemLocations: Record<string, ItemLocation> = {};
  for (const id of shared) {
    const l = runRead.itemLocations[id];
    if (l) itemLocations[id] = { file: run.path, ...l };
  }
  return {
    name: run.name,
    path: run.path,
    producedBy: run.producedBy,
    respondents: runSize,
    level: runData ? 'respondents' : 'distribution',
    items: shared,
    marginal: { items: marginal, summary },
    structure: { individual, ...(individualUnavailable ? { individualUnavailable } : {}), group, ...(groupUnavailable ? { groupUnavailable } : {}) },
    baselines,
    groups,
    weakItems,
    weakPairs,
    hints,
    itemLocations,
    latent,
  };
}

/** The items in both the reference and the run (in the reference's order); the others are warned about. */
function sharedItems(ctx: RunContext, run: RunConfig, runRead: ReadResult, runData: SurveyData | null, dist: ReadResult['distribution'] | null): { shared: string[]; refIdx: number[]; runIdx: number[] } {
  const { refColumn, bag } = ctx;
  const runIds = runData ? runData.columns.map((c) => c.item.id) : dist!.items.map((i) => i.id);
  const runColumn = new Map(runIds.map((id, i) => [id, i]));
  const shared: string[] = [];
  for (const id of refColumn.keys()) {
    if (runColumn.has(id)) shared.push(id);
    else bag.add({ severity: 'warning', code: 'run.item-absent', message: `Item ${id} is in the reference but not in run ${run.name}; it is left out of this run's scores.`, file: run.path, line: 1, column: 1, item: id });
  }
  for (const id of runColumn.keys()) {
    if (!refColumn.has(id)) {
      const loc = runRead.itemLocations[id];
      bag.add({ severity: 'warning', code: 'run.item-unknown', message: `Item ${id} of run ${run.name} is not in the reference; it is not evaluated.`, file: run.path, line: loc?.line ?? 1, column: loc?.column ?? 1, endColumn: loc?.endColumn, item: id });
    }
  }
  if (!shared.length) {
    throw new InputError({ code: 'run.no-shared-items', message: `Run ${run.name} shares no item with the reference.`, file: run.path, line: 1, column: 1 });
  }
  return { shared, refIdx: shared.map((id) => refColumn.get(id)!), runIdx: shared.map((id) => runColumn.get(id)!) };
}

/** A warning for each item whose codes in the run differ from the reference's. */
function warnScaleDifferences(ctx: RunContext, run: RunConfig, runRead: ReadResult, items: readonly ItemCodebook[], runItems: readonly ItemCodebook[], shared: readonly string[]): void {
  for (const [k, id] of shared.entries()) {
    const a = items[k].codes.join(',');
    const b = runItems[k].codes.join(',');
    if (a !== b) {
      const loc = runRead.itemLocations[id];
      ctx.bag.add({ severity: 'warning', code: 'run.scale-differs', message: `Item ${id} has codes ${b} in run ${run.name} but ${a} in the reference; the run is read on the reference's scale and other answers count as invalid.`, file: run.path, line: loc?.line ?? 1, column: loc?.column ?? 1, item: id });
    }
  }
}

/**
 * A distribution run's answers per item: the population's distribution (the file's own rows
 * without a group, else the sum over its groups) and its invalid mass.
 */
function distributionAnswers(run: RunConfig, dist: NonNullable<ReadResult['distribution']>, items: readonly ItemCodebook[], counts: boolean, notes: string[]): { runWeights: RunItemWeights; runInvalid: number[] } {
  const whole = dist.distributions.get('');
  if (!whole) notes.push(`Run ${run.name} gives only per-group distributions; its population distribution is their sum${counts ? '' : ' (shares: each group counts equally)'}.`);
  const pop = (id: string, k: number) => {
    if (whole?.has(id)) return Float64Array.from(whole.get(id)!);
    const out = new Float64Array(k);
    for (const [g, m] of dist.distributions) if (g !== '') m.get(id)?.forEach((x, c) => (out[c] += x));
    return out;
  };
  const runWeights = items.map((it) => pop(it.id, it.codes.length));
  const runInvalid = items.map((it) => {
    const inv = dist.invalidMass;
    if (!inv) return 0;
    if (whole) return inv.get('')?.get(it.id) ?? 0;
    let sum = 0;
    for (const [g, m] of inv) if (g !== '') sum += m.get(it.id) ?? 0;
    return sum;
  });
  if (!counts) notes.push(`Run ${run.name} gives shares without counts: no sample size, so no confidence intervals for it.`);
  return { runWeights, runInvalid };
}

/** Structure at the respondent level, per method: every comparison, pair tests; weak pairs appended to `weakPairs`. */
function individualStructure(
  ctx: RunContext,
  items: readonly ItemCodebook[],
  key: string,
  refMatrices: Map<AssociationChoice, AssociationMatrix>,
  runMatrices: Map<AssociationChoice, AssociationMatrix>,
  comparisons: Map<AssociationChoice, ReturnType<typeof compareMatrices>>,
  structureB: Map<AssociationChoice, number>,
  agreeReps: Map<AssociationChoice, Float64Array>,
  usable: { share: number | null; reference: number | null; replicates: Float64Array },
  weakPairs: WeakPair[],
): Record<string, IndividualStructure> {
  const individual: Record<string, IndividualStructure> = {};
  for (const method of refMatrices.keys()) {
    checkAborted(ctx.signal);
    const refM = refMatrices.get(method)!;
    const runM = runMatrices.get(method)!;
    const cmp = comparisons.get(method)!; // computed during the bootstrap, which every respondent-level run has
    const agreeN = structureB.get(method)!;
    // The headline: agreement x usable share in the run and in each replicate (unusable answer pairs
    // count as no structure), bias-corrected; and the valid-only agreement beside it.
    const reps = agreeReps.get(method)!;
    const u = usableFactor(usable.share, usable.reference);
    const counted = Float64Array.from(reps, (r, b) => r * usableFactor(usable.replicates[b], usable.reference));
    const agreement = headlineOf(cmp.pearson === null ? null : u * cmp.pearson, counted, agreeN, CORRELATION_RANGE);
    const agreementValidOnly = headlineOf(cmp.pearson, reps, agreeN, CORRELATION_RANGE);
    const { difference, pairs } = pairDifferences(method, items, refM, runM, cmp.pairTests, ctx.config.thresholds, weakPairs);
    individual[method] = {
      method,
      items: items.map((it) => it.id),
      reference: refM.values,
      run: runM.values,
      difference,
      referenceN: refM.n,
      runN: runM.n,
      comparison: {
        pairs: cmp.pairs,
        excludedPairs: cmp.excludedPairs,
        rmse: cmp.rmse,
        mae: cmp.mae,
        maxAbsDiff: cmp.maxAbsDiff,
        maxAbsDiffPair: cmp.maxAbsDiffPair,
        frobenius: cmp.frobeniusFull,
        frobeniusUpper: cmp.frobeniusUpper,
        pearson: cmp.pearson,
        spearman: cmp.spearman,
        signAgreement: cmp.signAgreement,
        mantel: cmp.mantel,
        steiger: cmp.steiger,
        tucker: cmp.tucker,
        eigenvalues: cmp.eigenvalues,
      },
      agreement,
      agreementValidOnly,
      usableShare: usable.share,
      referenceUsableShare: usable.reference,
      pairs,
      order: ctx.memo.get(`order:${key}:${method}`, () => clusterOrder(refM.values)),
    };
  }
  return individual;
}

/** Where items are named: the run file's header, the config, the codebook, the producing sources. */
async function itemMentions(ctx: RunContext, run: RunConfig, runRead: ReadResult, shared: readonly string[]): Promise<Map<string, ItemLocation[]>> {
  const locations = new Map<string, ItemLocation[]>();
  const addLoc = (id: string, loc: ItemLocation) => locations.set(id, [...(locations.get(id) ?? []), loc]);
  for (const id of shared) {
    const l = runRead.itemLocations[id];
    if (l) addLoc(id, { file: run.path, ...l });
  }
  const ids = new Set(shared);
  const scanFiles = [...run.producedBy];
  if (ctx.config.configPath) scanFiles.push(ctx.config.configPath);
  if (ctx.config.reference.codebook) scanFiles.push(ctx.config.reference.codebook);
  for (const file of scanFiles) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      ctx.bag.add({ severity: 'warning', code: 'run.producer-unreadable', message: `Run ${run.name} names ${file} as its producer, but it cannot be read: ${(e as Error).message}`, file });
      continue;
    }
    for (const [id, locs] of findItemLiterals(text, ids)) for (const l of locs) addLoc(id, { file, ...l });
  }
  return locations;
}

/** Marks each item past a threshold weak (with its reasons) and lists the weak items, most divergent first. */
function markWeakItems(marginal: MarginalItem[], t: EvaluationConfig['thresholds'], locations: Map<string, ItemLocation[]>): WeakItem[] {
  const weakItems: WeakItem[] = [];
  for (const it of marginal) {
    if (it.type === 'ordinal' && it.w1Normalized !== null && it.w1Normalized > t.w1Normalized) it.reasons.push(`normalised W1 ${it.w1Normalized.toFixed(3)} > ${t.w1Normalized}`);
    if (it.tvd !== null && it.tvd > t.tvd) it.reasons.push(`TVD ${it.tvd.toFixed(3)} > ${t.tvd}`);
    if (it.invalid !== null && it.invalid > t.invalid) it.reasons.push(`${(it.invalid * 100).toFixed(1)}% invalid answers (${it.invalidCount}) > ${(t.invalid * 100).toFixed(1)}%`);
    if (!it.runDistribution.some((x) => x > 0)) it.reasons.push('no valid answers in the run');
    it.weak = it.reasons.length > 0;
    if (it.weak) weakItems.push({ item: it.item, reasons: it.reasons, w1Normalized: it.w1Normalized, tvd: it.tvd, invalid: it.invalid, locations: locations.get(it.item) ?? [] });
  }
  weakItems.sort((a, b) => (b.w1Normalized ?? b.tvd ?? 0) - (a.w1Normalized ?? a.tvd ?? 0));
  return weakItems;
}

/**
 * Each pair's run-minus-reference difference (a full matrix, null where either is undefined) and its
 * row of the report (upper triangle, row by row, with its test); the weak pairs among them are
 * appended to `weakPairs`. A function of its own so that evaluateRun, called once an evaluation,
 * does not hold the loop over every pair (V8 compiled and deoptimised the whole of evaluateRun for it).
 */
function pairDifferences(
  method: AssociationChoice,
  items: readonly ItemCodebook[],
  refM: AssociationMatrix,
  runM: AssociationMatrix,
  pairTests: ReturnType<typeof compareMatrices>['pairTests'],
  t: EvaluationConfig['thresholds'],
  weakPairs: WeakPair[],
): { difference: (number | null)[][]; pairs: PairDifference[] } {
  const m = items.length;
  const difference = refM.values.map((row, i) => row.map((v, j) => (v === null || runM.values[i][j] === null ? null : (runM.values[i][j] as number) - v)));
  // compareMatrices(refM, runM) tests the pairs defined in both matrices, in this pair order: the
  // next test is this pair's when both values are defined.
  let next = 0;
  const pairs: PairDifference[] = [];
  for (let i = 0; i < m; i++) {
    for (let j = i + 1; j < m; j++) {
      const test = refM.values[i][j] === null || runM.values[i][j] === null ? undefined : pairTests[next++];
      const pd: PairDifference = {
        i: items[i].id,
        j: items[j].id,
        reference: refM.values[i][j],
        run: runM.values[i][j],
        difference: difference[i][j],
        z: test?.z ?? null,
        p: test?.p ?? null,
        q: test?.q ?? null,
        referenceN: refM.n[i][j],
        runN: runM.n[i][j],
      };
      pairs.push(pd);
      if (pd.difference !== null && Math.abs(pd.difference) > t.pairDifference && pd.q !== null && pd.q < t.fdr) {
        weakPairs.push({
          method,
          i: pd.i,
          j: pd.j,
          reference: pd.reference,
          run: pd.run,
          difference: pd.difference,
          q: pd.q,
          reasons: [`${method} correlation ${pd.run!.toFixed(3)} vs human ${pd.reference!.toFixed(3)} (difference ${pd.difference.toFixed(3)} > ${t.pairDifference}, BH q = ${pd.q.toPrecision(3)} < ${t.fdr})`],
        });
      }
    }
  }
  return { difference, pairs };
}
