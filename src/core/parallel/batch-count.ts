/// <reference path="../count/kernels/wat.d.ts" />
/**
 * Bootstrap pair tables of up to 64 replicates in one pass over the rows.
 *
 * A replicate's table of a pair is sum over rows of m_r e_{a_r b_r} (the row's multiplicity added to
 * the cell of its two answers). The replicates of a batch share every row's cell, so the WebAssembly
 * kernel (wasm/batch-count.wat) adds the row's eight multiplicities to the cell's eight counts with
 * one 128-bit addition, and with 32 or 64 replicates finds the cell once for four or eight such
 * additions.
 * JavaScript has no SIMD; counting replicate by replicate costs a scalar increment per row and
 * replicate (measured in bench/bootstrap.ts, which times both).
 *
 * The counts are integers, so the tables are those of `computeBootstrapSufficientStats` exactly. The
 * kernel's uint16 lanes are exact while each replicate's multiplicities are below 256 and sum to
 * less than 65,536 (`packMultiplicities` refuses other batches; callers then count one replicate at
 * a time). Without WebAssembly SIMD (`batchCountingAvailable`), the same fallback applies.
 */
import kernelBytes from './kernels/batch-count.wat';
import { align, instantiate, reserve, type KernelMemory } from '../count/kernels/instance';
import { codeOffsets, type ItemCodebook } from '../read/codebook';
import { completeRows, PairCorrelations } from '../stats/association';
import { exactCodeBase } from '../stats/correlation';
import { kernelCutsOf, polychoricRhoAt } from '../stats/polychoric-fit';
import { pairIndex } from '../count/tables';
import type { CountingInput } from '../count/counting-input';
import { tripleCover } from './triple-cover';
import type { FlatGroupWeights } from '../stats/group-structure';

/** Replicates one 128-bit vector counts (uint16 lanes). */
export const BATCH_LANES = 8;

/**
 * Vectors of replicates a kernel pass can count: with four, a row's cell is found once for 32
 * replicates (pairBatch8x4), which halves the time a replicate's tables take (bench/bootstrap.ts);
 * with eight (64 replicates, pairBatch8x8) a replicate's share of a row costs about a quarter less
 * again (see wasm/batch-count.wat). Batches of 9 to 32 replicates take four.
 */
export const MAX_BATCH_VECTORS = 8;

/** Replicates one kernel pass can count at most (64). */
export const MAX_BATCH_LANES = BATCH_LANES * MAX_BATCH_VECTORS;

interface Kernel {
  memory: KernelMemory;
  pairBatch8(a: number, b: number, n: number, stride: number, mult: number, t: number, cells: number): void;
  pairBatch8x4(a: number, b: number, n: number, stride: number, mult: number, t: number, cells: number): void;
  pairBatch8x8(a: number, b: number, n: number, stride: number, mult: number, t: number, cells: number): void;
  tripleBatch8(a: number, b: number, c: number, n: number, sa: number, sb: number, mult: number, t: number, cells: number): void;
  tripleBatch8x4(a: number, b: number, c: number, n: number, sa: number, sb: number, mult: number, t: number, cells: number): void;
  tripleBatch8x8(a: number, b: number, c: number, n: number, sa: number, sb: number, mult: number, t: number, cells: number): void;
  blockSum(src: number, dst: number, outer: number, count: number, inner: number): void;
  pairCorrelations(t: number, width: number, lanes: number, ki: number, kj: number, stride: number, xv: number, yv: number, outP: number, s: number): void;
  pairCorrelationsExact(t: number, width: number, lanes: number, ki: number, kj: number, stride: number, xs: number, ys: number, outP: number, outS: number, s: number): void;
}

/** The kernel pass for `vectors` vectors of eight replicates a row (1, 4 or 8). */
function passOf(kern: Kernel, vectors: number): Kernel['pairBatch8'] {
  if (vectors === 1) return kern.pairBatch8;
  if (vectors === 4) return kern.pairBatch8x4;
  if (vectors === 8) return kern.pairBatch8x8;
  throw new RangeError(`batch counting: ${vectors} vectors of replicates a row (1, 4 or 8)`);
}

/** The triple pass for `vectors` vectors of eight replicates a row (1, 4 or 8). */
function triplePassOf(kern: Kernel, vectors: number): Kernel['tripleBatch8'] {
  if (vectors === 1) return kern.tripleBatch8;
  if (vectors === 4) return kern.tripleBatch8x4;
  if (vectors === 8) return kern.tripleBatch8x8;
  throw new RangeError(`batch counting: ${vectors} vectors of replicates a row (1, 4 or 8)`);
}

/** Vectors of eight replicates a row that a batch of `lanes` replicates is packed into. */
export function vectorsFor(lanes: number): number {
  return lanes <= BATCH_LANES ? 1 : lanes <= 4 * BATCH_LANES ? 4 : 8;
}

let kernel: Kernel | null | undefined;

/** The thread's kernel instance (compiled once per thread), or null where WebAssembly SIMD is missing. */
function getKernel(): Kernel | null {
  if (kernel === undefined) kernel = instantiate<Kernel>(kernelBytes);
  return kernel;
}

export function batchCountingAvailable(): boolean {
  return getKernel() !== null;
}

/**
 * @internal The answers of all rows (`CountingInput` without weights) and a batch's multiplicities as
 * the kernel reads them. `codesId` names the answers: a worker copies them into its kernel's memory
 * once per id, not once per batch.
 */
export interface BatchCountingInput {
  codes: Pick<CountingInput, 'n' | 'k' | 'slots'>;
  codesId: number;
  /** n x 8v bytes (v = `vectorsFor(lanes)`): replicate l's multiplicity of row r at byte 8vr + l. */
  mult: Uint8Array;
  lanes: number;
}

/**
 * The batch's multiplicities interleaved for the kernel (`vectorsFor(mults.length)` x 8 bytes a
 * row, unused lanes zero), or null when a multiplicity is not an integer in 0..255, a replicate's
 * total reaches 65,536 (a cell could overflow its uint16 lane), or there are more than `maxLanes`
 * replicates (at most MAX_BATCH_LANES).
 */
export function packMultiplicities(mults: readonly Float64Array[], n: number, shared: boolean, maxLanes = BATCH_LANES): Uint8Array | null {
  if (mults.length === 0 || mults.length > Math.min(maxLanes, MAX_BATCH_LANES)) return null;
  const width = BATCH_LANES * vectorsFor(mults.length);
  const out = new Uint8Array(shared ? new SharedArrayBuffer(width * n) : new ArrayBuffer(width * n));
  for (let l = 0; l < mults.length; l++) {
    const m = mults[l];
    if (m.length !== n) throw new RangeError(`packMultiplicities: ${m.length} multiplicities for ${n} rows`);
    let total = 0;
    for (let r = 0; r < n; r++) {
      const x = m[r];
      if (!(Number.isInteger(x) && x >= 0 && x < 256)) return null;
      total += x;
      out[r * width + l] = x;
    }
    if (total >= 65536) return null;
  }
  return out;
}

/** Answers already in this thread's kernel memory. */
let loadedCodes = -1;
let nextCodesId = 1;

/** A fresh `codesId` for a newly gathered set of answers. */
export function newCodesId(): number {
  return nextCodesId++;
}

interface Layout {
  zerosOff: number;
  auxOff: number;
  multOff: number;
  tableOff: number;
}

/**
 * Lays out the kernel's memory for `input` (answers item-major, n bytes an item; n zero bytes, the
 * "item" every answer of which is the same; n bytes of a caller's column, `aux`; multiplicities, 8vn
 * bytes; one table of `tableCells` cells x 16v bytes, v vectors of replicates) and loads the answers
 * (once per `codesId`), `aux` and the multiplicities.
 */
function load(kern: Kernel, input: BatchCountingInput, tableCells: number, aux?: Uint8Array, extraBytes = 0): Layout {
  const { n, k, slots } = input.codes;
  const m = k.length;
  const width = BATCH_LANES * vectorsFor(input.lanes);
  const zerosOff = align(m * n, 16);
  const auxOff = align(zerosOff + n, 16);
  const multOff = align(auxOff + n, 16);
  const tableOff = align(multOff + width * n, 16);
  reserve(kern.memory, tableOff + tableCells * 2 * width + extraBytes);
  const bytes = new Uint8Array(kern.memory.buffer);
  if (loadedCodes !== input.codesId) {
    for (let i = 0; i < m; i++) bytes.set(slots[i].subarray(0, n), i * n);
    bytes.fill(0, zerosOff, zerosOff + n);
    loadedCodes = input.codesId;
  }
  if (aux) bytes.set(aux.subarray(0, n), auxOff);
  bytes.set(input.mult.subarray(0, width * n), multOff);
  return { zerosOff, auxOff, multOff, tableOff };
}

function maxSlotsOf(k: Int32Array): number {
  let max = 0;
  for (let i = 0; i < k.length; i++) max = Math.max(max, k[i] + 1);
  return max;
}

function requireKernel(): Kernel {
  const kern = getKernel();
  if (!kern) throw new Error('batch counting: WebAssembly SIMD is not available in this runtime');
  return kern;
}

/**
 * The kernel loaded for a batch's pair tables and its pass; its one pair table (cells x `width`
 * lanes: replicate l's count of cell c at c * width + l) is at `tableOff`. `extraBytes` reserves
 * room after the table for a caller's own arrays.
 */
function pairTablesSetup(input: BatchCountingInput, extraBytes?: (maxSlots: number, width: number) => number) {
  const kern = requireKernel();
  const { n, k } = input.codes;
  const maxSlots = maxSlotsOf(k);
  const vectors = vectorsFor(input.lanes);
  const width = BATCH_LANES * vectors;
  const { multOff, tableOff } = load(kern, input, maxSlots * maxSlots, undefined, extraBytes?.(maxSlots, width) ?? 0);
  return { kern, pass: passOf(kern, vectors), width, n, k, m: k.length, lanes: input.lanes, maxSlots, multOff, tableOff };
}

/**
 * Counts every pair table (i < j) of every replicate of the batch into `outputs[l]` (replicate l's
 * concatenated weighted tables, at `pairOffset`, missing slots dropped), three pairs a pass where
 * it can (the cover's triples, as `countPairCorrelationsBatch`: a triple's table counted, its pairs'
 * tables its margins), for the cover's units `start, start + step, ...`: disjoint pairs, so threads
 * can share the outputs. With one replicate of multiplicity 1 a row these are the unweighted tables
 * (`computeSufficientStatsParallel` counts a run's own so).
 */
export function countPairTablesBatch(input: BatchCountingInput, pairOffset: Int32Array, outputs: readonly Float64Array[], start: number, step: number): void {
  const { kern, pass, width, n, k, m, lanes, multOff, tableOff, maxSlots } = pairTablesSetup(input, (slots, w) => 2 * slots * slots * 2 * w + tripleCellsOf(slots) * 2 * w);
  const pairBytes = maxSlots * maxSlots * 2 * width;
  const tripleOff = tableOff + 3 * pairBytes;
  const vectors = width / BATCH_LANES;
  const triplePass = triplePassOf(kern, vectors);
  const u16 = new Uint16Array(kern.memory.buffer);
  const { units } = coverOf(k, TRIPLE_MAX_CELLS);
  // Pair (i, j)'s table at byte t (cell a * (kj + 1) + b, `width` lanes) into every replicate's output.
  const store = (i: number, j: number, t: number) => {
    const off = pairOffset[pairIndex(m, i, j)];
    for (let l = 0; l < lanes; l++) laneTable(u16, t, width, l, k[i], k[j], outputs[l], off);
  };
  for (let u = start; 3 * u < units.length; u += step) {
    const i = units[3 * u];
    const j = units[3 * u + 1];
    const h = units[3 * u + 2];
    const si = k[i] + 1;
    const sj = k[j] + 1;
    if (h < 0) {
      pass(i * n, j * n, n, sj, multOff, tableOff, si * sj);
      store(i, j, tableOff);
      continue;
    }
    const sh = k[h] + 1;
    triplePass(i * n, j * n, h * n, n, sj * sh, sh, multOff, tripleOff, si * sj * sh);
    // The margins: (i, j) sums over h, (i, h) over j, (j, h) over i.
    kern.blockSum(tripleOff, tableOff, si * sj, sh, vectors);
    store(i, j, tableOff);
    kern.blockSum(tripleOff, tableOff + pairBytes, si, sj, sh * vectors);
    store(i, h, tableOff + pairBytes);
    kern.blockSum(tripleOff, tableOff + 2 * pairBytes, 1, si, sj * sh * vectors);
    store(j, h, tableOff + 2 * pairBytes);
  }
}

/**
 * Replicate `lane`'s ki x kj table out of a kernel table at byte `t` (cell a * (kj + 1) + b, `width`
 * uint16 lanes a cell; the missing slots dropped) into out[off ..], row-major.
 */
function laneTable(u16: Uint16Array, t: number, width: number, lane: number, ki: number, kj: number, out: Float64Array, off: number): void {
  const stride = kj + 1;
  for (let a = 0, c = off; a < ki; a++) {
    for (let b = 0, x = t / 2 + a * stride * width + lane; b < kj; b++, c++, x += width) out[c] = u16[x];
  }
}

/** What `countPairCorrelationsBatch` derives: methods, the item scales, the unweighted tables. */
export interface CorrelationTargets {
  methods: ('pearson' | 'spearman')[];
  /** values[method][replicate]: upper triangles (pairIndex order, NaN where undefined). */
  values: Float64Array[][];
  items: ItemCodebook[];
  pairCounts: Float64Array;
  /** Also each replicate's unsmoothed polychoric rho (`polychoricRhoAt`), for the first `lanes` replicates. */
  polychoric?: PolychoricTargets;
  /**
   * Also each replicate's item weights (what `countItemWeightsBatch` gives as `weights`), taken as
   * the margins of tables counted anyway: replicate l's weight of item i's code a at
   * l * K + K_i + a, K_i the sum of k below i and K the sum of all (`itemViews`' buffer). Every
   * item must be in a pair (two items or more).
   */
  itemWeights?: Float64Array;
}

export interface PolychoricTargets {
  lanes: number;
  /** values[replicate]: upper triangle, NaN where undefined. */
  values: Float64Array[];
  /** thresholds[replicate][item]: the replicate's global thresholds (`categoryThresholds`). */
  thresholds: number[][][];
  /** constant[replicate][item]: at most one answered category in the replicate. */
  constant: boolean[][];
  /** Start of each pair's fit (the full sample's rho; NaN: 0). */
  start: Float64Array;
}

/**
 * `countPairTablesBatch` followed by `associationValues` of each replicate, without the replicates'
 * tables: the pairs are counted three at a time where they can be (`tripleCover`: a triple's table
 * in one pass over the rows, its pairs' tables as its margins), and each pair's tables go to the
 * kernel, its correlations to `targets.values`. The tables hold counts, so `PairCorrelations.compute`
 * takes its exact routes (`correlationFromMargins`): Spearman always, Pearson where both items'
 * codes are small integers; the kernel's `pairCorrelationsExact` computes the same integer sums,
 * eight replicates per SIMD instruction, and the same last operations, so the same numbers bit for
 * bit. Pearson of other codes takes `pairCorrelations`, the centred route's operations in their
 * order, two replicates per instruction. Polychoric fits take the replicate's table as a JavaScript
 * array. Threads share the work by the cover's units `start, start + step, ...` (disjoint pairs).
 */
export function countPairCorrelationsBatch(input: BatchCountingInput, pairOffset: Int32Array, targets: CorrelationTargets, start: number, step: number): void {
  const { methods, values, items, pairCounts, polychoric } = targets;
  // After the table: each item's code values (maxSlots f64 an item), the kernel's scratch (8
  // arrays of maxSlots pairs of f64x2), its outputs (two methods x width f64), two more pair tables and a
  // triple's table.
  // (Twice: the codes, and the exact route's scores, codes minus the item's smallest.)
  const codesBytes = (maxSlots: number) => align(items.length * maxSlots * 8, 16);
  // pairCorrelations' 192 bytes a slot or pairCorrelationsExact's 112 and 704 more.
  const scratchBytes = (maxSlots: number) => 192 * maxSlots + 704;
  const { kern, pass, width, n, k, m, lanes, multOff, tableOff, maxSlots } = pairTablesSetup(
    input,
    (slots, w) => 2 * codesBytes(slots) + scratchBytes(slots) + 2 * 8 * w + 2 * slots * slots * 2 * w + tripleCellsOf(slots) * 2 * w + slots * 2 * w,
  );
  const pairBytes = maxSlots * maxSlots * 2 * width;
  const codesOff = tableOff + pairBytes;
  const scoresOff = codesOff + codesBytes(maxSlots);
  const scratchOff = scoresOff + codesBytes(maxSlots);
  const outOff = scratchOff + scratchBytes(maxSlots);
  const tablesOff = [tableOff, outOff + 2 * 8 * width, outOff + 2 * 8 * width + pairBytes];
  const tripleOff = tablesOff[2] + pairBytes;
  const marginOff = tripleOff + tripleCellsOf(maxSlots) * 2 * width;
  const vectors = width / BATCH_LANES;
  const triplePass = triplePassOf(kern, vectors);
  const f64 = new Float64Array(kern.memory.buffer);
  const u16 = new Uint16Array(kern.memory.buffer);
  // Pearson takes the exact route (pairCorrelationsExact) where both items' codes are integers
  // spanning at most EXACT_CODE_SPAN, as correlationFromMargins decides for a table of counts.
  const exactScores = new Uint8Array(m);
  for (let i = 0; i < m; i++) {
    const codes = items[i].codes;
    f64.set(codes, codesOff / 8 + i * maxSlots);
    const base = exactCodeBase(codes);
    if (base === base) {
      exactScores[i] = 1;
      for (let a = 0; a < codes.length; a++) f64[scoresOff / 8 + i * maxSlots + a] = codes[a] - base;
    }
  }
  const pearson = methods.indexOf('pearson');
  const spearman = methods.indexOf('spearman');
  const outP = pearson >= 0 ? outOff : -1;
  const outS = spearman >= 0 ? outOff + 8 * width : -1;
  // A pair's table for a polychoric fit, one buffer per table size (the fit takes it whole, no view
  // per fit), and each replicate's thresholds as the likelihood kernel takes them, worked out once
  // a batch.
  const cellsBySize: Float64Array[] = [];
  const polyCuts = polychoric ? kernelCutsOf(polychoric.thresholds.slice(0, polychoric.lanes)) : null;
  const polyLaneCount = polychoric ? polychoric.lanes : 0;
  const pc = new PairCorrelations(items, methods);
  const nominal = items.map((it) => it.type === 'nominal');
  const { units, owner } = coverOf(k, TRIPLE_MAX_CELLS);
  const itemWeights = targets.itemWeights;
  const itemOffsets = codeOffsets(k);
  if (itemWeights && itemWeights.length < lanes * itemOffsets[m]) throw new RangeError(`countPairCorrelationsBatch: ${itemWeights.length} item weights for ${lanes} x ${itemOffsets[m]}`);
  // Item i's weights from a table at byte `t` whose margin over the other item's slots (blockSum's
  // outer x count x inner vectors) is item i's slots: its k[i] answer codes, lanes < `lanes`.
  const weightsOf = (i: number, t: number, outer: number, count: number, inner: number) => {
    kern.blockSum(t, marginOff, outer, count, inner);
    const K = itemOffsets[m];
    for (let a = 0, x = marginOff / 2; a < k[i]; a++, x += width) {
      for (let l = 0, o = itemOffsets[i] + a; l < lanes; l++, o += K) itemWeights![o] = u16[x + l];
    }
  };
  const polyLanes = (i: number, j: number) => (polychoric && !(nominal[i] || nominal[j]) ? polychoric.lanes : 0);
  // What pair (i, j) takes from its tables: CORRELATIONS (defined for its complete rows) and POLYCHORIC
  // bits, 0 for nothing; NaN where it takes nothing.
  const defined = definedPairsOf(input.codesId, methods, pc, pairCounts, pairOffset, k);
  const needed = (i: number, j: number, p: number): number => {
    const correlations = defined[p] === 1;
    if (!correlations) for (const v of values) for (let l = 0; l < lanes; l++) v[l][p] = NaN;
    const poly = polyLanes(i, j);
    if (polychoric && poly === 0) for (let l = 0; l < polychoric.lanes; l++) polychoric.values[l][p] = NaN;
    return (correlations ? CORRELATIONS : 0) | (poly > 0 ? POLYCHORIC : 0);
  };
  // Pair (i, j)'s replicates from its tables at byte `t` (cell a * (kj + 1) + b, `width` lanes).
  const finish = (i: number, j: number, p: number, t: number, need: number) => {
    const ki = k[i];
    const kj = k[j];
    const stride = kj + 1;
    if (need & CORRELATIONS) {
      const exactP = exactScores[i] === 1 && exactScores[j] === 1 ? outP : -1;
      if (exactP >= 0 || outS >= 0) kern.pairCorrelationsExact(t, width, lanes, ki, kj, stride, scoresOff + 8 * i * maxSlots, scoresOff + 8 * j * maxSlots, exactP, outS, scratchOff);
      if (outP >= 0 && exactP < 0) kern.pairCorrelations(t, width, lanes, ki, kj, stride, codesOff + 8 * i * maxSlots, codesOff + 8 * j * maxSlots, outP, scratchOff);
      if (pearson >= 0) for (let l = 0, v = values[pearson]; l < lanes; l++) v[l][p] = f64[outP / 8 + l];
      if (spearman >= 0) for (let l = 0, v = values[spearman]; l < lanes; l++) v[l][p] = f64[outS / 8 + l];
    }
    const poly = need & POLYCHORIC ? polyLanes(i, j) : 0;
    const cells = poly > 0 ? (cellsBySize[ki * kj] ??= new Float64Array(ki * kj)) : null!;
    for (let l = 0; l < poly; l++) {
      laneTable(u16, t, width, l, ki, kj, cells, 0);
      const th = polychoric!.thresholds[l];
      const constant = polychoric!.constant[l];
      polychoric!.values[l][p] = polychoricRhoAt(cells, 0, ki, kj, th[i], th[j], constant[i], constant[j], polychoric!.start[p], polyCuts![i * polyLaneCount + l], polyCuts![j * polyLaneCount + l]);
    }
  };
  for (let u = start; 3 * u < units.length; u += step) {
    const i = units[3 * u];
    const j = units[3 * u + 1];
    const h = units[3 * u + 2];
    const pij = pairIndex(m, i, j);
    // Whether this unit gives an item its weights (each item's first unit in the cover does).
    const owns = itemWeights !== undefined && (owner[i] === u || owner[j] === u || (h >= 0 && owner[h] === u));
    if (h < 0) {
      const need = needed(i, j, pij);
      if (!need && !owns) continue;
      const si = k[i] + 1;
      const sj = k[j] + 1;
      pass(i * n, j * n, n, sj, multOff, tableOff, si * sj);
      if (need) finish(i, j, pij, tableOff, need);
      if (owns && owner[i] === u) weightsOf(i, tableOff, si, sj, vectors);
      if (owns && owner[j] === u) weightsOf(j, tableOff, 1, si, sj * vectors);
      continue;
    }
    const pih = pairIndex(m, i, h);
    const pjh = pairIndex(m, j, h);
    // Each pair's NaNs are written whatever the others need.
    const nij = needed(i, j, pij);
    const nih = needed(i, h, pih);
    const njh = needed(j, h, pjh);
    if (!(nij || nih || njh || owns)) continue;
    const si = k[i] + 1;
    const sj = k[j] + 1;
    const sh = k[h] + 1;
    triplePass(i * n, j * n, h * n, n, sj * sh, sh, multOff, tripleOff, si * sj * sh);
    if (owns) {
      // Straight from the triple's table: i over (j, h), h over (i, j); j from the (j, h) margin below.
      if (owner[i] === u) weightsOf(i, tripleOff, si, sj * sh, vectors);
      if (owner[h] === u) weightsOf(h, tripleOff, 1, si * sj, sh * vectors);
      if (owner[j] === u && !njh) kern.blockSum(tripleOff, tablesOff[2], 1, si, sj * sh * vectors);
    }
    // The margins: (i, j) sums over h, (i, h) over j, (j, h) over i.
    if (nij) {
      kern.blockSum(tripleOff, tablesOff[0], si * sj, sh, vectors);
      finish(i, j, pij, tablesOff[0], nij);
    }
    if (nih) {
      kern.blockSum(tripleOff, tablesOff[1], si, sj, sh * vectors);
      finish(i, h, pih, tablesOff[1], nih);
    }
    if (njh) {
      kern.blockSum(tripleOff, tablesOff[2], 1, si, sj * sh * vectors);
      finish(j, h, pjh, tablesOff[2], njh);
    }
    if (owns && owner[j] === u) weightsOf(j, tablesOff[2], sj, sh, vectors);
  }
}

let definedPairs: { key: string; defined: Uint8Array } | null = null;

/**
 * Whether each pair's correlations are defined (`PairCorrelations.defined` on its complete rows),
 * in pair order: the same for every batch of the same answers (`codesId`) and methods, so a thread
 * works it out once.
 */
function definedPairsOf(codesId: number, methods: readonly string[], pc: PairCorrelations, pairCounts: Float64Array, pairOffset: Int32Array, k: Int32Array): Uint8Array {
  const key = `${codesId}:${methods.join(',')}`;
  if (definedPairs?.key !== key) {
    const m = k.length;
    const defined = new Uint8Array((m * (m - 1)) / 2);
    for (let i = 0, p = 0; i < m; i++) for (let j = i + 1; j < m; j++, p++) defined[p] = pc.defined(i, j, completeRows(pairCounts, pairOffset[p], k[i] * k[j])) ? 1 : 0;
    definedPairs = { key, defined };
  }
  return definedPairs.defined;
}

/**
 * Triples of at most this many cells are counted in one pass (tripleBatch8x4) and their pairs taken
 * as margins; larger ones pair by pair. 11^3: every triple of items of up to 10 answer codes (and the
 * missing slot); its table (85 KB with 32 replicates, 170 KB with 64) outgrows L1 but a pass over 5,000 rows still
 * costs less than the three pair passes it replaces (bench/bootstrap.ts).
 */
const TRIPLE_MAX_CELLS = 1331;

/** Cells of the largest triple table counted for items of up to `maxSlots` slots. */
function tripleCellsOf(maxSlots: number): number {
  return Math.min(TRIPLE_MAX_CELLS, maxSlots * maxSlots * maxSlots);
}

const CORRELATIONS = 1;
const POLYCHORIC = 2;

/**
 * The pairs (item i then item j of each) of the cover's units `start, start + step, ...` for items
 * with `k` codes: those `countPairTablesBatch` counts for that share.
 */
export function coverPairsOf(k: Int32Array, start: number, step: number): Int32Array {
  const { units } = coverOf(k, TRIPLE_MAX_CELLS);
  const out: number[] = [];
  for (let u = start; 3 * u < units.length; u += step) {
    const i = units[3 * u];
    const j = units[3 * u + 1];
    const h = units[3 * u + 2];
    out.push(i, j);
    if (h >= 0) out.push(i, h, j, h);
  }
  return Int32Array.from(out);
}

let cover: { key: string; units: Int32Array; owner: Int32Array } | null = null;

/**
 * `tripleCover` of the items with `k` codes, and each item's first unit in it (-1 for none), kept
 * for the thread's next batch of the same items.
 */
function coverOf(k: Int32Array, maxCells: number): { units: Int32Array; owner: Int32Array } {
  const key = `${maxCells}:${k.join(',')}`;
  if (cover?.key !== key) {
    const units = tripleCover(k.length, Array.from(k, (x) => x + 1), maxCells);
    const owner = new Int32Array(k.length).fill(-1);
    for (let u = units.length / 3 - 1; u >= 0; u--) for (let q = 0; q < 3; q++) if (units[3 * u + q] >= 0) owner[units[3 * u + q]] = u;
    cover = { key, units, owner };
  }
  return cover;
}

/**
 * Every replicate's item statistics: `weights[l][i]`, the multiplicity sums of item i's k codes in
 * replicate l (the kernel, pairing each item with the zero item), and `weightSq[l][i]`, the sum of
 * squared multiplicities over the item's valid answers. Integers, so exactly what counting one
 * replicate at a time gives.
 */
export function countItemWeightsBatch(input: BatchCountingInput): { weights: Float64Array[][]; weightSq: Float64Array[] } {
  const kern = requireKernel();
  const { n, k, slots } = input.codes;
  const m = k.length;
  const lanes = input.lanes;
  const maxSlots = maxSlotsOf(k);
  const vectors = vectorsFor(lanes);
  const width = BATCH_LANES * vectors;
  const pass = passOf(kern, vectors);
  const { zerosOff, multOff, tableOff } = load(kern, input, maxSlots);
  const table = new Uint16Array(kern.memory.buffer, tableOff, maxSlots * width);
  const mult = input.mult;
  // Sum of m^2 over all rows, minus the rows where the item is missing.
  const all = new Float64Array(lanes);
  for (let r = 0; r < n; r++) {
    for (let l = 0; l < lanes; l++) {
      const x = mult[r * width + l];
      all[l] += x * x;
    }
  }
  // Each replicate's item weights as views of one buffer (no allocation of its own per item).
  const views = itemViews(k, lanes);
  const weights = views.map((v) => v.items);
  const weightSq = Array.from({ length: lanes }, () => new Float64Array(m));
  for (let i = 0; i < m; i++) {
    const ki = k[i];
    pass(i * n, zerosOff, n, 1, multOff, tableOff, ki + 1);
    const off = views.offsets[i];
    for (let l = 0; l < lanes; l++) {
      const w = views[l].all;
      for (let a = 0; a < ki; a++) w[off + a] = table[a * width + l];
      weightSq[l][i] = all[l];
    }
    const s = slots[i];
    for (let r = 0; r < n; r++) {
      if (s[r] !== ki) continue;
      for (let l = 0; l < lanes; l++) {
        const x = mult[r * width + l];
        weightSq[l][i] -= x * x;
      }
    }
  }
  return { weights, weightSq };
}

/**
 * Every replicate's item weights within groups: `out[l].groups[g]`, the multiplicity sums of item
 * i's k codes over the rows with `group[r] === g` at `offsets[i]..` (see `FlatGroupWeights`), for
 * g < `groups` (rows with `group[r] === groups` belong to none), by one kernel pass per item (the
 * item paired with the group column). Integers, so exactly the sums of adding the multiplicities
 * one by one.
 */
export function countGroupItemWeightsBatch(input: BatchCountingInput, group: Uint8Array, groups: number): FlatGroupWeights[] {
  const kern = requireKernel();
  if (!(groups >= 0 && groups < 256)) throw new RangeError(`countGroupItemWeightsBatch: ${groups} groups (at most 255)`);
  const { n, k } = input.codes;
  const m = k.length;
  const lanes = input.lanes;
  const stride = groups + 1;
  const cells = maxSlotsOf(k) * stride;
  const vectors = vectorsFor(lanes);
  const width = BATCH_LANES * vectors;
  const pass = passOf(kern, vectors);
  const { auxOff, multOff, tableOff } = load(kern, input, cells, group);
  const table = new Uint16Array(kern.memory.buffer, tableOff, cells * width);
  const offsets = codeOffsets(k);
  const out = Array.from({ length: lanes }, () => ({ groups: Array.from({ length: groups }, () => new Float64Array(offsets[m])), offsets }));
  for (let i = 0; i < m; i++) {
    const ki = k[i];
    pass(i * n, auxOff, n, stride, multOff, tableOff, (ki + 1) * stride);
    const off = offsets[i];
    for (let l = 0; l < lanes; l++) {
      for (let g = 0; g < groups; g++) {
        const w = out[l].groups[g];
        for (let a = 0; a < ki; a++) w[off + a] = table[(a * stride + g) * width + l];
      }
    }
  }
  return out;
}

/**
 * `count` sets of item weights (k[i] entries for item i) in one buffer (set l at l x the sum of k;
 * shared memory with `shared`, for worker threads to fill), each set a view with a view per item,
 * and each item's offset in a set (`codeOffsets`).
 */
export function itemViews(k: ArrayLike<number>, count: number, shared = false): { all: Float64Array; items: Float64Array[] }[] & { offsets: Int32Array; buffer: Float64Array } {
  const m = k.length;
  const offsets = codeOffsets(k);
  const K = offsets[m];
  const buffer = shared ? new Float64Array(new SharedArrayBuffer(8 * count * K)) : new Float64Array(count * K);
  const sets = Array.from({ length: count }, (_, l) => {
    const all = buffer.subarray(l * K, (l + 1) * K);
    const items = new Array<Float64Array>(m);
    for (let i = 0; i < m; i++) items[i] = all.subarray(offsets[i], offsets[i + 1]);
    return { all, items };
  });
  return Object.assign(sets, { offsets, buffer });
}
