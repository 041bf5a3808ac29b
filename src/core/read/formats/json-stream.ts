/**
 * JSON lines and JSON arrays read chunk by chunk, record by record, with the same located
 * diagnostics as parsing the whole text: a file is never held whole in memory, only the record
 * being parsed and the columns the reader keeps.
 *
 * Both consumers work on bytes, like the CSV scanner: a chunk is cut after its last complete
 * record (a line feed for JSON lines, the end of an array element for JSON), only that part is
 * decoded, and the rest is carried into the next chunk. Structural characters (`\n`, `"`, `{`,
 * `[`, `,`) are ASCII and never occur inside a multi-byte UTF-8 sequence, so cutting at them never
 * splits a character. Columns are UTF-16 code units + 1 (as editors count), computed by decoding
 * the line up to the place only when a diagnostic needs it.
 *
 * Keys become columns in first-seen order over the whole file, as for the whole-text reading: the
 * header is the first record's keys, and when a later record brings a key the header lacks, the
 * pass stops feeding the reader, only collects keys, and a second pass reads the file again with
 * the complete header (`RecordFeed.incomplete`). Files whose records share their keys (the usual
 * case) are read once.
 */
import { InputError, type InputDiagnostic } from '../../report/diagnostics';
import { FIELD_SKIP } from './delimited';
import type { ColumnLocator } from '../columns';
import { LineIndex } from '../../report/line-index';

/** The reader records are fed to (RowsToColumns' record path). */
export interface RecordReader {
  roles: Uint8Array;
  report(d: InputDiagnostic): void;
  feedRecord(values: ReadonlyArray<unknown>, line: number, locator?: ColumnLocator): void;
  /** Bytes of the file handled so far: lets the reader estimate the rows to come (memory guard). */
  progress(bytes: number): void;
}

/** Consumes a file chunk by chunk (see `pumpFile` in index.ts). */
export interface ChunkConsumer {
  /** Handles complete records in buf[0, end) and returns how many bytes were consumed. */
  consume(buf: Uint8Array, end: number, final: boolean): number;
  /** The carried bytes moved down by `n`. */
  shift(n: number): void;
  /**
   * The buffer is full at the longest record allowed and holds no complete record: report (or
   * throw) and return how many bytes to drop.
   */
  overflow(buf: Uint8Array, filled: number, maxBytes: number): number;
}

const LF = 10;
const CR = 13;
const QUOTE = 34;
const BACKSLASH = 92;
const decoder = new TextDecoder('utf-8');

function hasBom(buf: Uint8Array, pos: number): boolean {
  return buf[pos] === 0xef && buf[pos + 1] === 0xbb && buf[pos + 2] === 0xbf;
}

/**
 * Offset of a JSON.parse error, from V8's message ("... at position 12" / "(line 2 column 5)");
 * 0 when the message does not say.
 */
export function jsonErrorOffset(e: unknown, text: string): number {
  const msg = (e as Error).message;
  const pos = /position (\d+)/.exec(msg);
  if (pos) return Number(pos[1]);
  const lc = /line (\d+) column (\d+)/.exec(msg);
  if (lc) {
    let offset = 0;
    for (let l = 1; l < Number(lc[1]); l++) offset = text.indexOf('\n', offset) + 1;
    return offset + Number(lc[2]) - 1;
  }
  // "Unexpected token '}', ..."<source around the error>"... is not valid JSON": V8 quotes the
  // source from 10 characters before the error when it cuts the start.
  const snippet = /Unexpected token '([\s\S]+?)', (\.\.\.)?"([\s\S]*?)(?:\.\.\.)?" is not valid JSON$/.exec(msg);
  if (snippet) {
    if (snippet[2]) {
      const at = text.indexOf(snippet[3]);
      if (at >= 0) return at + 10;
    }
    return Math.max(0, text.indexOf(snippet[1]));
  }
  return 0;
}

/** A record's text and where it starts in the file (1-based line and UTF-16 column). */
interface RecordSource {
  text: string;
  line: number;
  column: number;
}

/** The file position of a character offset in a record's text (the first line shifted by its start). */
function positionIn(source: RecordSource, offset: number, lines = new LineIndex(source.text)): { line: number; column: number } {
  const rel = lines.locate(offset);
  return { line: source.line + rel.line - 1, column: rel.line === 1 ? source.column + rel.column - 1 : rel.column };
}

/**
 * Records -> reader: keys as columns in first-seen order. With `known` keys (a second pass) the
 * header is fixed; without, it is the first record's keys and grows when a later record brings a
 * new key, which makes this pass `incomplete` (it then only collects keys).
 */
export class RecordFeed {
  readonly keys: string[];
  private readonly keyIndex = new Map<string, number>();
  private readonly fixed: boolean;
  private headerFed = false;
  /** A record had a key the header lacks: the caller must read again with `keys`. */
  incomplete = false;
  /** Some line / element held something other than white space. */
  sawContent = false;
  private lastKeys: string[] = [];
  private values: unknown[] = [];
  /** Fields whose key is also a property of every object (`constructor`, `toString`): read with hasOwn. */
  private inherited: boolean[] = [];

  constructor(
    readonly reader: RecordReader,
    known: string[] | null,
  ) {
    this.keys = known ? [...known] : [];
    this.fixed = known !== null;
    this.keys.forEach((k, i) => this.keyIndex.set(k, i));
  }

  /** The first problem reported, for the refusal of a file in which no record could be read. */
  firstProblem: InputDiagnostic | null = null;

  report(d: InputDiagnostic): void {
    this.firstProblem ??= d;
    if (!this.incomplete) this.reader.report(d);
  }

  /**
   * One record. `source` (its text and where the text starts) lets a value's diagnostic point at the
   * value itself; it is scanned only when one is needed (see `valueLocator`).
   */
  record(value: Record<string, unknown>, line: number, source?: RecordSource): void {
    const ks = Object.keys(value);
    if (!sameKeys(ks, this.lastKeys)) {
      for (const k of ks) {
        if (this.keyIndex.has(k)) continue;
        if (this.fixed) continue; // cannot happen unless the file changed: the identity check says so
        this.keyIndex.set(k, this.keys.length);
        this.keys.push(k);
        if (this.headerFed) this.incomplete = true;
      }
      this.lastKeys = ks;
    }
    if (this.incomplete) return;
    const keys = this.keys;
    if (!this.headerFed) {
      this.headerFed = true;
      this.reader.feedRecord(keys.slice(), 1);
      this.values = new Array(keys.length);
      this.inherited = keys.map((k) => k in Object.prototype);
    }
    const roles = this.reader.roles;
    const values = this.values;
    const n = Math.min(keys.length, roles.length);
    for (let f = 0; f < n; f++) {
      if (roles[f] === FIELD_SKIP) continue;
      const k = keys[f];
      values[f] = this.inherited[f] && !Object.prototype.hasOwnProperty.call(value, k) ? undefined : value[k];
    }
    this.reader.feedRecord(values, line, source ? valueLocator(source, keys) : undefined);
  }
}

function sameKeys(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * JSON lines: one record per line (LF or CRLF); a line that is not valid JSON, or not an object,
 * is reported at its line and column and skipped, the others are read. A line longer than the
 * record bound is reported and skipped without being buffered further.
 */
export class JsonLinesConsumer implements ChunkConsumer {
  /** Lines seen so far. */
  private line = 0;
  private started = false;
  /** Inside a line too long to buffer: drop bytes up to its line feed. */
  private skipping = false;
  private bytes = 0;

  constructor(
    private readonly feed: RecordFeed,
    private readonly file: string,
  ) {}

  consume(buf: Uint8Array, end: number, final: boolean): number {
    let pos = 0;
    if (!this.started) {
      if (end < 3 && !final) return 0;
      this.started = true;
      if (hasBom(buf, 0)) pos = 3;
    }
    if (this.skipping) {
      const lf = buf.indexOf(LF, pos);
      if (lf < 0 || lf >= end) {
        this.bytes += end;
        return end;
      }
      this.skipping = false;
      this.line++;
      pos = lf + 1;
    }
    const cut = final ? end : lastIndexOf(buf, LF, pos, end) + 1;
    if (cut <= pos) return pos;
    const text = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('utf8', pos, cut);
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) {
        // The rest of the text after the last line feed: a line only at the end of the file
        // (text.split('\n') counts the empty piece after a final line feed too; it is blank).
        if (final) this.lineText(text.slice(start));
        break;
      }
      this.lineText(text.slice(start, nl));
      start = nl + 1;
    }
    this.bytes += cut;
    this.feed.reader.progress(this.bytes);
    return cut;
  }

  shift(): void {}

  overflow(_buf: Uint8Array, filled: number, maxBytes: number): number {
    this.feed.report({
      severity: 'error',
      code: 'json.line-too-long',
      message: `This line is longer than ${Math.round(maxBytes / (1 << 20))} MB, far longer than a record; it was skipped.`,
      file: this.file,
      line: this.line + 1,
      column: 1,
    });
    this.skipping = true;
    this.bytes += filled;
    return filled;
  }

  private lineText(raw: string): void {
    const line = ++this.line;
    const s = raw.trim();
    if (s === '') return;
    this.feed.sawContent = true;
    let v: unknown;
    try {
      v = JSON.parse(s);
    } catch (e) {
      const lead = raw.length - raw.trimStart().length;
      this.feed.report({
        severity: 'error',
        code: 'json.invalid-line',
        message: `This line is not valid JSON (${(e as Error).message}); it was skipped.`,
        file: this.file,
        line,
        column: lead + jsonErrorOffset(e, s) + 1,
      });
      return;
    }
    if (v && typeof v === 'object' && !Array.isArray(v)) this.feed.record(v as Record<string, unknown>, line, { text: s, line, column: raw.length - raw.trimStart().length + 1 });
    else {
      this.feed.report({
        severity: 'error',
        code: 'json.not-a-record',
        message: 'This line is not a JSON object (one record per line is expected); it was skipped.',
        file: this.file,
        line,
        column: raw.length - raw.trimStart().length + 1,
      });
    }
  }
}

function lastIndexOf(buf: Uint8Array, byte: number, from: number, end: number): number {
  for (let i = end - 1; i >= from; i--) if (buf[i] === byte) return i;
  return from - 1;
}

/** JSON white space (RFC 8259 section 2). */
function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

const enum ArrayState {
  Start,
  /** After `[`: an element or `]`. */
  First,
  /** After `,`: an element. */
  Next,
  /** After an element: `,` or `]`. */
  After,
  /** After `]`: only white space. */
  End,
}

/**
 * A JSON array of records, split into its top-level elements as the bytes arrive; each element is
 * parsed on its own (JSON.parse) and fed as a record. Syntax errors make the whole file invalid,
 * as for JSON.parse of the whole text, and are thrown as `json.invalid` at their line and column;
 * an element that is not an object is reported and skipped.
 */
export class JsonArrayConsumer implements ChunkConsumer {
  private state = ArrayState.Start;
  private line = 1;
  /** Offset in the current buffer where the current line starts (may be negative: already dropped). */
  private lineStart = 0;
  /** The dropped part of the current line, decoded (for columns of lines longer than a chunk). */
  private lineHead = '';
  private index = 0;
  private bytes = 0;
  private buf: Uint8Array = new Uint8Array(0);

  constructor(
    private readonly feed: RecordFeed,
    private readonly file: string,
  ) {}

  consume(buf: Uint8Array, end: number, final: boolean): number {
    this.buf = buf;
    let pos = 0;
    if (this.state === ArrayState.Start && this.bytes === 0) {
      if (end < 3 && !final) return 0;
      if (hasBom(buf, 0)) pos = this.lineStart = 3;
    }
    for (;;) {
      // White space between tokens.
      while (pos < end && isSpace(buf[pos])) {
        if (buf[pos] === LF) {
          this.line++;
          this.lineStart = pos + 1;
          this.lineHead = '';
        }
        pos++;
      }
      if (pos >= end) {
        if (!final) return this.done(pos);
        if (this.state === ArrayState.Start) return this.done(pos); // blank: the caller says "empty"
        if (this.state !== ArrayState.End) throw this.invalid('The file ends before the array is closed with "]"; it is truncated.', pos);
        return this.done(pos);
      }
      const c = buf[pos];
      this.feed.sawContent = true;
      switch (this.state) {
        case ArrayState.Start:
          if (c === 0x5b /* [ */) {
            this.state = ArrayState.First;
            pos++;
            continue;
          }
          if (c === 0x7b /* { */) {
            throw new InputError({ code: 'json.not-records', message: 'A JSON file must hold an array of records (objects); this one holds a single object. Write one record per line (JSON lines, .jsonl) or wrap them in [ ].', file: this.file, ...this.at(pos) });
          }
          throw this.invalid('The file is not a JSON array of records: it should start with "[".', pos);
        case ArrayState.After:
          if (c === 0x2c /* , */) {
            this.state = ArrayState.Next;
            this.lastComma = this.at(pos);
          }
          else if (c === 0x5d /* ] */) this.state = ArrayState.End;
          else throw this.invalid('Expected "," or "]" after this element of the array.', pos);
          pos++;
          continue;
        case ArrayState.End:
          throw this.invalid('Unexpected text after the end of the array.', pos);
        default: {
          if (c === 0x5d && this.state === ArrayState.First) {
            this.state = ArrayState.End;
            pos++;
            continue;
          }
          if (c === 0x5d) {
            // Reported at the comma (a trailing comma, which JSON does not allow), where the fix is.
            const at = this.lastComma ?? this.at(pos);
            throw new InputError({ code: 'json.invalid', message: 'The file is not valid JSON: a "," after the last element of the array (a trailing comma); remove it.', file: this.file, ...at });
          }
          const after = this.element(buf, pos, end, final);
          if (after < 0) return this.done(pos);
          pos = after;
          this.state = ArrayState.After;
        }
      }
    }
  }

  private done(pos: number): number {
    this.bytes += pos;
    this.feed.reader.progress(this.bytes);
    return pos;
  }

  shift(n: number): void {
    if (this.lineStart < n) this.lineHead += decoder.decode(this.buf.subarray(Math.max(0, this.lineStart), n));
    this.lineStart -= n;
  }

  overflow(_buf: Uint8Array, _filled: number, maxBytes: number): number {
    throw new InputError({
      code: 'json.record-too-long',
      message: `This element of the array is longer than ${Math.round(maxBytes / (1 << 20))} MB, far longer than a record (or a bracket is never closed); the file cannot be read.`,
      file: this.file,
      ...this.at(0),
    });
  }

  /**
   * The element starting at `start`: parsed and fed. Returns the offset after it, or -1 when the
   * buffer ends inside it (and it is not the end of the file); line tracking is left at the
   * element's start then, so it is scanned again with more bytes.
   */
  private element(buf: Uint8Array, start: number, end: number, final: boolean): number {
    let p = start;
    let depth = 0;
    let newlines = 0;
    let lastLf = -1;
    const c0 = buf[start];
    if (c0 === 0x7b || c0 === 0x5b || c0 === QUOTE) {
      let inString = false;
      for (; p < end; p++) {
        const c = buf[p];
        if (inString) {
          if (c === BACKSLASH) p++;
          else if (c === QUOTE) {
            inString = false;
            if (depth === 0) break;
          } else if (c === LF) {
            newlines++;
            lastLf = p;
          }
        } else if (c === QUOTE) inString = true;
        else if (c === 0x7b || c === 0x5b) depth++;
        else if (c === 0x7d || c === 0x5d) {
          depth--;
          if (depth === 0) break;
        } else if (c === LF) {
          newlines++;
          lastLf = p;
        }
      }
      if (p >= end) {
        if (!final) return -1;
        throw this.invalid('The file ends inside this element of the array: it is truncated, or a bracket or quote is never closed.', start);
      }
      p++;
    } else {
      // A number, true, false, null (or junk): up to the next separator.
      while (p < end && buf[p] !== 0x2c && buf[p] !== 0x5d && !isSpace(buf[p])) p++;
      if (p >= end && !final) return -1;
    }
    const text = decoder.decode(buf.subarray(start, p));
    const where = this.at(start);
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch (e) {
      throw new InputError({
        code: 'json.invalid',
        message: `The file is not valid JSON: ${(e as Error).message}`,
        file: this.file,
        ...positionIn({ text, ...where }, jsonErrorOffset(e, text)),
      });
    }
    // A value's diagnostic points at the value (found by scanning the record's text when needed).
    if (v && typeof v === 'object' && !Array.isArray(v)) this.feed.record(v as Record<string, unknown>, where.line, { text, ...where });
    else {
      this.feed.report({ severity: 'error', code: 'json.not-a-record', message: `Element ${this.index} of the array is not an object; it was skipped.`, file: this.file, ...where });
    }
    this.index++;
    if (newlines) {
      this.line += newlines;
      this.lineStart = lastLf + 1;
      this.lineHead = '';
    }
    return p;
  }

  /** Line and column of byte `pos` of the current buffer (on the current line). */
  /** Where the last "," between elements is. */
  private lastComma: { line: number; column: number } | null = null;

  private at(pos: number): { line: number; column: number } {
    const from = Math.max(0, this.lineStart);
    return { line: this.line, column: this.lineHead.length + decoder.decode(this.buf.subarray(from, pos)).length + 1 };
  }

  private invalid(message: string, pos: number): InputError {
    return new InputError({ code: 'json.invalid', message: `The file is not valid JSON: ${message}`, file: this.file, ...this.at(pos) });
  }
}

/**
 * Where the values of a record's top-level keys are, for diagnostics: the record's text is scanned
 * (once, and only when a diagnostic asks) for each key's value offset, which is turned into the
 * line and column an editor shows (UTF-16 columns; the first line offset by where the record starts).
 * Field `f` is the value of `keys[f]`; a key not found gives the record's start.
 */
function valueLocator(source: RecordSource, keys: readonly string[]): ColumnLocator {
  let found: { offsets: Map<string, number>; lines: LineIndex } | null = null;
  const where = (f: number) => {
    found ??= { offsets: valueOffsets(source.text), lines: new LineIndex(source.text) };
    const offset = found.offsets.get(keys[f]);
    return offset === undefined ? { line: source.line, column: source.column } : positionIn(source, offset, found.lines);
  };
  return { columnAt: (f) => where(f).column, lineAt: (f) => where(f).line };
}

/** Offsets of the values of a JSON object's top-level keys in its (valid) text. */
export function valueOffsets(text: string): Map<string, number> {
  const out = new Map<string, number>();
  let i = text.indexOf('{') + 1;
  const ws = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const skipString = () => {
    for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
    i++;
  };
  while (i > 0 && i < text.length) {
    ws();
    if (text[i] !== '"') break;
    const keyStart = i;
    skipString();
    const key = JSON.parse(text.slice(keyStart, i)) as string;
    ws();
    i++; // ':'
    ws();
    if (!out.has(key)) out.set(key, i);
    let depth = 0;
    while (i < text.length) {
      const c = text[i];
      if (c === '"') {
        skipString();
        if (depth === 0) break;
        continue;
      }
      if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') {
        if (depth === 0) break;
        depth--;
        if (depth === 0) {
          i++;
          break;
        }
      } else if (c === ',' && depth === 0) break;
      i++;
    }
    ws();
    if (text[i] !== ',') break;
    i++;
  }
  return out;
}
