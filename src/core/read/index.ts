/**
 * Readers: users' files -> clean `SurveyData` / `DistributionData` with located diagnostics.
 *
 * Never throws on bad content: every skipped row, dropped value and guess is reported as an
 * `InputDiagnostic` with file, line and column. Throws `InputError` only when nothing sensible can
 * be read (the file does not exist, is empty, has no header), when it would not fit in the memory
 * limit (`file.too-large`), or when it changed while it was read (`file.changed-while-reading`).
 */
import { promises as fs } from 'node:fs';
import type { ItemCodebook } from './codebook';
import { MAX_CATEGORIES, type DistributionData, type ItemColumn, type SurveyData } from './dataset';
import { DiagnosticBag, InputError, type InputDiagnostic } from '../report/diagnostics';
import { PRESETS, type SurveyPreset } from './presets/wvs7';
import { TokenColumn, type ColumnLocator } from './columns';
import { DelimitedScanner, FIELD_CODE, FIELD_SKIP, FIELD_TEXT, sniffDelimiter, type ScanProblem, type ScanSink } from './formats/delimited';
import { detectLongColumns, pivotLong, type LongColumns } from './long';
import { DIST_GROUP, DIST_ITEM, DIST_OPTION, DIST_VALUE, DistributionRows, detectDistributionColumns, type DistributionColumns, type DistributionValues } from './distribution';
import { readParquet } from './formats/parquet';
import { JsonArrayConsumer, JsonLinesConsumer, RecordFeed, type ChunkConsumer, type RecordReader } from './formats/json-stream';
import { sniffUtf16, Utf16Consumer } from './formats/encoding';
import { MAX_RECORD_BYTES, STRING_CELL_BYTES, STRING_REF_BYTES, assertUnchanged, changedWhileReading, defaultMemoryLimit, identityOf, tooLarge } from './memory';
import type { AsyncBuffer } from 'hyparquet';
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
  /** Raw codes that mean missing when the codebook is inferred, besides the negative-code rule. */
  missingCodes?: number[];
  format?: Format;
  layout?: Layout;
  /** Column names for the long layout. */
  long?: { respondent: string; item: string; answer: string };
  /**
   * Column names for the distribution layout (one row per item x option (x group) with a share or
   * a count); naming them selects that layout unless `layout` says otherwise.
   */
  distribution?: DistributionColumns;
  signal?: AbortSignal;
  /** Bytes read per chunk (default 4 MiB); tests use tiny chunks to exercise records split across reads. */
  chunkBytes?: number;
  /**
   * Bytes the read may materialise (columns as typed arrays, group columns as strings); a file
   * needing more is refused with `file.too-large`. Default: the smaller of the V8 heap limit and
   * half the machine's memory (src/core/read/memory.ts).
   */
  maxMemoryBytes?: number;
  /** Longest record (CSV row, JSON line or array element) buffered; longer ones are reported and skipped. Default 64 MiB. */
  maxRecordBytes?: number;
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
  /** Distribution layout: whether the values are shares (probabilities) or counts. */
  distributionValues?: DistributionValues;
}

/** Bytes read per chunk: large enough that system calls do not matter, small for memory. */
const CHUNK_BYTES = 4 << 20;
const SNIFF_BYTES = 1 << 16;

/**
 * Reads a survey file into `SurveyData` (wide or long layout) or `DistributionData`
 * (distribution layout: one row per item x option (x group) with a share or a count). CSV/TSV,
 * JSON lines and JSON arrays are streamed in chunks (src/core/read/formats/json-stream.ts), materialising
 * only the selected columns; Parquet is read through the file handle, row group by row group and
 * only the needed column chunks (src/core/read/formats/parquet.ts).
 * The layout is `options.layout`, else detected from the header: long when it has respondent,
 * item and answer columns, distribution when it has item, option and share/probability/count
 * columns (a "respondent" column that is also the group column, e.g. `persona`, means distribution).
 *
 * Bounded memory: a record longer than `maxRecordBytes` is reported and skipped rather than
 * buffered, and the columns being filled are checked against `maxMemoryBytes` before they grow
 * (`file.too-large`). A file deleted, truncated, replaced or written to while it is read throws
 * `file.changed-while-reading` (its identity, size, mtime and inode, is compared at open and after
 * the last byte) rather than returning a mix of two versions.
 */
export async function readSurvey(path: string, options: ReadOptions = {}): Promise<ReadResult> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(path, 'r');
  } catch (e) {
    throw new InputError({ code: 'file.unreadable', message: `Cannot open the file: ${(e as Error).message}`, file: path });
  }
  try {
    const opened = identityOf(await handle.stat({ bigint: true }));
    const size = Number(opened.size);
    if (size === 0) throw new InputError({ code: 'file.empty', message: 'The file is empty.', file: path });
    const format = formatOf(path, options);
    let result: ReadResult;
    if (format === 'json' || format === 'jsonl') {
      result = await readRecordsFile(handle, path, size, options, format);
    } else if (format === 'parquet') {
      const reader = new WideDelimitedReader(path, options, size);
      reader.format = 'parquet';
      await readParquet(fileBuffer(handle, path, size), path, reader, options.signal, options.onProgress);
      result = reader.finish();
    } else {
      const reader = new WideDelimitedReader(path, options, size);
      const head = Buffer.alloc(Math.min(1024, size));
      await handle.read(head, 0, head.length, 0);
      const utf16 = sniffUtf16(head);
      if (utf16) {
        reader.note({
          severity: 'warning',
          code: 'csv.encoding',
          message: `The file is UTF-16 (${utf16.encoding === 'utf-16le' ? 'little' : 'big'}-endian, recognised by its ${utf16.evidence === 'byte order mark' ? 'byte order mark' : 'NUL bytes: a NUL byte in every other byte'}); it was decoded as UTF-16. Saving it as UTF-8 makes it readable by every tool.`,
          file: path,
          line: 1,
          column: utf16.column,
        });
        await pumpFile(handle, path, size, new Utf16Consumer(reader, utf16.encoding, Math.max(16, options.maxRecordBytes ?? MAX_RECORD_BYTES)), options, 0, 1);
      } else await pumpFile(handle, path, size, reader, options, 0, 1);
      result = reader.finish();
    }
    await assertUnchanged(path, opened);
    return result;
  } finally {
    await handle.close();
  }
}

/**
 * A Parquet reader's view of the open file: hyparquet asks for byte ranges (the footer, then the
 * column chunks it needs) and only those are read. A short read means the file got shorter.
 */
function fileBuffer(handle: fs.FileHandle, path: string, size: number): AsyncBuffer {
  return {
    byteLength: size,
    async slice(start: number, end = size): Promise<ArrayBuffer> {
      const length = Math.max(0, Math.min(end, size) - start);
      const bytes = new Uint8Array(length);
      let got = 0;
      while (got < length) {
        const { bytesRead } = await handle.read(bytes, got, length - got, start + got);
        if (bytesRead === 0) throw changedWhileReading(path, `it got shorter than the ${size} bytes it had when opened`);
        got += bytesRead;
      }
      return bytes.buffer;
    },
  };
}

/**
 * Reads the whole file through `consumer` in chunks, carrying incomplete records over. A record
 * that fills a buffer of `maxRecordBytes` is handed to `consumer.overflow` instead of growing the
 * buffer further. Reads at explicit positions, so a second pass can follow on the same handle.
 * `from`..`to` is the share of the progress bar this pass covers.
 */
async function pumpFile(handle: fs.FileHandle, path: string, size: number, consumer: ChunkConsumer, options: ReadOptions, from: number, to: number): Promise<void> {
  const maxRecord = Math.max(16, options.maxRecordBytes ?? MAX_RECORD_BYTES);
  let buf = Buffer.allocUnsafe(Math.max(1, Math.min(options.chunkBytes ?? CHUNK_BYTES, size + 1, maxRecord)));
  let filled = 0;
  let total = 0;
  for (;;) {
    options.signal?.throwIfAborted();
    const { bytesRead } = await handle.read(buf, filled, buf.length - filled, total);
    if (bytesRead === 0 && total < size) throw changedWhileReading(path, `it got shorter: ${size} bytes when opened, ${total} bytes found`);
    filled += bytesRead;
    total += bytesRead;
    const final = total >= size;
    let consumed = consumer.consume(buf, filled, final);
    options.onProgress?.(from + (to - from) * Math.min(1, total / size));
    if (final) break;
    if (consumed === 0 && filled === buf.length) {
      if (buf.length >= maxRecord) consumed = consumer.overflow(buf, filled, maxRecord);
      else {
        // One record longer than the buffer: grow, up to the record bound.
        const bigger = Buffer.allocUnsafe(Math.min(buf.length * 2, maxRecord));
        buf.copy(bigger, 0, 0, filled);
        buf = bigger;
        continue;
      }
    }
    buf.copy(buf, 0, consumed, filled);
    consumer.shift(consumed);
    filled -= consumed;
  }
}

/**
 * JSON lines or a JSON array of records, streamed. Keys become columns in first-seen order over
 * the whole file: when a record brings a key the first records lacked, a second pass reads the
 * file again with every key (see json-stream.ts).
 */
async function readRecordsFile(handle: fs.FileHandle, path: string, size: number, options: ReadOptions, format: 'json' | 'jsonl'): Promise<ReadResult> {
  let known: string[] | null = null;
  for (;;) {
    const reader = new WideDelimitedReader(path, options, size);
    reader.format = format;
    const feed: RecordFeed = new RecordFeed(reader, known);
    const consumer = format === 'jsonl' ? new JsonLinesConsumer(feed, path) : new JsonArrayConsumer(feed, path);
    // A second pass reports its progress from 0 again: it is a second reading of the file.
    await pumpFile(handle, path, size, consumer, options, 0, 1);
    const done = finishRecords(feed, path);
    if (done) return done;
    known = feed.keys;
  }
}

/** The result of a records pass, or null when it must be read again with every key. */
function finishRecords(feed: RecordFeed, path: string): ReadResult | null {
  if (!feed.sawContent) throw new InputError({ code: 'file.empty', message: 'The file is empty.', file: path });
  if (feed.keys.length === 0) {
    const first = feed.firstProblem;
    if (first) {
      throw new InputError({ code: 'json.no-records', message: `No record in the file could be read; the first problem, here: ${first.message}`, file: path, line: first.line, column: first.column });
    }
    throw new InputError({ code: 'file.empty', message: 'The file holds no records.', file: path });
  }
  if (feed.incomplete) return null;
  return (feed.reader as WideDelimitedReader).finish();
}

/** The format named in the options, else by the file's extension, else by the first character. */
export function formatOf(path: string, options: ReadOptions, head = ''): Format {
  if (options.format) return options.format;
  const ext = /\.([a-z]+)$/i.exec(path)?.[1]?.toLowerCase();
  if (ext === 'jsonl' || ext === 'ndjson') return 'jsonl';
  if (ext === 'json') return 'json';
  if (ext === 'parquet') return 'parquet';
  if (ext === 'tsv' || ext === 'tab') return 'tsv';
  if (ext === 'csv') return 'csv';
  const first = head.trimStart()[0];
  if (first === '[') return 'json';
  if (first === '{') return 'jsonl';
  return 'csv';
}

/**
 * Reads survey text held in memory (tests, editors' unsaved buffers): the same consumers as for
 * files, given the whole text as one chunk.
 */
export function readSurveyText(text: string, path: string, options: ReadOptions = {}): ReadResult {
  const format = formatOf(path, options, text.slice(0, 100));
  if (format === 'parquet') throw new InputError({ code: 'format.unsupported', message: 'Parquet files are read from disk, not from text.', file: path });
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length === 0) throw new InputError({ code: 'file.empty', message: 'The file is empty.', file: path });
  if (format === 'json' || format === 'jsonl') {
    let known: string[] | null = null;
    for (;;) {
      const reader = new WideDelimitedReader(path, options, bytes.length);
      reader.format = format;
      const feed: RecordFeed = new RecordFeed(reader, known);
      (format === 'jsonl' ? new JsonLinesConsumer(feed, path) : new JsonArrayConsumer(feed, path)).consume(bytes, bytes.length, true);
      const done = finishRecords(feed, path);
      if (done) return done;
      known = feed.keys;
    }
  }
  const reader = new WideDelimitedReader(path, options, bytes.length);
  reader.consume(bytes, bytes.length, true);
  return reader.finish();
}

/** Where a CSV record too long to buffer is, while its bytes are dropped. */
interface SkipState {
  inQuote: boolean;
  /** At the start of a field (where a quote opens a quoted field). */
  fieldStart: boolean;
  /** The record ended (after its line break). */
  done: boolean;
  line: number;
  /** Buffer offset where the current line starts. */
  lineStart: number;
  /** Where the last quoted field opened (filled when locating). */
  quoteLine: number;
  quoteColumn: number;
}

const utf8 = new TextDecoder('utf-8');

/**
 * Follows a CSV record through buf[pos, end) without keeping anything (RFC 4180 quoting: a quote
 * opens a quoted field only at its start, "" is a quote inside one), counting lines. Returns the
 * offset it stopped at: after the record's line break (`st.done`), or where more bytes are needed
 * to decide (a quote or CR at the end of the buffer), or `end`.
 */
function skipRecord(buf: Uint8Array, pos: number, end: number, final: boolean, delim: number, st: SkipState, locate: boolean): number {
  while (pos < end) {
    const c = buf[pos];
    if (st.inQuote) {
      if (c === 34) {
        if (pos + 1 >= end && !final) return pos;
        if (buf[pos + 1] === 34) {
          pos += 2;
          continue;
        }
        st.inQuote = false;
        pos++;
        continue;
      }
    } else if (c === delim) {
      st.fieldStart = true;
      pos++;
      continue;
    } else if (c === 34 && st.fieldStart) {
      st.inQuote = true;
      st.fieldStart = false;
      if (locate) {
        st.quoteLine = st.line;
        st.quoteColumn = utf8.decode(buf.subarray(Math.min(st.lineStart, pos), pos)).length + 1;
      }
      pos++;
      continue;
    }
    if (c === 10 || c === 13) {
      if (c === 13) {
        if (pos + 1 >= end && !final) return pos;
        if (buf[pos + 1] === 10) pos++;
      }
      pos++;
      st.line++;
      st.lineStart = pos;
      if (!st.inQuote) {
        st.done = true;
        return pos;
      }
      continue;
    }
    if (!st.inQuote) st.fieldStart = false;
    pos++;
  }
  return pos;
}

/** Column names that identify respondents rather than ask them something. */
const RESPONDENT_ID = /^(?:id|_?row|respondent(?:_?id)?|resp(?:ondent)?_?id|case_?id|uuid|index|unnamed: ?0)$/i;

/** Non-negative finite decimal, as survey weights are written. */
const WEIGHT = /^\s*\+?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*$/;
const NEGATIVE_NUMBER = /^\s*-(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*$/;

/** A selected item column being read. */
export interface SelectedItem {
  name: string;
  column: TokenColumn;
  codebook: ItemCodebook | null;
  /** Asked for by name (items option or codebook) rather than found by looking at the columns. */
  explicit: boolean;
}

/**
 * Resolves selected columns into `ItemColumn`s: given codebooks applied, others inferred (and
 * said so in one info diagnostic), columns that are not items reported.
 */
export function buildItemColumns(
  selected: SelectedItem[],
  n: number,
  policy: InferencePolicy,
  presetName: string | undefined,
  file: string,
  bag: DiagnosticBag,
  itemLocations: Record<string, HeaderLocation>,
): { columns: ItemColumn[]; inferred: boolean } {
    const columns: ItemColumn[] = [];
    const inferredNotes: string[] = [];
    const notItems: string[] = [];
    let inferred = false;
    for (const s of selected) {
      const counts = s.column.slotCounts(n);
      let item = s.codebook;
      if (!item) {
        const guess = inferItem(s.column, counts, policy, s.explicit);
        if (!guess.item) {
          if (s.explicit) {
            bag.add({
              severity: 'error',
              code: 'data.not-an-item',
              message: `Column "${s.name}" cannot be read as an item: ${guess.note}.`,
              file,
              ...itemLocations[s.name],
              item: s.name,
            });
          } else notItems.push(`${s.name} (${guess.note})`);
          delete itemLocations[s.name];
          continue;
        }
        item = guess.item;
        inferred = true;
        inferredNotes.push(`${s.name}: ${guess.note}`);
      }
      columns.push(resolveColumn(s.column, n, item, counts, file, bag));
      s.column.values = new Uint16Array(0); // free the slots as we go
    }
    if (inferredNotes.length) {
      bag.add({
        severity: 'info',
        code: 'codebook.inferred',
        message: `No codebook for ${inferredNotes.length} item${inferredNotes.length === 1 ? '' : 's'}; inferred from the data${presetName ? ` with the ${presetName} preset` : ''} (observed valid codes in ascending order${policy.negativeMissing ? ', negative codes as missing' : ''}): ${inferredNotes.slice(0, 10).join('; ')}${inferredNotes.length > 10 ? `; and ${inferredNotes.length - 10} more (write a codebook to see and fix them all)` : ''}.`,
        file,
      });
    }
    if (notItems.length) {
      bag.add({
        severity: 'info',
        code: 'data.columns-not-items',
        message: `${notItems.length} column${notItems.length === 1 ? ' was' : 's were'} not taken as items: ${notItems.slice(0, 30).join('; ')}${notItems.length > 30 ? '; ...' : ''}. Name them in "items" to read them anyway.`,
        file,
      });
    }
  return { columns, inferred };
}

/** Reads a wide file: header first, then the selected columns (delimited text chunk by chunk, or records). */
class WideDelimitedReader implements ScanSink, ChunkConsumer, RecordReader {
  roles = new Uint8Array(0);
  codeColumns: (TokenColumn | null)[] = [];
  row = 0;

  private readonly bag = new DiagnosticBag();

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

  /** The header is known: decide which fields to keep and how. */
  private setHeader(names: string[]): void {
    this.header = names;
    const file = this.path;
    const index = new Map<string, number>();
    names.forEach((name, i) => {
      if (name.trim() === '') {
        this.bag.add({
          severity: 'warning',
          code: 'csv.empty-header',
          message: `Column ${i + 1} has no name in the header; it is not read.`,
          file,
          line: this.headerLine,
          column: this.headerColumns[i],
        });
        return;
      }
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
    if (opts.layout === 'distribution' || (opts.layout === undefined && opts.distribution)) {
      if (this.setDistributionHeader(names, index)) return;
    }
    if (opts.layout === 'long' || (opts.layout === undefined && !preset && !opts.distribution)) {
      this.long = opts.long ?? detectLongColumns(names);
      if (this.long && !opts.long && opts.layout === undefined && detectDistributionColumns(names, opts.attributes)?.group === this.long.respondent) {
        // `question, choice, p, persona`: the "respondent" is a persona whose answer shares are given.
        this.long = null;
      }
      if (this.long) {
        const absent = [this.long.respondent, this.long.item, this.long.answer].filter((c) => !index.has(c));
        if (absent.length) {
          this.bag.add({
            severity: 'error',
            code: 'data.unknown-column',
            message: `The long layout needs the column${absent.length === 1 ? '' : 's'} ${absent.map((c) => `"${c}"`).join(', ')}, which ${absent.length === 1 ? 'is' : 'are'} not in the file.`,
            file,
            line: this.headerLine,
            column: 1,
          });
          this.long = null;
        }
      } else if (opts.layout === 'long') {
        this.bag.add({
          severity: 'error',
          code: 'data.long-columns',
          message: 'The long layout needs respondent, item and answer columns; name them in "long" (none of the usual names were found). Read as wide instead.',
          file,
          line: this.headerLine,
          column: 1,
        });
      }
    }
    if (!this.long && opts.layout === undefined && !preset && !opts.distribution) {
      const detected = detectDistributionColumns(names, opts.attributes);
      if (detected && this.setDistributionHeader(names, index, detected)) return;
    }
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
    let attributes = opts.attributes ?? preset?.attributes.filter((a) => index.has(a)) ?? [];
    if (this.long) attributes = [...new Set([this.long.respondent, this.long.item, this.long.answer, ...attributes])];
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
    if (this.long) {
      wanted = [];
      explicit = true;
    } else if (opts.items) {
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
    // A first allocation, too small to matter: the guard checks the estimate and the growth.
    this.reserve(1024, false);
  }

  /**
   * Sets up the distribution layout: its item, option, value (and group) columns are read as text,
   * every other column is skipped. False (after reporting why) when the columns are not there.
   */
  private setDistributionHeader(names: string[], index: Map<string, number>, detected?: DistributionColumns): boolean {
    const cols = detected ?? this.options.distribution ?? detectDistributionColumns(names, this.options.attributes);
    const at = { file: this.path, line: this.headerLine, column: 1 };
    if (!cols) {
      this.bag.add({
        severity: 'error',
        code: 'data.distribution-columns',
        message: 'The distribution layout needs item, option and share (or count) columns; name them in "distribution" (none of the usual names were found). Read as wide instead.',
        ...at,
      });
      return false;
    }
    const wanted: [string | undefined, number][] = [
      [cols.item, DIST_ITEM],
      [cols.option, DIST_OPTION],
      [cols.value, DIST_VALUE],
      [cols.group, DIST_GROUP],
    ];
    const absent = wanted.filter(([c]) => c !== undefined && !index.has(c)).map(([c]) => c!);
    if (absent.length) {
      this.bag.add({
        severity: 'error',
        code: 'data.unknown-column',
        message: `The distribution layout needs the column${absent.length === 1 ? '' : 's'} ${absent.map((c) => `"${c}"`).join(', ')}, which ${absent.length === 1 ? 'is' : 'are'} not in the file. Read as wide instead.`,
        ...at,
      });
      return false;
    }
    this.distRoles = new Int8Array(names.length).fill(-1);
    const roles = new Uint8Array(names.length);
    for (const [c, role] of wanted) {
      if (c === undefined) continue;
      const f = index.get(c)!;
      this.distRoles[f] = role;
      roles[f] = FIELD_TEXT;
    }
    this.roles = roles;
    this.codeColumns = new Array(names.length).fill(null);
    this.dist = new DistributionRows(cols, this.path, this.bag);
    return true;
  }

  report(d: InputDiagnostic): void {
    this.bag.add(d);
  }

  policy(): InferencePolicy {
    const base = this.preset
      ? this.preset.inference(this.options.dontKnow ?? 'missing')
      : { ...DEFAULT_INFERENCE, dontKnowCategory: this.options.dontKnow === 'category' };
    return this.options.missingCodes ? { ...base, missingCodes: this.options.missingCodes } : base;
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
