/**
 * Contingency tables on several cores: the same counting as `computeSufficientStats`, with the
 * pair tables' work units (pairs of item blocks, see `countPairTables`) dealt round-robin to the
 * calling thread and `threads - 1` worker threads. The answers of the selected rows and the output
 * tables live in SharedArrayBuffers, so nothing is copied and nothing is merged: every unit writes
 * its own pairs. Each table is counted in the same order as single-threaded, so the result is
 * identical to `computeSufficientStats` bit for bit, weighted or not.
 *
 * Workers are started once per process and reused (a bootstrap asks for hundreds of tables); they
 * do not keep the process alive while idle. Usable from the CLI and from the extension's own
 * evaluation worker (nested workers are allowed in Node).
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { SurveyData } from '../read/dataset';
import { globalThresholds, itemThresholds, polychoricMatrix, type PolychoricMatrix, type PolychoricOptions } from '../stats/polychoric';
import { polychoricRhoAt } from '../stats/polychoric-fit';
import { upperTriangleOf } from '../stats/group-structure';
import { BATCH_LANES, MAX_BATCH_LANES, batchCountingAvailable, countItemWeightsBatch, countPairCorrelationsBatch, countPairTablesBatch, itemViews, newCodesId, packMultiplicities, type BatchCountingInput, type CorrelationTargets } from './batch-count';
import { allocateSufficientStats, type SufficientStats, type SufficientStatsOptions } from '../count/tables';
import { bootstrapColumns, bootstrapReplicateStats, prepareBootstrapReplicate } from '../count/bootstrap-tables';
import { countItems, gatherCountingInput } from '../count/counting-input';
import { countPairTables, planBlocks } from '../count/pair-tables';
import { ItemWeightCounter } from '../count/item-counts';
import { deriveBatch } from './derive';
import type { BatchDerive, CountReply, WorkerRequest } from './protocol';
import type { PartJob, PartRows } from '../read/part';

export interface ParallelOptions {
  /**
   * Threads that count, the calling thread included (default: the machine's available
   * parallelism, at most 8). 1 counts in the calling thread only.
   */
  workers?: number;
  /** Path of the bundled worker script (default `sufficient-worker.js` beside the running bundle). */
  workerScript?: string;
}

/** Below this many (row x pair) increments a thread hand-off costs more than it saves (~1 ms). */
const MIN_PARALLEL_WORK = 2e6;

interface PoolWorker {
  worker: Worker;
  pending: Map<number, { resolve: (part?: PartRows) => void; reject: (e: Error) => void }>;
}

const pools = new Map<string, PoolWorker[]>();
let nextId = 1;

function defaultScript(): string {
  return path.join(__dirname, 'sufficient-worker.js');
}

function poolFor(script: string, size: number): PoolWorker[] {
  let pool = pools.get(script);
  if (!pool) {
    pool = [];
    pools.set(script, pool);
  }
  while (pool.length < size) {
    const worker = new Worker(script);
    const entry: PoolWorker = { worker, pending: new Map() };
    worker.on('message', (reply: CountReply) => {
      const p = entry.pending.get(reply.id);
      if (!p) return;
      entry.pending.delete(reply.id);
      if (entry.pending.size === 0) worker.unref();
      if (reply.ok) p.resolve(reply.part);
      else p.reject(new Error(`Counting worker failed: ${reply.message}`));
    });
    worker.on('error', (e) => {
      for (const p of entry.pending.values()) p.reject(e);
      entry.pending.clear();
      const list = pools.get(script);
      if (list) list.splice(list.indexOf(entry), 1);
    });
    worker.unref();
    pool.push(entry);
  }
  return pool;
}

type Unsent<T> = T extends unknown ? Omit<T, 'id'> : never;

function run(entry: PoolWorker, request: Unsent<WorkerRequest>): Promise<void> {
  const id = nextId++;
  return new Promise<void>((resolve, reject) => {
    entry.pending.set(id, { resolve: () => resolve(), reject });
    entry.worker.ref();
    entry.worker.postMessage({ ...request, id } as WorkerRequest);
  });
}

/**
 * Reads a later part of a delimited file on a counting thread (`ReadOptions.partReader`, see
 * src/core/read/split.ts); null when there is no other core or no worker script. The last thread of
 * the pool takes it: the first is the one a counting call hands its first unit to.
 */
export function readPartOnWorker(job: PartJob, parallel: ParallelOptions = {}): Promise<PartRows> | null {
  const threads = Math.max(1, Math.floor(parallel.workers ?? Math.min(8, availableParallelism())));
  const script = parallel.workerScript ?? defaultScript();
  if (threads < 2 || !existsSync(script)) return null;
  const pool = poolFor(script, threads);
  const entry = pool[pool.length - 1];
  const id = nextId++;
  return new Promise<PartRows>((resolve, reject) => {
    entry.pending.set(id, { resolve: (part) => (part ? resolve(part) : reject(new Error('The reading thread returned no rows.'))), reject });
    entry.worker.ref();
    entry.worker.postMessage({ kind: 'read-part', job, id } satisfies WorkerRequest);
  });
}

/** `count` requests, `request(t)` to worker t of the script's pool (started as needed). */
function onWorkers(script: string, count: number, request: (t: number) => Unsent<WorkerRequest>): Promise<void>[] {
  return poolFor(script, count)
    .slice(0, count)
    .map((entry, t) => run(entry, request(t)));
}

/**
 * `computeSufficientStats(data, options)` computed on `parallel.workers` threads; same result,
 * exactly. Falls back to the calling thread alone when the work is small or the worker script is
 * not there (e.g. an unbundled run).
 */
export async function computeSufficientStatsParallel(
  data: SurveyData,
  options: SufficientStatsOptions = {},
  parallel: ParallelOptions = {},
): Promise<SufficientStats> {
  const threads = Math.max(1, Math.floor(parallel.workers ?? Math.min(8, availableParallelism())));
  const { input, items, rowWeights } = gatherCountingInput(data, options, threads > 1);
  const marginalsOnly = options.marginalsOnly === true;
  const m = items.length;
  const work = (input.n * m * (m - 1)) / 2;
  const script = parallel.workerScript ?? defaultScript();
  const useWorkers = threads > 1 && !marginalsOnly && work >= MIN_PARALLEL_WORK && existsSync(script);
  const stats = allocateSufficientStats(items, rowWeights !== null, marginalsOnly, useWorkers);
  stats.rows = input.n;
  if (marginalsOnly) {
    countItems(stats, input, rowWeights);
    return stats;
  }
  if (!useWorkers) {
    countItems(stats, input, rowWeights);
    countPairTables(input, stats.pairOffset, stats.pairWeights, stats.pairCounts, 0, 1);
    return stats;
  }
  // Unweighted and fewer than 65,536 rows (a run): the bootstrap's kernel with one replicate of
  // multiplicity 1, three pairs a pass over the rows (its counts are the tables exactly); otherwise
  // the general counter's work units. The calling thread takes unit share 0 and the item counts
  // while the workers count theirs.
  const ones = rowWeights === null && batchCountingAvailable() ? packMultiplicities([new Float64Array(input.n).fill(1)], input.n, true) : null;
  const batch: BatchCountingInput | null = ones ? { codes: input, codesId: newCodesId(), mult: ones, lanes: 1 } : null;
  const step = batch ? threads : Math.min(threads, planBlocks(input.k).units);
  const jobs = onWorkers(script, step - 1, (t): Unsent<WorkerRequest> =>
    batch
      ? { kind: 'batch', input: batch, pairOffset: stats.pairOffset, outputs: [stats.pairCounts], start: t + 1, step }
      : { kind: 'tables', input, pairOffset: stats.pairOffset, pairWeights: stats.pairWeights, pairCounts: stats.pairCounts, start: t + 1, step },
  );
  try {
    countItems(stats, input, rowWeights);
    if (batch) countPairTablesBatch(batch, stats.pairOffset, [stats.pairCounts], 0, step);
    else countPairTables(input, stats.pairOffset, stats.pairWeights, stats.pairCounts, 0, step);
  } finally {
    await Promise.allSettled(jobs);
  }
  await Promise.all(jobs);
  return stats;
}

/** Shared copies of arrays that were not allocated shared (one copy per array). */
const sharedCopies = new WeakMap<Float64Array, Float64Array>();

/** `a` in shared memory, for worker threads to read: itself if it is there, else a copy made once. */
export function sharedView(a: Float64Array): Float64Array {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  let copy = sharedCopies.get(a);
  if (!copy) {
    copy = new Float64Array(new SharedArrayBuffer(a.byteLength));
    copy.set(a);
    sharedCopies.set(a, copy);
  }
  return copy;
}

/**
 * `computeBootstrapSufficientStats(unweighted, data, options)` counted by worker threads only (the
 * same numbers exactly, integers): the multiplicities are read before this returns, so the caller
 * may draw the next replicate into the same buffer, and the calling thread is free until the
 * promise resolves, e.g. to derive the previous replicate's matrices while this one is counted (a
 * bootstrap pipelined over the cores). Counted in the calling thread when workers are not worth it.
 * Pass `unweighted` from `computeSufficientStatsParallel` so its tables are already shared;
 * otherwise they are copied to shared memory once per table set.
 */
export function startBootstrapSufficientStats(
  unweighted: SufficientStats,
  data: SurveyData,
  options: { columns?: readonly number[]; multiplicities: Float64Array },
  parallel: ParallelOptions = {},
): Promise<SufficientStats> {
  const threads = Math.max(1, Math.floor(parallel.workers ?? Math.min(8, availableParallelism())));
  const script = parallel.workerScript ?? defaultScript();
  const m = unweighted.items.length;
  const useWorkers = threads > 1 && (data.n * m * (m - 1)) / 2 >= MIN_PARALLEL_WORK && existsSync(script);
  const base = useWorkers ? { ...unweighted, pairCounts: sharedView(unweighted.pairCounts) } : unweighted;
  const { stats, input } = prepareBootstrapReplicate(base, data, options, useWorkers);
  stats.pairCounts = unweighted.pairCounts;
  if (stats.pairWeights.length === 0) return Promise.resolve(stats);
  if (!useWorkers) {
    countPairTables(input, stats.pairOffset, stats.pairWeights, stats.pairCounts, 0, 1);
    return Promise.resolve(stats);
  }
  const step = Math.min(threads, planBlocks(input.k).units);
  return Promise.all(onWorkers(script, step, (t) => ({ kind: 'tables', input, pairOffset: stats.pairOffset, pairWeights: stats.pairWeights, pairCounts: base.pairCounts, start: t, step }))).then(() => stats);
}

/** What a batch of bootstrap replicates is counted with, after checking its inputs. */
function batchSetup(unweighted: SufficientStats, data: SurveyData, options: { columns?: readonly number[]; multiplicities: readonly Float64Array[] }, parallel: ParallelOptions, name: string) {
  const mults = options.multiplicities;
  const colIdx = bootstrapColumns(unweighted, data, options.columns);
  for (const mu of mults) if (mu.length !== data.n) throw new RangeError(`${name}: ${mu.length} multiplicities for ${data.n} rows`);
  const m = unweighted.items.length;
  return {
    mults,
    colIdx,
    threads: Math.max(1, Math.floor(parallel.workers ?? Math.min(8, availableParallelism()))),
    script: parallel.workerScript ?? defaultScript(),
    npairs: (m * (m - 1)) / 2,
  };
}

/** Every row's answers of a bootstrap's columns, gathered once per base statistics (shared memory). */
const batchCodes = new WeakMap<SufficientStats, { codes: BatchCountingInput['codes']; id: number }>();

function codesOf(unweighted: SufficientStats, data: SurveyData, colIdx: readonly number[]): { codes: BatchCountingInput['codes']; id: number } {
  let gathered = batchCodes.get(unweighted);
  if (!gathered) {
    gathered = { codes: gatherCountingInput(data, { columns: colIdx, weights: null }, true).input, id: newCodesId() };
    batchCodes.set(unweighted, gathered);
  }
  return gathered;
}

/**
 * The item weights of bootstrap replicates without pair tables (`itemWeights` of
 * `computeSufficientStats(data, { columns, weights: multiplicities[l], marginalsOnly: true })`,
 * exactly): up to `MAX_BATCH_LANES` replicates in one kernel pass per item, in the calling thread;
 * replicate by replicate when the kernel cannot count the batch exactly.
 */
export function bootstrapItemWeights(unweighted: SufficientStats, data: SurveyData, options: { columns?: readonly number[]; multiplicities: readonly Float64Array[] }): Float64Array[][] {
  const { mults, colIdx } = batchSetup(unweighted, data, options, {}, 'bootstrapItemWeights');
  const packed = batchCountingAvailable() ? packMultiplicities(mults, data.n, false, MAX_BATCH_LANES) : null;
  if (!packed) {
    const counter = new ItemWeightCounter(data, colIdx);
    return mults.map((mu) => counter.count(mu));
  }
  const gathered = codesOf(unweighted, data, colIdx);
  return countItemWeightsBatch({ codes: gathered.codes, codesId: gathered.id, mult: packed, lanes: mults.length }).weights;
}

/**
 * `startBootstrapSufficientStats` for up to `BATCH_LANES` replicates at once (their multiplicities
 * in `options.multiplicities`, drawn in order by the caller): the same statistics exactly, counted
 * by the batch kernel (src/core/parallel/batch-count.ts) in one pass over the rows for all of them, on worker
 * threads when that pays. The multiplicities are read before this returns. `into[l]`, when given, is
 * filled as replicate l's weighted tables (a shared buffer of the right length; the caller must not
 * read it until the promise resolves), so a bootstrap can reuse buffers instead of allocating them.
 * Batches the kernel cannot count exactly (see `packMultiplicities`), and runtimes without
 * WebAssembly SIMD, are counted one replicate at a time.
 */
export async function startBootstrapBatch(
  unweighted: SufficientStats,
  data: SurveyData,
  options: {
    columns?: readonly number[];
    multiplicities: readonly Float64Array[];
    into?: readonly Float64Array[];
    /**
     * Also each replicate's Pearson / Spearman upper triangle (`associationValues`), computed by
     * the threads that count the tables, into `values[method][replicate]` (length: pairs).
     */
    derive?: { methods: ('pearson' | 'spearman')[]; values: readonly (readonly Float64Array[])[] };
  },
  parallel: ParallelOptions = {},
): Promise<SufficientStats[]> {
  const { mults, colIdx, threads, script, npairs } = batchSetup(unweighted, data, options, parallel, 'startBootstrapBatch');
  const useWorkers = threads > 1 && data.n * npairs >= MIN_PARALLEL_WORK && existsSync(script);
  const packed = batchCountingAvailable() && mults.length <= BATCH_LANES ? packMultiplicities(mults, data.n, useWorkers) : null;
  if (!packed) {
    const copies = mults.map((mu) => Float64Array.from(mu)); // read now, as promised
    const out: SufficientStats[] = [];
    for (const [l, mu] of copies.entries()) {
      const s = await startBootstrapSufficientStats(unweighted, data, { columns: colIdx, multiplicities: mu }, parallel);
      const into = options.into?.[l];
      if (into) {
        into.set(s.pairWeights);
        s.pairWeights = into;
      }
      out.push(s);
    }
    if (options.derive) deriveBatch(deriveRequest(options.derive, unweighted, false), unweighted.pairOffset, out.map((s) => s.pairWeights), null);
    return out;
  }
  const gathered = codesOf(unweighted, data, colIdx);
  const input: BatchCountingInput = { codes: gathered.codes, codesId: gathered.id, mult: packed, lanes: mults.length };
  const items = countItemWeightsBatch(input);
  const size = unweighted.pairCounts.length;
  const stats = mults.map((_, l) => {
    const into = options.into?.[l];
    if (into && into.length !== size) throw new RangeError(`startBootstrapBatch: output buffer of ${into.length} cells for ${size}`);
    const pairWeights = into ?? (useWorkers ? new Float64Array(new SharedArrayBuffer(8 * size)) : new Float64Array(size));
    return bootstrapReplicateStats(unweighted, items.weights[l], items.weightSq[l], pairWeights);
  });
  if (npairs === 0) return stats;
  const outputs = stats.map((s) => s.pairWeights);
  const inWorkers = useWorkers && [...outputs, ...(options.derive?.values.flat() ?? [])].every((o) => o.buffer instanceof SharedArrayBuffer);
  const derive = options.derive ? deriveRequest(options.derive, unweighted, inWorkers) : undefined;
  if (!inWorkers) {
    countPairTablesBatch(input, unweighted.pairOffset, outputs, 0, 1);
    if (derive) deriveBatch(derive, unweighted.pairOffset, outputs, null);
    return stats;
  }
  const step = Math.min(threads, npairs);
  await Promise.all(onWorkers(script, step, (t) => ({ kind: 'batch', input, pairOffset: unweighted.pairOffset, outputs, start: t, step, derive })));
  return stats;
}

/**
 * The bootstrap of correlation agreement, without tables: for up to `MAX_BATCH_LANES` replicates
 * (one kernel pass a triple or pair of items), their item weights (returned, per replicate) and
 * their Pearson / Spearman upper triangles (into
 * `values[method][replicate]`, shared buffers of one entry a pair), the same numbers as
 * `associationValues` of `startBootstrapBatch`'s tables. The replicates' tables are never stored:
 * each pair's go from the kernel to its correlations. The multiplicities are read before this
 * returns. Batches the kernel cannot count exactly go through `startBootstrapBatch`.
 */
export async function startBootstrapCorrelations(
  unweighted: SufficientStats,
  data: SurveyData,
  options: {
    columns?: readonly number[];
    multiplicities: readonly Float64Array[];
    methods: ('pearson' | 'spearman')[];
    values: readonly (readonly Float64Array[])[];
    /**
     * Also the unsmoothed polychoric rho of the first `lanes` replicates (`polychoricRhoAt`, global
     * thresholds from each replicate's answers) into `values[replicate]`, each pair's fit started at
     * `start` (e.g. the full sample's matrix; NaN: 0).
     */
    polychoric?: { lanes: number; values: readonly Float64Array[]; start: Float64Array };
  },
  parallel: ParallelOptions = {},
): Promise<Float64Array[][]> {
  const { mults, colIdx, threads, script, npairs } = batchSetup(unweighted, data, options, parallel, 'startBootstrapCorrelations');
  const poly = options.polychoric;
  const outputs = [...options.values.flat(), ...(poly ? [...poly.values, poly.start] : [])];
  const useWorkers = threads > 1 && data.n * npairs >= MIN_PARALLEL_WORK && existsSync(script) && outputs.every((v) => v.buffer instanceof SharedArrayBuffer);
  const packed = batchCountingAvailable() ? packMultiplicities(mults, data.n, useWorkers, MAX_BATCH_LANES) : null;
  if (!packed) {
    const stats = await startBootstrapBatch(unweighted, data, { columns: colIdx, multiplicities: mults, derive: { methods: options.methods, values: options.values } }, parallel);
    if (poly) stats.slice(0, poly.lanes).forEach((s, l) => polychoricUpper(s, s.itemWeights, poly.start, poly.values[l]));
    return stats.map((s) => s.itemWeights);
  }
  const gathered = codesOf(unweighted, data, colIdx);
  const input: BatchCountingInput = { codes: gathered.codes, codesId: gathered.id, mult: packed, lanes: mults.length };
  const targets: CorrelationTargets = { methods: options.methods, values: options.values.map((v) => [...v]), items: unweighted.items, pairCounts: useWorkers ? sharedView(unweighted.pairCounts) : unweighted.pairCounts };
  // The item weights: the polychoric fits need them first (their thresholds), so they are counted
  // here then; otherwise the counting threads take them from the tables they count anyway.
  let weights: Float64Array[][] | null = null;
  if (poly || npairs === 0) weights = countItemWeightsBatch(input).weights;
  if (poly) {
    const lanes = Math.min(poly.lanes, mults.length);
    const each = weights!.slice(0, lanes).map(itemThresholds);
    targets.polychoric = { lanes, values: [...poly.values], start: poly.start, thresholds: each.map((e) => e.thresholds), constant: each.map((e) => e.constant) };
  }
  const views = weights ? null : itemViews(unweighted.k, mults.length, useWorkers);
  if (views) targets.itemWeights = views.buffer;
  if (npairs > 0) {
    if (!useWorkers) countPairCorrelationsBatch(input, unweighted.pairOffset, targets, 0, 1);
    else {
      const step = Math.min(threads, npairs);
      await Promise.all(onWorkers(script, step, (t) => ({ kind: 'correlations', input, pairOffset: unweighted.pairOffset, targets, start: t, step })));
    }
  }
  return weights ?? views!.map((v) => v.items);
}

/** Below this many pairs a polychoric matrix is fitted on the calling thread (a hand-off costs ~1 ms). */
const MIN_PARALLEL_PAIRS = 500;

/**
 * `polychoricMatrix(stats, options)` with the global-threshold fits dealt round-robin to the counting
 * threads (`globalFitsAt`, each pair the same computation wherever it runs, so the same matrix
 * exactly); other modes, small matrices, or no worker script: on the calling thread.
 */
export async function polychoricMatrixParallel(stats: SufficientStats, options: PolychoricOptions = {}, parallel: ParallelOptions = {}): Promise<PolychoricMatrix> {
  const m = stats.items.length;
  const npairs = (m * (m - 1)) / 2;
  const threads = Math.max(1, Math.floor(parallel.workers ?? Math.min(8, availableParallelism())));
  const script = parallel.workerScript ?? defaultScript();
  if ((options.thresholds ?? 'global') !== 'global' || threads < 2 || npairs < MIN_PARALLEL_PAIRS || !existsSync(script)) return polychoricMatrix(stats, options);
  const shared = () => new Float64Array(new SharedArrayBuffer(8 * npairs));
  const out = { rho: shared(), se: shared() };
  const target = { items: stats.items, k: stats.k, pairOffset: stats.pairOffset, pairWeights: sharedView(stats.pairWeights), pairCounts: sharedView(stats.pairCounts), weighted: stats.weighted, itemWeights: stats.itemWeights };
  const thresholds = globalThresholds(stats, options);
  const start = options.start ? sharedView(upperTriangleOf(options.start)) : null;
  const wantSe = options.standardErrors !== false;
  const step = Math.min(threads, npairs);
  await Promise.all(onWorkers(script, step, (t) => ({ kind: 'polychoric', stats: target, thresholds, start, wantSe, out, start0: t, step })));
  return polychoricMatrix(stats, options, out);
}

/** A replicate's unsmoothed polychoric upper triangle from its tables (`polychoricRhoAt`). */
function polychoricUpper(stats: SufficientStats, itemWeights: Float64Array[], start: Float64Array, out: Float64Array): void {
  const m = stats.items.length;
  const { thresholds, constant } = itemThresholds(itemWeights);
  for (let i = 0, p = 0; i < m; i++) {
    for (let j = i + 1; j < m; j++, p++) {
      const nominal = stats.items[i].type === 'nominal' || stats.items[j].type === 'nominal';
      out[p] = nominal ? NaN : polychoricRhoAt(stats.pairWeights, stats.pairOffset[p], stats.k[i], stats.k[j], thresholds[i], thresholds[j], constant[i], constant[j], start[p]);
    }
  }
}

function deriveRequest(derive: { methods: ('pearson' | 'spearman')[]; values: readonly (readonly Float64Array[])[] }, unweighted: SufficientStats, shared: boolean): BatchDerive {
  return { methods: derive.methods, values: derive.values.map((v) => [...v]), items: unweighted.items, k: unweighted.k, pairCounts: shared ? sharedView(unweighted.pairCounts) : unweighted.pairCounts };
}

/**
 * Starts the counting threads now (the pool the next counting call would start), so that their
 * start-up (loading the worker bundle, compiling its kernels: 50-350 ms a thread on the bench
 * machine) runs on the other cores while this thread reads the reference. Nothing when there is
 * one core or no worker script; the threads are unref'd, so they never keep the process alive.
 */
export function prestartCountingThreads(parallel: ParallelOptions = {}): void {
  const threads = Math.max(1, Math.floor(parallel.workers ?? Math.min(8, availableParallelism())));
  const script = parallel.workerScript ?? defaultScript();
  if (threads > 1 && existsSync(script)) poolFor(script, threads);
}

/** Stops the counting workers (they are idle-unref'd anyway; for tests and orderly shutdowns). */
export async function closeSufficientWorkers(): Promise<void> {
  const all = [...pools.values()].flat();
  pools.clear();
  await Promise.all(all.map((e) => e.worker.terminate()));
}
