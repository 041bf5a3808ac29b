/**
 * Readers: users' files -> clean `SurveyData` / `DistributionData` with located diagnostics.
 *
 * Never throws on bad content: every skipped row, dropped value and guess is reported as an
 * `InputDiagnostic` with file, line and column. Throws `InputError` only when nothing sensible can
 * be read (the file does not exist, is empty, has no header), when it would not fit in the memory
 * limit (`file.too-large`), or when it changed while it was read (`file.changed-while-reading`).
 */
import { promises as fs } from 'node:fs';
import type { AsyncBuffer } from 'hyparquet';
import { InputError } from '../report/diagnostics';
import { readParquet } from './formats/parquet';
import { readSpss } from './formats/spss';
import { readStata } from './formats/stata';
import { isExtendedMissing, type ReadableBuffer, type SurveyFileMetadata, type SurveySink } from './formats/survey-file';
import { conflictsWithFile, hintsFromDictionary, type FileItemHints } from './file-codebook';
import { JsonArrayConsumer, JsonLinesConsumer, RecordFeed, type ChunkConsumer } from './formats/json-stream';
import { sniffUtf16, Utf16Consumer } from './formats/encoding';
import { MAX_RECORD_BYTES, assertUnchanged, changedWhileReading, identityOf } from './memory';
import { SPLIT_MIN_BYTES, pumpRange, pumpSplit } from './split';
import { RowsToColumns } from './rows-to-columns';
import type { Format, ReadOptions, ReadResult } from './options';

export type { Format, HeaderLocation, Layout, ReadOptions, ReadResult } from './options';

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
  await assertRegularFile(path);
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
      const reader = new RowsToColumns(path, options, size);
      reader.format = 'parquet';
      await readParquet(fileBuffer(handle, path, size), path, reader, options.signal, options.onProgress);
      result = reader.finish();
    } else if (format === 'spss' || format === 'stata') {
      result = await readSurveyFile(handle, path, size, options, format);
    } else {
      const reader = new RowsToColumns(path, options, size);
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
      } else if (options.partReader && size >= (options.splitMinBytes ?? SPLIT_MIN_BYTES)) await pumpSplit(handle, path, size, reader, options, options.partReader);
      else await pumpFile(handle, path, size, reader, options, 0, 1);
      result = reader.finish();
    }
    await assertUnchanged(path, opened);
    return result;
  } finally {
    await handle.close();
  }
}

/**
 * Refuses, before opening, what is not a regular file: a directory opens on Linux but fails at the
 * first read (EISDIR, an internal error before), and opening a FIFO blocks until someone writes.
 */
export async function assertRegularFile(path: string): Promise<void> {
  let stat: Awaited<ReturnType<typeof fs.stat>>;
  try {
    stat = await fs.stat(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const what = code === 'ENOENT' ? 'there is no such file' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (e as Error).message;
    throw new InputError({ code: 'file.unreadable', message: `Cannot read ${path}: ${what}.`, file: path });
  }
  if (stat.isFile()) return;
  const what = stat.isDirectory()
    ? 'a directory'
    : stat.isFIFO()
      ? 'a named pipe (FIFO)'
      : stat.isSocket()
        ? 'a socket'
        : stat.isCharacterDevice() || stat.isBlockDevice()
          ? 'a device'
          : 'not a regular file';
  throw new InputError({ code: 'file.not-a-file', message: `${path} is ${what}, not a survey file: give the path of a data file (.csv, .tsv, .jsonl, .json, .parquet, .sav, .zsav, .dta).`, file: path });
}

/**
 * SPSS (.sav, .zsav) and Stata (.dta) files, read by this project's own streaming readers
 * (formats/spss.ts, formats/stata.ts; the npm candidates failed on real files or were too slow,
 * bench/README-formats.md). The dictionary arrives before the header record (`SurveySink.dictionary`):
 * the rows-to-columns reader is made then, so the file's weight variable can be the weight and its
 * labels and missing declarations can inform the inferred codebook. A codebook or preset given
 * beside the file takes precedence; where it disagrees with the file, a warning says where.
 */
async function readSurveyFile(handle: fs.FileHandle, path: string, size: number, options: ReadOptions, format: 'spss' | 'stata'): Promise<ReadResult> {
  let reader: RowsToColumns | null = null;
  let hints: FileItemHints = { get: () => undefined };
  let fileWeight: string | undefined;
  const make = (fileOptions: ReadOptions): RowsToColumns => {
    const r = new RowsToColumns(path, fileOptions, size);
    r.format = format;
    return r;
  };
  const sink: SurveySink = {
    get roles() {
      return reader!.roles;
    },
    dictionary(variables, weightVariable) {
      hints = hintsFromDictionary(variables);
      const given = options.codebook !== undefined || options.preset !== undefined;
      // Variables whose labels name .a-.z: their missing answers are written as extended missing
      // values (also when a preset is given, whose negative-codes rule then reaches them).
      if (options.weight === undefined && !options.preset && weightVariable) fileWeight = weightVariable;
      const extended = format === 'stata' ? variables.filter((v) => v.valueLabels.some((l) => isExtendedMissing(l.value))).map((v) => v.name) : [];
      reader = make({
        ...options,
        ...(extended.length ? { extendedMissing: extended } : {}),
        // SPSS WEIGHT BY is stored in the file header (PSPP: "weight_index"); a weight named in the
        // options, null included, or a preset's weight wins.
        ...(options.weight === undefined && !options.preset && weightVariable ? { weight: weightVariable } : {}),
        ...(given ? {} : { fileItems: hints }),
      });
    },
    feedRecord(values, line) {
      reader ??= make(options);
      // Stata's extended missing values `.a`-`.z` (dta spec, "missing values") are missing answers,
      // whatever their labels: fed as empty, like system-missing.
      let row = values;
      for (let i = 0; i < values.length; i++) {
        if (isExtendedMissing(values[i])) {
          if (row === values) row = values.slice();
          (row as unknown[])[i] = null;
        }
      }
      reader.feedRecord(row, line);
    },
    expectRows(rows) {
      reader?.expectRows?.(rows);
    },
    // The cases' cells go straight into the columns (extended missing values are empty answers there).
    cellWriter() {
      return reader!;
    },
  };
  const read = format === 'spss' ? readSpss : readStata;
  const metadata: SurveyFileMetadata = await read(fileBuffer(handle, path, size), path, sink, options.signal, options.onProgress);
  const result = (reader ?? make(options)).finish();
  const given = options.codebook ?? (options.preset ? result.codebook : undefined);
  if (given) result.diagnostics.push(...conflictsWithFile(given, hints, path, (id) => result.itemLocations[id]));
  if (fileWeight !== undefined && result.data?.weights) result.fileWeight = fileWeight;
  for (const note of metadata.notes) result.diagnostics.push({ severity: 'info', code: `${format}.note`, message: note, file: path, line: 1, column: 1 });
  return result;
}

/**
 * A Parquet reader's view of the open file: hyparquet asks for byte ranges (the footer, then the
 * column chunks it needs) and only those are read. A short read means the file got shorter.
 */
function fileBuffer(handle: fs.FileHandle, path: string, size: number): ReadableBuffer {
  return {
    byteLength: size,
    // The SPSS and Stata readers read every chunk into one buffer (survey-file.ts `readInto`). A
    // 0-byte read before the size known at open means the file was shortened while it was read: a
    // change, to be read again, not damage (which the readers would report as a truncated file).
    async readInto(target: Uint8Array, position: number): Promise<number> {
      if (target.length === 0) return 0;
      const { bytesRead } = await handle.read(target, 0, Math.min(target.length, Math.max(0, size - position)), position);
      if (bytesRead === 0 && position < size) throw changedWhileReading(path, `it got shorter than the ${size} bytes it had when opened`);
      return bytesRead;
    },
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

/** The whole file through `consumer` (`pumpRange` from its first byte to its last). */
function pumpFile(handle: fs.FileHandle, path: string, size: number, consumer: ChunkConsumer, options: ReadOptions, from: number, to: number): Promise<number> {
  return pumpRange(handle, path, size, consumer, options, 0, size, (f) => options.onProgress?.(from + (to - from) * f));
}

/**
 * JSON lines or a JSON array of records, streamed. Keys become columns in first-seen order over
 * the whole file: when a record brings a key the first records lacked, a second pass reads the
 * file again with every key (see json-stream.ts).
 */
async function readRecordsFile(handle: fs.FileHandle, path: string, size: number, options: ReadOptions, format: 'json' | 'jsonl'): Promise<ReadResult> {
  let known: string[] | null = null;
  for (;;) {
    const reader = new RowsToColumns(path, options, size);
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
  return (feed.reader as RowsToColumns).finish();
}

/** The format named in the options, else by the file's extension, else by the first character. */
export function formatOf(path: string, options: ReadOptions, head = ''): Format {
  if (options.format) return options.format;
  const ext = /\.([a-z]+)$/i.exec(path)?.[1]?.toLowerCase();
  if (ext === 'jsonl' || ext === 'ndjson') return 'jsonl';
  if (ext === 'json') return 'json';
  if (ext === 'parquet') return 'parquet';
  if (ext === 'sav' || ext === 'zsav') return 'spss';
  if (ext === 'dta') return 'stata';
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
  if (format === 'parquet' || format === 'spss' || format === 'stata') {
    const name = format === 'parquet' ? 'Parquet' : format === 'spss' ? 'SPSS' : 'Stata';
    throw new InputError({ code: 'format.unsupported', message: `${name} files are binary: they are read from disk, not from text.`, file: path });
  }
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length === 0) throw new InputError({ code: 'file.empty', message: 'The file is empty.', file: path });
  if (format === 'json' || format === 'jsonl') {
    let known: string[] | null = null;
    for (;;) {
      const reader = new RowsToColumns(path, options, bytes.length);
      reader.format = format;
      const feed: RecordFeed = new RecordFeed(reader, known);
      (format === 'jsonl' ? new JsonLinesConsumer(feed, path) : new JsonArrayConsumer(feed, path)).consume(bytes, bytes.length, true);
      const done = finishRecords(feed, path);
      if (done) return done;
      known = feed.keys;
    }
  }
  const reader = new RowsToColumns(path, options, bytes.length);
  reader.consume(bytes, bytes.length, true);
  return reader.finish();
}
