/**
 * Stata .dta files, formats 117 (Stata 13), 118 (Stata 14-18) and 119 (Stata 15-18, more than
 * 32,767 variables), read as a stream of records into the same sink as Parquet rows.
 *
 * Format: Stata's "dta file format" documentation ([P] File formats .dta, help dta_117,
 * dta_118, dta_119; cited as "dta" with the section tag). A file is a sequence of tagged
 * sections; the <map> gives the offset of each, so the value labels and strLs (which follow the
 * data) are read before it, and the data is then streamed in bounded chunks (1 MiB) decoding only
 * the columns the sink keeps. Counts and offsets from the file are checked against its size before
 * anything is allocated from them; damage is an `InputError` (code `stata.invalid`, or
 * `stata.unsupported` for other format versions) naming the byte offset, observation and variable.
 */
import { TextDecoder } from 'node:util';
import type { AsyncBuffer } from 'hyparquet';
import { ByteWindow, CHUNK_BYTES, damaged, extendedMissing, fileSource, openSurveyFile, startRecords, type SurveyFileMetadata, type SurveyReadOptions, type SurveyVariable, type SurveyValue, type ValueLabel, type ReadableBuffer, type SurveySink, readChunk, windows1252 } from './survey-file';

const CODE = 'stata.invalid';

/** dta <variable_types>: storage type codes of formats 117-119. */
const STRL = 32768;
const DOUBLE = 65526;
const FLOAT = 65527;
const LONG = 65528;
const INT = 65529;
const BYTE = 65530;
const STORAGE: Record<number, string> = { [DOUBLE]: 'double', [FLOAT]: 'float', [LONG]: 'long', [INT]: 'int', [BYTE]: 'byte', [STRL]: 'strL' };
const WIDTH: Record<number, number> = { [DOUBLE]: 8, [FLOAT]: 4, [LONG]: 4, [INT]: 2, [BYTE]: 1, [STRL]: 8 };

/**
 * dta "Representation of numbers": the largest non-missing value of each integer type; the next
 * one is `.`, then `.a`-`.z`.
 */
const MAX_BYTE = 100;
const MAX_INT = 32740;
const MAX_LONG = 2147483620;
/** Floats and doubles: `.` is 2^127 (bits 0x7f000000) / 2^1023 (0x7fe00000 00000000); `.a`-`.z` follow in steps of 0x800 / 0x100 << 32. */
const FLOAT_MISSING = 0x7f000000;
const DOUBLE_MISSING_HI = 0x7fe00000;

/** Per-release layout (dta <header> and the section descriptions). */
interface Layout {
  release: number;
  kBytes: 2 | 4;
  nBytes: 4 | 8;
  labelLengthBytes: 1 | 2;
  nameLength: number;
  sortEntry: 2 | 4;
  formatLength: number;
  labelLength: number;
  /** Bytes of v and of o in a strL reference in the data (dta <data>, strL). */
  strlV: number;
  gsoOBytes: 4 | 8;
}

function layoutOf(release: number): Layout | null {
  if (release === 117) return { release, kBytes: 2, nBytes: 4, labelLengthBytes: 1, nameLength: 33, sortEntry: 2, formatLength: 49, labelLength: 81, strlV: 4, gsoOBytes: 4 };
  if (release === 118) return { release, kBytes: 2, nBytes: 8, labelLengthBytes: 2, nameLength: 129, sortEntry: 2, formatLength: 57, labelLength: 321, strlV: 2, gsoOBytes: 8 };
  if (release === 119) return { release, kBytes: 4, nBytes: 8, labelLengthBytes: 2, nameLength: 129, sortEntry: 4, formatLength: 57, labelLength: 321, strlV: 3, gsoOBytes: 8 };
  return null;
}

const utf8 = new TextDecoder('utf-8');
const utf8Strict = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

/**
 * Reads a Stata .dta file (format 117, 118 or 119) into `sink` through `file`: the dictionary,
 * value labels and (for kept strL columns) the strL index, then the header record (variable
 * names), `sink.expectRows(N)`, then one record per observation with only the kept columns
 * (`sink.roles[f] !== FIELD_SKIP`) decoded: numbers as numbers, `.` as null, `.a`-`.z` as the
 * strings ".a"-".z" (`isExtendedMissing`), strings (str# and strL) as strings. Text is UTF-8 in
 * 118/119; format 117 is Windows-1252 by definition, but a 117 text that is valid UTF-8 (as R
 * haven and ReadStat write them) is read as UTF-8. Throws `InputError` `stata.invalid` for a
 * damaged or truncated file and `stata.unsupported` for other formats; honours `signal` between
 * chunks. `options.chunkBytes` sets the read size (tests use tiny chunks).
 */
export async function readStata(
  file: ReadableBuffer,
  path: string,
  sink: SurveySink,
  signal?: AbortSignal,
  onProgress?: (fraction: number) => void,
  options: SurveyReadOptions = {},
): Promise<SurveyFileMetadata> {
  const { size, chunkBytes, fail, w } = openSurveyFile(file, path, CODE, signal, options);
  let sawUtf8 = false;
  let saw1252 = false;
  // Format 117: Windows-1252 by definition; valid UTF-8 (with non-ASCII bytes) is taken as UTF-8.
  const decode117 = (b: Uint8Array): string => {
    let ascii = true;
    for (let i = 0; i < b.length; i++) if (b[i] > 127) { ascii = false; break; }
    if (ascii) return latin1.decode(b);
    try {
      const s = utf8Strict.decode(b);
      sawUtf8 = true;
      return s;
    } catch {
      saw1252 = true;
      return windows1252.decode(b);
    }
  };

  const need = async (n: number, what: string, at = w.offset) => {
    if (!(await w.need(n))) throw fail(`The Stata file is truncated: it ends inside ${what} (byte offset ${at}; the file is ${size} bytes long).`);
  };
  const tag = async (name: string, section: string) => {
    const at = w.offset;
    await need(name.length, section, at);
    const got = w.ascii(name.length);
    if (got !== name) throw fail(`The Stata file is damaged: expected ${name} in ${section} at byte offset ${at}, found "${printable(got)}".`);
  };

  // dta <header>.
  if (!(await w.need(Math.min(size, 11))) || size < 11) throw fail(`This is not a Stata .dta file: it is only ${size} bytes long (byte offset 0).`);
  if (w.buf[0] !== 0x3c) {
    const release = w.buf[0];
    if (release >= 102 && release <= 116 && (w.buf[1] === 1 || w.buf[1] === 2)) {
      throw damaged('stata.unsupported', path, `This is a Stata format ${release} file (Stata 12 or earlier); only formats 117-119 (Stata 13 and later) are read. Save it again with Stata 13 or later (byte offset 0).`);
    }
    throw fail('This is not a Stata .dta file: it does not start with "<stata_dta>" (byte offset 0).');
  }
  await tag('<stata_dta>', 'the file header');
  await tag('<header>', 'the file header');
  await tag('<release>', 'the file header');
  await need(3, 'the release number');
  const releaseText = w.ascii(3);
  const release = Number(releaseText);
  const layout = layoutOf(release);
  if (!layout) {
    if (/^\d{3}$/.test(releaseText)) throw damaged('stata.unsupported', path, `This is a Stata format ${releaseText} file; only formats 117, 118 and 119 are read (byte offset 20).`);
    throw fail(`The Stata file header is damaged: the release is "${printable(releaseText)}" (byte offset 20).`);
  }
  await tag('</release>', 'the file header');
  await tag('<byteorder>', 'the file header');
  await need(3, 'the byte order');
  const order = w.ascii(3);
  if (order !== 'LSF' && order !== 'MSF') throw fail(`The Stata file header is damaged: byte order "${printable(order)}" is neither LSF nor MSF (byte offset ${w.offset - 3}).`);
  w.little = order === 'LSF';
  await tag('</byteorder>', 'the file header');
  await tag('<K>', 'the file header');
  await need(layout.kBytes, 'the variable count');
  const k = layout.kBytes === 2 ? w.u16() : w.u32();
  await tag('</K>', 'the file header');
  await tag('<N>', 'the file header');
  await need(layout.nBytes, 'the observation count');
  const nAt = w.offset;
  const n = layout.nBytes === 4 ? w.u32() : w.u64();
  if (!Number.isSafeInteger(n)) throw fail(`The Stata file header is damaged: the observation count is too large (byte offset ${nAt}).`);
  await tag('</N>', 'the file header');
  await tag('<label>', 'the file header');
  await need(layout.labelLengthBytes, 'the data label');
  const labelLength = layout.labelLengthBytes === 1 ? w.u8() : w.u16();
  await need(labelLength, 'the data label');
  const labelBytes = w.bytes(labelLength).slice();
  await tag('</label>', 'the file header');
  await tag('<timestamp>', 'the file header');
  await need(1, 'the timestamp');
  const tsLength = w.u8();
  await need(tsLength, 'the timestamp');
  w.pos += tsLength;
  await tag('</timestamp>', 'the file header');
  await tag('</header>', 'the file header');

  // dta <map>: 14 offsets; each section is then found where the map says.
  await tag('<map>', 'the map');
  const mapAt = w.offset;
  await need(14 * 8, 'the map');
  const map: number[] = [];
  for (let i = 0; i < 14; i++) map.push(w.u64());
  await tag('</map>', 'the map');
  const sections = ['stata_data', 'map', 'variable_types', 'varnames', 'sortlist', 'formats', 'value_label_names', 'variable_labels', 'characteristics', 'data', 'strls', 'value_labels', 'stata_data_close', 'eof'];
  // Sections up to <data> must be in the file; past it, a truncated file is reported at the data.
  const checkMap = (i: number) => {
    if (!(map[i] <= size) || (i > 0 && map[i] < map[i - 1])) {
      throw fail(`The Stata file is truncated or damaged: its map (byte offset ${mapAt}) puts <${sections[i]}> at byte offset ${map[i]}${i > 0 ? ` (after <${sections[i - 1]}> at ${map[i - 1]})` : ''}, in a file of ${size} bytes.`);
    }
  };
  for (let i = 0; i <= 9; i++) checkMap(i);
  // Every variable takes this many dictionary bytes: a count the file cannot hold is damage.
  const perVariable = 2 + layout.nameLength + layout.sortEntry + layout.formatLength + layout.nameLength + layout.labelLength;
  if (k * perVariable > size) throw fail(`The Stata file is truncated or damaged: its header declares ${k} variables, whose descriptions alone would take more than the file's ${size} bytes (byte offset ${mapAt - 10}).`);

  // dta <variable_types> .. <variable_labels>, in file order after the map.
  const seekTo = (offset: number) => {
    if (offset < w.offset) throw fail(`The Stata file is damaged: its map points back to byte offset ${offset}.`);
    return w.skip(offset - w.offset);
  };
  await seekTo(map[2]);
  await tag('<variable_types>', 'the variable types');
  await need(2 * k, 'the variable types');
  const types: number[] = [];
  for (let i = 0; i < k; i++) {
    const t = w.u16();
    if (!((t >= 1 && t <= 2045) || STORAGE[t])) throw fail(`The Stata file is damaged: variable ${i + 1} has storage type code ${t} (byte offset ${w.offset - 2}).`);
    types.push(t);
  }
  await tag('</variable_types>', 'the variable types');
  const text = layout.release === 117 ? decode117 : (b: Uint8Array) => utf8.decode(b);
  const cString = (b: Uint8Array) => {
    const z = b.indexOf(0);
    return text(z < 0 ? b : b.subarray(0, z));
  };
  const fixedStrings = async (count: number, length: number, section: string): Promise<string[]> => {
    await tag(`<${section}>`, `<${section}>`);
    await need(count * length, `<${section}>`);
    const out: string[] = [];
    for (let i = 0; i < count; i++) out.push(cString(w.bytes(length)));
    await tag(`</${section}>`, `<${section}>`);
    return out;
  };
  await seekTo(map[3]);
  const names = await fixedStrings(k, layout.nameLength, 'varnames');
  await seekTo(map[4]);
  await tag('<sortlist>', '<sortlist>');
  await need((k + 1) * layout.sortEntry, '<sortlist>');
  w.pos += (k + 1) * layout.sortEntry;
  await tag('</sortlist>', '<sortlist>');
  await seekTo(map[5]);
  const formats = await fixedStrings(k, layout.formatLength, 'formats');
  await seekTo(map[6]);
  const labelSets = await fixedStrings(k, layout.nameLength, 'value_label_names');
  await seekTo(map[7]);
  const labels = await fixedStrings(k, layout.labelLength, 'variable_labels');

  // dta <data>: N rows of fixed width; its size is known, so truncation is found before reading.
  const offsets: number[] = [];
  let rowWidth = 0;
  for (const t of types) {
    offsets.push(rowWidth);
    rowWidth += WIDTH[t] ?? t;
  }
  const dataStart = map[9] + '<data>'.length;
  const dataEnd = dataStart + n * rowWidth;
  if (dataEnd + '</data>'.length > size) {
    const whole = Math.max(0, Math.floor((size - dataStart) / Math.max(1, rowWidth)));
    const within = size - dataStart - whole * rowWidth;
    const v = offsets.findIndex((o, i) => within >= o && within < o + (WIDTH[types[i]] ?? types[i]));
    throw fail(`The Stata file is truncated: it declares ${n} observations of ${rowWidth} bytes from byte offset ${dataStart}, but ends at byte offset ${size}, inside observation ${whole + 1}${v >= 0 ? ` (variable ${names[v]})` : ''}.`);
  }
  for (let i = 10; i < 14; i++) checkMap(i);
  if (map[10] !== dataEnd + '</data>'.length) {
    throw fail(`The Stata file is damaged: ${n} observations of ${rowWidth} bytes from byte offset ${dataStart} end at ${dataEnd + 7}, but the map puts <strls> at byte offset ${map[10]}.`);
  }

  // dta <value_labels> (after the data; read first, through its own window).
  const tables = await readValueLabels(file, path, map[11], map[12], layout, w.little, text, chunkBytes, signal);
  const variables: SurveyVariable[] = names.map((name, i) => ({
    name,
    index: i,
    type: types[i] <= 2045 || types[i] === STRL ? 'string' : 'numeric',
    width: types[i] <= 2045 ? types[i] : null,
    label: labels[i] === '' ? null : labels[i],
    format: formats[i] === '' ? null : formats[i],
    measure: null,
    valueLabels: labelSets[i] ? (tables.get(labelSets[i]) ?? []) : [],
    valueLabelSet: labelSets[i] || null,
    missing: null,
    storage: types[i] <= 2045 ? `str${types[i]}` : STORAGE[types[i]],
  }));

  const { kept, cells } = startRecords(sink, variables, null);
  const keptFields: number[] = [];
  for (let f = 0; f < k; f++) if (kept(f)) keptFields.push(f);
  const keptStrl = keptFields.filter((f) => types[f] === STRL);
  // dta <strls>: an index of the strLs (where each one's bytes are), read only when a kept column is a strL.
  const strls = keptStrl.length ? await indexStrls(file, path, map[10], map[11], layout, w.little, chunkBytes, signal) : null;
  sink.expectRows?.(n);

  // The data, in chunks of whole rows.
  const keptTypes = Int32Array.from(keptFields, (f) => types[f]);
  const keptOffsets = Int32Array.from(keptFields, (f) => offsets[f]);
  const rowsPerChunk = Math.max(1, Math.floor(chunkBytes / Math.max(1, rowWidth)));
  const little = w.little;
  // With `readInto`, one buffer serves every chunk of rows.
  const rowBuffer = file.readInto ? new Uint8Array(Math.min(n, rowsPerChunk) * rowWidth) : null;
  const strlKey = (buf: Uint8Array, at: number) => latin1.decode(buf.subarray(at, at + 8));
  // The rows of a chunk, in a function of its own: V8 then optimises this small function, not all
  // of readStata (bench/README-formats.md).
  const decodeRows = (buf: Uint8Array, view: DataView, count: number, row: number, at: number, strlText: Map<string, string> | null) => {
    for (let r = 0; r < count; r++) {
      const base = r * rowWidth;
      cells.beginCells();
      for (let j = 0; j < keptFields.length; j++) {
        const t = keptTypes[j];
        const p = base + keptOffsets[j];
        const f = keptFields[j];
        if (t === BYTE) {
          const x = view.getInt8(p);
          if (x <= MAX_BYTE) cells.numberCell(f, x);
          else cells.missingCell(f, extendedIndex(x - MAX_BYTE - 1));
        } else if (t === INT) {
          const x = view.getInt16(p, little);
          if (x <= MAX_INT) cells.numberCell(f, x);
          else cells.missingCell(f, extendedIndex(x - MAX_INT - 1));
        } else if (t === LONG) {
          const x = view.getInt32(p, little);
          if (x <= MAX_LONG) cells.numberCell(f, x);
          else cells.missingCell(f, extendedIndex(x - MAX_LONG - 1));
        } else if (t === DOUBLE) {
          const hi = view.getUint32(little ? p + 4 : p, little);
          if (hi >= DOUBLE_MISSING_HI && hi < 0x80000000) cells.missingCell(f, extendedIndex((hi - DOUBLE_MISSING_HI) >>> 8));
          else {
            const x = view.getFloat64(p, little);
            if (x !== x) cells.missingCell(f, -1);
            else cells.numberCell(f, x);
          }
        } else if (t === FLOAT) {
          const bits = view.getUint32(p, little);
          if (bits >= FLOAT_MISSING && bits < 0x80000000) cells.missingCell(f, extendedIndex((bits - FLOAT_MISSING) >>> 11));
          else {
            const x = view.getFloat32(p, little);
            if (x !== x) cells.missingCell(f, -1);
            else cells.numberCell(f, x);
          }
        } else if (t === STRL) {
          const key = strlKey(buf, p);
          const s = strlText!.get(key);
          if (s === undefined) {
            throw fail(`The Stata file is damaged: observation ${row + r + 1}, variable ${names[f]} refers to a strL that is not in <strls> (byte offset ${at + p}).`);
          }
          cells.textCell(f, s);
        } else {
          // str#: the bytes up to the first NUL (dta <data>, str#).
          let end = p;
          const stop = p + t;
          while (end < stop && buf[end] !== 0) end++;
          cells.textCell(f, text(buf.subarray(p, end)));
        }
      }
      cells.endCells();
    }
  };
  for (let row = 0; row < n; ) {
    signal?.throwIfAborted();
    const count = Math.min(rowsPerChunk, n - row);
    const at = dataStart + row * rowWidth;
    const buf = await readChunk(file, at, count * rowWidth, rowBuffer);
    if (buf.length !== count * rowWidth) throw fail(`The Stata file is truncated: observations ${row + 1}-${row + count} (byte offset ${at}) could not be read.`);
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    // strLs of this chunk, fetched before its rows are decoded (only this chunk's are held).
    const strlText = strls ? await strls.fetch(keptStrl.flatMap((f) => Array.from({ length: count }, (_, r) => strlKey(buf, r * rowWidth + offsets[f]))), text) : null;
    decodeRows(buf, view, count, row, at, strlText);
    row += count;
    onProgress?.(n ? row / n : 1);
  }
  // The data must be followed by its closing tag: otherwise the map or the row width is wrong.
  const close = latin1.decode(new Uint8Array(await file.slice(dataEnd, dataEnd + 7)));
  if (close !== '</data>') throw fail(`The Stata file is damaged: the data (${n} observations of ${rowWidth} bytes from byte offset ${dataStart}) is not followed by </data> at byte offset ${dataEnd}.`);
  signal?.throwIfAborted();
  onProgress?.(1);

  const notes: string[] = [];
  let encoding = release === 117 ? 'windows-1252' : 'utf-8';
  if (release === 117 && sawUtf8) {
    encoding = saw1252 ? 'windows-1252' : 'utf-8';
    notes.push(
      saw1252
        ? 'Format 117 text is Windows-1252, but some of this file\'s text is UTF-8: each text was read as UTF-8 where it is valid UTF-8, else as Windows-1252.'
        : 'Format 117 text is Windows-1252 by definition, but this file\'s text is UTF-8 (as R haven and ReadStat write it); it was read as UTF-8.',
    );
  }
  const dataLabel = text(labelBytes);
  return {
    format: 'stata',
    formatVersion: release,
    encoding,
    cases: n,
    declaredCases: n,
    compression: 'none',
    byteOrder: little ? 'little' : 'big',
    label: dataLabel === '' ? null : dataLabel,
    product: null,
    weightVariable: null,
    variables,
    notes,
  };
}

/** `.` (k = 0) as null, `.a`-`.z` (k = 1..26) as ".a"-".z"; anything past `.z` is taken as `.`. */
function missingTag(k: number): SurveyValue {
  return k >= 1 && k <= 26 ? extendedMissing(k - 1) : null;
}

/** The `CellWriter.missingCell` index of missing value k past the largest value: `.` (k = 0, and past `.z`) -1, `.a`-`.z` 0-25. */
function extendedIndex(k: number): number {
  return k >= 1 && k <= 26 ? k - 1 : -1;
}

function printable(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, '?');
}

/**
 * dta <value_labels>: `<lbl>`, the table's length, its name, 3 bytes of padding, the table
 * (n entries, the text's length, n text offsets, n values, the text), `</lbl>`, repeated.
 * Returns the tables by name; values past the largest long are `.`, `.a`-`.z` (as ".a"-".z").
 */
async function readValueLabels(
  file: AsyncBuffer,
  path: string,
  from: number,
  to: number,
  layout: Layout,
  little: boolean,
  text: (b: Uint8Array) => string,
  chunkBytes: number,
  signal?: AbortSignal,
): Promise<Map<string, ValueLabel[]>> {
  const fail = (message: string) => damaged(CODE, path, message);
  const w = new ByteWindow(fileSource(file, from, to, chunkBytes, signal), from);
  w.little = little;
  const tables = new Map<string, ValueLabel[]>();
  const expect = async (name: string) => {
    const at = w.offset;
    if (!(await w.need(name.length))) throw fail(`The Stata file is damaged: its value labels end early, before ${name} at byte offset ${at}.`);
    const got = w.ascii(name.length);
    if (got !== name) throw fail(`The Stata file is damaged: expected ${name} in the value labels at byte offset ${at}, found "${printable(got)}".`);
  };
  await expect('<value_labels>');
  for (;;) {
    const at = w.offset;
    if (!(await w.need(5))) throw fail(`The Stata file is damaged: its value labels end early at byte offset ${at}, without </value_labels>.`);
    if (w.ascii(5) !== '<lbl>') {
      w.pos -= 5;
      await expect('</value_labels>');
      return tables;
    }
    if (!(await w.need(4 + layout.nameLength + 3))) throw fail(`The Stata file is damaged: a value label table at byte offset ${at} is cut off.`);
    const length = w.i32();
    const nameBytes = w.bytes(layout.nameLength);
    const z = nameBytes.indexOf(0);
    const name = text(z < 0 ? nameBytes : nameBytes.subarray(0, z));
    w.pos += 3;
    if (length < 8 || length > to - w.offset) throw fail(`The Stata file is damaged: value label table "${name}" at byte offset ${at} claims ${length} bytes, more than its section holds.`);
    if (!(await w.need(length))) throw fail(`The Stata file is damaged: value label table "${name}" at byte offset ${at} is cut off.`);
    const tableAt = w.offset;
    const entries = w.i32();
    const textLength = w.i32();
    if (entries < 0 || textLength < 0 || 8 + 8 * entries + textLength !== length) {
      throw fail(`The Stata file is damaged: value label table "${name}" (byte offset ${tableAt}) has ${entries} entries and ${textLength} bytes of text in ${length} bytes.`);
    }
    const starts: number[] = [];
    for (let i = 0; i < entries; i++) starts.push(w.i32());
    const codes: number[] = [];
    for (let i = 0; i < entries; i++) codes.push(w.i32());
    const txt = w.bytes(textLength);
    const list: ValueLabel[] = [];
    for (let i = 0; i < entries; i++) {
      const s = starts[i];
      if (s < 0 || s >= textLength) throw fail(`The Stata file is damaged: label ${i + 1} of value label table "${name}" starts at ${s}, outside its ${textLength} bytes of text (byte offset ${tableAt}).`);
      const e = txt.indexOf(0, s);
      const value = codes[i] <= MAX_LONG ? codes[i] : missingTag(codes[i] - MAX_LONG - 1);
      if (value === null) continue; // `.` cannot be labelled in Stata
      list.push({ value, label: text(txt.subarray(s, e < 0 ? textLength : e)) });
    }
    tables.set(name, list);
    await expect('</lbl>');
  }
}

/**
 * dta <strls>: "GSO", v (4 bytes), o (4 bytes in 117, 8 after), t (129 binary, 130 text with a
 * closing NUL), the length (4 bytes), the bytes; repeated up to </strls>. Only where each strL is
 * kept (a few numbers per strL); `fetch` reads the ones a chunk of rows refers to.
 *
 * A strL cell in the data holds v and o in 8 bytes: 4 + 4 in 117, 2 + 6 in 118 and, by Stata's
 * documentation, 3 + 5 in 119 (ReadStat, hence R haven, writes 119 as 2 + 6): 119 cells are
 * looked up under both packings.
 */
async function indexStrls(file: AsyncBuffer, path: string, from: number, to: number, layout: Layout, little: boolean, chunkBytes: number, signal?: AbortSignal) {
  const fail = (message: string) => damaged(CODE, path, message);
  const w = new ByteWindow(fileSource(file, from, to, chunkBytes, signal), from);
  w.little = little;
  const where = new Map<string, { at: number; length: number; binary: boolean }>();
  const start = w.offset;
  if (!(await w.need(7)) || w.ascii(7) !== '<strls>') throw fail(`The Stata file is damaged: <strls> is not at byte offset ${start}, where the map puts it.`);
  const headerBytes = 3 + 4 + layout.gsoOBytes + 1 + 4;
  const packings = layout.release === 119 ? [3, 2] : [layout.strlV];
  for (;;) {
    const at = w.offset;
    if (!(await w.need(3))) throw fail(`The Stata file is damaged: its strLs end early at byte offset ${at}, without </strls>.`);
    const head = w.ascii(3);
    if (head !== 'GSO') {
      w.pos -= 3;
      if (!(await w.need(8)) || w.ascii(8) !== '</strls>') throw fail(`The Stata file is damaged: expected a strL ("GSO") or </strls> at byte offset ${at}.`);
      break;
    }
    if (!(await w.need(headerBytes - 3))) throw fail(`The Stata file is damaged: the strL at byte offset ${at} is cut off.`);
    const v = w.u32();
    const o = layout.gsoOBytes === 4 ? w.u32() : w.u64();
    const t = w.u8();
    const length = w.u32();
    if ((t !== 129 && t !== 130) || !Number.isSafeInteger(o) || length > to - w.offset) {
      throw fail(`The Stata file is damaged: the strL at byte offset ${at} (variable ${v}, observation ${o}) has type ${t} and ${length} bytes.`);
    }
    for (const vBytes of packings) where.set(packStrl(v, o, vBytes, little), { at: w.offset, length, binary: t === 129 });
    if (!(await w.skip(length))) throw fail(`The Stata file is damaged: the strL at byte offset ${at} is cut off.`);
  }
  const empty = packStrl(0, 0, 4, little);
  return {
    /** The texts of the given references (v = o = 0 is the empty strL), read in merged ranges. */
    async fetch(keys: string[], text: (b: Uint8Array) => string): Promise<Map<string, string>> {
      const out = new Map<string, string>([[empty, '']]);
      const wanted = [...new Set(keys)].filter((key) => !out.has(key));
      const found = wanted.map((key) => ({ key, loc: where.get(key) })).filter((x) => x.loc !== undefined) as { key: string; loc: { at: number; length: number; binary: boolean } }[];
      found.sort((a, b) => a.loc.at - b.loc.at);
      for (let i = 0; i < found.length; ) {
        // One read for neighbouring strLs (up to 4 MiB, gaps under 64 KiB).
        let j = i + 1;
        const from = found[i].loc.at;
        let end = from + found[i].loc.length;
        while (j < found.length && found[j].loc.at - end < 1 << 16 && found[j].loc.at + found[j].loc.length - from <= CHUNK_BYTES) {
          end = Math.max(end, found[j].loc.at + found[j].loc.length);
          j++;
        }
        signal?.throwIfAborted();
        const bytes = new Uint8Array(await file.slice(from, end));
        for (let q = i; q < j; q++) {
          const { at, length, binary } = found[q].loc;
          let b = bytes.subarray(at - from, at - from + length);
          if (!binary && b.length && b[b.length - 1] === 0) b = b.subarray(0, b.length - 1);
          out.set(found[q].key, text(b));
        }
        i = j;
      }
      return out;
    },
  };
}

/** The 8 bytes a strL cell holds for (v, o) with v in `vBytes` bytes, as a map key. */
function packStrl(v: number, o: number, vBytes: number, little: boolean): string {
  const b = new Uint8Array(8);
  const oBytes = 8 - vBytes;
  for (let i = 0; i < vBytes; i++) b[little ? i : vBytes - 1 - i] = Math.floor(v / 2 ** (8 * i)) & 0xff;
  for (let i = 0; i < oBytes; i++) b[little ? vBytes + i : 7 - i] = Math.floor(o / 2 ** (8 * i)) & 0xff;
  return latin1.decode(b);
}
