/**
 * The reader every format shares: fields of rows in, `SurveyData` / `DistributionData` out, with
 * every skipped row and dropped value reported where it is.
 */
import type { SurveyData } from './dataset';
import { DiagnosticBag, InputError, type InputDiagnostic } from '../report/diagnostics';
import { PRESETS, type SurveyPreset } from './presets/wvs7';
import { EMPTY_SLOT, OVERFLOW_SLOT, TokenColumn, type ColumnLocator } from './columns';
import { DelimitedScanner, FIELD_CODE, FIELD_SKIP, FIELD_TEXT, skipRecord, sniffDelimiter, type ScanProblem, type ScanSink, type SkipState } from './formats/delimited';
import { pivotLong, type LongColumns } from './long';
import { DistributionRows } from './distribution';
import type { ChunkConsumer, RecordReader } from './formats/json-stream';
import { MAX_RECORD_BYTES, STRING_CELL_BYTES, STRING_REF_BYTES, defaultMemoryLimit, tooLarge } from './memory';
import { DEFAULT_INFERENCE, type InferencePolicy } from './resolve';
import { planHeader } from './header-plan';
import { buildItemColumns, type SelectedItem } from './item-columns';
import type { HeaderLocation, ReadOptions, ReadResult } from './options';
import type { CellWriter } from './formats/survey-file';
import { PART_FIRST_LINE, type PartHeader, type PartRows } from './part';

/** Bytes of the first read the delimiter is sniffed on. */
const SNIFF_BYTES = 1 << 16;

/** Non-negative finite decimal, as survey weights are written. */
const WEIGHT = /^\s*\+?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*$/;
const NEGATIVE_NUMBER = /^\s*-(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*$/;

/**
 * Rows to columns: every format feeds its rows here (delimited text chunk by chunk through the
 * scanner, records through `feedRecord`); the header decides the layout and the fields kept
 * (header-plan.ts), the rows fill typed columns under the memory guard, and `finish` resolves them
 * into items (wide), pivots them (long) or collects distributions.
 */
export class RowsToColumns implements ScanSink, ChunkConsumer, RecordReader, CellWriter {
  roles = new Uint8Array(0);
  codeColumns: (TokenColumn | null)[] = [];
  row = 0;

  private bag = new DiagnosticBag();

  /** A diagnostic found outside the records (e.g. the file's encoding). */
  note(d: InputDiagnostic): void {
    this.bag.add(d);
  }
  private readonly preset: SurveyPreset | undefined;
  private scanner: DelimitedScanner | null = null;
  private header: string[] | null = null;
  private headerLine = 1;
  private headerColumns: number[] = [];
  private delimiter = 44;
  private started = false;
  private readonly itemLocations: Record<string, HeaderLocation> = {};
  /** Item columns to resolve, in output order. */
  private selected: SelectedItem[] = [];
  private attributeFields = new Map<number, string[]>();
  /** Per group column: its distinct values, so each row holds a reference, not a string of its own. */
  private interned = new Map<number, Map<string, string>>();
  /** Bytes of the distinct group strings kept (with their table entries), for the memory guard. */
  private stringBytes = 0;
  /** Fields that are both an attribute and an item: read as text, fed to the item's column too. */
  private textItems = new Map<number, TokenColumn>();
  private weightField = -1;
  private weights: Float64Array | null = null;
  private lines = new Uint32Array(0);
  private capacity = 0;
  private rowWeightProblem: InputDiagnostic | null = null;
  private skippedRows = 0;
  private long: LongColumns | null = null;
  /** Format name reported in the result. */
  format: string | null = null;
  private estimated = false;
  private ragged = 0;
  /** Distribution layout: the rows collected, and each field's role (-1: skipped). */
  private dist: DistributionRows | null = null;
  private distRoles = new Int8Array(0);
  private readonly memoryLimit: number;
  private readonly maxRecord: number;
  /** Fields in which Stata extended missing values `.a`-`.z` were read (missingCell). */
  private readonly extendedFields = new Set<number>();
  /** Inside a record too long to buffer, being dropped. */
  private skipping: SkipState | null = null;

  constructor(
    private readonly path: string,
    private readonly options: ReadOptions,
    private readonly size: number,
  ) {
    this.preset = options.preset ? PRESETS[options.preset] : undefined;
    this.memoryLimit = options.maxMemoryBytes ?? defaultMemoryLimit();
    this.maxRecord = Math.max(16, options.maxRecordBytes ?? MAX_RECORD_BYTES);
  }

  /** Scans buf[0, end) and returns how many bytes were consumed (the rest is carried over). */
  consume(buf: Uint8Array, end: number, final: boolean): number {
    let pos = 0;
    if (!this.started) {
      // Sniff the delimiter on a good sample (the first lines), not on whatever the first read gave.
      if (!final && end < Math.min(SNIFF_BYTES, this.maxRecord)) return 0;
      this.started = true;
      if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) pos = 3;
      this.delimiter = this.options.format === 'tsv' || /\.tsv$/i.test(this.path) ? 9 : sniffDelimiter(buf, pos, Math.min(end, SNIFF_BYTES));
      this.scanner = new DelimitedScanner(this.delimiter, this);
      this.roles = new Uint8Array(1 << 16).fill(FIELD_TEXT); // the header: every field as text
    }
    if (this.skipping) {
      // Inside a record too long to buffer (see overflow): drop bytes until it ends.
      const st = this.skipping;
      pos = skipRecord(buf, 0, end, final, this.delimiter, st, false);
      if (!st.done) return final ? end : pos;
      this.skipping = null;
      this.scanner!.line = st.line;
      this.scanner!.lineStart = pos;
    }
    const consumed = this.scanner!.scan(buf, pos, end, final);
    if (this.header && !this.estimated && (this.row > 0 || final)) {
      // Size the columns once from how many bytes the first rows took, to avoid regrowing; refuse
      // here, before the columns are filled, when they would not fit.
      this.estimated = true;
      this.expectRows(this.estimateRows(consumed), true);
    }
    return consumed;
  }

  /**
   * A record fills the largest buffer allowed: report it where it starts (an unclosed quote: where
   * the quote opens), count the row as skipped and drop its bytes up to its end.
   */
  overflow(buf: Uint8Array, filled: number, maxBytes: number): number {
    const mb = `${Math.round(maxBytes / (1 << 20)) || (maxBytes / (1 << 20)).toPrecision(2)} MB`;
    const sc = this.scanner;
    if (!this.header || !sc) {
      throw new InputError({
        code: 'csv.record-too-long',
        message: `The first row (the header) is longer than ${mb}; this does not look like a delimited text file.`,
        file: this.path,
        line: sc?.line ?? 1,
        column: 1,
      });
    }
    const st: SkipState = { inQuote: false, fieldStart: true, done: false, line: sc.line, lineStart: Math.max(0, sc.lineStart), quoteLine: 0, quoteColumn: 0 };
    const recordLine = sc.line;
    const pos = skipRecord(buf, 0, filled, false, this.delimiter, st, true);
    this.bag.add(
      st.inQuote
        ? {
            severity: 'error',
            code: 'csv.record-too-long',
            message: `This quote opens a field that is still not closed ${mb} later: the quote is probably never closed. The row was skipped, and the file up to where the quote closes, if it does.`,
            file: this.path,
            line: st.quoteLine,
            column: st.quoteColumn,
          }
        : {
            severity: 'error',
            code: 'csv.record-too-long',
            message: `This row is longer than ${mb}, far longer than a survey row; it was skipped.`,
            file: this.path,
            line: recordLine,
            column: 1,
          },
    );
    this.skippedRows++;
    if (st.done) {
      sc.line = st.line;
      sc.lineStart = pos;
    } else this.skipping = st;
    return pos;
  }

  shift(n: number): void {
    this.scanner?.shift(n);
  }

  /** Record formats: `bytes` of the file were handled; estimate the rows to come once (memory guard). */
  progress(bytes: number): void {
    if (this.estimated || !this.header || this.row < 64 || bytes <= 0) return;
    this.estimated = true;
    this.expectRows(Math.ceil((this.size / bytes) * this.row * 1.05) + 16, true);
  }

  /**
   * The number of rows the file will have (known from a Parquet footer, or estimated from the
   * first rows): refused here when their columns would not fit, else reserved at once.
   */
  expectRows(rows: number, estimate = false): void {
    if (!this.header) return;
    this.estimated = true;
    this.checkMemory(rows, estimate ? 'about ' : '');
    if (rows + 1 > this.capacity) this.reserve(rows + 1, false);
  }

  beginRecord(): void {
    this.rowWeightProblem = null;
    this.dist?.begin();
    if (!this.header) this.headerFields = [];
  }

  private headerFields: string[] = [];

  text(field: number, value: string, line: number, column: number, start: number): void {
    if (!this.header) {
      column ||= this.scanner!.columnAt(start);
      this.headerFields[field] = value;
      this.headerColumns[field] = column;
      return;
    }
    if (this.dist) {
      const role = this.distRoles[field];
      if (role >= 0) this.dist.cell(role, value, column || this.scanner!.columnAt(start));
      return;
    }
    if (field === this.weightField) {
      this.readWeight(value, line, column, start);
      return;
    }
    const attr = this.attributeFields.get(field);
    if (attr) attr[this.row] = this.intern(field, value.trim());
    const item = this.textItems.get(field);
    if (item) item.values[this.row] = item.addText(value, line, column, this.scanner!, start);
  }

  endRecord(fields: number, line: number, problems: ScanProblem[] | null): void {
    let unclosed = false;
    if (problems) {
      for (const p of problems) {
        unclosed ||= p.code === 'csv.unclosed-quote';
        this.bag.add({
          severity: p.code === 'csv.unclosed-quote' ? 'error' : 'warning',
          code: p.code,
          message: p.message,
          file: this.path,
          line: p.line,
          column: p.column,
        });
      }
    }
    if (!this.header) {
      this.headerLine = line;
      this.setHeader(this.headerFields.slice(0, fields));
      return;
    }
    if (unclosed) {
      this.skippedRows++;
      return;
    }
    const expected = this.header.length;
    if (fields !== expected) {
      this.ragged++;
      this.skippedRows++;
      this.bag.add({
        severity: 'error',
        code: 'csv.ragged-row',
        message: `This row has ${fields} field${fields === 1 ? '' : 's'} but the header has ${expected}; the row was skipped.`,
        file: this.path,
        line,
        column: 1,
      });
      return;
    }
    if (this.rowWeightProblem) {
      this.bag.add(this.rowWeightProblem);
      this.skippedRows++;
      return;
    }
    if (this.dist) {
      this.dist.commit(line);
      this.row++;
      return;
    }
    if (this.row + 1 >= this.capacity) this.reserve(Math.max(1024, Math.ceil(this.capacity * 1.5)));
    this.lines[this.row] = line;
    this.row++;
  }

  private readWeight(value: string, line: number, column: number, start: number): void {
    if (WEIGHT.test(value)) {
      const w = Number(value);
      if (Number.isFinite(w)) {
        this.weights![this.row] = w;
        return;
      }
    }
    const negative = NEGATIVE_NUMBER.test(value);
    if (negative && Number(value) === 0) {
      // "-0" (or -0.0) is a zero weight, not a negative one.
      this.weights![this.row] = 0;
      return;
    }
    column ||= this.scanner!.columnAt(start);
    this.rowWeightProblem = {
      severity: 'error',
      code: negative ? 'data.negative-weight' : 'data.invalid-weight',
      message: negative
        ? `The weight ${value.trim()} is negative; weights must be zero or more. The row was skipped.`
        : `The weight ${value.trim() === '' ? '(empty)' : JSON.stringify(value.trim())} is not a number; the row was skipped.`,
      file: this.path,
      line,
      column,
      endColumn: column + value.length,
    };
  }

  /** Rows to reserve from how many bytes the first records took. */
  private estimateRows(consumed: number): number {
    if (this.row === 0 || consumed === 0) return 4096;
    return Math.ceil((this.size / consumed) * this.row * 1.05) + 16;
  }

  /**
   * The one copy of a group column's value: group, persona and country columns repeat a few values
   * (and the long layout's respondent, item and answer columns repeat each value over consecutive
   * rows), so rows share strings. Past 2^20 distinct values a column's strings are kept as they come.
   */
  private intern(field: number, v: string): string {
    let table = this.interned.get(field);
    if (!table) this.interned.set(field, (table = new Map()));
    const known = table.get(v);
    if (known !== undefined) return known;
    if (table.size < 1 << 20) {
      table.set(v, v);
      this.stringBytes += STRING_CELL_BYTES + 2 * v.length + 48;
    } else this.stringBytes += STRING_CELL_BYTES + 2 * v.length;
    return v;
  }

  /** Throws `file.too-large` when `rows` rows of the kept columns would not fit in the limit. */
  private checkMemory(rows: number, how: 'about ' | 'more than ' | ''): void {
    // Distinct strings are projected to grow with the rows (respondent ids do).
    const needed = rows * this.bytesPerRow() + (this.row > 0 ? (this.stringBytes * rows) / this.row : 0);
    if (needed <= this.memoryLimit) return;
    const cols = this.selected.length + (this.weights ? 1 : 0) + this.attributeFields.size;
    throw tooLarge(
      this.path,
      this.size,
      needed,
      this.memoryLimit,
      `${how}${rows.toLocaleString('en-US')} rows x ${cols} selected column${cols === 1 ? '' : 's'}`,
    );
  }

  /**
   * Bytes one row takes in what this read keeps: item slots, weight, line, and per group column a
   * reference to a shared string (8 bytes, counted as 20: the array grows by copying, and the V8
   * heap keeps slack). Measured with bench/big-file.mjs on the long layout, whose four text columns
   * are pivoted at the end: 2.5 GB peak RSS for 30.8 million answer rows, 80 bytes a row.
   */
  private bytesPerRow(): number {
    if (this.dist) return 0;
    return this.selected.length * 2 + (this.weights ? 8 : 0) + 4 + this.attributeFields.size * STRING_REF_BYTES + this.textItems.size * 2;
  }

  /**
   * Grows the columns to `capacity` rows, after checking they fit in the memory limit
   * (`estimate`: the capacity is a projection from the first rows, not rows already read).
   */
  private reserve(capacity: number, check = true): void {
    if (check) this.checkMemory(capacity, 'more than ');
    for (const s of this.selected) s.column.reserve(capacity);
    if (this.weights) {
      const w = new Float64Array(capacity);
      w.set(this.weights.subarray(0, Math.min(this.weights.length, capacity)));
      this.weights = w;
    }
    const l = new Uint32Array(capacity);
    l.set(this.lines.subarray(0, Math.min(this.lines.length, capacity)));
    this.lines = l;
    this.capacity = capacity;
  }

  /** The header is known: decide which fields to keep and how (header-plan.ts). */
  private setHeader(names: string[]): void {
    this.header = names;
    const plan = planHeader(names, { path: this.path, line: this.headerLine, columns: this.headerColumns, options: this.options, preset: this.preset, bag: this.bag });
    this.roles = plan.roles;
    if (plan.layout === 'distribution') {
      this.distRoles = plan.distRoles;
      this.codeColumns = new Array(names.length).fill(null);
      this.dist = new DistributionRows(plan.columns, this.path, this.bag);
      return;
    }
    this.long = plan.long;
    this.weightField = plan.weightField;
    if (plan.weightField >= 0) this.weights = new Float64Array(0);
    this.attributeFields = plan.attributeFields;
    this.textItems = plan.textItems;
    this.selected = plan.selected;
    Object.assign(this.itemLocations, plan.itemLocations);
    this.codeColumns = plan.codeColumns;
    // A first allocation, too small to matter: the guard checks the estimate and the growth.
    this.reserve(1024, false);
  }

  report(d: InputDiagnostic): void {
    this.bag.add(d);
  }

  policy(): InferencePolicy {
    const base = this.preset
      ? this.preset.inference(this.options.dontKnow ?? 'missing')
      : { ...DEFAULT_INFERENCE, dontKnowCategory: this.options.dontKnow === 'category' };
    let policy: InferencePolicy = this.options.missingCodes ? { ...base, missingCodes: this.options.missingCodes } : base;
    if (this.options.fileItems) policy = { ...policy, fileItems: this.options.fileItems };
    if (this.options.extendedMissing?.length || this.extendedFields.size) {
      const names = new Set(this.options.extendedMissing ?? []);
      for (const f of this.extendedFields) if (this.header?.[f] !== undefined) names.add(this.header[f]);
      policy = { ...policy, extendedMissing: names };
    }
    return policy;
  }

  /** Feeds one record from a record-oriented format (JSON lines, JSON, Parquet): values by field. */
  feedRecord(values: ReadonlyArray<unknown>, line: number, locator?: ColumnLocator): void {
    if (!this.header) {
      this.beginRecord();
      values.forEach((v, i) => this.text(i, String(v), line, 1, 0));
      this.endRecord(values.length, line, null);
      return;
    }
    this.beginRecord();
    const roles = this.roles;
    for (let f = 0; f < roles.length; f++) {
      const role = roles[f];
      if (role === FIELD_SKIP) continue;
      const v = values[f];
      if (role === FIELD_CODE) {
        const col = this.codeColumns[f]!;
        // With a locator, a new answer is located at its value (field f); else at the record.
        const column = locator ? 0 : 1;
        col.values[this.row] =
          typeof v === 'number' && Number.isSafeInteger(v) ? col.addInt(v, line, column, locator, f) : col.addText(v === null || v === undefined ? '' : String(v), line, column, locator, f);
      } else {
        this.text(f, v === null || v === undefined ? '' : String(v), line, 1, 0);
      }
    }
    this.endRecord(this.header.length, line, null);
  }

  /**
   * The SPSS and Stata readers' records, cell by cell (survey-file.ts `CellWriter`): the same as
   * `feedRecord` with the record's values, written straight into the columns. A weight that is a
   * finite number >= 0 is stored as it is (feedRecord turns it into text and back, to the same
   * number); any other goes through the text path and its diagnostics.
   */
  beginCells(): void {
    this.beginRecord();
  }

  numberCell(field: number, v: number): void {
    const role = this.roles[field];
    if (role === FIELD_CODE) {
      const col = this.codeColumns[field]!;
      col.values[this.row] = Number.isSafeInteger(v) ? col.addInt(v, 0, 1) : col.addText(String(v), 0, 1);
    } else if (role === FIELD_TEXT) {
      if (field === this.weightField && !this.dist && v >= 0 && v <= Number.MAX_VALUE) this.weights![this.row] = v === 0 ? 0 : v;
      else this.text(field, String(v), 0, 1, 0);
    }
  }

  textCell(field: number, v: string): void {
    const role = this.roles[field];
    if (role === FIELD_CODE) {
      const col = this.codeColumns[field]!;
      col.values[this.row] = col.addText(v, 0, 1);
    } else if (role === FIELD_TEXT) this.text(field, v, 0, 1, 0);
  }

  /**
   * A missing cell (system-missing, `.`, or Stata's `.a`-`.z`): an empty answer, as feedRecord reads
   * null. A field with `.a`-`.z` is remembered (InferencePolicy.extendedMissing).
   */
  missingCell(field: number, extended: number): void {
    if (extended >= 0) this.extendedFields.add(field);
    const role = this.roles[field];
    if (role === FIELD_CODE) this.codeColumns[field]!.values[this.row] = EMPTY_SLOT;
    else if (role === FIELD_TEXT) this.text(field, '', 0, 1, 0);
  }

  endCells(): void {
    this.endRecord(this.header!.length, 0, null);
  }

  /**
   * What a second thread needs to read the rest of the file as this reader would (the header as
   * read, the delimiter): null unless the header is read, the layout is wide, and the reader is at a
   * record boundary of a delimited text (not inside a record too long to buffer).
   */
  partHeader(): PartHeader | null {
    if (!this.header || !this.scanner || this.dist || this.long || this.skipping || this.format !== null) return null;
    return { names: this.header, headerLine: this.headerLine, headerColumns: this.headerColumns, delimiter: this.delimiter };
  }

  /** The 1-based line the scanner is at (after the last record consumed). */
  get scanLine(): number {
    return this.scanner?.line ?? 1;
  }

  /**
   * A reader of a later part of the file (src/core/read/split.ts), starting at a record boundary:
   * the header as the first reader read it, the scanner at line PART_FIRST_LINE (the absorbing
   * reader shifts every line by its own), the header's diagnostics left to the first reader.
   */
  adoptHeader(h: PartHeader): void {
    this.started = true;
    this.delimiter = h.delimiter;
    this.scanner = new DelimitedScanner(h.delimiter, this);
    this.headerLine = h.headerLine;
    this.headerColumns = [...h.headerColumns];
    this.setHeader([...h.names]);
    // The part's own diagnostics only, each kept (the absorbing reader's bag applies the cap).
    this.bag = new DiagnosticBag(Infinity);
    this.scanner.line = PART_FIRST_LINE;
    this.scanner.lineStart = 0;
  }

  /** This part's rows, for `absorb` in the first reader (typed arrays trimmed to the rows read). */
  partRows(): PartRows {
    const n = this.row;
    const attributes: PartRows['attributes'] = [];
    for (const [field, values] of this.attributeFields) {
      const index = new Map<string, number>();
      const dictionary: string[] = [];
      const codes = new Uint32Array(n);
      for (let r = 0; r < n; r++) {
        const v = values[r];
        let k = index.get(v);
        if (k === undefined) {
          k = dictionary.length;
          dictionary.push(v);
          index.set(v, k);
        }
        codes[r] = k;
      }
      attributes.push({ field, dictionary, codes });
    }
    return {
      rows: n,
      columns: this.selected.map((s) => ({ tokens: s.column.tokens, firstLine: s.column.firstLine, firstColumn: s.column.firstColumn, overflow: s.column.overflow, values: s.column.values.slice(0, n) })),
      weights: this.weights ? this.weights.slice(0, n) : null,
      lines: this.lines.slice(0, n),
      attributes,
      diagnostics: this.bag.items,
      skippedRows: this.skippedRows,
      ragged: this.ragged,
      encodingReported: this.scanner?.encodingWasReported ?? false,
    };
  }

  /**
   * Appends the rows of the part of the file that follows this reader's last record, read by
   * another reader (`adoptHeader`, `partRows`): afterwards this reader holds what it would hold had
   * it read those bytes itself. Tokens new to a column are added in the part's order of first
   * appearance (the order one reader would have met them), so every slot, every first location and
   * every value is the same; lines are shifted by where the part starts. False (nothing changed)
   * when a column of the part ran out of slots: the caller reads the part itself.
   */
  absorb(part: PartRows): boolean {
    if (!this.header || part.columns.length !== this.selected.length || part.columns.some((c) => c.overflow)) return false;
    const shift = this.scanLine - PART_FIRST_LINE;
    const at = this.row;
    const n = part.rows;
    if (at + n + 1 > this.capacity) this.reserve(at + n + 1);
    const unknownColumn: ColumnLocator = { columnAt: () => 0 };
    part.columns.forEach((pc, i) => {
      const col = this.selected[i].column;
      const map = new Uint16Array(pc.tokens.length);
      for (let s = 1; s < pc.tokens.length; s++) {
        const t = pc.tokens[s];
        const line = pc.firstLine[s] === 0 ? 0 : pc.firstLine[s] + shift;
        map[s] = typeof t === 'number' ? col.addInt(t, line, pc.firstColumn[s], unknownColumn) : col.addText(t, line, pc.firstColumn[s], unknownColumn);
      }
      remapSlots(col.values, at, pc.values, map, n);
    });
    if (this.weights && part.weights) this.weights.set(part.weights, at);
    shiftLines(this.lines, at, part.lines, shift, n);
    for (const a of part.attributes) {
      const values = this.attributeFields.get(a.field);
      if (values) expandCodes(values, at, a.dictionary.map((v) => this.intern(a.field, v)), a.codes, n);
    }
    const encodingSeen = this.scanner?.encodingWasReported ?? false;
    for (const d of part.diagnostics) {
      if (d.code === 'csv.encoding' && encodingSeen) continue;
      this.bag.add(d.line === undefined ? d : { ...d, line: d.line + shift });
    }
    if (part.encodingReported) this.scanner?.markEncodingReported();
    this.skippedRows += part.skippedRows;
    this.ragged += part.ragged;
    this.row = at + n;
    return true;
  }

  finish(): ReadResult {
    const file = this.path;
    if (!this.header || this.header.every((h) => h.trim() === '')) {
      throw new InputError({ code: 'file.empty', message: 'The file has no header row (it is empty or blank).', file });
    }
    const n = this.row;
    if (n === 0) {
      this.bag.add({ severity: 'error', code: 'data.no-rows', message: `The file has a header but no ${this.dist ? 'distribution' : 'respondent'} rows.`, file, line: this.headerLine, column: 1 });
    }
    if (this.weights && this.weightField >= 0 && n > 0 && !this.weights.subarray(0, n).some((w) => w > 0)) {
      const name = this.header[this.weightField];
      this.bag.add({
        severity: 'error',
        code: 'data.zero-weights',
        message: `Every weight in column "${name}" is zero, so no respondent counts and no distribution or score can be computed. Check the weight column, or drop "weight" to weight respondents equally.`,
        file,
        line: this.headerLine,
        column: this.headerColumns[this.weightField],
        endColumn: this.headerColumns[this.weightField] + name.length,
      });
    }
    if (this.dist) return this.finishDistribution();
    if (this.long) return this.finishLong(n);
    const { columns, inferred } = buildItemColumns(this.selected, n, this.policy(), this.preset?.name, file, this.bag, this.itemLocations);
    if (this.skippedRows > 0) {
      this.bag.add({
        severity: 'warning',
        code: 'data.rows-skipped',
        message: `${this.skippedRows} row${this.skippedRows === 1 ? ' was' : 's were'} skipped because of the errors reported (${n} respondents read).`,
        file,
      });
    }
    const attributes = new Map<string, string[]>();
    for (const [f, values] of this.attributeFields) {
      values.length = n;
      attributes.set(this.header[f], values);
    }
    const data: SurveyData = {
      source: file,
      n,
      columns,
      weights: this.weights ? this.weights.slice(0, n) : null,
      attributes,
      lines: this.lines.slice(0, n),
    };
    return {
      kind: 'respondents',
      data,
      codebook: columns.map((c) => c.item),
      inferred,
      diagnostics: this.bag.all(),
      itemLocations: this.itemLocations,
      layout: 'wide',
      format: this.format ?? (this.delimiter === 9 ? 'tsv' : 'csv'),
    };
  }

  private finishDistribution(): ReadResult {
    const dist = this.dist!;
    dist.skipped += this.skippedRows;
    const wanted = this.options.items ?? (this.options.codebook ? this.options.codebook.map((c) => c.id) : null);
    const read = dist.finish(this.options.codebook, wanted, this.policy());
    return {
      kind: 'distribution',
      distribution: read.distribution,
      codebook: read.codebook,
      inferred: read.inferred,
      diagnostics: this.bag.all(),
      itemLocations: read.itemLocations,
      layout: 'distribution',
      format: this.format ?? (this.delimiter === 9 ? 'tsv' : 'csv'),
      distributionValues: read.values,
    };
  }

  private finishLong(n: number): ReadResult {
    const file = this.path;
    const long = this.long!;
    const header = this.header!;
    const byName = new Map<string, string[]>();
    for (const [f, values] of this.attributeFields) {
      values.length = n;
      byName.set(header[f], values);
    }
    const groups = new Map([...byName].filter(([k]) => k !== long.respondent && k !== long.item && k !== long.answer));
    const codebook = new Map((this.options.codebook ?? []).map((c) => [c.id, c]));
    const wanted = this.options.items ?? (this.options.codebook ? this.options.codebook.map((c) => c.id) : null);
    const pivot = pivotLong(
      {
        n,
        respondent: byName.get(long.respondent)!,
        item: byName.get(long.item)!,
        answer: byName.get(long.answer)!,
        lines: this.lines.subarray(0, n),
        weights: this.weights ? this.weights.subarray(0, n) : null,
        attributes: groups,
      },
      wanted,
      codebook,
      file,
      this.bag,
    );
    const m = pivot.respondents.length;
    const locations: Record<string, HeaderLocation> = {};
    const { columns, inferred } = buildItemColumns(pivot.selected, m, this.policy(), this.preset?.name, file, this.bag, locations);
    if (wanted) {
      for (const s of pivot.selected) {
        if (s.column.tokens.length === 1) {
          this.bag.add({ severity: 'error', code: 'data.unknown-item', message: `Item "${s.name}" has no answers in this file.`, file, item: s.name });
        }
      }
    }
    if (this.skippedRows > 0) {
      this.bag.add({
        severity: 'warning',
        code: 'data.rows-skipped',
        message: `${this.skippedRows} row${this.skippedRows === 1 ? ' was' : 's were'} skipped because of the errors reported.`,
        file,
      });
    }
    return {
      kind: 'respondents',
      data: { source: file, n: m, columns, weights: pivot.weights, attributes: pivot.attributes, respondentIds: pivot.respondents, lines: pivot.lines },
      codebook: columns.map((c) => c.item),
      inferred,
      diagnostics: this.bag.all(),
      itemLocations: {},
      layout: 'long',
      format: this.format ?? (this.delimiter === 9 ? 'tsv' : 'csv'),
    };
  }
}

/** out[at + r] = the slot `map` gives part slot values[r] (OVERFLOW_SLOT kept), r < n. */
function remapSlots(out: Uint16Array, at: number, values: Uint16Array, map: Uint16Array, n: number): void {
  for (let r = 0; r < n; r++) {
    const v = values[r];
    out[at + r] = v === OVERFLOW_SLOT ? OVERFLOW_SLOT : map[v];
  }
}

function shiftLines(out: Uint32Array, at: number, lines: Uint32Array, shift: number, n: number): void {
  for (let r = 0; r < n; r++) out[at + r] = lines[r] + shift;
}

/** out[at + r] = dictionary[codes[r]], r < n (a group column's strings, each the reader's one copy). */
function expandCodes(out: string[], at: number, dictionary: string[], codes: Uint32Array, n: number): void {
  out.length = at;
  for (let r = 0; r < n; r++) out.push(dictionary[codes[r]]);
}
