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
import { InputError } from '../../diagnostics';

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

/** Reader options beyond the shared signature. */
export interface SurveyReadOptions {
  /** Bytes read per chunk (default 4 MiB, as the other readers). */
  chunkBytes?: number;
}

/** The marker fed for Stata extended missing value `.x`: the string ".x". */
export function extendedMissing(letter: number): string {
  return '.' + String.fromCharCode(97 + letter);
}

/** True for the values readers feed for Stata's extended missing values `.a`-`.z`. */
export function isExtendedMissing(v: unknown): v is string {
  return typeof v === 'string' && v.length === 2 && v.charCodeAt(0) === 46 && v.charCodeAt(1) >= 97 && v.charCodeAt(1) <= 122;
}

/** A located `InputError` about a damaged or unreadable file: binary files have no lines, so line 1, column 1. */
export function damaged(code: string, file: string, message: string): InputError {
  return new InputError({ code, message, file, line: 1, column: 1 });
}

/** A supplier of successive byte chunks (the file from some offset, or inflated zlib blocks). */
export interface ChunkSource {
  /** The next chunk, or null at the end. */
  next(): Promise<Uint8Array | null>;
  /** Fraction of the source delivered so far (progress). */
  progress(): number;
}

/** Bytes read per chunk: as the CSV reader, large enough that reads do not matter, small for memory. */
export const CHUNK_BYTES = 4 << 20;

/** The bytes of `file` from `from` to `to`, `chunkBytes` at a time. */
export function fileSource(file: AsyncBuffer, from: number, to: number, chunkBytes = CHUNK_BYTES, signal?: AbortSignal): ChunkSource {
  let at = from;
  return {
    async next() {
      signal?.throwIfAborted();
      if (at >= to) return null;
      const end = Math.min(to, at + chunkBytes);
      const chunk = new Uint8Array(await file.slice(at, end));
      at = end;
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
    if (rest === 0) {
      this.base += this.end;
      this.buf = chunk;
    } else {
      const merged = new Uint8Array(rest + chunk.length);
      merged.set(this.buf.subarray(this.pos, this.end), 0);
      merged.set(chunk, rest);
      this.base += this.pos;
      this.buf = merged;
    }
    this.pos = 0;
    this.end = this.buf.length;
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
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
