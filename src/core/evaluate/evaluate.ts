/**
 * The evaluation a researcher runs: each model run against the human reference, marginals and
 * structure, with confidence intervals, floors and ceilings, weak items and pairs, and every input
 * problem. Pure engine: no editor, no DOM; the extension runs it in a worker, the CLI directly.
 */
import { readFile } from 'node:fs/promises';
import { parseCodebook, type ItemCodebook } from '../read/codebook';
import { DEFAULTS, type AssociationChoice, type EvaluationConfig, type ReferenceConfig, type RunConfig } from './config';
import type { SurveyData } from '../read/dataset';
import { DiagnosticBag, InputError } from '../report/diagnostics';
import { findItemLiterals } from '../report/locate';
import { clusterOrder } from '../stats/cluster';
import { distributionGroups, groupStructureSteps, multinomial, respondentGroups } from './group-evaluation';
import { compareUpperTriangles } from '../stats/group-structure';
import { readSurvey, type ReadOptions, type ReadResult } from '../read';
import { parseFilter, selectGroups } from '../read/groups';
import {
  REPORT_SCHEMA_VERSION,
  type Baseline,
  type EvaluationReport,
  type GroupStructure,
  type Interval,
  type IndividualStructure,
  type ItemLocation,
  type MarginalItem,
  type MarginalSummary,
  type PairDifference,
  type RunReport,
  type SubgroupScores,
  type ValueWithCi,
  type WeakItem,
  type WeakPair,
} from '../report/model';
import { associationMatrix, type AssociationMatrix } from '../stats/association';
import { compareMatrices } from '../stats/compare';
import { RunningMean } from '../stats/descriptive';
import { headlineMeasures, marginalMeasures, type HeadlineMeasures } from '../stats/marginal';
import { Prng } from '../stats/prng';
import { bootstrapCI, bootstrapMultiplicities } from '../stats/resample';
import { computeSufficientStats, subtractSufficientStats, withoutPairTables, type SufficientStats } from '../count/sufficient';
import { fileFingerprint, nameHash, ReferenceCache, STREAM, streamSeed, type Memo } from './cache';
import { computeSufficientStatsParallel, polychoricMatrixParallel } from '../count/threads';
import { respondentBootstrap } from './respondent-bootstrap';

export const TOOL_VERSION = '0.1.0';

export interface EvaluateHooks {
  onProgress?: (message: string, fraction: number | null) => void;
  signal?: AbortSignal;
  /** Injected clock for reproducible golden reports. */
  now?: () => Date;
  /**
   * Reference statistics kept between evaluations (the extension's worker holds one): a warm cache
   * skips reading and counting the reference; the report is the same either way.
   */
  cache?: ReferenceCache;
  /** Called as each stage ends, with its wall time in milliseconds (REPLENS_STAGE_TIMES in the CLI). */
  onStage?: (stage: string, milliseconds: number) => void;
  /**
   * Stages one after the other, for timing each alone (REPLENS_STAGE_TIMES=alone in the CLI): the
   * comparisons and the group level after the bootstrap instead of on this thread while the
   * counting threads count it. The same report.
   */
  sequential?: boolean;
}

/** Wall time per stage, reported through `onStage`. */
function stageClock(onStage?: (stage: string, ms: number) => void) {
  let last = performance.now();
  return (stage: string) => {
    const now = performance.now();
    onStage?.(stage, now - last);
    last = now;
  };
}

/**
 * Bootstrap work budget: replicate x pair x respondent cell updates for structure intervals. Runs
 * below it get every replicate asked for; above it, fewer (said in the report's notes). 1.6e10 is
 * 200 replicates of 5,000 respondents x 175 items (WVS-sized runs), about 3 s a run on 2 cores with
 * the batch kernel (src/core/count/batch-count.ts; measured with npm run bench).
 */
const STRUCTURE_BOOTSTRAP_BUDGET = 1.6e10;
/** Random split-halves of the reference for the group-level ceiling. */
const GROUP_SPLITS = 20;

function checkAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new Error('Evaluation cancelled');
}

async function loadCodebook(path: string, bag: DiagnosticBag): Promise<ItemCodebook[] | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new InputError({ code: 'codebook.unreadable', message: `Cannot read the codebook: ${(e as Error).message}`, file: path });
  }
  // Located problems; unusable entries are left out and the rest kept.
  const { items, diagnostics } = parseCodebook(text, path);
  for (const d of diagnostics) bag.add(d);
  if (items && items.length === 0) {
    bag.add({ severity: 'error', code: 'codebook.no-items', message: 'The codebook has no usable items (see the problems reported in it); the codebook is inferred from the data instead.', file: path, line: 1, column: 1 });
    return undefined;
  }
  return items;
}

function sourceOptions(src: ReferenceConfig | RunConfig): Pick<ReadOptions, 'format' | 'layout' | 'long'> {
  return { format: src.format, layout: src.layout, long: src.long };
}

/** Marginal measures of every item from two sets of sufficient statistics over the same items. */
/** Per item: the run's answers over the item's codes (counts, or shares for a shares-only run). */
type RunItemWeights = Float64Array[];

function marginalItems(ref: SufficientStats, run: RunItemWeights, runInvalid: number[]): MarginalItem[] {
  return ref.items.map((item, i) => {
    const mm = marginalMeasures(ref.itemWeights[i], run[i], item);
    const n = run[i].reduce((a, b) => a + b, 0);
    const answered = n + runInvalid[i];
    return {
      item: item.id,
      label: item.label,
      topic: item.topic,
      type: item.type,
      codes: item.codes,
      labels: item.labels,
      n,
      referenceN: ref.itemCounts[i].reduce((a, b) => a + b, 0),
      w1Normalized: mm.w1Normalized,
      tvd: mm.tvd,
      jsDistance: mm.jsDistance,
      jsDivergence: mm.jsDivergence,
      kl: mm.kl,
      klSmoothing: mm.klSmoothing,
      meanDiff: mm.meanDiff,
      varianceRatio: mm.varianceRatio,
      referenceModalShare: mm.referenceModalShare,
      runModalShare: mm.runModalShare,
      invalid: answered > 0 ? runInvalid[i] / answered : null,
      invalidCount: runInvalid[i],
      referenceDistribution: shares(ref.itemWeights[i]),
      runDistribution: shares(run[i]),
      weak: false,
      reasons: [],
    };
  });
}

interface MarginalHeadline {
  meanW1Normalized: number | null;
  representativeness: number | null;
  meanTvd: number | null;
  meanJsDistance: number | null;
}

/**
 * The means over items of W1 (ordinal items), TVD and JS distance: `meanOfDefined` of
 * `marginalMeasures`' values, as they come from `headlineMeasures`, which allocates nothing:
 * every bootstrap replicate takes this.
 */
function marginalHeadline(ref: SufficientStats, run: RunItemWeights): MarginalHeadline {
  const w1 = new RunningMean();
  const tvd = new RunningMean();
  const js = new RunningMean();
  const mm = headlineScratch;
  ref.items.forEach((item, i) => {
    headlineMeasures(ref.itemWeights[i], run[i], item, mm);
    if (item.type === 'ordinal') w1.add(mm.w1Normalized);
    tvd.add(mm.tvd);
    js.add(mm.jsDistance);
  });
  const mw = w1.value;
  return { meanW1Normalized: mw, representativeness: mw === null ? null : 1 - mw, meanTvd: tvd.value, meanJsDistance: js.value };
}
const headlineScratch: HeadlineMeasures = { w1Normalized: null, tvd: null, jsDistance: null };

/**
 * The association matrix of `stats`. Polychoric fits start at `start` (a matrix of the same items
 * likely to be close: only saves steps); with `valuesOnly` (a matrix only compared, never
 * reported) they are of rho only, without standard errors.
 */
async function matrixFor(stats: SufficientStats, method: AssociationChoice, start?: AssociationMatrix, valuesOnly = false): Promise<AssociationMatrix> {
  if (method === 'polychoric') return (await polychoricMatrixParallel(stats, { start: start?.values, standardErrors: !valuesOnly })) as unknown as AssociationMatrix;
  return associationMatrix(stats, method);
}

/** Row indices drawn independently per column: same marginals as the reference, no structure. */
function independentColumnsSample(data: SurveyData, columns: number[], n: number, rng: Prng): SurveyData {
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

/** Pearson and RMSE of the off-diagonal pairs defined in both matrices (the headline agreement). */
function offDiagonalAgreement(ref: AssociationMatrix, run: AssociationMatrix): { pearson: number | null; rmse: number | null } {
  const c = compareUpperTriangles(ref.values, run.values);
  return { pearson: c.pearson, rmse: c.rmse };
}

/** The rows `rows` of `columns` as data of their own (unweighted, no attributes), in that order. */
function rowSubset(data: SurveyData, columns: readonly number[], rows: ArrayLike<number>): SurveyData {
  return {
    source: data.source,
    n: rows.length,
    columns: columns.map((c) => {
      const col = data.columns[c];
      const values = new Uint8Array(rows.length);
      for (let r = 0; r < rows.length; r++) values[r] = col.values[rows[r]];
      return { ...col, values };
    }),
    weights: null,
    attributes: new Map(),
  };
}

/** Columns a side must keep as attributes: its groupBy column and every column its subgroup filters name. */
function attributeColumns(config: EvaluationConfig, side: 'reference' | 'run'): string[] | undefined {
  const cols = new Set<string>();
  if (config.groupBy) cols.add(config.groupBy[side]);
  for (const g of Object.values(config.groups)) {
    const parsed = parseFilter(g[side]);
    if ('clauses' in parsed) for (const c of parsed.clauses) cols.add(c.column);
  }
  return cols.size ? [...cols] : undefined;
}

/**
 * Scores of each named subgroup: the reference's and the run's rows selected by the group's two
 * filters, compared like the whole run: marginal headline and per-item distributions, structure
 * agreement and the two matrices per method, each headline with a percentile bootstrap interval
 * over the subgroup's run respondents (the same budget of table work as the whole run's structure
 * intervals). Each subgroup draws from its own seeded stream (seed, run name, group name), so
 * adding or removing a group or a run changes no other number in the report.
 */
async function subgroupScores(
  config: EvaluationConfig,
  refData: SurveyData,
  refIdx: number[],
  runData: SurveyData,
  runIdx: number[],
  runPath: string,
  runName: string,
  bag: DiagnosticBag,
  signal?: AbortSignal,
): Promise<SubgroupScores[]> {
  const names = Object.keys(config.groups);
  if (!names.length) return [];
  const where = { file: config.configPath ?? undefined };
  const ref = selectGroups(refData, Object.fromEntries(names.map((n) => [n, config.groups[n].reference])), where);
  const run = selectGroups(runData, Object.fromEntries(names.map((n) => [n, config.groups[n].run])), { file: runPath });
  for (const d of [...ref.diagnostics, ...run.diagnostics]) bag.add(d);
  const out: SubgroupScores[] = [];
  for (const [gi, name] of names.entries()) {
    checkAborted(signal);
    const refRows = ref.rows.get(name);
    const runRows = run.rows.get(name);
    if (!refRows || !runRows || refRows.length < 2 || runRows.length < 2) {
      bag.add({ severity: 'info', code: 'group.too-small', message: `Subgroup ${name} has ${refRows?.length ?? 0} reference and ${runRows?.length ?? 0} run respondents; at least 2 of each are needed, so it is not scored.`, file: config.configPath ?? runPath });
      continue;
    }
    const rs = computeSufficientStats(refData, { columns: refIdx, rows: refRows });
    // The subgroup's run respondents as data of their own (resampled below).
    const sub = rowSubset(runData, runIdx, runRows);
    const subColumns = runIdx.map((_, i) => i);
    const us = computeSufficientStats(sub, { weights: null });
    const structure: SubgroupScores['structure'] = {};
    const matrices: SubgroupScores['matrices'] = {};
    const refMs = new Map<AssociationChoice, AssociationMatrix>();
    const runMs = new Map<AssociationChoice, AssociationMatrix>();
    for (const method of config.association) {
      const refM = await matrixFor(rs, method);
      const runM = await matrixFor(us, method, refM);
      refMs.set(method, refM);
      runMs.set(method, runM);
      structure[method] = offDiagonalAgreement(refM, runM);
      matrices[method] = { reference: refM.values, run: runM.values };
    }
    const headline = marginalHeadline(rs, us.itemWeights);
    const items = rs.items.map((item, i) => {
      const mm = marginalMeasures(rs.itemWeights[i], us.itemWeights[i], item);
      return {
        item: item.id,
        n: sum(us.itemCounts[i]),
        referenceN: sum(rs.itemCounts[i]),
        referenceDistribution: shares(rs.itemWeights[i]),
        runDistribution: shares(us.itemWeights[i]),
        w1Normalized: mm.w1Normalized,
        tvd: mm.tvd,
      };
    });

    // Bootstrap over the subgroup's run respondents: marginal headline for every replicate,
    // structure for as many as the work budget allows (polychoric at most polychoricBootstrap).
    const B = config.bootstrap;
    const rng = new Prng(streamSeed(config.seed, STREAM.subgroup, nameHash(runName), nameHash(name)));
    const npairs = (rs.items.length * (rs.items.length - 1)) / 2;
    const tableB = Math.min(B, Math.floor(STRUCTURE_BOOTSTRAP_BUDGET / Math.max(1, npairs * runRows.length)));
    const repRep = new Float64Array(B);
    const repW1 = new Float64Array(B);
    const repTvd = new Float64Array(B);
    const repStructure = new Map(config.association.map((m) => [m, new Float64Array(m === 'polychoric' ? Math.min(tableB, polychoricReplicates(config)) : tableB)]));
    // Each replicate draws the subgroup's respondents with replacement (multiplicities over its rows).
    await respondentBootstrap({
      data: sub,
      columns: subColumns,
      unweighted: us,
      replicates: B,
      tableReplicates: tableB,
      rng,
      reference: refMs,
      agreement: repStructure,
      polychoricStart: runMs.get('polychoric'),
      each: (b, itemWeights) => {
        if (b % 20 === 0) checkAborted(signal);
        const h = marginalHeadline(rs, itemWeights);
        repRep[b] = h.representativeness ?? NaN;
        repW1[b] = h.meanW1Normalized ?? NaN;
        repTvd[b] = h.meanTvd ?? NaN;
      },
    });
    const ci = (value: number | null, reps: Float64Array): Interval | null => (value === null || reps.length < 2 ? null : intervalOf(reps, reps.length));
    out.push({
      name,
      referenceRespondents: refRows.length,
      runRespondents: runRows.length,
      marginal: headline,
      structure,
      intervals: {
        representativeness: ci(headline.representativeness, repRep),
        meanW1Normalized: ci(headline.meanW1Normalized, repW1),
        meanTvd: ci(headline.meanTvd, repTvd),
        structure: Object.fromEntries(config.association.map((m) => [m, ci(structure[m].pearson, repStructure.get(m)!)])),
      },
      items,
      matrices,
    });
  }
  return out;
}

function sum(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}

function shares(w: ArrayLike<number>): number[] {
  const tot = sum(w);
  return Array.from(w, (x) => (tot > 0 ? x / tot : 0));
}

export async function evaluate(config: EvaluationConfig, hooks: EvaluateHooks = {}): Promise<EvaluationReport> {
  const progress = hooks.onProgress ?? (() => {});
  const bag = new DiagnosticBag();
  const notes: string[] = [];
  const ref = config.reference;
  const lap = stageClock(hooks.onStage);

  progress('Reading the reference survey', 0);
  // The reference's identity (its file, its codebook's file, every option that shapes its reading),
  // taken before either file is read: a file rewritten after this point leaves the cache keyed by
  // its older identity, so the next evaluation reads it again (and readSurvey refuses a file that
  // changes while it is read).
  const identity = hooks.cache ? await referenceIdentity(config) : null;
  const warm = identity !== null && hooks.cache!.bind(identity);
  const codebook = ref.codebook ? await loadCodebook(ref.codebook, bag) : undefined;
  // Without a cache across evaluations, one for this evaluation: the runs share the reference's work.
  const memo: Memo = identity !== null ? hooks.cache! : new ReferenceCache();
  if (warm) progress('Reading the reference survey (unchanged: kept from the last evaluation)', 0.3);
  const refRead: ReadResult = await memo.getAsync('read', () => readSurvey(ref.path, {
    ...sourceOptions(ref),
    codebook,
    items: config.items,
    weight: ref.weight,
    preset: ref.preset,
    dontKnow: config.dontKnow,
    missingCodes: Array.isArray(ref.missing) ? ref.missing : undefined,
    attributes: attributeColumns(config, 'reference'),
    signal: hooks.signal,
    maxMemoryBytes: memoryLimit(config),
    onProgress: (f) => progress('Reading the reference survey', f * 0.3),
  }));
  lap('read reference');
  for (const d of refRead.diagnostics) bag.add(d);
  if (refRead.kind !== 'respondents' || !refRead.data) {
    throw new InputError({ code: 'reference.not-respondents', message: 'The reference must be respondent-level data (one row per respondent or one row per answer); distribution tables can only be runs.', file: ref.path, line: 1, column: 1 });
  }
  const refData = refRead.data;
  if (refData.n === 0) {
    throw new InputError({ code: 'reference.no-respondents', message: 'The reference has a header but no respondents: there is nothing to compare the runs with.', file: ref.path, line: 1, column: 1 });
  }
  const refColumn = new Map(refData.columns.map((c, i) => [c.item.id, i]));
  const runs: RunReport[] = [];
  const runErrors: InputError[] = [];

  for (const [runIndex, run] of config.runs.entries()) {
    checkAborted(hooks.signal);
    const base = 0.3 + (0.7 * runIndex) / config.runs.length;
    const span = 0.7 / config.runs.length;
    progress(`Reading run ${run.name}`, base);
    try {
      const runRead = await readSurvey(run.path, {
        ...sourceOptions(run),
        codebook: refRead.codebook,
        items: config.items ?? refRead.codebook.map((c) => c.id),
        weight: null,
        dontKnow: config.dontKnow,
        missingCodes: Array.isArray(ref.missing) ? ref.missing : undefined,
        attributes: attributeColumns(config, 'run'),
        signal: hooks.signal,
        maxMemoryBytes: memoryLimit(config),
      });
      lap(`read run ${run.name}`);
      for (const d of runRead.diagnostics) bag.add(d);
      runs.push(await evaluateRun(config, run, refData, refColumn, runRead, memo, bag, notes, (m, f) => progress(m, base + span * f), lap, hooks.signal, hooks.sequential === true));
    } catch (e) {
      // A run that cannot be read or scored is reported and left out; the other runs are still
      // evaluated. Only when no run can be scored does the evaluation fail.
      if (!(e instanceof InputError)) throw e;
      bag.add(e.diagnostic);
      notes.push(`Run ${run.name} was left out: ${e.message}`);
      runErrors.push(e);
    }
  }
  if (runs.length === 0 && runErrors.length) throw runErrors[0];

  if (Object.keys(config.groups).length) {
    notes.push('Subgroup scores are computed for respondent-level runs; their intervals resample the subgroup\'s run respondents.');
  }
  if (refData.weights) notes.push(`Reference distributions and correlations use the survey weight ${ref.weight ?? ''}`.trim() + '.');
  notes.push('Confidence intervals resample the run\'s respondents (the reference is treated as fixed): 2.5th and 97.5th percentiles as in arXiv 2601.15755. Resampling adds noise, which raises distances and lowers agreements, so a run near the noise floor can have an interval on one side of its estimate; `bootstrapMean` shows the shift.');
  progress('Done', 1);
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'representativeness-lens', version: TOOL_VERSION },
    createdAt: (hooks.now?.() ?? new Date()).toISOString(),
    settings: { seed: config.seed, bootstrap: config.bootstrap, polychoricBootstrap: polychoricReplicates(config), permutations: config.permutations, association: [...config.association], thresholds: { ...config.thresholds }, weight: refData.weights ? ref.weight ?? null : null },
    reference: { path: ref.path, respondents: refData.n, items: refRead.codebook.map((c) => c.id), weighted: refData.weights !== null },
    runs,
    diagnostics: bag.all(),
    notes: [...new Set(notes)],
  };
}

/** The config's memory limit for reading one file, in bytes (undefined: the reader's default). */
function memoryLimit(config: EvaluationConfig): number | undefined {
  return config.maxMemoryMB === undefined ? undefined : config.maxMemoryMB * 1e6;
}

/** Fingerprint of everything the reference's reading depends on. */
async function referenceIdentity(config: EvaluationConfig): Promise<string> {
  const ref = config.reference;
  return JSON.stringify({
    file: await fileFingerprint(ref.path),
    codebook: ref.codebook ? await fileFingerprint(ref.codebook) : null,
    items: config.items ?? null,
    weight: ref.weight ?? null,
    preset: ref.preset ?? null,
    dontKnow: config.dontKnow ?? null,
    missing: ref.missing ?? null,
    attributes: attributeColumns(config, 'reference') ?? null,
    source: sourceOptions(ref),
  });
}

async function evaluateRun(
  config: EvaluationConfig,
  run: RunConfig,
  refData: SurveyData,
  refColumn: Map<string, number>,
  runRead: ReadResult,
  memo: Memo,
  bag: DiagnosticBag,
  notes: string[],
  progress: (message: string, fraction: number) => void,
  lap: (stage: string) => void,
  signal: AbortSignal | undefined,
  sequential: boolean,
): Promise<RunReport> {
  const t = config.thresholds;
  // The run's own random stream: its numbers do not depend on the other runs in the report.
  const rng = new Prng(streamSeed(config.seed, STREAM.run, nameHash(run.name)));
  const runData = runRead.kind === 'respondents' ? runRead.data ?? null : null;
  const dist = runRead.kind === 'distribution' ? runRead.distribution ?? null : null;
  if (!runData && !dist) throw new InputError({ code: 'run.unreadable', message: `Run ${run.name} could not be read; see the diagnostics.`, file: run.path, line: 1, column: 1 });
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
  const refIdx = shared.map((id) => refColumn.get(id)!);
  const runIdx = shared.map((id) => runColumn.get(id)!);
  const key = refIdx.join(',');
  progress(`Counting the reference (${shared.length} items)`, 0.05);
  const refStats = await memo.getAsync(`stats:${key}`, () => computeSufficientStatsParallel(refData, { columns: refIdx }));
  lap('reference tables');
  const items = refStats.items;
  const runItems = runData ? runIdx.map((c) => runData.columns[c].item) : runIdx.map((c) => dist!.items[c]);
  for (const [k, id] of shared.entries()) {
    const a = items[k].codes.join(',');
    const b = runItems[k].codes.join(',');
    if (a !== b) {
      const loc = runRead.itemLocations[id];
      bag.add({ severity: 'warning', code: 'run.scale-differs', message: `Item ${id} has codes ${b} in run ${run.name} but ${a} in the reference; the run is read on the reference's scale and other answers count as invalid.`, file: run.path, line: loc?.line ?? 1, column: loc?.column ?? 1, item: id });
    }
  }
  progress(`Counting run ${run.name}`, 0.15);
  const runStats = runData ? await computeSufficientStatsParallel(runData, { columns: runIdx, weights: null }) : null;
  const counts = runData !== null || runRead.distributionValues === 'counts';
  let runWeights: RunItemWeights;
  let runInvalid: number[];
  if (runStats) {
    runWeights = runStats.itemWeights;
    runInvalid = runIdx.map((c) => runData!.columns[c].invalid);
  } else {
    // The population's distribution: the file's own rows without a group, else the sum over its groups.
    const whole = dist!.distributions.get('');
    if (!whole) notes.push(`Run ${run.name} gives only per-group distributions; its population distribution is their sum${counts ? '' : ' (shares: each group counts equally)'}.`);
    const pop = (id: string, k: number) => {
      if (whole?.has(id)) return Float64Array.from(whole.get(id)!);
      const out = new Float64Array(k);
      for (const [g, m] of dist!.distributions) if (g !== '') m.get(id)?.forEach((x, c) => (out[c] += x));
      return out;
    };
    runWeights = items.map((it) => pop(it.id, it.codes.length));
    runInvalid = items.map((it) => {
      const inv = dist!.invalidMass;
      if (!inv) return 0;
      if (whole) return inv.get('')?.get(it.id) ?? 0;
      let sum = 0;
      for (const [g, m] of inv) if (g !== '') sum += m.get(it.id) ?? 0;
      return sum;
    });
    if (!counts) notes.push(`Run ${run.name} gives shares without counts: no sample size, so no confidence intervals for it.`);
  }
  const runSize = runData ? runData.n : counts ? Math.round(Math.max(0, ...runWeights.map((w) => w.reduce((a, b) => a + b, 0)))) : 0;

  // Marginals, and the matrices of each association method for both sides.
  const marginal = marginalItems(refStats, runWeights, runInvalid);
  const observed = marginalHeadline(refStats, runWeights);
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
  const reps = { meanW1Normalized: new Float64Array(B), representativeness: new Float64Array(B), meanTvd: new Float64Array(B), meanJsDistance: new Float64Array(B) };
  const npairs = (items.length * (items.length - 1)) / 2;
  const tableB = runData && runStats ? Math.min(B, Math.floor(STRUCTURE_BOOTSTRAP_BUDGET / Math.max(1, npairs * runData.n))) : 0;
  if (runData && tableB < B) notes.push(`Structure intervals use ${tableB} bootstrap replicates (of ${B}) to bound the work for ${items.length} items x ${runData.n} respondents.`);
  // Polychoric fits every pair by maximum likelihood: fewer replicates keep it to seconds.
  const structureB = new Map([...refMatrices.keys()].map((m) => [m, m === 'polychoric' ? Math.min(tableB, polychoricReplicates(config)) : tableB]));
  const polyB = structureB.get('polychoric');
  if (polyB === 0 && tableB > 0) notes.push('The polychoric structure has no interval (polychoricBootstrap 0).');
  else if (polyB !== undefined && polyB < tableB) notes.push(`The polychoric structure interval uses ${polyB} bootstrap replicates.`);
  const agreeReps = new Map([...structureB].map(([m, n]) => [m, new Float64Array(n)]));
  const headline = (b: number, replicate: RunItemWeights) => {
    if (b % 10 === 0) {
      checkAborted(signal);
      progress(`Bootstrap (${b}/${B})`, 0.3 + (0.5 * b) / B);
    }
    const h = marginalHeadline(refStats, replicate);
    reps.meanW1Normalized[b] = h.meanW1Normalized ?? NaN;
    reps.representativeness[b] = h.representativeness ?? NaN;
    reps.meanTvd[b] = h.meanTvd ?? NaN;
    reps.meanJsDistance[b] = h.meanJsDistance ?? NaN;
  };
  // The observed matrices' comparisons (Mantel permutations, eigen-decompositions: a few hundred
  // milliseconds) are computed while the counting threads count the first bootstrap batches.
  const comparisons = new Map<AssociationChoice, ReturnType<typeof compareMatrices>>();
  const compareAll = () => {
    for (const method of refMatrices.keys()) {
      checkAborted(signal);
      comparisons.set(method, compareMatrices(refMatrices.get(method)!, runMatrices.get(method)!, { referenceN: refData.n, runN: runData!.n, permutations: config.permutations, seed: config.seed, fdr: t.fdr }));
    }
  };
  // Group-level structure (arXiv 2601.15755), from its own random stream: its slices run on this
  // thread while it would wait for the counting threads' bootstrap batches; the rest after.
  const groupSteps = config.groupBy
    ? groupStructureSteps({
        reference: refData,
        run: runData ? respondentGroups(runData, runIdx, config.groupBy.run) : distributionGroups(dist!, items, counts),
        referenceColumns: refIdx,
        items,
        referenceGroupColumn: config.groupBy.reference,
        runGroupColumn: config.groupBy.run,
        bootstrap: B,
        permutations: config.permutations,
        splits: GROUP_SPLITS,
        rng: new Prng(streamSeed(config.seed, STREAM.groupLevel, nameHash(run.name))),
        ceilingSeed: streamSeed(config.seed, STREAM.groupCeiling),
        memo,
        memoKey: `group:${config.seed}:${key}:${config.groupBy.reference}`,
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
    const overlap = !sequential;
    await respondentBootstrap({ data: runData, columns: runIdx, unweighted: runStats, replicates: B, tableReplicates: tableB, rng, reference: refMatrices, agreement: agreeReps, polychoricStart: runMatrices.get('polychoric'), each: headline, whileCounting: overlap ? compareAll : undefined, whileWaiting: overlap ? groupSlice : undefined });
  } else {
    for (let b = 0; b < B; b++) headline(b, runWeights.map((w) => multinomial(w, rng)));
  }
  lap(`run ${run.name}: bootstrap`);
  if (sequential && runData && runStats) compareAll();
  const withCi = (value: number | null, replicates: Float64Array): ValueWithCi => ({ value, ci: value === null || B === 0 ? null : intervalOf(replicates, B) });
  const summary: MarginalSummary = {
    meanW1Normalized: withCi(observed.meanW1Normalized, reps.meanW1Normalized),
    representativeness: withCi(observed.representativeness, reps.representativeness),
    meanTvd: withCi(observed.meanTvd, reps.meanTvd),
    meanJsDistance: withCi(observed.meanJsDistance, reps.meanJsDistance),
  };

  // Structure at the respondent level: every comparison, pair tests, weak pairs.
  const individual: Record<string, IndividualStructure> = {};
  const weakPairs: WeakPair[] = [];
  if (runData) {
    for (const method of refMatrices.keys()) {
      checkAborted(signal);
      const refM = refMatrices.get(method)!;
      const runM = runMatrices.get(method)!;
      const cmp = comparisons.get(method)!; // computed during the bootstrap, which every respondent-level run has
      const agreeN = structureB.get(method)!;
      const agreement: ValueWithCi = cmp.pearson === null || agreeN === 0 ? { value: cmp.pearson, ci: null } : { value: cmp.pearson, ci: intervalOf(agreeReps.get(method)!, agreeN) };
      const { difference, pairs } = pairDifferences(method, items, refM, runM, cmp.pairTests, t, weakPairs);
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
        pairs,
        order: memo.get(`order:${key}:${method}`, () => clusterOrder(refM.values)),
      };
    }
  }
  lap(`run ${run.name}: structure comparisons`);

  // Floors and ceilings: reference-only quantities, each from its own random stream, so they are
  // kept in the cache between evaluations and the same for every run with the same items.
  progress('Baselines: independent marginals, uniform random, human split-half', 0.85);
  const methodsKey = [...refMatrices.keys()].join(',');
  const baselineOf = async (name: Baseline['name'], description: string, s: SufficientStats): Promise<Baseline> => {
    const h = marginalHeadline(refStats, s.itemWeights);
    const structure: Baseline['structure'] = {};
    for (const [method, refM] of refMatrices) structure[method] = offDiagonalAgreement(refM, await matrixFor(s, method, undefined, true));
    return { name, description, marginal: { meanW1Normalized: h.meanW1Normalized, representativeness: h.representativeness, meanTvd: h.meanTvd }, structure };
  };
  // Baselines of the run's size; a shares-only run has none, so the reference's size is used.
  const runN = runSize || refData.n;
  const baselines: Baseline[] = [
    await memo.getAsync(`independent:${config.seed}:${key}:${runN}:${methodsKey}`, () => {
      const indep = independentColumnsSample(refData, refIdx, runN, new Prng(streamSeed(config.seed, STREAM.independentMarginals, runN)));
      const s = computeSufficientStats(indep, { weights: null, marginalsOnly: refMatrices.size === 0 });
      return baselineOf('independent-marginals', `${runN} synthetic respondents whose answers are drawn from the reference item by item, independently: the reference marginals with no structure (what a model that samples each item on its own achieves at best).`, s);
    }),
    await memo.getAsync(`uniform:${config.seed}:${key}:${runN}:${methodsKey}`, () => {
      const unif = uniformSample(items, runN, new Prng(streamSeed(config.seed, STREAM.uniformRandom, runN)));
      const s = computeSufficientStats(unif, { weights: null, marginalsOnly: refMatrices.size === 0 });
      return baselineOf('uniform-random', `${runN} respondents answering uniformly at random: no information.`, s);
    }),
    await memo.getAsync(`split-half:${config.seed}:${key}:${methodsKey}`, async () => {
      const perm = new Prng(streamSeed(config.seed, STREAM.splitHalf)).permutation(refData.n);
      const half = Math.floor(refData.n / 2);
      const statsA = await computeSufficientStatsParallel(refData, { columns: refIdx, rows: perm.subarray(0, half), marginalsOnly: refMatrices.size === 0 });
      // The other half as the whole minus the first: no second pass over the reference.
      const statsB = subtractSufficientStats(refMatrices.size === 0 ? withoutPairTables(refStats) : refStats, statsA);
      const hh = marginalHeadline(statsA, statsB.itemWeights);
      const split: Baseline['structure'] = {};
      for (const [method, refM] of refMatrices) split[method] = offDiagonalAgreement(await matrixFor(statsA, method, refM, true), await matrixFor(statsB, method, refM, true));
      return { name: 'human-split-half' as const, description: `Two random halves of the reference (${half} and ${refData.n - half} respondents) compared with each other: as good as another human sample.`, marginal: { meanW1Normalized: hh.meanW1Normalized, representativeness: hh.representativeness, meanTvd: hh.meanTvd }, structure: split };
    }),
  ];
  lap(`run ${run.name}: baselines`);

  // Group-level structure (arXiv 2601.15755).
  let group: RunReport['structure']['group'] = null;
  let groupUnavailable: string | undefined;
  if (groupSteps) {
    progress(`Group-level structure by ${config.groupBy!.reference}`, 0.88);
    while (groupSlice());
    group = groupDone!.value;
    if (!group) groupUnavailable = 'Group-level structure could not be computed; see the diagnostics.';
    lap(`run ${run.name}: group-level structure`);
  } else groupUnavailable = 'Set "groupBy" (the group column of the reference and of the run) to compare the structure across groups.';

  // Where items are named: the run file's header, the config, the codebook, the producing sources.
  progress('Locating weak items', 0.95);
  const locations = new Map<string, ItemLocation[]>();
  const addLoc = (id: string, loc: ItemLocation) => locations.set(id, [...(locations.get(id) ?? []), loc]);
  for (const id of shared) {
    const l = runRead.itemLocations[id];
    if (l) addLoc(id, { file: run.path, ...l });
  }
  const ids = new Set(shared);
  const scanFiles = [...run.producedBy];
  if (config.configPath) scanFiles.push(config.configPath);
  if (config.reference.codebook) scanFiles.push(config.reference.codebook);
  for (const file of scanFiles) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      bag.add({ severity: 'warning', code: 'run.producer-unreadable', message: `Run ${run.name} names ${file} as its producer, but it cannot be read: ${(e as Error).message}`, file });
      continue;
    }
    for (const [id, locs] of findItemLiterals(text, ids)) for (const l of locs) addLoc(id, { file, ...l });
  }

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
  weakPairs.sort((a, b) => Math.abs(b.difference ?? 0) - Math.abs(a.difference ?? 0));

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
    itemLocations,
  };
}

/**
 * Each pair's run-minus-reference difference (a full matrix, null where either is undefined) and its
 * row of the report (upper triangle, row by row, with its test); the weak pairs among them are
 * appended to `weakPairs`. A function of its own so that evaluateRun, called once an evaluation,
 * does not hold the loop over every pair (V8 compiled and deoptimised the whole of evaluateRun for it
 * on every re-evaluation).
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

/** Replicates of the polychoric structure interval asked for (at most `bootstrap`). */
function polychoricReplicates(config: EvaluationConfig): number {
  return Math.min(config.bootstrap, config.polychoricBootstrap ?? DEFAULTS.polychoricBootstrap);
}

/**
 * 95% percentile interval (2.5th and 97.5th percentiles, numpy's linear interpolation) of the
 * finite replicates, as arXiv 2601.15755 reports, with the replicates' mean: distances grow and
 * agreements shrink under resampling, so for a run near the noise floor the interval can lie on
 * one side of the estimate, and the mean shows by how much.
 */
function intervalOf(replicates: ArrayLike<number>, count: number): Interval {
  const finite = Array.from(replicates).filter(Number.isFinite);
  const r = bootstrapCI(0, finite, { confidence: 0.95, method: 'percentile' });
  return { low: r.low, high: r.high, confidence: 0.95, method: 'percentile', replicates: count, bootstrapMean: finite.length ? finite.reduce((x, y) => x + y, 0) / finite.length : null };
}

