/**
 * Every pair's contingency table in one pass over the answers: items grouped in blocks of two so
 * that one joint table gives four pair tables per row increment, interleaved sub-tables, exact
 * integer counts wherever the weights allow (bench/README-tables.md has the measurements behind
 * each choice). Counting order inside a table is fixed (rows in order per joint cell, then a fixed
 * fold), so the result does not depend on how the work units are split over threads.
 */
import { WasmTableCounter } from './table-count';
import { COUNT_DELTA, COUNT_PACKED, COUNT_PLAIN, COUNT_WEIGHTED, type CountingInput, type CountingMode } from './counting-input';
import { pairIndex } from './tables';

/** @internal Items grouped into blocks of two neighbours (or one), from the scales alone. */
export interface BlockPlan {
  /** First and second item of each block (second = -1 for a block of one). */
  first: Int32Array;
  second: Int32Array;
  /** Work units: within-block pair of block u for u < blocks, then block pairs (b1 < b2) row-major. */
  units: number;
}

/** Largest (k1 + 1)(k2 + 1) code range of a two-item block: 11-point scales (0..10) still pair up. */
const MAX_BLOCK_CODES = 144;

/** @internal Deterministic from k only, so every thread derives the same plan. */
export function planBlocks(k: Int32Array): BlockPlan {
  const first: number[] = [];
  const second: number[] = [];
  for (let i = 0; i < k.length; ) {
    if (i + 1 < k.length && (k[i] + 1) * (k[i + 1] + 1) <= MAX_BLOCK_CODES) {
      first.push(i);
      second.push(i + 1);
      i += 2;
    } else {
      first.push(i);
      second.push(-1);
      i += 1;
    }
  }
  const nb = first.length;
  return { first: Int32Array.from(first), second: Int32Array.from(second), units: nb + (nb * (nb - 1)) / 2 };
}

/** Growable per-thread scratch tables (one allocation, reused for every pair). */
class Scratch {
  i32 = new Int32Array(0);
  u32 = new Uint32Array(0);
  f64 = new Float64Array(0);
  acc: Float64Array[] = Array.from({ length: 8 }, () => new Float64Array(0));
  ints(size: number): Int32Array {
    if (this.i32.length < size) this.i32 = new Int32Array(size);
    this.i32.fill(0, 0, size);
    return this.i32;
  }
  uints(size: number): Uint32Array {
    if (this.u32.length < size) this.u32 = new Uint32Array(size);
    this.u32.fill(0, 0, size);
    return this.u32;
  }
  floats(size: number): Float64Array {
    if (this.f64.length < size) this.f64 = new Float64Array(size);
    this.f64.fill(0, 0, size);
    return this.f64;
  }
  accumulator(slot: number, size: number): Float64Array {
    if (this.acc[slot].length < size) this.acc[slot] = new Float64Array(size);
    this.acc[slot].fill(0, 0, size);
    return this.acc[slot];
  }
}

/**
 * @internal Counts the pair tables of work units `start, start + step, ...` (see `BlockPlan`) into
 * `pairWeights` / `pairCounts` (the same array when unweighted). Units write disjoint pairs, so
 * threads given different `start` can share the output buffers; the numbers do not depend on the split.
 */
export function countPairTables(
  input: CountingInput,
  pairOffset: Int32Array,
  pairWeights: Float64Array,
  pairCounts: Float64Array,
  start: number,
  step: number,
): void {
  const { k, slots, n } = input;
  const m = k.length;
  const plan = planBlocks(k);
  const nb = plan.first.length;
  const scratch = new Scratch();
  // Two-item blocks: one byte per row holding both answers (code = a1 * (k2 + 1) + a2).
  const codes: Uint8Array[] = [];
  const size = new Int32Array(nb);
  for (let b = 0; b < nb; b++) {
    const i1 = plan.first[b];
    const i2 = plan.second[b];
    if (i2 < 0) {
      codes.push(slots[i1]);
      size[b] = k[i1] + 1;
    } else {
      const K2 = k[i2] + 1;
      const s1 = slots[i1];
      const s2 = slots[i2];
      const c = new Uint8Array(n);
      for (let r = 0; r < n; r++) c[r] = s1[r] * K2 + s2[r];
      codes.push(c);
      size[b] = (k[i1] + 1) * K2;
    }
  }
  // Unweighted and survey-weighted tables: the counting loop in WebAssembly where available.
  let maxSize = 0;
  for (let b = 0; b < nb; b++) maxSize = Math.max(maxSize, size[b]);
  const wasm = input.mode === COUNT_PLAIN || input.mode === COUNT_WEIGHTED ? WasmTableCounter.create(n, nb + m, maxSize * maxSize, input.mode === COUNT_WEIGHTED ? (input.increments as Float64Array) : null) : null;
  const out: Output = { m, k, pairOffset, pairWeights, pairCounts, mode: input.mode, wasm };
  let unit = 0;
  for (let b1 = 0; b1 < nb; b1++, unit++) {
    if (unit < start || (unit - start) % step !== 0) continue;
    if (plan.second[b1] >= 0) countJoint(input, [plan.first[b1]], [plan.second[b1]], slots[plan.first[b1]], slots[plan.second[b1]], k[plan.second[b1]] + 1, scratch, out, true);
  }
  for (let b1 = 0; b1 < nb; b1++) {
    const left = plan.second[b1] >= 0 ? [plan.first[b1], plan.second[b1]] : [plan.first[b1]];
    for (let b2 = b1 + 1; b2 < nb; b2++, unit++) {
      if (unit < start || (unit - start) % step !== 0) continue;
      const right = plan.second[b2] >= 0 ? [plan.first[b2], plan.second[b2]] : [plan.first[b2]];
      // Cost model (measured: bench/README-tables.md): a row increment costs about as much as
      // folding two cells of a joint table, so one joint table of the two blocks (one increment per
      // row, size[b1] x size[b2] cells) wins for many rows, and joint tables of a block with each
      // single item (two increments, small tables) or plain pairs for fewer rows.
      const cellsQuad = size[b1] * size[b2];
      const costQuad = n + FOLD_COST * cellsQuad;
      const costTriple = right.length * n + FOLD_COST * size[b1] * (right.length === 2 ? k[right[0]] + k[right[1]] + 2 : k[right[0]] + 1);
      const costPairs = left.length * right.length * n;
      if (left.length === 2 && right.length === 2 && costQuad <= costTriple && costQuad <= costPairs) {
        countJoint(input, left, right, codes[b1], codes[b2], size[b2], scratch, out, false);
      } else if (left.length === 2 && costTriple <= costPairs) {
        for (const y of right) countJoint(input, left, [y], codes[b1], slots[y], k[y] + 1, scratch, out, true);
      } else {
        for (const x of left) for (const y of right) countJoint(input, [x], [y], slots[x], slots[y], k[y] + 1, scratch, out, true);
      }
    }
  }
}

/** Relative cost of folding one joint-table cell, against one row increment (measured). */
const FOLD_COST = 1.5;

interface Output {
  m: number;
  k: Int32Array;
  pairOffset: Int32Array;
  pairWeights: Float64Array;
  pairCounts: Float64Array;
  mode: CountingMode;
  /** The WebAssembly counting loop (unweighted and weighted modes), or null. */
  wasm: WasmTableCounter | null;
}

/**
 * Stores the valid part of an accumulated (kx + 1) x (ky + 1) table (missing slot dropped) of pair
 * (x < y). `acc` holds counts (plain), packed count + weight (packed) or weights / counts (weighted,
 * `part` says which).
 */
function store(out: Output, x: number, y: number, acc: Float64Array, part: 'weights' | 'counts' | 'both'): void {
  const kx = out.k[x];
  const ky = out.k[y];
  const stride = ky + 1;
  const off = out.pairOffset[pairIndex(out.m, x, y)];
  if (out.mode === COUNT_PACKED) {
    for (let a = 0; a < kx; a++) {
      for (let b = 0; b < ky; b++) {
        const v = acc[a * stride + b];
        const weight = Math.floor(v / 65536);
        out.pairWeights[off + a * ky + b] = weight;
        out.pairCounts[off + a * ky + b] = v - weight * 65536;
      }
    }
    return;
  }
  if (out.mode === COUNT_DELTA) {
    // pairCounts are the unweighted tables (read only here); the replicate adds its change.
    for (let a = 0; a < kx; a++) {
      for (let b = 0; b < ky; b++) out.pairWeights[off + a * ky + b] = out.pairCounts[off + a * ky + b] + acc[a * stride + b];
    }
    return;
  }
  const dest = part === 'counts' ? out.pairCounts : out.pairWeights;
  for (let a = 0; a < kx; a++) {
    for (let b = 0; b < ky; b++) dest[off + a * ky + b] = acc[a * stride + b];
  }
}

/**
 * Joint table of the codes of `left` items (one item, or a two-item block) and `right` items, by
 * direct counting, then marginalised onto each cross pair. `interleave` spreads consecutive rows
 * over four sub-tables to break store-to-load dependency chains (for small tables; large joint
 * tables of two blocks rarely repeat a cell in consecutive rows).
 */
function countJoint(
  input: CountingInput,
  left: number[],
  right: number[],
  p: Uint8Array,
  q: Uint8Array,
  sq: number,
  scratch: Scratch,
  out: Output,
  interleave: boolean,
): void {
  const n = input.n;
  const sp = left.length === 2 ? (out.k[left[0]] + 1) * (out.k[left[1]] + 1) : out.k[left[0]] + 1;
  const size = sp * sq;
  const copies = interleave ? 4 : 1;
  // The joint table goes to Float64 once (exact: counts and packed cells are below 2^32), so the
  // fold below is monomorphic.
  const joint = scratch.accumulator(7, size);
  if (out.wasm && input.mode === COUNT_PLAIN) {
    const t = out.wasm.count(p, q, sq, size);
    for (let c = 0; c < size; c++) joint[c] = t[c];
    fold(joint, left, right, sp, sq, scratch, out, 'both');
  } else if (out.wasm && input.mode === COUNT_WEIGHTED) {
    const t = out.wasm.countWeighted(p, q, sq, size);
    for (let c = 0; c < size; c++) joint[c] = t.weights[c];
    fold(joint, left, right, sp, sq, scratch, out, 'weights');
    for (let c = 0; c < size; c++) joint[c] = t.counts[c];
    fold(joint, left, right, sp, sq, scratch, out, 'counts');
  } else if (input.mode === COUNT_PLAIN) {
    const t = scratch.ints(copies * size);
    if (interleave) {
      pairPlain(p, q, n, sq, size, t);
      for (let c = 0; c < size; c++) joint[c] = t[c] + t[size + c] + t[2 * size + c] + t[3 * size + c];
    } else {
      quadPlain(p, q, n, sq, t);
      for (let c = 0; c < size; c++) joint[c] = t[c];
    }
    fold(joint, left, right, sp, sq, scratch, out, 'both');
  } else if (input.mode === COUNT_DELTA) {
    const t = scratch.ints(copies * size);
    if (interleave) {
      pairDelta(p, q, n, sq, size, t, input.increments as Int32Array);
      for (let c = 0; c < size; c++) joint[c] = t[c] + t[size + c] + t[2 * size + c] + t[3 * size + c];
    } else {
      quadDelta(p, q, n, sq, t, input.increments as Int32Array);
      for (let c = 0; c < size; c++) joint[c] = t[c];
    }
    fold(joint, left, right, sp, sq, scratch, out, 'weights');
  } else if (input.mode === COUNT_PACKED) {
    const t = scratch.uints(copies * size);
    if (interleave) {
      pairPacked(p, q, n, sq, size, t, input.increments as Uint32Array);
      for (let c = 0; c < size; c++) joint[c] = t[c] + t[size + c] + t[2 * size + c] + t[3 * size + c];
    } else {
      quadPacked(p, q, n, sq, t, input.increments as Uint32Array);
      for (let c = 0; c < size; c++) joint[c] = t[c];
    }
    fold(joint, left, right, sp, sq, scratch, out, 'both');
  } else {
    const tc = scratch.ints(copies * size);
    const tw = scratch.floats(copies * size);
    if (interleave) {
      pairWeighted(p, q, n, sq, size, tw, tc, input.increments as Float64Array);
      for (let c = 0; c < size; c++) joint[c] = tw[c] + tw[size + c] + tw[2 * size + c] + tw[3 * size + c];
      fold(joint, left, right, sp, sq, scratch, out, 'weights');
      for (let c = 0; c < size; c++) joint[c] = tc[c] + tc[size + c] + tc[2 * size + c] + tc[3 * size + c];
      fold(joint, left, right, sp, sq, scratch, out, 'counts');
    } else {
      quadWeighted(p, q, n, sq, tw, tc, input.increments as Float64Array);
      fold(tw, left, right, sp, sq, scratch, out, 'weights');
      for (let c = 0; c < size; c++) joint[c] = tc[c];
      fold(joint, left, right, sp, sq, scratch, out, 'counts');
    }
  }
}

function pairPlain(a: Uint8Array, b: Uint8Array, n: number, stride: number, size: number, t: Int32Array): void {
  const s2 = 2 * size;
  const s3 = 3 * size;
  let r = 0;
  for (; r + 3 < n; r += 4) {
    t[a[r] * stride + b[r]]++;
    t[size + a[r + 1] * stride + b[r + 1]]++;
    t[s2 + a[r + 2] * stride + b[r + 2]]++;
    t[s3 + a[r + 3] * stride + b[r + 3]]++;
  }
  for (; r < n; r++) t[a[r] * stride + b[r]]++;
}

function pairPacked(a: Uint8Array, b: Uint8Array, n: number, stride: number, size: number, t: Uint32Array, inc: Uint32Array): void {
  const s2 = 2 * size;
  const s3 = 3 * size;
  let r = 0;
  for (; r + 3 < n; r += 4) {
    t[a[r] * stride + b[r]] += inc[r];
    t[size + a[r + 1] * stride + b[r + 1]] += inc[r + 1];
    t[s2 + a[r + 2] * stride + b[r + 2]] += inc[r + 2];
    t[s3 + a[r + 3] * stride + b[r + 3]] += inc[r + 3];
  }
  for (; r < n; r++) t[a[r] * stride + b[r]] += inc[r];
}

function pairWeighted(a: Uint8Array, b: Uint8Array, n: number, stride: number, size: number, tw: Float64Array, tc: Int32Array, w: Float64Array): void {
  const s2 = 2 * size;
  const s3 = 3 * size;
  let r = 0;
  for (; r + 3 < n; r += 4) {
    const c0 = a[r] * stride + b[r];
    const c1 = size + a[r + 1] * stride + b[r + 1];
    const c2 = s2 + a[r + 2] * stride + b[r + 2];
    const c3 = s3 + a[r + 3] * stride + b[r + 3];
    tw[c0] += w[r];
    tc[c0]++;
    tw[c1] += w[r + 1];
    tc[c1]++;
    tw[c2] += w[r + 2];
    tc[c2]++;
    tw[c3] += w[r + 3];
    tc[c3]++;
  }
  for (; r < n; r++) {
    const c = a[r] * stride + b[r];
    tw[c] += w[r];
    tc[c]++;
  }
}

function pairDelta(a: Uint8Array, b: Uint8Array, n: number, stride: number, size: number, t: Int32Array, inc: Int32Array): void {
  const s2 = 2 * size;
  const s3 = 3 * size;
  let r = 0;
  for (; r + 3 < n; r += 4) {
    t[a[r] * stride + b[r]] += inc[r];
    t[size + a[r + 1] * stride + b[r + 1]] += inc[r + 1];
    t[s2 + a[r + 2] * stride + b[r + 2]] += inc[r + 2];
    t[s3 + a[r + 3] * stride + b[r + 3]] += inc[r + 3];
  }
  for (; r < n; r++) t[a[r] * stride + b[r]] += inc[r];
}

function quadDelta(p: Uint8Array, q: Uint8Array, n: number, s2: number, t: Int32Array, inc: Int32Array): void {
  let r = 0;
  for (; r + 1 < n; r += 2) {
    t[p[r] * s2 + q[r]] += inc[r];
    t[p[r + 1] * s2 + q[r + 1]] += inc[r + 1];
  }
  for (; r < n; r++) t[p[r] * s2 + q[r]] += inc[r];
}

function quadPlain(p: Uint8Array, q: Uint8Array, n: number, s2: number, t: Int32Array): void {
  let r = 0;
  for (; r + 1 < n; r += 2) {
    t[p[r] * s2 + q[r]]++;
    t[p[r + 1] * s2 + q[r + 1]]++;
  }
  for (; r < n; r++) t[p[r] * s2 + q[r]]++;
}

function quadPacked(p: Uint8Array, q: Uint8Array, n: number, s2: number, t: Uint32Array, inc: Uint32Array): void {
  let r = 0;
  for (; r + 1 < n; r += 2) {
    t[p[r] * s2 + q[r]] += inc[r];
    t[p[r + 1] * s2 + q[r + 1]] += inc[r + 1];
  }
  for (; r < n; r++) t[p[r] * s2 + q[r]] += inc[r];
}

function quadWeighted(p: Uint8Array, q: Uint8Array, n: number, s2: number, tw: Float64Array, tc: Int32Array, w: Float64Array): void {
  for (let r = 0; r < n; r++) {
    const c = p[r] * s2 + q[r];
    tw[c] += w[r];
    tc[c]++;
  }
}

/**
 * Marginalises a joint table of left codes (rows, `sp`) x right codes (columns, `sq`) onto the
 * cross pairs (x in left, y in right; x < y as items). A block code is a1 * (k2 + 1) + a2. Two
 * stages: first over the right block's items (sequential), then over the left block's.
 */
function fold(
  t: Float64Array,
  left: number[],
  right: number[],
  sp: number,
  sq: number,
  scratch: Scratch,
  out: Output,
  part: 'weights' | 'counts' | 'both',
): void {
  const L1 = out.k[right[0]] + 1;
  const L2 = right.length === 2 ? out.k[right[1]] + 1 : 1;
  let r1 = t;
  let r2 = t;
  if (right.length === 2) {
    r1 = scratch.accumulator(0, sp * L1);
    r2 = scratch.accumulator(1, sp * L2);
    for (let u = 0; u < sp; u++) {
      const row = u * sq;
      const o2 = u * L2;
      for (let y1 = 0; y1 < L1; y1++) {
        let sum = 0;
        const base = row + y1 * L2;
        for (let y2 = 0; y2 < L2; y2++) {
          const v = t[base + y2];
          sum += v;
          r2[o2 + y2] += v;
        }
        r1[u * L1 + y1] = sum;
      }
    }
  }
  if (left.length === 1) {
    store(out, left[0], right[0], r1, part);
    if (right.length === 2) store(out, left[0], right[1], r2, part);
    return;
  }
  const K1 = out.k[left[0]] + 1;
  const K2 = out.k[left[1]] + 1;
  const a11 = scratch.accumulator(2, K1 * L1);
  const a21 = scratch.accumulator(3, K2 * L1);
  const a12 = scratch.accumulator(4, K1 * L2);
  const a22 = scratch.accumulator(5, K2 * L2);
  for (let x1 = 0, u = 0; x1 < K1; x1++) {
    for (let x2 = 0; x2 < K2; x2++, u++) {
      for (let y = 0; y < L1; y++) {
        const v = r1[u * L1 + y];
        a11[x1 * L1 + y] += v;
        a21[x2 * L1 + y] += v;
      }
      if (right.length === 2) {
        for (let y = 0; y < L2; y++) {
          const v = r2[u * L2 + y];
          a12[x1 * L2 + y] += v;
          a22[x2 * L2 + y] += v;
        }
      }
    }
  }
  store(out, left[0], right[0], a11, part);
  store(out, left[1], right[0], a21, part);
  if (right.length === 2) {
    store(out, left[0], right[1], a12, part);
    store(out, left[1], right[1], a22, part);
  }
}

