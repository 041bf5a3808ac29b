/// <reference path="./kernels/wat.d.ts" />
/**
 * The joint-table counting loop of `countPairTables` (src/core/count/sufficient.ts) in WebAssembly
 * (wasm/count.wat): the same additions in the same row order, without a bounds check per typed
 * array access. Used for unweighted and survey-weighted tables when the runtime has WebAssembly
 * (bootstrap changes keep the JavaScript loops). Measured in bench/association.ts.
 *
 * One instance per thread. A `countPairTables` call copies the code arrays it counts into the
 * instance's memory once (lazily, as units first need them) when all of them would fit in
 * `RESIDENT_BYTES` (100,000 rows x 300 items: 45 MB); larger data are counted in chunks of
 * `CHUNK_ROWS` rows, each unit copying its two code arrays chunk by chunk (memory bounded).
 * WebAssembly memory never shrinks, so the bound is what the thread keeps.
 */
import countBytes from './kernels/count.wat';
import { align, instantiate, reserve, type KernelMemory } from './kernels/instance';

interface Kernel {
  memory: KernelMemory;
  count(p: number, q: number, n: number, s2: number, t: number, cells: number, zero: number): void;
  countWeighted(p: number, q: number, n: number, s2: number, tw: number, tc: number, w: number, cells: number, zero: number): void;
  rowSums(bytes: number, m: number, rows: number, nrows: number, w: number, off: number, cc: number, cw: number, cells: number): void;
}

let kernel: Kernel | null | undefined;
let enabled = true;

/** Most bytes of answers a thread's kernel memory holds for table counting or row-set sums. */
let RESIDENT_BYTES = 64 * 1024 * 1024;
/** Rows a chunk when the answers are not resident. */
let CHUNK_ROWS = 65536;

/** @internal Tests: small limits, so that small data take the chunked and JavaScript routes. */
export function setWasmLimits(limits: { residentBytes: number; chunkRows: number } | null): void {
  RESIDENT_BYTES = limits?.residentBytes ?? 64 * 1024 * 1024;
  CHUNK_ROWS = limits?.chunkRows ?? 65536;
}

/**
 * @internal Turns the WebAssembly loop off (and on again) in this thread, so that tests also cover
 * the JavaScript loops that runtimes without WebAssembly (e.g. V8's --jitless) count with.
 */
export function useWasmTableCounting(on: boolean): void {
  enabled = on;
}

function getKernel(): Kernel | null {
  if (kernel === undefined) kernel = instantiate<Kernel>(countBytes);
  return kernel;
}

/** Which row-major answers (and weights) the kernel's memory holds for `WasmRowSums`, if any. */
let rowSumsHolds: { bytes: Uint8Array; w: Float64Array | null } | null = null;

/**
 * `rowSetItemSums`'s loop (src/core/count/sufficient.ts) in WebAssembly: per row set, each item's counts
 * and weight sums by category, rows added in the given order (the same numbers). The row-major
 * answers and the weights are copied into the kernel's memory once and kept while consecutive calls
 * pass the same arrays (the 20 split halves of a ceiling).
 */
export function wasmRowSetSums(bytes: Uint8Array, m: number, off: Int32Array, total: number, rowSets: readonly Uint32Array[], w: Float64Array | null): { counts: Float64Array; sums: Float64Array }[] | null {
  // Rows are read at random, so the answers must be resident: larger data keep the JavaScript loop.
  const kern = enabled && bytes.length <= RESIDENT_BYTES ? getKernel() : null;
  if (!kern) return null;
  const n = m > 0 ? bytes.length / m : 0;
  const wOff = 0;
  const bytesOff = align(8 * n, 8);
  const offOff = align(bytesOff + bytes.length, 8);
  const ccOff = align(offOff + 4 * m, 8);
  const cwOff = ccOff + 8 * total;
  const rowsOff = cwOff + 8 * total;
  const longest = Math.max(0, ...rowSets.map((r) => r.length));
  reserve(kern.memory, rowsOff + 4 * longest);
  if (rowSumsHolds?.bytes !== bytes || rowSumsHolds.w !== w) {
    const weights = new Float64Array(kern.memory.buffer, wOff, n);
    if (w) weights.set(w.subarray(0, n));
    else weights.fill(1);
    new Uint8Array(kern.memory.buffer, bytesOff, bytes.length).set(bytes);
    rowSumsHolds = { bytes, w };
  }
  new Int32Array(kern.memory.buffer, offOff, m).set(off);
  return rowSets.map((rows) => {
    new Uint32Array(kern.memory.buffer, rowsOff, rows.length).set(rows);
    kern.rowSums(bytesOff, m, rowsOff, rows.length, wOff, offOff, ccOff, cwOff, total);
    return { counts: new Float64Array(kern.memory.buffer, ccOff, total).slice(), sums: new Float64Array(kern.memory.buffer, cwOff, total).slice() };
  });
}

/** The counting kernel laid out for one `countPairTables` call: tables, row weights, code arrays. */
export class WasmTableCounter {
  private readonly offsets = new Map<Uint8Array, number>();
  private top: number;
  private readonly tOff: number;
  private readonly twOff: number;
  private readonly tcOff: number;
  private readonly wOff: number;
  /** Chunked mode: where a chunk of the two code arrays goes. */
  private readonly chunkOff: number;

  private constructor(
    private readonly kern: Kernel,
    private readonly n: number,
    private readonly maxCells: number,
    private readonly weights: Float64Array | null,
    private readonly resident: boolean,
  ) {
    this.tOff = 0;
    this.twOff = align(4 * maxCells, 8);
    this.tcOff = this.twOff + 8 * maxCells;
    this.wOff = align(this.tcOff + 4 * maxCells, 8);
    const rows = resident ? n : Math.min(n, CHUNK_ROWS);
    this.chunkOff = this.wOff + (weights ? 8 * rows : 0);
    this.top = resident ? this.chunkOff : this.chunkOff + 2 * rows;
    reserve(this.kern.memory, this.top);
    rowSumsHolds = null; // this call's layout overwrites what wasmRowSetSums kept
    if (weights && resident) new Float64Array(kern.memory.buffer, this.wOff, n).set(weights.subarray(0, n));
  }

  /**
   * A counter for `n` rows, up to `arrays` code arrays and tables of up to `maxCells` cells, or null
   * without WebAssembly. The answers stay resident when they (and the weights) fit `RESIDENT_BYTES`.
   */
  static create(n: number, arrays: number, maxCells: number, weights: Float64Array | null): WasmTableCounter | null {
    const kern = enabled ? getKernel() : null;
    return kern ? new WasmTableCounter(kern, n, maxCells, weights, n * (arrays + (weights ? 8 : 0)) <= RESIDENT_BYTES) : null;
  }

  /** Where `codes` sit in the kernel's memory (copied on first use). */
  private at(codes: Uint8Array): number {
    let off = this.offsets.get(codes);
    if (off === undefined) {
      off = this.top;
      this.top = align(off + this.n, 8);
      reserve(this.kern.memory, this.top);
      new Uint8Array(this.kern.memory.buffer, off, this.n).set(codes.subarray(0, this.n));
      this.offsets.set(codes, off);
    }
    return off;
  }

  /**
   * Runs `kernel(pOffset, qOffset, rows, zero)` over all rows: once on the resident arrays, or chunk
   * by chunk (rows in order, the table zeroed before the first chunk only).
   */
  private each(p: Uint8Array, q: Uint8Array, kernel: (a: number, b: number, rows: number, zero: number) => void): void {
    if (this.resident) {
      kernel(this.at(p), this.at(q), this.n, 1);
      return;
    }
    const bytes = new Uint8Array(this.kern.memory.buffer);
    const chunk = Math.min(this.n, CHUNK_ROWS);
    const a = this.chunkOff;
    const b = this.chunkOff + chunk;
    let start = 0;
    do {
      const end = Math.min(this.n, start + chunk);
      bytes.set(p.subarray(start, end), a);
      bytes.set(q.subarray(start, end), b);
      if (this.weights) new Float64Array(this.kern.memory.buffer, this.wOff, end - start).set(this.weights.subarray(start, end));
      kernel(a, b, end - start, start === 0 ? 1 : 0);
      start = end;
    } while (start < this.n);
  }

  /** Counts of cells p[r] * s2 + q[r] (a view into the kernel's memory, valid until the next call). */
  count(p: Uint8Array, q: Uint8Array, s2: number, cells: number): Int32Array {
    if (cells > this.maxCells) throw new RangeError(`WasmTableCounter: ${cells} cells for ${this.maxCells}`);
    this.each(p, q, (a, b, rows, zero) => this.kern.count(a, b, rows, s2, this.tOff, cells, zero));
    return new Int32Array(this.kern.memory.buffer, this.tOff, cells);
  }

  /** Weight sums (rows in order) and counts of the same cells (views, valid until the next call). */
  countWeighted(p: Uint8Array, q: Uint8Array, s2: number, cells: number): { weights: Float64Array; counts: Int32Array } {
    if (cells > this.maxCells) throw new RangeError(`WasmTableCounter: ${cells} cells for ${this.maxCells}`);
    this.each(p, q, (a, b, rows, zero) => this.kern.countWeighted(a, b, rows, s2, this.twOff, this.tcOff, this.wOff, cells, zero));
    return { weights: new Float64Array(this.kern.memory.buffer, this.twOff, cells), counts: new Int32Array(this.kern.memory.buffer, this.tcOff, cells) };
  }
}
