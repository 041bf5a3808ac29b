/**
 * The evaluation a researcher runs: each model run against the human reference, marginals and
 * structure, with confidence intervals, floors and ceilings, weak items and pairs, and every input
 * problem. Pure engine: no editor, no DOM; the extension runs it in a worker, the CLI directly.
 * This file reads the inputs and assembles the report; `run.ts` evaluates one run.
 */
import { readFile } from 'node:fs/promises';
import { readSurvey, type ReadOptions, type ReadResult } from '../read';
import { parseCodebook, type ItemCodebook } from '../read/codebook';
import { parseFilter } from '../read/groups';
import { DiagnosticBag, InputError } from '../report/diagnostics';
import { REPORT_SCHEMA_VERSION, type EvaluationReport, type RunReport } from '../report/model';
import { fileFingerprint, ReferenceCache, type Memo } from './cache';
import { checkAborted } from './cancel';
import type { EvaluationConfig, ReferenceConfig, RunConfig } from './config';
import { prestartCountingThreads, readPartOnWorker } from '../parallel';
import { polychoricReplicates } from './intervals';
import { culturalMapReadColumns } from './latent';
import { evaluateRun } from './run';

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

export async function evaluate(config: EvaluationConfig, hooks: EvaluateHooks = {}): Promise<EvaluationReport> {
  const progress = hooks.onProgress ?? (() => {});
  const bag = new DiagnosticBag();
  const notes: string[] = [];
  const ref = config.reference;
  const lap = stageClock(hooks.onStage);
  // The counting threads start up on the other cores while this one reads the reference.
  prestartCountingThreads();

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
    optionalAttributes: culturalMapReadColumns(config),
    signal: hooks.signal,
    maxMemoryBytes: memoryLimit(config),
    // A large CSV's second half on a counting thread (idle until the reference is counted).
    partReader: (job) => readPartOnWorker(job),
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
        optionalAttributes: culturalMapReadColumns(config),
        signal: hooks.signal,
        maxMemoryBytes: memoryLimit(config),
      });
      lap(`read run ${run.name}`);
      for (const d of runRead.diagnostics) bag.add(d);
      runs.push(await evaluateRun({ config, refData, refColumn, memo, bag, notes, progress: (m, f) => progress(m, base + span * f), lap, signal: hooks.signal, sequential: hooks.sequential === true }, run, runRead));
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
  // An SPSS file's own weight (WEIGHT BY) is named too; other reports are unchanged.
  const weightName = ref.weight ?? refRead.fileWeight;
  if (refData.weights) notes.push(`Reference distributions and correlations use the survey weight ${weightName ?? ''}`.trim() + (refRead.fileWeight && !ref.weight ? ' (declared in the SPSS file)' : '') + '.');
  notes.push('Headlines estimate the run population\'s value (the reference treated as fixed): the bias-corrected estimate 2 x sample - bootstrap mean with the basic bootstrap interval [2 x sample - q97.5, 2 x sample - q2.5] over the run\'s respondents, clamped to the measure\'s range. The sample estimate and the percentile interval of arXiv 2601.15755 are kept as `sample` and `percentile` (resampling adds noise, so that interval can lie on one side of its estimate).');
  notes.push('Answers without a valid code (matching no option, empty, or a missing code) count against the run: each item\'s distance is (1 - s) x distance + s with s its share of such answers, an item without valid answers counts at distance 1, and structure agreement is multiplied by the share of usable answer pairs. The valid-answers-only numbers are under `validOnly` and `agreementValidOnly`.');
  progress('Done', 1);
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'representativeness-lens', version: TOOL_VERSION },
    createdAt: (hooks.now?.() ?? new Date()).toISOString(),
    settings: { seed: config.seed, bootstrap: config.bootstrap, polychoricBootstrap: polychoricReplicates(config), permutations: config.permutations, association: [...config.association], thresholds: { ...config.thresholds }, weight: refData.weights ? weightName ?? null : null, groupLevelNominal: [...(config.groupLevelNominal ?? [])] },
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
    optionalAttributes: culturalMapReadColumns(config),
    source: sourceOptions(ref),
  });
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
