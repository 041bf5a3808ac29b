/**
 * What the SPSS (.sav, .zsav) and Stata (.dta) readers tell about a file besides its rows: the
 * dictionary (variables, their question wording, value labels and missing-value declarations)
 * and the file's own facts (format version, encoding, compression, case count). Shared by
 * src/core/read/formats/spss.ts and stata.ts, with the chunked byte window both read through.
 *
 * Values fed to the sink: numbers as JS numbers; SPSS system-missing and Stata `.` as `null`;
 * Stata's extended missing values `.a`-`.z` as the strings ".a"-".z" (`isExtendedMissing`), so a
 * codebook can list them as missing codes; strings as JS strings (SPSS padding trimmed).
 */
import { TextDecoder } from 'node:util';
import type { AsyncBuffer } from 'hyparquet';
import { InputError } from '../../report/diagnostics';
import { FIELD_SKIP } from './delimited';
import type { RecordSink } from './parquet';

/** One cell as fed to the sink. */
export type SurveyValue = number | string | null;

/** A value label: the code (a number, a string for string variables, ".a"-".z" in Stata) and its text. */
export interface ValueLabel {
  value: number | string;
  label: string;
}

/**
 * SPSS user-defined missing values (PSPP "Variable Record": up to three discrete values, or a
 * range plus at most one discrete value). Open range ends (SPSS `LO`, `HI`) are -Infinity / Infinity.
 */
export interface UserMissing {
  values: (number | string)[];
  range: { low: number; high: number } | null;
}

export type MeasurementLevel = 'nominal' | 'ordinal' | 'scale';

export interface SurveyVariable {
  /** The variable's name (SPSS: the long name when the file has one). */
  name: string;
  /** Its position in the records fed to the sink (0-based). */
  index: number;
  type: 'numeric' | 'string';
  /** String width in bytes (SPSS: the declared width; Stata: str#, or null for strL). */
  width: number | null;
  /** The variable label: in surveys, the question wording. */
  label: string | null;
  /** Display format: SPSS print format such as "F8.2" or "A20"; Stata format such as "%10.0g". */
  format: string | null;
  /** SPSS measurement level (record 7 subtype 11), null when unknown or in Stata. */
  measure: MeasurementLevel | null;
  /** Value labels in file order; empty when there are none. */
  valueLabels: ValueLabel[];
  /** Stata: the name of the value-label set attached; SPSS: null. */
  valueLabelSet: string | null;
  /** SPSS user-defined missing values; null when none are declared (and always in Stata). */
  missing: UserMissing | null;
  /** Stata storage type (byte, int, long, float, double, str#, strL); SPSS: null. */
  storage: string | null;
}

export interface SurveyFileMetadata {
  format: 'spss' | 'stata';
  /** SPSS: 2 ($FL2) or 3 ($FL3, zsav); Stata: the release, 117, 118 or 119. */
  formatVersion: number;
  /** The TextDecoder label labels and strings were decoded with, e.g. "utf-8", "windows-1252". */
  encoding: string;
  /** Cases (rows) read. */
  cases: number;
  /** The case count the file's header declares; null when it does not say (SPSS -1). */
  declaredCases: number | null;
  /** SPSS: none, bytecode (compression 1) or zlib (compression 2, .zsav); Stata files are not compressed. */
  compression: 'none' | 'bytecode' | 'zlib';
  byteOrder: 'little' | 'big';
  /** The file (data set) label. */
  label: string | null;
  /** SPSS: the writing product from the header; Stata: null. */
  product: string | null;
  /** SPSS: the weight variable named in the header; Stata: null. */
  weightVariable: string | null;
  variables: SurveyVariable[];
  /** Things read in a way the user may want to know about (an encoding guessed, labels dropped). */
  notes: string[];
}

/**
 * A sink that may also be told the dictionary before the header record is fed: the reading entry
 * (src/core/read/index.ts) needs the variable labels, value labels, missing-value declarations and
 * the weight variable to plan the header (the file's weight) and to build the codebook, and both
 * formats store the dictionary before the data (PSPP "System File Format"; Stata dta spec, <map>).
 */
export interface SurveySink extends RecordSink {
  dictionary?(variables: SurveyVariable[], weightVariable: string | null): void;
  /**
   * Where the records' cells are written, one by one (asked for after the header record). Without
   * it, each record is assembled in an array and fed to `feedRecord` (`RecordCells`).
   */
  cellWriter?(): CellWriter;
}

/**
 * One record's cells, field by field, with no record array in between: the reading entry's
 * rows-to-columns reader writes them straight into the typed columns the CSV path fills, so a
 * case allocates nothing (a record array of boxed numbers, and the weight turned into text and
 * back, were garbage the CSV path does not make; bench/README-formats.md). Only the fields the
 * sink keeps are written, every one of them in every record. A record may be begun again before it
 * ends (a compressed case decoded anew once more bytes have come): its cells are then written again.
 */
export interface CellWriter {
  beginCells(): void;
  numberCell(field: number, value: number): void;
  textCell(field: number, value: string): void;
  /**
   * A missing cell: SPSS system-missing or Stata `.` (`extended` -1), or Stata's extended missing
   * value `.a`-`.z` (`extended` 0-25).
   */
  missingCell(field: number, extended: number): void;
  endCells(): void;
}

/** ".a" .. ".z", made once (a string per cell would be garbage). */
const EXTENDED_TAGS = Array.from({ length: 26 }, (_, i) => '.' + String.fromCharCode(97 + i));

/** A CellWriter over `RecordSink.feedRecord`: a record's values in one array (as `SurveyValue` says). */
export class RecordCells implements CellWriter {
  private readonly values: SurveyValue[];
  constructor(
    private readonly sink: RecordSink,
    fields: number,
  ) {
    this.values = new Array(fields);
  }
  beginCells(): void {}
  numberCell(field: number, value: number): void {
    this.values[field] = value;
  }
  textCell(field: number, value: string): void {
    this.values[field] = value;
  }
  missingCell(field: number, extended: number): void {
    this.values[field] = extended < 0 ? null : EXTENDED_TAGS[extended];
  }
  endCells(): void {
    this.sink.feedRecord(this.values, 0);
  }
}

/** Reader options beyond the shared signature. */
export interface SurveyReadOptions {
  /** Bytes read per chunk (default CHUNK_BYTES, 1 MiB). */
  chunkBytes?: number;
}

/** The marker fed for Stata extended missing value `.x`: the string ".x". */
export function extendedMissing(letter: number): string {
  return EXTENDED_TAGS[letter] ?? '.' + String.fromCharCode(97 + letter);
}

/** True for the values readers feed for Stata's extended missing values `.a`-`.z`. */
export function isExtendedMissing(v: unknown): v is string {
  return typeof v === 'string' && v.length === 2 && v.charCodeAt(0) === 46 && v.charCodeAt(1) >= 97 && v.charCodeAt(1) <= 122;
}

/** A located `InputError` about a damaged or unreadable file: binary files have no lines, so line 1, column 1. */
export function damaged(code: string, file: string, message: string): InputError {
  return new InputError({ code, message, file, line: 1, column: 1 });
}

/** What readSpss and readStata both start from (`openSurveyFile`). */
export interface SurveyFileOpening {
  /** The file's size in bytes. */
  size: number;
  /** Bytes per data chunk: `options.chunkBytes` (at least 16), else CHUNK_BYTES. */
  chunkBytes: number;
  /** A located `InputError` with the reader's code (`spss.invalid`, `stata.invalid`). */
  fail: (message: string) => InputError;
  /** The file from byte 0, in chunks of at most 64 KiB: the dictionary is usually a few hundred KB. */
  w: ByteWindow;
}

/**
 * The opening both readers share: the abort check, the chunk size, the located-error maker and the
 * window the dictionary is read through (the data then gets its own window, in `chunkBytes`).
 */
export function openSurveyFile(file: ReadableBuffer, path: string, code: string, signal: AbortSignal | undefined, options: SurveyReadOptions): SurveyFileOpening {
  signal?.throwIfAborted();
  const chunkBytes = Math.max(16, options.chunkBytes ?? CHUNK_BYTES);
  const size = file.byteLength;
  return {
    size,
    chunkBytes,
    fail: (message: string) => damaged(code, path, message),
    w: new ByteWindow(fileSource(file, 0, size, Math.min(chunkBytes, 1 << 16), signal)),
  };
}

/**
 * After the dictionary: tells the sink the dictionary, then the header record (the variable names),
 * and returns which fields the sink keeps (only those are decoded) and where their cells go.
 */
export function startRecords(sink: SurveySink, variables: SurveyVariable[], weightVariable: string | null): { kept: (field: number) => boolean; cells: CellWriter } {
  sink.dictionary?.(variables, weightVariable);
  sink.feedRecord(variables.map((v) => v.name), 1);
  const roles = sink.roles;
  return { kept: (f: number) => f < roles.length && roles[f] !== FIELD_SKIP, cells: sink.cellWriter?.() ?? new RecordCells(sink, variables.length) };
}

/** A supplier of successive byte chunks (the file from some offset, or inflated zlib blocks). */
export interface ChunkSource {
  /** The next chunk, or null at the end. */
  next(): Promise<Uint8Array | null>;
  /** Fraction of the source delivered so far (progress). */
  progress(): number;
  /** True when a chunk's bytes are overwritten by the next call (they must be copied to be kept). */
  reused?: boolean;
}

/**
 * Bytes read per chunk. 1 MiB, not the CSV reader's 4 MiB: decoding a chunk of binary cases is
 * fast enough that reads do not matter at 1 MiB, and the smaller window is kept in cache and costs
 * less memory (bench/README-formats.md).
 */
export const CHUNK_BYTES = 1 << 20;

/**
 * An AsyncBuffer that can also read into a caller's buffer (e.g. `FileHandle.read`). Readers use it
 * when present: one buffer is reused for every chunk instead of a new ArrayBuffer per slice, which
 * otherwise piles up as garbage (up to V8's external-memory GC threshold, tens of MB) before it is freed.
 */
export interface ReadableBuffer extends AsyncBuffer {
  /** Reads up to `target.length` bytes at `position` into `target`; resolves to the count read. */
  readInto?(target: Uint8Array, position: number): Promise<number>;
}

/** `length` bytes at `position` into `target` (reused) when `file` can, else a fresh slice. */
export async function readChunk(file: ReadableBuffer, position: number, length: number, target: Uint8Array | null): Promise<Uint8Array> {
  if (file.readInto && target && target.length >= length) {
    const view = target.subarray(0, length);
    let got = 0;
    while (got < length) {
      const n = await file.readInto(view.subarray(got), position + got);
      if (n <= 0) break;
      got += n;
    }
    return view.subarray(0, got);
  }
  return new Uint8Array(await file.slice(position, position + length));
}

/**
 * The bytes of `file` from `from` to `to`, `chunkBytes` at a time. With `readInto`, every chunk is
 * read into the same buffer: a chunk is then only valid until the next one is asked for
 * (`reused`), which ByteWindow honours by copying.
 */
export function fileSource(file: ReadableBuffer, from: number, to: number, chunkBytes = CHUNK_BYTES, signal?: AbortSignal): ChunkSource {
  let at = from;
  const target = file.readInto ? new Uint8Array(Math.min(chunkBytes, Math.max(0, to - from))) : null;
  return {
    reused: target !== null,
    async next() {
      signal?.throwIfAborted();
      if (at >= to) return null;
      const end = Math.min(to, at + chunkBytes);
      const chunk = await readChunk(file, at, end - at, target);
      if (chunk.length === 0) return null;
      at += chunk.length;
      return chunk;
    },
    progress: () => (to > from ? (at - from) / (to - from) : 1),
  };
}

/**
 * A sliding window over a chunk source: `need(n)` makes n bytes available from `pos` (refilling
 * from the source and keeping only the unread tail), then the parser reads `buf` / `view`
 * synchronously. `base` is the stream offset of buf[0], so `base + pos` is the offset of the next
 * byte (a file offset when the source is the file).
 */
export class ByteWindow {
  buf: Uint8Array = new Uint8Array(0);
  view = new DataView(this.buf.buffer);
  pos = 0;
  end = 0;
  base: number;
  little = true;
  private done = false;
  private store: Uint8Array | null = null;

  constructor(
    private readonly source: ChunkSource,
    base = 0,
  ) {
    this.base = base;
  }

  /** Stream offset of the next unread byte. */
  get offset(): number {
    return this.base + this.pos;
  }

  get available(): number {
    return this.end - this.pos;
  }

  /** True when nothing is left, neither in the window nor in the source. */
  async atEnd(): Promise<boolean> {
    return !(await this.need(1));
  }

  /** Makes `n` bytes available at `pos`; false when the source ends first. */
  async need(n: number): Promise<boolean> {
    while (this.end - this.pos < n) {
      if (this.done) return false;
      const chunk = await this.source.next();
      if (!chunk) {
        this.done = true;
        return false;
      }
      this.append(chunk);
    }
    return true;
  }

  private append(chunk: Uint8Array): void {
    const rest = this.end - this.pos;
    if (rest === 0 && this.store === null && !this.source.reused) {
      // Nothing carried over: the chunk itself becomes the window, without a copy.
      this.base += this.end;
      this.setBuffer(chunk, chunk.length);
      return;
    }
    // The unread tail and the chunk, in one buffer kept from read to read (no allocation per chunk).
    let store = this.store;
    if (store === null || store.length < rest + chunk.length) {
      store = new Uint8Array(rest + chunk.length + (1 << 16));
      store.set(this.buf.subarray(this.pos, this.end), 0);
      this.store = store;
    } else if (this.buf === store) store.copyWithin(0, this.pos, this.end);
    else store.set(this.buf.subarray(this.pos, this.end), 0);
    store.set(chunk, rest);
    this.base += this.pos;
    this.setBuffer(store, rest + chunk.length);
  }

  private setBuffer(buf: Uint8Array, end: number): void {
    this.buf = buf;
    this.pos = 0;
    this.end = end;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** Skips `n` bytes (reading through them); false when the source ends first. */
  async skip(n: number): Promise<boolean> {
    while (n > 0) {
      if (!(await this.need(1))) return false;
      const step = Math.min(n, this.end - this.pos);
      this.pos += step;
      n -= step;
    }
    return true;
  }

  u8(): number {
    return this.buf[this.pos++];
  }
  i32(): number {
    const v = this.view.getInt32(this.pos, this.little);
    this.pos += 4;
    return v;
  }
  u32(): number {
    const v = this.view.getUint32(this.pos, this.little);
    this.pos += 4;
    return v;
  }
  u16(): number {
    const v = this.view.getUint16(this.pos, this.little);
    this.pos += 2;
    return v;
  }
  /** An unsigned 64-bit integer as a number; NaN when it exceeds 2^53 (no real count or offset does). */
  u64(): number {
    const lo = this.view.getUint32(this.pos + (this.little ? 0 : 4), this.little);
    const hi = this.view.getUint32(this.pos + (this.little ? 4 : 0), this.little);
    this.pos += 8;
    return hi < 0x200000 ? hi * 0x100000000 + lo : NaN;
  }
  /** A signed 64-bit integer as a number; NaN beyond +-2^53. */
  i64(): number {
    const lo = this.view.getUint32(this.pos + (this.little ? 0 : 4), this.little);
    const hi = this.view.getInt32(this.pos + (this.little ? 4 : 0), this.little);
    this.pos += 8;
    return hi < 0x200000 && hi >= -0x200000 ? hi * 0x100000000 + lo : NaN;
  }
  f64(): number {
    const v = this.view.getFloat64(this.pos, this.little);
    this.pos += 8;
    return v;
  }
  bytes(n: number): Uint8Array {
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  /** `n` bytes as Latin-1 text (ASCII names, tags, record identifiers). */
  ascii(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCharCode(this.buf[this.pos + i]);
    this.pos += n;
    return s;
  }
}

/** What the readers decode text with: a TextDecoder, or the Windows-1252 table below. */
export interface TextDecoding {
  readonly encoding: string;
  decode(bytes: Uint8Array): string;
}

/**
 * Windows-1252 (WHATWG Encoding Standard, index-windows-1252): Latin-1 except 0x80-0x9F. Node 20's
 * TextDecoder('windows-1252') decodes those as Latin-1 C1 controls, so the table is applied here.
 */
const CP1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];
export const windows1252: TextDecoding = {
  encoding: 'windows-1252',
  decode(bytes: Uint8Array): string {
    let s = '';
    for (let i = 0; i < bytes.length; i += 4096) {
      const part = bytes.subarray(i, Math.min(bytes.length, i + 4096));
      s += String.fromCharCode(...Array.from(part, (b) => (b >= 0x80 && b < 0xa0 ? CP1252_HIGH[b - 0x80] : b)));
    }
    return s;
  },
};

/**
 * A decoder for an encoding named by a file (SPSS record 7 subtype 20, a code page), or null when
 * the runtime does not know it. Windows-1252 (and its aliases, e.g. "latin1") gets the table above.
 */
export function decoderFor(label: string): TextDecoding | null {
  try {
    const d = new TextDecoder(label);
    return d.encoding === 'windows-1252' ? windows1252 : d;
  } catch {
    return null;
  }
}
