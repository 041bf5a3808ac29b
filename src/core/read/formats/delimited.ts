/**
 * A streaming byte-level scanner for delimited text (CSV, TSV, semicolon- and pipe-separated),
 * RFC 4180 (https://www.rfc-editor.org/rfc/rfc4180): quoted fields may hold delimiters, doubled
 * quotes and line breaks; records end at LF, CRLF or CR.
 *
 * Why hand-written rather than csv-parse: csv-parse turns every field of every record into a JS
 * string; a WVS file has 97,000 x 600 = 58 million fields, of which an evaluation needs ~180
 * columns. This scanner works on bytes in large reused buffers, skips unselected fields by scanning
 * to the next delimiter, and parses the integer answers of selected item columns straight from bytes
 * into dictionary slots; strings are decoded only for group columns, labels and the header. On the
 * WVS-shaped bench file it reads ten times faster than csv-parse with less than half the memory
 * (bench/README-read.md). csv-parse's sync API stays the reference parser of a property-based test
 * (test/unit/read/delimited.test.ts).
 *
 * Located problems (1-based line and UTF-16 column + 1, as editors count):
 * - an unclosed quote is reported where the quote opens;
 * - text after a closing quote, or a quote inside an unquoted field, where that character is
 *   (the field keeps its characters literally, as pandas does; csv-parse rejects such files);
 * - text that is not UTF-8 (a UTF-16 byte order mark, NUL bytes, Latin-1 bytes), once per file, at
 *   the first such byte in a field that is read.
 */

const QUOTE = 34;
const LF = 10;
const CR = 13;
const MINUS = 45;

/** What the scanner does with a field. */
export const FIELD_SKIP = 0;
/** Parse integer answers from bytes into the field's TokenColumn (text fallback for the rest). */
export const FIELD_CODE = 1;
/** Decode the field to a string and hand it to the sink. */
export const FIELD_TEXT = 2;

import { TokenColumn, EMPTY_SLOT } from '../columns';

export interface ScanProblem {
  code: 'csv.unclosed-quote' | 'csv.text-after-quote' | 'csv.stray-quote' | 'csv.encoding';
  message: string;
  line: number;
  column: number;
}

/** Receives the fields the scanner was asked to keep. */
export interface ScanSink {
  /** Per field index: FIELD_SKIP, FIELD_CODE or FIELD_TEXT. Fields past its length are skipped. */
  roles: Uint8Array;
  /** Per field index: the column FIELD_CODE fields are written to (row `row`). */
  codeColumns: (TokenColumn | null)[];
  /** Row index FIELD_CODE cells of the current record are written at. */
  row: number;
  /** A new record starts (per-record state can be reset: a record may be scanned twice). */
  beginRecord(): void;
  /**
   * A FIELD_TEXT field's value, unquoted. `column` is 0 when not computed yet: ask the scanner's
   * `columnAt(start)` (during this call) if a location is needed.
   */
  text(field: number, value: string, line: number, column: number, start: number): void;
  /**
   * The record is complete. `fields` is how many fields it had; `problems` what the scanner found
   * inside it (an unclosed quote makes the record end at the end of the file).
   */
  endRecord(fields: number, line: number, problems: ScanProblem[] | null): void;
}

/**
 * Scans records from a buffer, resumable across chunks: `scan` stops before a record that is not
 * complete yet and returns where it starts, so the caller carries those bytes into the next chunk.
 */
export class DelimitedScanner {
  /** 1-based line of the scan position. */
  line = 1;
  /** Offset in the current buffer where the current line starts (for columns). */
  lineStart = 0;
  private buf: Uint8Array = new Uint8Array(0);
  private problems: ScanProblem[] | null = null;
  /** Text that is not UTF-8 is reported once per file. */
  private encodingReported = false;
  /** 1 for the bytes that end or quote an unquoted field (delimiter, LF, CR, quote), else 0. */
  private readonly special = new Uint8Array(256);

  constructor(
    readonly delimiter: number,
    private readonly sink: ScanSink,
  ) {
    for (const b of [delimiter, LF, CR, QUOTE]) this.special[b] = 1;
  }

  /** Whether text that is not UTF-8 was reported (once per file). */
  get encodingWasReported(): boolean {
    return this.encodingReported;
  }

  /** Another reader of the same file reported it (src/core/read/split.ts): not again. */
  markEncodingReported(): void {
    this.encodingReported = true;
  }

  /** 1-based UTF-16 column of byte offset `pos` on the current line. */
  columnAt(pos: number): number {
    const b = this.buf;
    let ascii = true;
    for (let i = this.lineStart; i < pos; i++) {
      if (b[i] >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) return pos - this.lineStart + 1;
    return utf16Length(b.subarray(this.lineStart, pos), this.line) + 1;
  }

  /** Forget `n` consumed bytes at the start of the buffer (the caller moved the rest down). */
  shift(n: number): void {
    this.lineStart -= n;
  }

  /**
   * Scans complete records in buf[pos, end). With `final` false, a record running into `end` is
   * left for the next call: the return value is the offset where it starts (== end when none).
   */
  scan(buf: Uint8Array, pos: number, end: number, final: boolean): number {
    this.buf = buf;
    const sink = this.sink;
    const delim = this.delimiter;
    let roles = sink.roles;
    let nRoles = roles.length;
    let columns = sink.codeColumns;
    const special = this.special;

    records: while (pos < end) {
      const recStart = pos;
      const recLine = this.line;
      const recLineStart = this.lineStart;
      let c = buf[pos];
      // Empty lines hold no record.
      if (c === LF) {
        pos++;
        this.line++;
        this.lineStart = pos;
        continue;
      }
      if (c === CR) {
        if (pos + 1 >= end && !final) return recStart;
        pos += pos + 1 < end && buf[pos + 1] === LF ? 2 : 1;
        this.line++;
        this.lineStart = pos;
        continue;
      }
      this.problems = null;
      sink.beginRecord();
      const row = sink.row;
      let field = 0;
      for (;;) {
        if (pos >= end) {
          if (!final) return this.rollback(recStart, recLine, recLineStart);
          // The file ends right after a delimiter: one more empty field.
          this.emptyField(field, row, pos);
          field++;
          break;
        }
        const role = field < nRoles ? roles[field] : FIELD_SKIP;
        c = buf[pos];
        if (c === QUOTE) {
          const r = this.quoted(buf, pos, end, final, field, role, row);
          if (r < 0) {
            if (r === NEED_MORE) return this.rollback(recStart, recLine, recLineStart);
            // Unclosed quote: the record (and the file) end here.
            field++;
            sink.endRecord(field, recLine, this.problems);
            return end;
          }
          pos = r;
        } else if (role === FIELD_CODE) {
          // Integer answers straight from bytes: optional minus, up to 9 digits.
          const start = pos;
          let v = 0;
          let p = pos;
          if (c === MINUS) p++;
          const digitsStart = p;
          while (p < end) {
            c = buf[p];
            if (c < 48 || c > 57) break;
            v = v * 10 + (c - 48);
            p++;
          }
          if (p >= end && !final) return this.rollback(recStart, recLine, recLineStart);
          const col = columns[field]!;
          if (p === end || c === delim || c === LF || c === CR) {
            const nd = p - digitsStart;
            if (nd > 0 && nd < 10) {
              if (buf[start] === MINUS) v = -v;
              let s = col.knownInt(v);
              if (s < 0) s = col.addInt(v, this.line, this.columnAt(start));
              col.values[row] = s;
              pos = p;
            } else if (p === start) {
              col.values[row] = EMPTY_SLOT;
              pos = p;
            } else {
              col.values[row] = col.addText(latin(buf, start, p), this.line, 0, this, start);
              pos = p;
            }
          } else {
            // Anything else (a label, a decimal, spaces): scan to the end of the field, decode.
            p = this.unquotedEnd(buf, p, end, delim);
            if (p >= end && !final) return this.rollback(recStart, recLine, recLineStart);
            const text = decoder.decode(buf.subarray(start, p));
            if (!this.encodingReported) this.checkEncoding(text, start, p, start, this.line);
            col.values[row] = col.addText(text, this.line, 0, this, start);
            pos = p;
          }
        } else if (role === FIELD_SKIP) {
          // The hottest loop on a big file: most fields are skipped. One table test per byte, and
          // a run of skipped fields is crossed here without going back to the field dispatch.
          let p = pos;
          for (;;) {
            while (p < end && special[buf[p]] === 0) p++;
            if (p + 1 >= end || buf[p] !== delim) break;
            const next = field + 1;
            if ((next < nRoles ? roles[next] : FIELD_SKIP) !== FIELD_SKIP || buf[p + 1] === QUOTE) break;
            field = next;
            p++;
          }
          if (p < end && buf[p] === QUOTE) p = this.unquotedEnd(buf, p, end, delim);
          if (p >= end && !final) return this.rollback(recStart, recLine, recLineStart);
          pos = p;
        } else {
          const start = pos;
          const p = this.unquotedEnd(buf, pos, end, delim);
          if (p >= end && !final) return this.rollback(recStart, recLine, recLineStart);
          if (role === FIELD_TEXT) {
            const text = decoder.decode(buf.subarray(start, p));
            if (!this.encodingReported) this.checkEncoding(text, start, p, start, this.line);
            sink.text(field, text, this.line, 0, start);
          }
          pos = p;
        }
        field++;
        // At a delimiter, a line break or the end of the data.
        if (pos >= end) {
          if (!final) return this.rollback(recStart, recLine, recLineStart);
          break;
        }
        c = buf[pos];
        if (c === delim) {
          pos++;
          continue;
        }
        if (c === LF) {
          pos++;
        } else {
          // CR or CRLF.
          if (pos + 1 >= end && !final) return this.rollback(recStart, recLine, recLineStart);
          pos += pos + 1 < end && buf[pos + 1] === LF ? 2 : 1;
        }
        this.line++;
        this.lineStart = pos;
        break;
      }
      sink.endRecord(field, recLine, this.problems);
      if (sink.roles !== roles) {
        // The sink chose its fields (after the header).
        roles = sink.roles;
        nRoles = roles.length;
        columns = sink.codeColumns;
      }
      continue records;
    }
    return pos;
  }

  private rollback(recStart: number, line: number, lineStart: number): number {
    this.line = line;
    this.lineStart = lineStart;
    return recStart;
  }

  private emptyField(field: number, row: number, pos: number): void {
    const roles = this.sink.roles;
    const role = field < roles.length ? roles[field] : FIELD_SKIP;
    if (role === FIELD_CODE) this.sink.codeColumns[field]!.values[row] = EMPTY_SLOT;
    else if (role === FIELD_TEXT) this.sink.text(field, '', this.line, 0, pos);
  }

  /** End of an unquoted field; a quote inside it is kept literally and reported. */
  private unquotedEnd(buf: Uint8Array, p: number, end: number, delim: number): number {
    while (p < end) {
      const c = buf[p];
      if (c === delim || c === LF || c === CR) break;
      if (c === QUOTE) this.problem('csv.stray-quote', 'A quote inside an unquoted field is kept as a character; quote the whole field and double the quote ("") if it belongs to the value.', p);
      p++;
    }
    return p;
  }

  /**
   * A quoted field starting at `q`. Returns the offset after it (at the delimiter / line break),
   * NEED_MORE when the buffer ends inside it, or UNCLOSED at the end of the file.
   */
  private quoted(buf: Uint8Array, q: number, end: number, final: boolean, field: number, role: number, row: number): number {
    const openLine = this.line;
    // Computed only when needed: skipped quoted fields are common in big files.
    const openColumn = 0;
    const delim = this.delimiter;
    let p = q + 1;
    let hasDoubled = false;
    let closeAt = -1;
    while (p < end) {
      const c = buf[p];
      if (c === QUOTE) {
        if (p + 1 >= end && !final) return NEED_MORE;
        if (p + 1 < end && buf[p + 1] === QUOTE) {
          hasDoubled = true;
          p += 2;
          continue;
        }
        closeAt = p;
        break;
      }
      if (c === LF || c === CR) {
        if (c === CR && p + 1 < end && buf[p + 1] === LF) p++;
        else if (c === CR && p + 1 >= end && !final) return NEED_MORE;
        this.line++;
        this.lineStart = p + 1;
      }
      p++;
    }
    if (closeAt < 0) {
      if (!final) return NEED_MORE;
      this.problem('csv.unclosed-quote', 'This quote is never closed, so the rest of the file was read as one field; close it or remove it.', q, openLine, openColumn || this.columnAtLine(q, openLine));
      return UNCLOSED;
    }
    p = closeAt + 1;
    let tail = p;
    if (p < end && buf[p] !== delim && buf[p] !== LF && buf[p] !== CR) {
      this.problem('csv.text-after-quote', 'Text follows the closing quote of this field; it is kept, but the field should be quoted as a whole.', p);
      tail = this.unquotedEnd(buf, p, end, delim);
      if (tail >= end && !final) return NEED_MORE;
    }
    if (role !== FIELD_SKIP) {
      let value = decoder.decode(buf.subarray(q + 1, closeAt));
      if (hasDoubled) value = value.replace(DOUBLED, '"');
      if (tail > p) value += decoder.decode(buf.subarray(p, tail));
      if (!this.encodingReported) this.checkEncoding(value, q + 1, tail, q, openLine);
      // Quoted fields can span lines: locate the value at its opening quote.
      const column = openColumn || this.columnAtLine(q, openLine);
      if (role === FIELD_CODE) {
        const col = this.sink.codeColumns[field]!;
        col.values[row] = col.addText(value, openLine, column);
      } else {
        this.sink.text(field, value, openLine, column, q);
      }
    }
    return tail;
  }

  /**
   * Reports (once per file) a field whose bytes are not UTF-8, at the first such byte: a UTF-16 byte
   * order mark at the start of the file, a NUL byte (UTF-16 without a mark, or a binary file), or
   * a byte that is not UTF-8 (Latin-1, Windows-1252). `from` is where the field starts (its quote
   * when quoted) and `fromLine` its line, to locate bytes after line breaks inside quotes.
   */
  private checkEncoding(text: string, start: number, end: number, from: number, fromLine: number): void {
    if (text.indexOf('\uFFFD') < 0 && text.indexOf('\0') < 0) return;
    const b = this.buf;
    let at = -1;
    let message = '';
    if (fromLine === 1 && from === this.lineStart && ((b[from] === 0xff && b[from + 1] === 0xfe) || (b[from] === 0xfe && b[from + 1] === 0xff))) {
      at = from;
      message = `The file starts with a UTF-16 byte order mark (0x${hex(b[from])} 0x${hex(b[from + 1])}): it is UTF-16, but it is read as UTF-8, so column names and values are garbled. Save it as UTF-8.`;
    } else if ((at = b.subarray(start, end).indexOf(0)) >= 0) {
      at += start;
      message = 'This text holds a NUL byte: the file is UTF-16 without a byte order mark, or not text at all. It is read as UTF-8, so column names and values are garbled; save it as UTF-8 text.';
    } else if ((at = firstInvalidUtf8(b, start, end)) >= 0) {
      message = `Byte 0x${hex(b[at])} is not UTF-8: the file is probably Latin-1 or Windows-1252. Such bytes are read as "\uFFFD", so a label holding one matches no option; save the file as UTF-8. (Reported once per file.)`;
    } else return; // a real U+FFFD character, written as UTF-8
    this.encodingReported = true;
    // The line and column of `at`, counting the line breaks a quoted field may hold before it.
    let line = fromLine;
    let lineStart = -1;
    for (let i = from; i < at; i++) {
      const c = b[i];
      if (c === LF || (c === CR && b[i + 1] !== LF)) {
        line++;
        lineStart = i + 1;
      }
    }
    const column = lineStart < 0 ? this.columnAtLine(at, fromLine) : utf16Length(b.subarray(lineStart, at), line) + 1;
    this.problem('csv.encoding', message, at, line, column);
  }

  /** Column of `pos` when the line it is on started before the current line (quoted line breaks). */
  private columnAtLine(pos: number, line: number): number {
    if (line === this.line) return this.columnAt(pos);
    // Walk back from pos to the previous line break.
    let s = pos;
    while (s > 0 && this.buf[s - 1] !== LF && this.buf[s - 1] !== CR) s--;
    return utf16Length(this.buf.subarray(s, pos), line) + 1;
  }

  private problem(code: ScanProblem['code'], message: string, pos: number, line = this.line, column = 0): void {
    (this.problems ??= []).push({ code, message, line, column: column || this.columnAtLine(pos, line) });
  }
}

const NEED_MORE = -1;
const UNCLOSED = -2;
const DOUBLED = /""/g;
const decoder = new TextDecoder('utf-8');
/** Keeps a BOM: one in the middle of a file (files concatenated) is a character editors count. */
const bomKeepingDecoder = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * UTF-16 length of the bytes from a line's start, as editors count columns: a BOM in the middle of
 * the file counts as a character; the file's own BOM (at the start of line 1) does not.
 */
function utf16Length(bytes: Uint8Array, line: number): number {
  const s = bomKeepingDecoder.decode(bytes);
  return line === 1 && s.charCodeAt(0) === 0xfeff ? s.length - 1 : s.length;
}

function hex(b: number): string {
  return b.toString(16).toUpperCase().padStart(2, '0');
}

/** Offset of the first byte in [start, end) that does not begin or continue a UTF-8 sequence, or -1. */
function firstInvalidUtf8(b: Uint8Array, start: number, end: number): number {
  for (let i = start; i < end; ) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    const n = c >= 0xc2 && c <= 0xdf ? 1 : (c & 0xf0) === 0xe0 ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (n < 0) return i;
    for (let k = 1; k <= n; k++) if (i + k >= end || (b[i + k] & 0xc0) !== 0x80) return i;
    i += n + 1;
  }
  return -1;
}

/** ASCII/Latin-1 decode of a short token (integers with signs or digits only reach here). */
function latin(buf: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(buf[i]);
  return s;
}

/**
 * Guesses the delimiter from the first line (outside quotes): the most frequent of `,` `;` tab
 * `|`, preferring the one that also splits the second line into as many fields. Ties go to the
 * comma, then tab.
 */
export function sniffDelimiter(buf: Uint8Array, start: number, end: number): number {
  const candidates = [44, 9, 59, 124];
  const lines: number[][] = [];
  let counts = [0, 0, 0, 0];
  let inQuotes = false;
  for (let p = start; p < end && lines.length < 2; p++) {
    const c = buf[p];
    if (c === QUOTE) inQuotes = !inQuotes;
    else if (!inQuotes && (c === LF || c === CR)) {
      if (counts.some((n) => n > 0) || lines.length > 0) lines.push(counts);
      counts = [0, 0, 0, 0];
      if (c === CR && buf[p + 1] === LF) p++;
    } else if (!inQuotes) {
      const k = candidates.indexOf(c);
      if (k >= 0) counts[k]++;
    }
  }
  if (lines.length < 2) lines.push(counts);
  const [first, second] = lines;
  let best = 0;
  let bestScore = -1;
  for (let k = 0; k < candidates.length; k++) {
    const consistent = second === undefined || second[k] === first[k];
    const score = first[k] * (consistent ? 2 : 1);
    if (score > bestScore) {
      best = k;
      bestScore = score;
    }
  }
  return bestScore > 0 ? candidates[best] : 44;
}

/** A record as strings, with where each field starts: for headers and for tests. */
export interface TextRecord {
  fields: string[];
  line: number;
  columns: number[];
}

/**
 * Parses delimited text completely into string records (every field kept). Used for small inputs
 * and as the scanner's test surface; big files go through `DelimitedScanner` with selected fields.
 */
export function parseDelimited(
  text: string | Uint8Array,
  delimiter?: number,
): { records: TextRecord[]; problems: ScanProblem[]; delimiter: number } {
  let bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
  const delim = delimiter ?? sniffDelimiter(bytes, 0, Math.min(bytes.length, 1 << 16));
  const records: TextRecord[] = [];
  const problems: ScanProblem[] = [];
  let current: TextRecord = { fields: [], line: 0, columns: [] };
  const sink: ScanSink = {
    roles: new Uint8Array(0),
    codeColumns: [],
    row: 0,
    beginRecord() {
      current = { fields: [], line: 0, columns: [] };
    },
    text(field, value, _line, column, start) {
      column ||= scanner.columnAt(start);
      current.fields[field] = value;
      current.columns[field] = column;
    },
    endRecord(fields, line, found) {
      current.line = line;
      current.fields.length = fields;
      if (found) problems.push(...found);
      records.push(current);
    },
  };
  const scanner = new DelimitedScanner(delim, sink);
  // Every field is text: roles grow with the widest record seen.
  sink.roles = new Uint8Array(4096).fill(FIELD_TEXT);
  scanner.scan(bytes, 0, bytes.length, true);
  return { records, problems, delimiter: delim };
}

/** Where a CSV record too long to buffer is, while its bytes are dropped. */
export interface SkipState {
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


/**
 * Follows a CSV record through buf[pos, end) without keeping anything (RFC 4180 quoting: a quote
 * opens a quoted field only at its start, "" is a quote inside one), counting lines. Returns the
 * offset it stopped at: after the record's line break (`st.done`), or where more bytes are needed
 * to decide (a quote or CR at the end of the buffer), or `end`.
 */
export function skipRecord(buf: Uint8Array, pos: number, end: number, final: boolean, delim: number, st: SkipState, locate: boolean): number {
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
        st.quoteColumn = decoder.decode(buf.subarray(Math.min(st.lineStart, pos), pos)).length + 1;
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
