/**
 * Latent structure of one run against the reference (README "Latent structure"):
 *
 * 1. The Inglehart-Welzel cultural map (Inglehart & Welzel 2005; docs/domain.md): the ten
 *    indicators (src/core/read/presets/cultural-map-wvs7.ts) averaged per group (the config's
 *    `groupBy`, survey-weighted on the human side), `fitCulturalMap` on the human group means
 *    (standardised, two principal components, varimax), each run group placed with the human
 *    solution (`placeOnMap`), distances and `mapAgreement`; bootstrap intervals resampling the
 *    run's respondents within groups (as the group level, group-evaluation.ts), the floors (the
 *    independent-marginals run's distance; the Procrustes correlation's permutation null) and the
 *    human split-half ceiling, and a verdict for each of the two numbers. Group means are ratios of additive sums
 *    (weights and weighted values per group and indicator), so resampling only reweights them.
 * 2. Factor structure of all items: minres factor analysis of the reference's and the run's
 *    association matrices (the config's first `association`), factors from the reference's
 *    parallel analysis or `factors`, the run's loadings rotated to the reference's (orthogonal
 *    Procrustes), Tucker's congruence, the items whose loadings move most.
 */
import type { ItemCodebook } from '../read/codebook';
import type { SurveyData } from '../read/dataset';
import { CULTURAL_MAP_AXES, culturalMapColumns, indicatorValues, type CulturalMapIndicatorColumns } from '../read/presets/cultural-map-wvs7';
import type { DiagnosticBag } from '../report/diagnostics';
import type { CulturalMapPoint, CulturalMapReport, FactorStructureReport, Interval, LatentStructure, MapPosition } from '../report/model';
import type { AssociationMatrix } from '../stats/association';
import { fitCulturalMap, mapAgreement, placeOnMap, procrustesNull, type CulturalMapSolution } from '../stats/cultural-map';
import { factorMinres, orientLoadings, parallelAnalysis, procrustesRotation, tuckerCongruence, varimax } from '../stats/factor-analysis';
import { meanOfDefined } from '../stats/descriptive';
import { Prng } from '../stats/prng';
import { percentile, stratifiedBootstrapMultiplicities, stratifiedSplitHalf } from '../stats/resample';
import { nameHash, streamSeed, type Memo } from './cache';
import type { AssociationChoice, EvaluationConfig, RunConfig } from './config';
import { mapDistanceVerdict, verdictOf } from './verdict';

/**
 * Stream numbers of the map's bootstrap and ceiling, apart from cache.ts's STREAM (1-7) so that
 * the other parts' numbers do not change.
 */
const STREAM_MAP_BOOTSTRAP = 101;
const STREAM_MAP_CEILING = 102;
const STREAM_MAP_NULL = 103;
/** Random split-halves of the reference for the map's ceiling (as the group level's). */
const MAP_SPLITS = 20;
/** At least this many indicators per dimension for a map. */
const MIN_PER_DIMENSION = 2;
/**
 * Respondents of each simulated data set in the parallel analysis: at most this many. The
 * simulation costs n p^2 per iteration (97,000 x 175 x 175 x 20 would take minutes); with fewer
 * simulated respondents the thresholds are higher (sampling noise of eigenvalues shrinks as
 * 1/sqrt(n)), so the number of factors is conservative, and the report says how many were used.
 */
/**
 * Above this many items the factor structure runs only when the config names `factors`: the
 * reference's parallel analysis is O(p^3) per simulated data set (about 33 s for 175 items).
 */
const FACTORS_BY_DEFAULT_MAX_ITEMS = 60;
const PARALLEL_MAX_RESPONDENTS = 2000;
/** Items whose loadings move most, reported. */
const MOVERS = 5;

export interface LatentInput {
  config: EvaluationConfig;
  refData: SurveyData;
  memo: Memo;
  bag: DiagnosticBag;
  notes: string[];
  signal: AbortSignal | undefined;
  run: RunConfig;
  /** The run's respondents; null for a distribution run. */
  runData: SurveyData | null;
  items: readonly ItemCodebook[];
  refMatrices: ReadonlyMap<AssociationChoice, AssociationMatrix>;
  runMatrices: ReadonlyMap<AssociationChoice, AssociationMatrix>;
  /** Stage clock (REPLENS_STAGE_TIMES): called after the map and after the factor structure. */
  lap?: (stage: string) => void;
}

export function evaluateLatent(input: LatentInput): LatentStructure {
  const map = culturalMap(input);
  input.lap?.(`run ${input.run.name}: cultural map`);
  const factors = factorStructure(input);
  input.lap?.(`run ${input.run.name}: factor structure`);
  return {
    culturalMap: 'reason' in map ? null : map,
    ...('reason' in map ? { culturalMapUnavailable: map.reason } : {}),
    factors: 'reason' in factors ? null : factors,
    ...('reason' in factors ? { factorsUnavailable: factors.reason } : {}),
  };
}

/** The columns of the map's indicators (read as text when present), for the readers. */
export function culturalMapReadColumns(config: EvaluationConfig): string[] {
  if (config.culturalMap && !config.culturalMap.enabled) return [];
  return [...new Set(culturalMapColumns(config.reference.preset, config.culturalMap?.items).flatMap((i) => i.columns))];
}

// ---------------------------------------------------------------------------------------------
// The cultural map

/** Reference diagnostics already reported in a bag (the reference is shared by every run). */
const reportedReference = new WeakMap<DiagnosticBag, Set<string>>();

interface Unavailable {
  reason: string;
}

function culturalMap(input: LatentInput): CulturalMapReport | Unavailable {
  const { config, refData, runData, run, bag, memo, notes } = input;
  if (config.culturalMap && !config.culturalMap.enabled) return { reason: 'The cultural map is turned off ("culturalMap": false).' };
  const indicators = culturalMapColumns(config.reference.preset, config.culturalMap?.items);
  if (!indicators.length) return { reason: 'No cultural-map indicators: use the wvs7 preset or name their columns in "culturalMap": { "items": ... }.' };
  if (!runData) return { reason: `Run ${run.name} gives answer distributions; the cultural map needs respondents (its indicators combine several columns).` };
  if (!config.groupBy) return { reason: 'The cultural map is fitted on group means: set "groupBy" (e.g. the country column).' };
  const refGroupValues = refData.attributes.get(config.groupBy.reference);
  if (!refGroupValues) return { reason: `The reference has no column ${config.groupBy.reference} to group by.` };

  // Which indicators both sides have (a missing one: a diagnostic at the file's header).
  const refText = (c: string) => refData.attributes.get(c);
  const runText = (c: string) => runData.attributes.get(c);
  const key = indicators.map((i) => `${i.definition.id}=${i.columns.join('+')}`).join(',');
  const refValues = memo.get(`map-values:${key}`, () => indicators.map((ind) => indicatorValues(ind, refText, refData.n)));
  const runValues = indicators.map((ind) => indicatorValues(ind, runText, runData.n));
  const missing: { id: string; reason: string }[] = [];
  const present: number[] = [];
  const reported = reportedReference.get(bag) ?? new Set<string>();
  reportedReference.set(bag, reported);
  indicators.forEach((ind, j) => {
    const why = (text: (c: string) => readonly string[] | undefined, values: Float64Array, side: string): string | null => {
      const absent = ind.columns.filter((c) => !text(c));
      if (absent.length) return `${side} has no column ${absent.join(', ')}`;
      return values.some((v) => v === v) ? null : `${side} has no valid answers in ${ind.columns.join(', ')}`;
    };
    const refWhy = why(refText, refValues[j], 'the reference');
    const runWhy = refWhy ? null : why(runText, runValues[j], `run ${run.name}`);
    const reason = refWhy ?? runWhy;
    if (!reason) return present.push(j);
    missing.push({ id: ind.definition.id, reason });
    const message = `Cultural-map indicator ${ind.definition.id} (${ind.definition.code}, ${ind.definition.name}) is left out: ${reason}.`;
    if (refWhy && !reported.has(message)) {
      reported.add(message);
      bag.add({ severity: 'warning', code: 'map.indicator-missing', message, file: config.reference.path, line: 1, column: 1 });
    } else if (runWhy) bag.add({ severity: 'warning', code: 'map.indicator-missing', message, file: run.path, line: 1, column: 1 });
  });
  const dim = (d: 1 | 2) => present.filter((j) => indicators[j].definition.dimension === d);
  if (dim(1).length < MIN_PER_DIMENSION || dim(2).length < MIN_PER_DIMENSION) {
    return { reason: `The cultural map needs at least ${MIN_PER_DIMENSION} indicators per dimension; present: ${dim(1).length} traditional/secular and ${dim(2).length} survival/self-expression (missing: ${missing.map((m) => m.id).join(', ')}).` };
  }
  if (missing.length) notes.push(`Run ${run.name}: the cultural map uses ${present.length} of ${indicators.length} indicators (without ${missing.map((m) => m.id).join(', ')}).`);
  const used = present.map((j) => indicators[j]);
  const refUsed = present.map((j) => refValues[j]);
  const runUsed = present.map((j) => runValues[j]);

  // The human map: fitted on every reference group with all indicator means.
  const refGroups = groupRows(refGroupValues);
  const fitKey = `map-fit:${key}:${present.join(',')}:${config.groupBy.reference}`;
  const fitted = memo.get(fitKey, () => fitHumanMap(used, refUsed, refGroups, refData.weights));
  if ('reason' in fitted) return fitted;
  const { solution, groups: fittedGroups, rows: fittedRows } = fitted;

  // The run's groups, or the run as one point against the pooled human point.
  const runGroupValues = runData.attributes.get(config.groupBy.run);
  const pooled = !runGroupValues;
  let compared: string[];
  let refRows: Uint32Array[];
  let runRows: Uint32Array[];
  if (runGroupValues) {
    const runGroups = groupRows(runGroupValues);
    compared = fittedGroups.filter((g) => runGroups.has(g));
    for (const g of runGroups.keys()) if (!fittedGroups.includes(g)) bag.add({ severity: 'warning', code: 'map.group-unknown', message: `Group "${g}" of run ${run.name} is not a group of the human cultural map; it is not placed.`, file: run.path, line: 1, column: 1 });
    if (!compared.length) return { reason: `Run ${run.name} has no group of the human cultural map (${config.groupBy.run} values).` };
    refRows = compared.map((g) => fittedRows[fittedGroups.indexOf(g)]);
    runRows = compared.map((g) => runGroups.get(g)!);
  } else {
    compared = ['(all respondents)'];
    refRows = [Uint32Array.from(fittedRows.flatMap((r) => Array.from(r)).sort((a, b) => a - b))];
    runRows = [Uint32Array.from({ length: runData.n }, (_, r) => r)];
    notes.push(`Run ${run.name} has no column ${config.groupBy.run}: on the cultural map it is one point, compared with the pooled human point.`);
  }
  const refMeans = groupMeans(refUsed, refRows, refData.weights, null);
  const runMeans = groupMeans(runUsed, runRows, runData.weights, null);
  const refPos = placeOnMap(solution, refMeans);
  const runPos = placeOnMap(solution, runMeans);
  const agreement = mapAgreement(refPos, runPos);

  // Bootstrap: the run's respondents resampled within each compared group.
  const B = input.config.bootstrap;
  const rng = new Prng(streamSeed(config.seed, STREAM_MAP_BOOTSTRAP, nameHash(run.name)));
  const bootMean: number[] = [];
  const bootProcrustes: number[] = [];
  const bootDistance: number[][] = compared.map(() => []);
  const mult = new Float64Array(runData.n);
  for (let b = 0; b < B; b++) {
    if (b % 20 === 0) input.signal?.throwIfAborted();
    stratifiedBootstrapMultiplicities(runRows, runData.n, rng, mult);
    const a = mapAgreement(refPos, placeOnMap(solution, groupMeans(runUsed, runRows, runData.weights, mult)));
    if (a.meanDistance !== null) bootMean.push(a.meanDistance);
    if (a.procrustes) bootProcrustes.push(a.procrustes.correlation);
    a.distances.forEach((d, g) => d !== null && bootDistance[g].push(d));
  }

  // Floor: every group answering from the human pooled marginals lands on the pooled point; the
  // indicators are linear in their columns' codes, so the expected point is the pooled means'.
  const allRef = memo.get(`${fitKey}:pooled`, () => groupMeans(refUsed, [Uint32Array.from(fittedRows.flatMap((r) => Array.from(r)))], refData.weights, null)[0]);
  const floorPos = placeOnMap(solution, [allRef])[0];
  // One point for every group: no spread, so no Procrustes fit (set here: the centred copies of a
  // repeated point are zero only up to rounding).
  const floor = { ...mapAgreement(refPos, refPos.map(() => floorPos)), procrustes: null };

  // Ceiling: the human respondents split at random within each compared group, both halves placed.
  const ceiling = memo.get(`${fitKey}:ceiling:${config.seed}:${compared.join('\u0001')}`, () => {
    const crng = new Prng(streamSeed(config.seed, STREAM_MAP_CEILING));
    const dist: number[] = [];
    const proc: number[] = [];
    for (let s = 0; s < MAP_SPLITS; s++) {
      const halves = stratifiedSplitHalf(refRows, crng);
      const a = placeOnMap(solution, groupMeans(refUsed, halves.map((h) => h[0]), refData.weights, null));
      const b = placeOnMap(solution, groupMeans(refUsed, halves.map((h) => h[1]), refData.weights, null));
      const c = mapAgreement(a, b);
      if (c.meanDistance !== null) dist.push(c.meanDistance);
      if (c.procrustes) proc.push(c.procrustes.correlation);
    }
    return { dist, proc };
  });

  // Floor of the Procrustes correlation: vegan::protest's permutation null, the run's positions
  // matched to the wrong groups (a floor of the shape, where the independent-marginals run has none).
  const nullRng = new Prng(streamSeed(config.seed, STREAM_MAP_NULL, nameHash(run.name)));
  const permutations = agreement.procrustes ? Array.from({ length: config.permutations }, () => nullRng.permutation(agreement.groups)) : [];
  const shapeNull = permutations.length ? procrustesNull(refPos, runPos, permutations) : null;
  const procrustesNullReport = shapeNull
    ? { permutations: permutations.length, mean: meanOfDefined(shapeNull.statistics), low: percentileOrNull(shapeNull.statistics, 2.5), high: percentileOrNull(shapeNull.statistics, 97.5), p: shapeNull.p }
    : null;
  const ceilingProcrustes = meanOfDefined(ceiling.proc);
  const ceilingDistance = meanOfDefined(ceiling.dist);
  const procrustesCi = agreement.procrustes ? interval(bootProcrustes) : null;
  const procrustesVerdict = verdictOf(
    { value: agreement.procrustes?.correlation ?? null, ci: procrustesCi },
    { baseline: 'group-permutation-null', value: procrustesNullReport?.mean ?? null },
    { baseline: 'human-split-half', value: ceilingProcrustes },
  );
  if (!agreement.procrustes) procrustesVerdict.text = agreement.groups < 2 ? 'one point: no configuration to compare' : 'no spread: no configuration to compare';
  else if (!procrustesNullReport) procrustesVerdict.text = 'no floor to compare with ("permutations": 0)';
  const meanDistance = { value: agreement.meanDistance, ci: agreement.meanDistance === null ? null : interval(bootMean) };

  const points: CulturalMapPoint[] = compared.map((group, g) => ({
    group,
    referenceN: refRows[g].length,
    runN: runRows[g].length,
    referenceMeans: refMeans[g],
    runMeans: runMeans[g],
    reference: refPos[g],
    run: runPos[g],
    distance: agreement.distances[g],
    distanceCi: interval(bootDistance[g]),
  }));
  return {
    groupBy: { reference: config.groupBy.reference, run: pooled ? null : config.groupBy.run },
    pooled,
    indicators: used.map((ind, j) => ({
      id: ind.definition.id,
      code: ind.definition.code,
      name: ind.definition.name,
      dimension: ind.definition.dimension,
      columns: Object.fromEntries(ind.definition.parts.map((p, k) => [p, ind.columns[k]])),
      loadings: [solution.loadings[j][0], solution.loadings[j][1]],
      center: solution.center[j],
      scale: solution.scale[j],
    })),
    missingIndicators: missing,
    axes: CULTURAL_MAP_AXES.map((a, k) => ({ name: a.name, low: a.low, high: a.high, varianceExplained: solution.varianceExplained[k] })),
    referenceGroups: fittedGroups.map((group, g) => ({ group, n: fittedRows[g].length, position: solution.scores[g] as MapPosition })),
    points,
    agreement: {
      groups: agreement.groups,
      meanDistance: { ...meanDistance, verdict: mapDistanceVerdict(meanDistance, floor.meanDistance, ceilingDistance, pooled) },
      pearson: agreement.pearson,
      procrustes: agreement.procrustes,
      procrustesCorrelationCi: procrustesCi,
      procrustesNull: procrustesNullReport,
      procrustesVerdict,
    },
    floor: { position: floorPos, meanDistance: floor.meanDistance, procrustesCorrelation: floor.procrustes },
    ceiling: {
      splits: MAP_SPLITS,
      meanDistance: ceilingDistance,
      meanDistanceLow: percentileOrNull(ceiling.dist, 2.5),
      meanDistanceHigh: percentileOrNull(ceiling.dist, 97.5),
      procrustesCorrelation: ceilingProcrustes,
      procrustesCorrelationLow: percentileOrNull(ceiling.proc, 2.5),
      procrustesCorrelationHigh: percentileOrNull(ceiling.proc, 97.5),
    },
  };
}

/** The human solution on every group with all indicator means (at least 3 groups). */
function fitHumanMap(used: CulturalMapIndicatorColumns[], values: Float64Array[], groups: Map<string, Uint32Array>, weights: Float64Array | null): { solution: CulturalMapSolution; groups: string[]; rows: Uint32Array[] } | Unavailable {
  const names = [...groups.keys()].sort();
  const means = groupMeans(values, names.map((g) => groups.get(g)!), weights, null);
  const keep = names.map((_, g) => means[g].every((v) => v !== null));
  const fittedGroups = names.filter((_, g) => keep[g]);
  if (fittedGroups.length < 3) return { reason: `The cultural map needs at least 3 human groups with every indicator; found ${fittedGroups.length}.` };
  try {
    const solution = fitCulturalMap(
      means.filter((_, g) => keep[g]) as number[][],
      { dimension1: used.flatMap((u, j) => (u.definition.dimension === 1 ? [j] : [])), dimension2: used.flatMap((u, j) => (u.definition.dimension === 2 ? [j] : [])) },
    );
    return { solution, groups: fittedGroups, rows: fittedGroups.map((g) => groups.get(g)!) };
  } catch (e) {
    return { reason: `The cultural map could not be fitted: ${(e as Error).message}.` };
  }
}

/** Rows of each group value (blank = no group). */
function groupRows(values: readonly string[]): Map<string, Uint32Array> {
  const lists = new Map<string, number[]>();
  values.forEach((v, r) => {
    const k = v.trim();
    if (!k) return;
    let l = lists.get(k);
    if (!l) lists.set(k, (l = []));
    l.push(r);
  });
  return new Map([...lists].map(([k, l]) => [k, Uint32Array.from(l)]));
}

/**
 * Per group and indicator: sum(w x) / sum(w) over the group's rows with a value, w = survey weight x
 * bootstrap multiplicity (1 when absent); null when no row has a value.
 */
export function groupMeans(values: readonly Float64Array[], rows: readonly Uint32Array[], weights: Float64Array | null, mult: Float64Array | null): (number | null)[][] {
  return rows.map((rs) =>
    values.map((v) => {
      let sw = 0;
      let swx = 0;
      for (let i = 0; i < rs.length; i++) {
        const r = rs[i];
        const x = v[r];
        if (x !== x) continue;
        const w = (weights ? weights[r] : 1) * (mult ? mult[r] : 1);
        sw += w;
        swx += w * x;
      }
      return sw > 0 ? swx / sw : null;
    }),
  );
}

function percentileOrNull(values: number[], q: number): number | null {
  return values.length ? percentile(values, q) : null;
}

function interval(values: number[]): Interval | null {
  if (!values.length) return null;
  return { low: percentile(values, 2.5), high: percentile(values, 97.5), confidence: 0.95, method: 'percentile', replicates: values.length, bootstrapMean: meanOfDefined(values) };
}

// ---------------------------------------------------------------------------------------------
// Factor structure of all items

function factorStructure(input: LatentInput): FactorStructureReport | Unavailable {
  const { config, items, refMatrices, runMatrices, memo, refData, runData } = input;
  const method = config.association[0];
  if (!method) return { reason: 'No association measure is configured.' };
  const refM = refMatrices.get(method);
  const runM = runMatrices.get(method);
  if (!refM || !runM || !runData) return { reason: 'Factor structure needs the run\'s item correlations: one simulated respondent answering many items.' };
  if (method === 'cramer') return { reason: 'Cramér\'s V is not a correlation (it has no sign); factor analysis needs pearson, spearman or polychoric first in "association".' };
  const p = items.length;
  if (p < 3) return { reason: `Factor analysis needs at least 3 items; ${p} shared.` };
  if (p > FACTORS_BY_DEFAULT_MAX_ITEMS && config.factors === undefined) {
    return { reason: `Factor structure of ${p} items is computed when asked: set "factors" (the number of factors to compare). Its parallel analysis took about 33 s for 175 items (bench/README-latent.md), so it is not run by default above ${FACTORS_BY_DEFAULT_MAX_ITEMS} items.` };
  }
  const undefinedPair = (m: AssociationMatrix) => {
    for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) if (m.values[i][j] === null || !Number.isFinite(m.values[i][j] as number)) return `${items[i].id}-${items[j].id}`;
    return null;
  };
  const refBad = undefinedPair(refM);
  if (refBad) return { reason: `The reference's ${method} correlation of ${refBad} is undefined; factor analysis needs every pair.` };
  const runBad = undefinedPair(runM);
  if (runBad) return { reason: `Run ${input.run.name}'s ${method} correlation of ${runBad} is undefined (an item without variation?); factor analysis needs every pair.` };
  const R = refM.values as number[][];
  const Rrun = runM.values as number[][];
  const itemsKey = items.map((i) => i.id).join(',');
  const simulated = Math.min(refData.n, PARALLEL_MAX_RESPONDENTS);
  let parallel: FactorStructureReport['parallel'] = null;
  let k: number;
  if (config.factors !== undefined) k = config.factors;
  else {
    const pa = memo.get(`parallel:${itemsKey}:${method}:${config.seed}`, () => parallelAnalysis(R, Math.max(3, simulated), { seed: config.seed }));
    parallel = { observed: pa.faValues, threshold: pa.simulated.faThreshold, iterations: pa.iterations, simulatedRespondents: Math.max(3, simulated) };
    k = pa.factors;
    if (k === 0) return { reason: 'The reference\'s parallel analysis finds no factor above chance; set "factors" to compare a given number.' };
  }
  if (k >= p) return { reason: `${k} factors for ${p} items: at most ${p - 1}.` };
  try {
    const reference = memo.get(`minres:${itemsKey}:${method}:${k}`, () => {
      const fit = factorMinres(R, k, refData.n);
      // Varimax for an interpretable human solution (orthogonal, so the Procrustes target keeps its fit).
      const rotated = k >= 2 ? orientLoadings(varimax(fit.loadings).loadings).loadings : fit.loadings;
      return { fit, loadings: rotated };
    });
    const runFit = factorMinres(Rrun, k, runData.n);
    const aligned = procrustesRotation(reference.loadings, runFit.loadings);
    const congruence = tuckerCongruence(reference.loadings, aligned.loadings);
    const movers = items
      .map((it, i) => ({ item: it.id, distance: Math.hypot(...reference.loadings[i].map((v, c) => v - aligned.loadings[i][c])), reference: reference.loadings[i], run: aligned.loadings[i] }))
      .sort((a, b) => b.distance - a.distance)
      .slice(0, MOVERS);
    return {
      method,
      items: items.map((i) => i.id),
      factors: k,
      factorsFrom: config.factors !== undefined ? 'config' : 'parallel-analysis',
      parallel,
      reference: { loadings: reference.loadings, communalities: reference.fit.communalities, heywood: reference.fit.heywood, converged: reference.fit.converged },
      run: { loadings: aligned.loadings, communalities: runFit.communalities, heywood: runFit.heywood, converged: runFit.converged, rotation: aligned.rotation },
      congruence: { perFactor: congruence.perFactor, mean: congruence.mean, overall: congruence.overall },
      movers,
    };
  } catch (e) {
    return { reason: `Factor analysis failed: ${(e as Error).message}.` };
  }
}
