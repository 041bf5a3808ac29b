/**
 * Per-column dictionaries of distinct raw answers.
 *
 * While a file is scanned, every cell of a selected item column is reduced to a small integer
 * "slot": the index of its raw token (an integer code, or a string such as a label) in the
 * column's dictionary. Resolving tokens against the codebook (recode, reverse, missing, valid,
 * labels) then happens once per distinct token instead of once per cell, and the first place
 * each token occurs is remembered so an answer that matches no option can be located exactly.
 */

/** Slot of an empty cell; always present. */
export const EMPTY_SLOT = 0;
/** Slot written once a column has more distinct tokens than a Uint16 can index. */
export const OVERFLOW_SLOT = 0xffff;
const MAX_SLOTS = 0xfffe;

/** Integer codes in [DENSE_MIN, DENSE_MIN + DENSE_SIZE) are looked up in an array, others in a Map. */
const DENSE_MIN = -64;
const DENSE_SIZE = 1024;

export type RawToken = number | string;

/** Computes a column only when a location is needed (a new token, a problem): it costs a scan of the line. */
export interface ColumnLocator {
  columnAt(pos: number): number;
  /** The line of `pos`, when a record spans lines (a pretty-printed JSON record); else the record's line. */
  lineAt?(pos: number): number;
}

export class TokenColumn {
  /** values[r] = slot of respondent r's raw answer. */
  values: Uint16Array;
  /** Raw token per slot; slot 0 is the empty cell. */
  readonly tokens: RawToken[] = [''];
  /** 1-based line and column where each slot's token first occurs (0 when unknown). */
  readonly firstLine: number[] = [0];
  readonly firstColumn: number[] = [0];
  /** True once more than 65,534 distinct tokens were seen: the column cannot be an item. */
  overflow = false;
  private readonly dense = new Int32Array(DENSE_SIZE).fill(-1);
  private readonly sparse = new Map<number, number>();
  private readonly strings = new Map<string, number>();

  constructor(
    readonly name: string,
    /** Index of the column in the file (0-based field index, or key order for records). */
    readonly field: number,
    capacity: number,
  ) {
    this.values = new Uint16Array(capacity);
  }

  /** Slot of an integer code already seen, or -1. Kept tiny so the scanner's hot loop inlines it. */
  knownInt(v: number): number {
    const k = v - DENSE_MIN;
    if (k >= 0 && k < DENSE_SIZE) return this.dense[k];
    const s = this.sparse.get(v);
    return s === undefined ? -1 : s;
  }

  /** Slot of an integer code, adding it (with where it first occurs) when new. */
  addInt(v: number, line: number, column: number, locator?: ColumnLocator, pos = 0): number {
    const known = this.knownInt(v);
    if (known >= 0) return known;
    const s = this.newSlot(v, locator?.lineAt?.(pos) ?? line, column || locator!.columnAt(pos));
    if (s === OVERFLOW_SLOT) return s;
    const k = v - DENSE_MIN;
    if (k >= 0 && k < DENSE_SIZE) this.dense[k] = s;
    else this.sparse.set(v, s);
    return s;
  }

  /**
   * Slot of a textual token (a quoted cell, a label, `4: Agree`, ` 3 `, `4.0`). Plain integers are
   * folded into the integer dictionary so `"3"` and `3` are one answer.
   */
  addText(text: string, line: number, column: number, locator?: ColumnLocator, pos = 0): number {
    const t = text.trim();
    if (t === '') return EMPTY_SLOT;
    if (INTEGER.test(t)) {
      const v = Number(t);
      if (Number.isSafeInteger(v)) {
        const known = this.knownInt(v);
        return known >= 0 ? known : this.addInt(v, line, column, locator, pos);
      }
    }
    const known = this.strings.get(t);
    if (known !== undefined) return known;
    const s = this.newSlot(t, locator?.lineAt?.(pos) ?? line, column || locator!.columnAt(pos));
    if (s !== OVERFLOW_SLOT) this.strings.set(t, s);
    return s;
  }

  /** Grows `values` to hold at least `capacity` rows, keeping what is there. */
  reserve(capacity: number): void {
    if (capacity <= this.values.length) return;
    const next = new Uint16Array(capacity);
    next.set(this.values);
    this.values = next;
  }

  /** Number of cells per slot over rows 0..n-1. */
  slotCounts(n: number): Float64Array {
    const counts = new Float64Array(this.tokens.length + 1);
    const v = this.values;
    const overflowIndex = this.tokens.length;
    for (let r = 0; r < n; r++) {
      const s = v[r];
      counts[s === OVERFLOW_SLOT ? overflowIndex : s]++;
    }
    return counts;
  }

  private newSlot(token: RawToken, line: number, column: number): number {
    if (this.tokens.length >= MAX_SLOTS) {
      this.overflow = true;
      return OVERFLOW_SLOT;
    }
    this.tokens.push(token);
    this.firstLine.push(line);
    this.firstColumn.push(column);
    return this.tokens.length - 1;
  }
}

/** An integer written plainly, or with a zero fraction (`4.0`), as statistics packages export. */
const INTEGER = /^[-+]?\d+(?:\.0*)?$/;
