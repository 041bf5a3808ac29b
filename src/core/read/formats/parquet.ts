/**
 * Parquet files (wide, long and distribution layouts) read with hyparquet
 * (https://github.com/hyparam/hyparquet), fed record by record through the same path as JSON
 * records so every layout, codebook rule and diagnostic is shared with the text formats.
 *
 * The file is read through an AsyncBuffer over its handle: only the footer and the column chunks
 * the layout needs are read from disk and decoded (hyparquet's `columns` option), one row group
 * at a time, so memory stays bounded by the selected columns of the largest row group. Parquet has no lines: diagnostics
 * about values carry the file but no line; a file that is not Parquet (or is damaged) is reported
 * at line 1, column 1 with the byte offset of the damage when it is known.
 */
import { parquetMetadata, parquetRead, parquetSchema, type AsyncBuffer, type FileMetaData } from 'hyparquet';
import { InputError } from '../../report/diagnostics';
import { FIELD_SKIP } from './delimited';

/** The part of a reader that Parquet rows are fed to (the record path of the JSON readers). */
export interface RecordSink {
  roles: Uint8Array;
  feedRecord(values: ReadonlyArray<unknown>, line: number): void;
  /** The number of rows, known from the footer before any is read (memory guard). */
  expectRows?(rows: number): void;
}

/** "PAR1": the magic number a Parquet file starts and ends with (Apache Parquet format spec). */
const MAGIC = [0x50, 0x41, 0x52, 0x31];

function corrupt(file: string, message: string): InputError {
  return new InputError({ code: 'parquet.invalid', message, file, line: 1, column: 1 });
}

function hasMagic(bytes: Uint8Array, at: number): boolean {
  return MAGIC.every((b, i) => bytes[at + i] === b);
}

/**
 * Reads a Parquet file into `sink` through `file`, an AsyncBuffer over the open file (or bytes in
 * memory): the footer first, then the header (top-level column names), then each row group with
 * only the column chunks the sink kept (the others are never read, and are left undefined in the
 * rows). Throws `InputError` (code `parquet.invalid`) for a file that is not Parquet or cannot be
 * decoded; an `InputError` from `file` itself (the file changed while read) passes through.
 */
export async function readParquet(file: AsyncBuffer, path: string, sink: RecordSink, signal?: AbortSignal, onProgress?: (fraction: number) => void): Promise<void> {
  const size = file.byteLength;
  // Header magic + footer length (4 bytes) + footer magic: the smallest possible frame.
  if (size < 12 || !hasMagic(new Uint8Array(await file.slice(0, 4)), 0)) {
    throw corrupt(path, 'This is not a Parquet file: it does not start with the Parquet magic number "PAR1" (byte offset 0).');
  }
  const tail = new Uint8Array(await file.slice(size - 8, size));
  if (!hasMagic(tail, 4)) {
    throw corrupt(path, `The Parquet file is truncated or damaged: it does not end with "PAR1" (byte offset ${size - 4}).`);
  }
  const footerLength = new DataView(tail.buffer, tail.byteOffset, 8).getUint32(0, true);
  const footerOffset = size - 8 - footerLength;
  let metadata: FileMetaData;
  try {
    if (footerOffset < 4) throw new Error(`footer length ${footerLength} is larger than the file`);
    metadata = parquetMetadata(await file.slice(footerOffset, size));
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw corrupt(path, `The Parquet file's footer (metadata) cannot be read (byte offset ${Math.max(0, footerOffset)}): ${(e as Error).message}.`);
  }
  let names: string[];
  try {
    names = parquetSchema(metadata).children.map((c) => c.element.name);
  } catch (e) {
    throw corrupt(path, `The Parquet file's schema cannot be read (byte offset ${footerOffset}): ${(e as Error).message}.`);
  }
  sink.feedRecord(names, 1);
  const fields: number[] = [];
  for (let f = 0; f < names.length; f++) if (sink.roles[f] !== FIELD_SKIP) fields.push(f);
  const columns = fields.map((f) => names[f]);
  let rowStart = 0;
  const total = Number(metadata.num_rows);
  sink.expectRows?.(total);
  for (const group of metadata.row_groups) {
    signal?.throwIfAborted();
    const rowEnd = rowStart + Number(group.num_rows);
    if (columns.length && rowEnd > rowStart) {
      let rows: unknown[][] = [];
      try {
        await parquetRead({ file, metadata, columns, rowStart, rowEnd, onComplete: (r) => (rows = r) });
      } catch (e) {
        if (e instanceof InputError) throw e;
        // Which column is damaged: each selected column decoded alone (only on this error path).
        let damaged: string | null = null;
        for (const c of columns) {
          try {
            await parquetRead({ file, metadata, columns: [c], rowStart, rowEnd });
          } catch {
            damaged = c;
            break;
          }
        }
        const chunk = group.columns.find((cc) => cc.meta_data?.path_in_schema?.[0] === damaged) ?? group.columns[0];
        const dictionary = chunk?.meta_data?.dictionary_page_offset;
        const data = chunk?.meta_data?.data_page_offset;
        const pages = [dictionary !== undefined ? `dictionary page at byte offset ${dictionary}` : '', data !== undefined ? `data pages from byte offset ${data}` : ''].filter(Boolean).join(', ');
        const where = damaged !== null ? ` (column ${damaged}${pages ? `: ${pages}` : ''})` : group.file_offset !== undefined ? ` (row group at byte offset ${group.file_offset})` : '';
        throw corrupt(path, `Rows ${rowStart + 1}-${rowEnd} of the Parquet file cannot be decoded${where}: ${(e as Error).message}.`);
      }
      const values: unknown[] = new Array(names.length);
      for (const row of rows) {
        for (let j = 0; j < fields.length; j++) values[fields[j]] = plain(row[j]);
        sink.feedRecord(values, 0);
      }
    }
    rowStart = rowEnd;
    onProgress?.(total ? Math.min(1, rowStart / total) : 1);
  }
}

/** An AsyncBuffer over bytes held in memory (tests, small files). */
export function bytesBuffer(bytes: Uint8Array): AsyncBuffer {
  return {
    byteLength: bytes.length,
    slice: (start, end) => bytes.buffer.slice(bytes.byteOffset + start, bytes.byteOffset + (end ?? bytes.length)) as ArrayBuffer,
  };
}

/** Parquet INT64 columns decode to bigint: small ones become numbers so integer codes stay codes. */
function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  return v;
}
