/**
 * Readers: users' files -> clean `SurveyData` / `DistributionData` with located diagnostics.
 *
 * Never throws on bad content: every skipped row, dropped value and guess is reported as an
 * `InputDiagnostic` with file, line and column. Throws `InputError` only when nothing sensible can
 * be read (the file does not exist, is empty, has no header).
 */
import { promises as fs } from 'node:fs';
import type { ItemCodebook } from '../codebook';
import { MAX_CATEGORIES, type DistributionData, type ItemColumn, type SurveyData } from '../dataset';
import { DiagnosticBag, InputError, type InputDiagnostic } from '../diagnostics';
import { PRESETS, type SurveyPreset } from '../presets/wvs7';
import { TokenColumn } from './columns';
import { DelimitedScanner, FIELD_CODE, FIELD_TEXT, sniffDelimiter, type ScanProblem, type ScanSink } from './delimited';
import { DEFAULT_INFERENCE, inferItem, resolveColumn, type InferencePolicy } from './resolve';

export type Layout = 'wide' | 'long' | 'distribution';
export type Format = 'csv' | 'tsv' | 'jsonl' | 'json' | 'parquet';

export interface ReadOptions {
  /** When given, only these items are read (unless `items` says otherwise). */
  codebook?: ItemCodebook[];
  /** Item columns to read; default: the codebook's items, else every column that looks like an item. */
  items?: string[];
  /** Weight column; null for none (overrides a preset's weight). */
  weight?: string | null;
  /** Group / demographic / persona columns kept as strings. */
  attributes?: string[];
  preset?: 'wvs7';
  /** WVS -1: missing (default) or a category of its own. */
  dontKnow?: 'missing' | 'category';
  format?: Format;
  layout?: Layout;
  /** Column names for the long layout. */
  long?: { respondent: string; item: string; answer: string };
  signal?: AbortSignal;
  /** Bytes read per chunk (default 4 MiB); tests use tiny chunks to exercise records split across reads. */
  chunkBytes?: number;
  onProgress?: (fraction: number) => void;
}

export interface HeaderLocation {
  line: number;
  column: number;
  endColumn: number;
}

export interface ReadResult {
  kind: 'respondents' | 'distribution';
  data?: SurveyData;
  distribution?: DistributionData;
  codebook: ItemCodebook[];
  /** True when some item's codebook was inferred from the data rather than given. */
  inferred: boolean;
  diagnostics: InputDiagnostic[];
  /** Where each item's column header is: for editor diagnostics on the header cell. */
  itemLocations: Record<string, HeaderLocation>;
  layout: Layout;
  format: string;
}

/** Bytes read per chunk: large enough that system calls do not matter, small for memory. */
const CHUNK_BYTES = 4 << 20;
const SNIFF_BYTES = 1 << 16;

/**
 * Reads a survey file (wide CSV/TSV so far) into `SurveyData`, streaming it in chunks and
 * materialising only the selected columns.
 */
export async function readSurvey(path: string, options: ReadOptions = {}): Promise<ReadResult> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(path, 'r');
  } catch (e) {
    throw new InputError({ code: 'file.unreadable', message: `Cannot open the file: ${(e as Error).message}`, file: path });
  }
  try {
    const size = (await handle.stat()).size;
    if (size === 0) throw new InputError({ code: 'file.empty', message: 'The file is empty.', file: path });
    const reader = new WideDelimitedReader(path, options, size);
    let buf = Buffer.allocUnsafe(Math.max(1, Math.min(options.chunkBytes ?? CHUNK_BYTES, size + 1)));
    let filled = 0;
    let total = 0;
    for (;;) {
      options.signal?.throwIfAborted();
      if (filled === buf.length) {
        // One record longer than the buffer (or an unclosed quote): grow.
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, filled);
        buf = bigger;
      }
      const { bytesRead } = await handle.read(buf, filled, buf.length - filled, null);
      filled += bytesRead;
      total += bytesRead;
      const final = bytesRead === 0 || total >= size;
      const consumed = reader.consume(buf, filled, final);
      options.onProgress?.(Math.min(1, total / size));
      if (final) break;
      buf.copy(buf, 0, consumed, filled);
      reader.shift(consumed);
      filled -= consumed;
    }
    return reader.finish();
  } finally {
    await handle.close();
  }
}

/** Reads survey text held in memory (tests, editors' unsaved buffers). */
export function readSurveyText(text: string, path: string, options: ReadOptions = {}): ReadResult {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length === 0) throw new InputError({ code: 'file.empty', message: 'The file is empty.', file: path });
  const reader = new WideDelimitedReader(path, options, bytes.length);
  reader.consume(bytes, bytes.length, true);
  return reader.finish();
}

/** Column names that identify respondents rather than ask them something. */
const RESPONDENT_ID = /^(?:id|_?row|respondent(?:_?id)?|resp(?:ondent)?_?id|case_?id|uuid|index|unnamed: ?0)$/i;

/** Non-negative finite decimal, as survey weights are written. */
const WEIGHT = /^\s*\+?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*$/;
const NEGATIVE_NUMBER = /^\s*-(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*$/;

/** Reads a wide delimited file chunk by chunk: header first, then the selected columns. */
class WideDelimitedReader implements ScanSink {
  roles = new Uint8Array(0);
  codeColumns: (TokenColumn | null)[] = [];
  row = 0;

  private readonly bag = new DiagnosticBag();
  private readonly preset: SurveyPreset | undefined;
  private scanner: DelimitedScanner | null = null;
  private header: string[] | null = null;
  private headerLine = 1;
  private headerColumns: number[] = [];
  private delimiter = 44;
  private started = false;
  private readonly itemLocations: Record<string, HeaderLocation> = {};
  /** Item columns to resolve, in output order. */
  private selected: { name: string; column: TokenColumn; codebook: ItemCodebook | null; explicit: boolean }[] = [];
  private attributeFields = new Map<number, string[]>();
  /** Fields that are both an attribute and an item: read as text, fed to the item's column too. */
  private textItems = new Map<number, TokenColumn>();
  private weightField = -1;
  private weights: Float64Array | null = null;
  private lines = new Uint32Array(0);
  private capacity = 0;
  private rowWeightProblem: InputDiagnostic | null = null;
  private skippedRows = 0;
  private estimated = false;
  private ragged = 0;

  constructor(
    private readonly path: string,
    private readonly options: ReadOptions,
    private readonly size: number,
  ) {
    this.preset = options.preset ? PRESETS[options.preset] : undefined;
  }

  /** Scans buf[0, end) and returns how many bytes were consumed (the rest is carried over). */
  consume(buf: Uint8Array, end: number, final: boolean): number {
    let pos = 0;
    if (!this.started) {
      // Sniff the delimiter on a good sample (the first lines), not on whatever the first read gave.
      if (!final && end < SNIFF_BYTES) return 0;
      this.started = true;
      if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) pos = 3;
      this.delimiter = this.options.format === 'tsv' || /\.tsv$/i.test(this.path) ? 9 : sniffDelimiter(buf, pos, Math.min(end, SNIFF_BYTES));
      this.scanner = new DelimitedScanner(this.delimiter, this);
      this.roles = new Uint8Array(1 << 16).fill(FIELD_TEXT); // the header: every field as text
    }
    const consumed = this.scanner!.scan(buf, pos, end, final);
    if (this.header && !this.estimated && (this.row > 0 || final)) {
      // Size the columns once from how many bytes the first rows took, to avoid regrowing.
      this.estimated = true;
      const rows = this.estimateRows(consumed);
      if (rows > this.capacity) this.reserve(rows);
    }
    return consumed;
  }

  shift(n: number): void {
    this.scanner?.shift(n);
  }

  beginRecord(): void {
    this.rowWeightProblem = null;
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
    if (field === this.weightField) {
      this.readWeight(value, line, column, start);
      return;
    }
    const attr = this.attributeFields.get(field);
    if (attr) attr[this.row] = value.trim();
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
    column ||= this.scanner!.columnAt(start);
    const negative = NEGATIVE_NUMBER.test(value);
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

  private reserve(capacity: number): void {
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

  /** The header is known: decide which fields to keep and how. */
  private setHeader(names: string[]): void {
    this.header = names;
    const file = this.path;
    const index = new Map<string, number>();
    names.forEach((name, i) => {
      if (index.has(name)) {
        this.bag.add({
          severity: 'error',
          code: 'csv.duplicate-column',
          message: `Column "${name}" appears twice (first as column ${index.get(name)! + 1}); only the first one is read.`,
          file,
          line: this.headerLine,
          column: this.headerColumns[i],
          endColumn: this.headerColumns[i] + name.length,
        });
      } else index.set(name, i);
    });
    const opts = this.options;
    const preset = this.preset;
    const roles = new Uint8Array(names.length);
    const codeColumns: (TokenColumn | null)[] = new Array(names.length).fill(null);

    // Weight.
    const weight = opts.weight !== undefined ? opts.weight : (preset?.weight ?? null);
    if (weight !== null) {
      const w = index.get(weight);
      if (w === undefined) {
        this.bag.add({
          severity: 'error',
          code: 'data.unknown-weight',
          message: `The weight column "${weight}" is not in the file; respondents are weighted equally.`,
          file,
          line: this.headerLine,
          column: 1,
        });
      } else {
        this.weightField = w;
        roles[w] = FIELD_TEXT;
        this.weights = new Float64Array(0);
      }
    }

    // Attributes (groups, demographics, personas).
    const attributes = opts.attributes ?? preset?.attributes.filter((a) => index.has(a)) ?? [];
    for (const a of attributes) {
      const f = index.get(a);
      if (f === undefined) {
        this.bag.add({
          severity: 'error',
          code: 'data.unknown-column',
          message: `The group column "${a}" is not in the file.`,
          file,
          line: this.headerLine,
          column: 1,
        });
        continue;
      }
      if (f === this.weightField) continue;
      roles[f] = FIELD_TEXT;
      this.attributeFields.set(f, []);
    }

    // Items.
    const byId = new Map((opts.codebook ?? []).map((c) => [c.id, c]));
    let wanted: string[];
    let explicit: boolean;
    if (opts.items) {
      wanted = opts.items;
      explicit = true;
    } else if (opts.codebook) {
      wanted = opts.codebook.map((c) => c.id);
      explicit = true;
    } else {
      wanted = names.filter(
        (n, i) =>
          index.get(n) === i &&
          i !== this.weightField &&
          !this.attributeFields.has(i) &&
          (preset ? preset.isItem(n) : !RESPONDENT_ID.test(n)),
      );
      if (preset) for (const a of attributes) if (preset.isItem(a) && index.has(a)) wanted.push(a);
      explicit = false;
    }
    const seen = new Set<string>();
    for (const id of wanted) {
      if (seen.has(id)) continue;
      seen.add(id);
      const f = index.get(id);
      if (f === undefined) {
        this.bag.add({
          severity: 'error',
          code: 'data.unknown-item',
          message: `Item "${id}" is not a column of this file${byId.has(id) ? ' (it is in the codebook)' : ''}; it was left out.`,
          file,
          line: this.headerLine,
          column: 1,
          item: id,
        });
        continue;
      }
      if (f === this.weightField) continue;
      const codebook = byId.get(id) ?? null;
      if (codebook && codebook.codes.length > MAX_CATEGORIES) {
        this.bag.add({
          severity: 'error',
          code: 'codebook.too-many-codes',
          message: `Item "${id}" has ${codebook.codes.length} valid codes; at most ${MAX_CATEGORIES} are supported, so it was left out.`,
          file,
          item: id,
        });
        continue;
      }
      const column = new TokenColumn(id, f, 0);
      if (this.attributeFields.has(f)) this.textItems.set(f, column);
      else {
        roles[f] = FIELD_CODE;
        codeColumns[f] = column;
      }
      this.selected.push({ name: id, column, codebook, explicit });
      this.itemLocations[id] = {
        line: this.headerLine,
        column: this.headerColumns[f],
        endColumn: this.headerColumns[f] + id.length,
      };
    }
    this.roles = roles;
    this.codeColumns = codeColumns;
    this.reserve(1024);
  }

  finish(): ReadResult {
    const file = this.path;
    if (!this.header || this.header.every((h) => h.trim() === '')) {
      throw new InputError({ code: 'file.empty', message: 'The file has no header row (it is empty or blank).', file });
    }
    const n = this.row;
    if (n === 0) {
      this.bag.add({ severity: 'error', code: 'data.no-rows', message: 'The file has a header but no respondent rows.', file, line: this.headerLine });
    }
    const policy: InferencePolicy = this.preset
      ? this.preset.inference(this.options.dontKnow ?? 'missing')
      : { ...DEFAULT_INFERENCE, dontKnowCategory: this.options.dontKnow === 'category' };
    const columns: ItemColumn[] = [];
    const inferredNotes: string[] = [];
    const notItems: string[] = [];
    let inferred = false;
    for (const s of this.selected) {
      const counts = s.column.slotCounts(n);
      let item = s.codebook;
      if (!item) {
        const guess = inferItem(s.column, counts, policy, s.explicit);
        if (!guess.item) {
          if (s.explicit) {
            this.bag.add({
              severity: 'error',
              code: 'data.not-an-item',
              message: `Column "${s.name}" cannot be read as an item: ${guess.note}.`,
              file,
              ...this.itemLocations[s.name],
              item: s.name,
            });
          } else notItems.push(`${s.name} (${guess.note})`);
          delete this.itemLocations[s.name];
          continue;
        }
        item = guess.item;
        inferred = true;
        inferredNotes.push(`${s.name}: ${guess.note}`);
      }
      columns.push(resolveColumn(s.column, n, item, counts, file, this.bag));
      s.column.values = new Uint16Array(0); // free the slots as we go
    }
    if (inferredNotes.length) {
      this.bag.add({
        severity: 'info',
        code: 'codebook.inferred',
        message: `No codebook for ${inferredNotes.length} item${inferredNotes.length === 1 ? '' : 's'}; inferred from the data${this.preset ? ` with the ${this.preset.name} preset` : ''} (observed valid codes in ascending order${policy.negativeMissing ? ', negative codes as missing' : ''}): ${inferredNotes.join('; ')}.`,
        file,
      });
    }
    if (notItems.length) {
      this.bag.add({
        severity: 'info',
        code: 'data.columns-not-items',
        message: `${notItems.length} column${notItems.length === 1 ? ' was' : 's were'} not taken as items: ${notItems.slice(0, 30).join('; ')}${notItems.length > 30 ? '; ...' : ''}. Name them in "items" to read them anyway.`,
        file,
      });
    }
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
      format: this.delimiter === 9 ? 'tsv' : 'csv',
    };
  }
}
