/**
 * SPSS system files (.sav, uncompressed or bytecode-compressed, and .zsav) read as a stream of
 * records into the same sink as Parquet rows: the dictionary first, then the header record (the
 * variable names), then one record per case with only the columns the sink keeps decoded.
 *
 * Format: GNU PSPP Developers Guide, "System File Format" (cited below as PSPP with the section
 * name). The file is read through an AsyncBuffer in bounded chunks (1 MiB), never whole; counts
 * read from the file are checked against the file's size before anything is allocated from them;
 * damage is reported as an `InputError` (code `spss.invalid`) naming the byte offset, the record
 * or case and the variable where it was found.
 */
import { Inflate, constants as zlibConstants, inflateSync } from 'node:zlib';
import { TextDecoder } from 'node:util';
import type { AsyncBuffer } from 'hyparquet';
import {
  ByteWindow,
  damaged,
  decoderFor,
  fileSource,
  openSurveyFile,
  readChunk,
  startRecords,
  type ChunkSource,
  type MeasurementLevel,
  type SurveyFileMetadata,
  type ReadableBuffer,
  type SurveyReadOptions,
  type SurveyVariable,
  type SurveyValue,
  type UserMissing,
  type TextDecoding,
  type ValueLabel,
  windows1252,
  type SurveySink,
} from './survey-file';

const CODE = 'spss.invalid';
/** Largest dictionary record read into memory (documents, long names, XML attributes are far smaller). */
const MAX_RECORD_BYTES = 64 << 20;
/** Largest zlib block accepted (PSPP "System File Format", ZLIB Trailer: writers use 0x3ff000 bytes). */
const MAX_ZLIB_BLOCK = 64 << 20;
/** Default system-missing value: -DBL_MAX (PSPP "Machine Floating-Point Info Record"). */
const SYSMIS = -Number.MAX_VALUE;

/** PSPP "System File Format", Variable Record: format type codes. */
const FORMAT_NAMES: Record<number, string> = {
  1: 'A', 2: 'AHEX', 3: 'COMMA', 4: 'DOLLAR', 5: 'F', 6: 'IB', 7: 'PIBHEX', 8: 'P', 9: 'PIB', 10: 'PK', 11: 'RB', 12: 'RBHEX',
  15: 'Z', 16: 'N', 17: 'E', 20: 'DATE', 21: 'TIME', 22: 'DATETIME', 23: 'ADATE', 24: 'JDATE', 25: 'DTIME', 26: 'WKDAY',
  27: 'MONTH', 28: 'MOYR', 29: 'QYR', 30: 'WKYR', 31: 'PCT', 32: 'DOT', 33: 'CCA', 34: 'CCB', 35: 'CCC', 36: 'CCD', 37: 'CCE',
  38: 'EDATE', 39: 'SDATE', 40: 'MTIME', 41: 'YMDHMS',
};

/** One variable record of the dictionary (continuation records folded into `units`). */
interface VariableRecord {
  shortName: string;
  /** 0 numeric, else the string width in bytes. */
  width: number;
  firstUnit: number;
  units: number;
  label: Uint8Array | null;
  missingCount: number;
  missing: Uint8Array | null;
  print: number;
  offset: number;
}

/**
 * A value-label record (type 3) with the variables of its type-4 record. Its values (8 bytes each)
 * and labels are kept as offsets into one byte store, not as a view object per label: a WVS-like
 * dictionary has ~10,000 labels, and that many small objects grew the heap by ~10 MB.
 */
interface LabelSet {
  valueAt: number[];
  labelAt: number[];
  labelLength: number[];
  units: number[];
  offset: number;
}

/** A variable as fed to the sink: one or more variable records (segments of a very long string). */
interface Variable {
  name: string;
  width: number;
  records: VariableRecord[];
  /** Segment widths (PSPP "Very Long String Record"): 255 for all but the last. */
  segmentWidths: number[];
}

/**
 * Reads an SPSS system file (.sav, .zsav) into `sink` through `file`: the dictionary, then the
 * header record (variable names; SPSS long names when present), `sink.expectRows` with the case
 * count when the header declares a plausible one, then one record per case in which only the
 * columns the sink keeps (`sink.roles[f] !== FIELD_SKIP`) are decoded: numbers as numbers,
 * system-missing as null, user-missing codes as their numbers (the declarations are in the
 * returned metadata), strings decoded with the file's encoding and trimmed of SPSS padding.
 * Throws `InputError` `spss.invalid` (at line 1, column 1, with byte offset, case and variable in
 * the message) for a file that is not an SPSS system file or is damaged or truncated; honours
 * `signal` between chunks. `options.chunkBytes` sets the read size (tests use tiny chunks).
 */
export async function readSpss(
  file: ReadableBuffer,
  path: string,
  sink: SurveySink,
  signal?: AbortSignal,
  onProgress?: (fraction: number) => void,
  options: SurveyReadOptions = {},
): Promise<SurveyFileMetadata> {
  const { size, chunkBytes, fail, w } = openSurveyFile(file, path, CODE, signal, options);

  // PSPP "File Header Record": 176 bytes.
  if (!(await w.need(176))) throw fail(`This is not an SPSS system file: it is ${size} bytes long, shorter than the 176-byte file header (byte offset 0).`);
  const magic = w.ascii(4);
  if (magic !== '$FL2' && magic !== '$FL3') {
    throw fail(`This is not an SPSS system file: it does not start with "$FL2" or "$FL3" (byte offset 0).`);
  }
  const productBytes = w.bytes(60).slice();
  // The layout code is 2 or 3 in the writer's byte order: it tells the byte order.
  const layoutLE = w.view.getInt32(w.pos, true);
  const layoutBE = w.view.getInt32(w.pos, false);
  if (layoutLE === 2 || layoutLE === 3) w.little = true;
  else if (layoutBE === 2 || layoutBE === 3) w.little = false;
  else throw fail(`The SPSS file header is damaged: layout code ${layoutLE} is neither 2 nor 3 (byte offset 64).`);
  w.pos += 4;
  const nominalCaseSize = w.i32();
  const compressionCode = w.i32();
  const weightIndex = w.i32();
  const headerCases = w.i32();
  const bias = w.f64();
  w.pos += 17; // creation date and time
  const fileLabelBytes = w.bytes(64).slice();
  w.pos += 3;
  if (compressionCode < 0 || compressionCode > 2 || (compressionCode === 2) !== (magic === '$FL3')) {
    throw fail(`The SPSS file header is damaged: compression code ${compressionCode} does not fit the "${magic}" file type (byte offset 72).`);
  }
  if (compressionCode === 1 && !(Math.abs(bias) < 1e6)) throw fail(`The SPSS file header is damaged: compression bias ${bias} (byte offset 84).`);

  // The dictionary (PSPP "System File Format": records in file order up to type 999).
  const records: VariableRecord[] = [];
  const labelSets: LabelSet[] = [];
  const labelStore = new ByteStore();
  let units = 0;
  let encodingName: string | null = null;
  let characterCode: number | null = null;
  let sysmis = SYSMIS;
  let highest = Number.MAX_VALUE;
  // PSPP "Machine Floating-Point Info Record": LOWEST, the value a missing range's LO is written as.
  let lowest = -(Number.MAX_VALUE - 2 ** 971);
  let extendedCases: number | null = null;
  let measures: Int32Array | null = null;
  let longNames: Uint8Array | null = null;
  let veryLong: Uint8Array | null = null;
  const longLabels: Uint8Array[] = [];
  const longMissing: Uint8Array[] = [];
  const remaining = () => size - w.offset;
  // Labels and values are kept as views into one growing arena (decoded once the encoding is
  // known), not as thousands of small buffers.
  let arena = new Uint8Array(1 << 16);
  let arenaUsed = 0;
  const keep = (b: Uint8Array): Uint8Array => {
    if (arenaUsed + b.length > arena.length) {
      arena = new Uint8Array(Math.max(arena.length * 2, b.length));
      arenaUsed = 0;
    }
    arena.set(b, arenaUsed);
    arenaUsed += b.length;
    return arena.subarray(arenaUsed - b.length, arenaUsed);
  };
  const need = async (n: number, what: string, at: number) => {
    if (!(await w.need(n))) throw fail(`The SPSS file is truncated: it ends inside the ${what} at byte offset ${at} (the file is ${size} bytes long).`);
  };
  for (;;) {
    const at = w.offset;
    if (w.available < 4) await need(4, 'dictionary, before its termination record (type 999)', at);
    const type = w.i32();
    if (type === 2) {
      // PSPP "Variable Record".
      if (w.available < 28) await need(28, 'variable record', at);
      const width = w.i32();
      const hasLabel = w.i32();
      const missingCount = w.i32();
      const print = w.i32();
      w.pos += 4; // write format
      const shortName = w.ascii(8).trimEnd();
      const last = records[records.length - 1];
      if (width === -1) {
        // A continuation of the preceding string variable: one more 8-byte unit.
        if (!last || last.width === 0 || last.units >= Math.ceil(last.width / 8)) {
          throw fail(`The SPSS dictionary is damaged: a continuation record at byte offset ${at} follows no string variable that needs one.`);
        }
        last.units++;
        units++;
        continue;
      }
      if (last && last.width > 0 && last.units !== Math.ceil(last.width / 8)) {
        throw fail(`The SPSS dictionary is damaged: string variable ${last.shortName} (width ${last.width}) has ${last.units} of its ${Math.ceil(last.width / 8)} 8-byte units (variable record at byte offset ${last.offset}).`);
      }
      if (width < 0 || width > 255 || (hasLabel !== 0 && hasLabel !== 1) || ![0, 1, 2, 3, -2, -3].includes(missingCount) || (width > 0 && missingCount < 0)) {
        throw fail(`The SPSS dictionary is damaged: variable record ${records.length + 1} (${shortName || 'no name'}) at byte offset ${at} has width ${width}, label flag ${hasLabel} and missing-value count ${missingCount}.`);
      }
      let label: Uint8Array | null = null;
      if (hasLabel) {
        if (w.available < 4) await need(4, `label of variable ${shortName}`, at);
        const length = w.i32();
        if (length < 0 || length > 65535 || length > remaining()) throw fail(`The SPSS dictionary is damaged: variable ${shortName} has a label of ${length} bytes (byte offset ${w.offset - 4}).`);
        const padded = (length + 3) & ~3;
        if (w.available < padded) await need(padded, `label of variable ${shortName}`, at);
        label = keep(w.bytes(length));
        w.pos += padded - length;
      }
      let missing: Uint8Array | null = null;
      if (missingCount !== 0) {
        const n = Math.abs(missingCount) * 8;
        if (w.available < n) await need(n, `missing values of variable ${shortName}`, at);
        missing = keep(w.bytes(n));
      }
      records.push({ shortName, width, firstUnit: units, units: 1, label, missingCount, missing, print, offset: at });
      units++;
    } else if (type === 3) {
      // PSPP "Value Labels Records": type 3 with the labels, then type 4 with the variables.
      if (w.available < 4) await need(4, 'value label record', at);
      const count = w.i32();
      if (count < 0 || count * 16 > remaining()) throw fail(`The SPSS dictionary is damaged: a value label record at byte offset ${at} claims ${count} labels, more than the rest of the file can hold.`);
      const valueAt: number[] = [];
      const labelAt: number[] = [];
      const labelLength: number[] = [];
      for (let i = 0; i < count; i++) {
        if (w.available < 9) await need(9, 'value label record', at);
        valueAt.push(labelStore.add(w.bytes(8)));
        const length = w.u8();
        const padded = ((length + 8) & ~7) - 1; // label_len + label padded to a multiple of 8
        if (w.available < padded) await need(padded, 'value label record', at);
        labelAt.push(labelStore.add(w.bytes(length)));
        labelLength.push(length);
        w.pos += padded - length;
      }
      const at4 = w.offset;
      if (w.available < 8) await need(8, 'value label variables record (type 4)', at4);
      const type4 = w.i32();
      const n = w.i32();
      if (type4 !== 4) throw fail(`The SPSS dictionary is damaged: the value label record at byte offset ${at} is followed by record type ${type4}, not 4 (byte offset ${at4}).`);
      if (n < 1 || n * 4 > remaining()) throw fail(`The SPSS dictionary is damaged: value labels for ${n} variables (byte offset ${at4}).`);
      if (w.available < n * 4) await need(n * 4, 'value label variables record (type 4)', at4);
      const list: number[] = [];
      for (let i = 0; i < n; i++) list.push(w.i32() - 1);
      labelSets.push({ valueAt, labelAt, labelLength, units: list, offset: at });
    } else if (type === 6) {
      // PSPP "Document Record": 80-byte lines, not needed.
      if (w.available < 4) await need(4, 'document record', at);
      const lines = w.i32();
      if (lines < 0 || lines * 80 > remaining()) throw fail(`The SPSS dictionary is damaged: a document record at byte offset ${at} claims ${lines} lines.`);
      if (!(await w.skip(lines * 80))) await need(lines * 80, 'document record', at);
    } else if (type === 7) {
      // PSPP "Extension records": subtype, element size, element count, data.
      if (w.available < 12) await need(12, 'extension record', at);
      const subtype = w.i32();
      const elementSize = w.i32();
      const count = w.i32();
      const bytes = elementSize * count;
      if (elementSize < 0 || count < 0 || bytes > remaining()) {
        throw fail(`The SPSS dictionary is damaged: extension record (subtype ${subtype}) at byte offset ${at} claims ${count} elements of ${elementSize} bytes, more than the rest of the file.`);
      }
      const known = [3, 4, 11, 13, 14, 16, 20, 21, 22].includes(subtype);
      if (!known || bytes > MAX_RECORD_BYTES) {
        if (!(await w.skip(bytes))) await need(bytes, `extension record (subtype ${subtype})`, at);
        continue;
      }
      if (w.available < bytes) await need(bytes, `extension record (subtype ${subtype})`, at);
      const data = w.bytes(bytes).slice();
      const dv = new DataView(data.buffer);
      const bad = () => fail(`The SPSS dictionary is damaged: extension record subtype ${subtype} at byte offset ${at} has ${count} elements of ${elementSize} bytes.`);
      if (subtype === 3) {
        // Machine Integer Info: the eighth element is the character code (a code page).
        if (elementSize !== 4 || count !== 8) throw bad();
        characterCode = dv.getInt32(28, w.little);
      } else if (subtype === 4) {
        if (elementSize !== 8 || count !== 3) throw bad();
        sysmis = dv.getFloat64(0, w.little);
        highest = dv.getFloat64(8, w.little);
        lowest = dv.getFloat64(16, w.little);
      } else if (subtype === 11) {
        if (elementSize !== 4) throw bad();
        measures = new Int32Array(count);
        for (let i = 0; i < count; i++) measures[i] = dv.getInt32(4 * i, w.little);
      } else if (subtype === 13) longNames = data;
      else if (subtype === 14) veryLong = data;
      else if (subtype === 16) {
        if (elementSize !== 8 || count !== 2) throw bad();
        const lo = dv.getUint32(w.little ? 8 : 12, w.little);
        const hi = dv.getInt32(w.little ? 12 : 8, w.little);
        extendedCases = hi === 0 || hi === -1 ? hi * 0x100000000 + lo : null;
      } else if (subtype === 20) encodingName = new TextDecoder('latin1').decode(data).trim();
      else if (subtype === 21) longLabels.push(data);
      else if (subtype === 22) longMissing.push(data);
    } else if (type === 999) {
      if (w.available < 4) await need(4, 'dictionary termination record', at);
      w.pos += 4;
      break;
    } else {
      throw fail(`The SPSS dictionary is damaged: unknown record type ${type} at byte offset ${at}.`);
    }
  }
  const dataStart = w.offset;
  if (records.length === 0) throw fail('The SPSS file has no variables (its dictionary holds no variable record).');
  const lastRecord = records[records.length - 1];
  if (lastRecord.width > 0 && lastRecord.units !== Math.ceil(lastRecord.width / 8)) {
    throw fail(`The SPSS dictionary is damaged: string variable ${lastRecord.shortName} lacks continuation records (byte offset ${lastRecord.offset}).`);
  }

  // Encoding: record 7 subtype 20, else the code page of record 7 subtype 3, else Windows-1252.
  const notes: string[] = [];
  if (nominalCaseSize !== -1 && nominalCaseSize !== units) {
    // PSPP "File Header Record": as PSPP does, the dictionary wins over the header's count.
    notes.push(`The file header says a case has ${nominalCaseSize} values, the dictionary describes ${units}; the dictionary was followed.`);
  }
  let encoding = 'windows-1252';
  let decoder: TextDecoding | null = null;
  if (encodingName) {
    decoder = decoderFor(encodingName);
    if (decoder) encoding = decoder.encoding;
    else notes.push(`The file names its character encoding "${encodingName}", which is not supported here; text was decoded as Windows-1252.`);
  } else if (characterCode !== null) {
    const label = characterCode === 65001 ? 'utf-8' : characterCode === 2 || characterCode === 3 ? 'windows-1252' : characterCode === 28591 ? 'iso-8859-1' : `windows-${characterCode}`;
    decoder = decoderFor(label) ?? decoderFor(`cp${characterCode}`);
    if (decoder) encoding = decoder.encoding;
    else notes.push(`The file's character code ${characterCode} is not supported here; text was decoded as Windows-1252.`);
  } else notes.push('The file does not name its character encoding; text was decoded as Windows-1252.');
  decoder ??= windows1252;
  const text = (b: Uint8Array) => decoder!.decode(b);
  const padded = (b: Uint8Array) => trimPadding(text(b));

  // Variables: very long strings are runs of segment records (PSPP "Very Long String Record").
  const veryLongWidths = new Map<string, number>();
  if (veryLong) {
    for (const entry of text(veryLong).split(/[\t\0]+/)) {
      const eq = entry.indexOf('=');
      if (eq > 0) veryLongWidths.set(entry.slice(0, eq).trim(), Number(entry.slice(eq + 1)));
    }
  }
  const names = new Map<string, string>();
  if (longNames) {
    for (const entry of text(longNames).split('\t')) {
      const eq = entry.indexOf('=');
      if (eq > 0) names.set(entry.slice(0, eq), entry.slice(eq + 1));
    }
  }
  const variables: Variable[] = [];
  const recordOfVariable: number[] = []; // index in `records` of each variable's first segment
  for (let r = 0; r < records.length; r++) {
    const rec = records[r];
    const long = veryLongWidths.get(rec.shortName);
    if (long !== undefined && long > 255) {
      if (!Number.isInteger(long) || rec.width === 0) throw fail(`The SPSS dictionary is damaged: very long string ${rec.shortName} has width "${long}" (variable record at byte offset ${rec.offset}).`);
      const segments = Math.ceil(long / 252);
      if (r + segments > records.length) throw fail(`The SPSS dictionary is damaged: very long string ${rec.shortName} (width ${long}) needs ${segments} segments, but the dictionary ends first (byte offset ${rec.offset}).`);
      const segs = records.slice(r, r + segments);
      const widths = segs.map((_, s) => (s < segments - 1 ? 255 : long - (segments - 1) * 252));
      for (let s = 0; s < segments; s++) {
        if (segs[s].width === 0 || Math.ceil(segs[s].width / 8) < Math.ceil(widths[s] / 8)) {
          throw fail(`The SPSS dictionary is damaged: segment ${s + 1} of very long string ${rec.shortName} is ${segs[s].width === 0 ? 'numeric' : `${segs[s].width} bytes wide`} (variable record at byte offset ${segs[s].offset}).`);
        }
      }
      variables.push({ name: names.get(rec.shortName) ?? rec.shortName, width: long, records: segs, segmentWidths: widths });
      recordOfVariable.push(r);
      r += segments - 1;
    } else {
      variables.push({ name: names.get(rec.shortName) ?? rec.shortName, width: rec.width, records: [rec], segmentWidths: [rec.width] });
      recordOfVariable.push(r);
    }
  }

  // Value labels by the unit their variable starts at (PSPP "Value Labels Records").
  const variableAtUnit = new Map<number, number>();
  variables.forEach((v, i) => variableAtUnit.set(v.records[0].firstUnit, i));
  // Which label sets each variable has; the labels are decoded when a variable's are asked for.
  const setsOf: number[][] = variables.map(() => []);
  labelSets.forEach((set, s) => {
    for (const u of set.units) {
      const v = variableAtUnit.get(u);
      if (v === undefined) throw fail(`The SPSS dictionary is damaged: value labels (record at byte offset ${set.offset}) name dictionary index ${u + 1}, which starts no variable.`);
      setsOf[v].push(s);
    }
  });
  const longStringLabels: ValueLabel[][] = variables.map(() => []);
  const little = w.little;
  const decodeLabels = (v: number): ValueLabel[] => {
    const out: ValueLabel[] = [];
    const string = variables[v].width > 0;
    const bytes = labelStore.bytes;
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (const s of setsOf[v]) {
      const set = labelSets[s];
      for (let i = 0; i < set.valueAt.length; i++) {
        const at = set.valueAt[i];
        const value = string ? padded(bytes.subarray(at, at + 8)) : dv.getFloat64(at, little);
        out.push({ value, label: text(bytes.subarray(set.labelAt[i], set.labelAt[i] + set.labelLength[i])) });
      }
    }
    out.push(...longStringLabels[v]);
    return out;
  };
  const byName = new Map(variables.map((v, i) => [v.records[0].shortName, i]));
  const byLongName = new Map(variables.map((v, i) => [v.name, i]));
  const lookup = (name: string) => byLongName.get(name) ?? byName.get(name);
  for (const data of longLabels) parseLongStringLabels(data, w.little, text, padded, (name, labels) => {
    const v = lookup(name);
    if (v !== undefined) longStringLabels[v].push(...labels);
  });
  const missing: (UserMissing | null)[] = variables.map((v) => {
    const rec = v.records[0];
    if (!rec.missing) return null;
    const dv = new DataView(rec.missing.buffer, rec.missing.byteOffset, rec.missing.byteLength);
    if (v.width > 0) {
      const values: string[] = [];
      for (let i = 0; i < rec.missingCount; i++) values.push(padded(rec.missing.subarray(8 * i, 8 * i + 8)));
      return { values, range: null };
    }
    const read = (i: number) => dv.getFloat64(8 * i, w.little);
    const bound = (x: number) => (x <= lowest ? -Infinity : x >= highest ? Infinity : x);
    if (rec.missingCount > 0) return { values: Array.from({ length: rec.missingCount }, (_, i) => read(i)), range: null };
    return { values: rec.missingCount === -3 ? [read(2)] : [], range: { low: bound(read(0)), high: bound(read(1)) } };
  });
  for (const data of longMissing) parseLongStringMissing(data, w.little, padded, (name, values) => {
    const v = lookup(name);
    if (v !== undefined) missing[v] = { values, range: null };
  });
  let measureOf = (_: number): MeasurementLevel | null => null;
  if (measures) {
    // PSPP "Variable Display Parameter Record": 3 (or, in old files, 2) values per variable record.
    const m = measures;
    const measureStride = m.length === records.length * 3 ? 3 : m.length === records.length * 2 ? 2 : 0;
    if (measureStride) measureOf = (r) => ({ 1: 'nominal', 2: 'ordinal', 3: 'scale' } as const)[m[r * measureStride] as 1 | 2 | 3] ?? null;
  }

  const metaVariables: SurveyVariable[] = variables.map((v, i) => {
    const rec = v.records[0];
    return lazyValueLabels({
      name: v.name,
      index: i,
      type: v.width > 0 ? 'string' : 'numeric',
      width: v.width > 0 ? v.width : null,
      label: rec.label ? text(rec.label) : null,
      format: formatName(rec.print, v.width),
      measure: measureOf(recordOfVariable[i]),
      valueLabels: [],
      valueLabelSet: null,
      missing: missing[i],
      storage: null,
    }, () => decodeLabels(i));
  });
  const weightVariable = weightIndex > 0 ? (variables.find((v) => v.records[0].firstUnit === weightIndex - 1)?.name ?? null) : null;
  // The header's count; the 64-bit one of record 7 subtype 16 when the header says -1 (unknown).
  const declared = headerCases >= 0 ? headerCases : extendedCases !== null && extendedCases >= 0 ? extendedCases : null;

  // The header record, then what the sink keeps.
  const { kept, cells } = startRecords(sink, metaVariables, weightVariable);

  // Per 8-byte unit of a case: what to do with it (PSPP "Data Record").
  const unitKind = new Uint8Array(units); // UNIT_* below
  const unitVariable = new Int32Array(units);
  const unitDest = new Int32Array(units); // string units: where their bytes go in the variable's buffer
  const unitLength = new Uint8Array(units); // string units: how many of their 8 bytes are data
  const stringBuffers: (Uint8Array | null)[] = variables.map(() => null);
  const stringLengths = new Int32Array(variables.length);
  for (let i = 0; i < variables.length; i++) {
    const v = variables[i];
    const keep = kept(i);
    let dest = 0;
    for (let s = 0; s < v.records.length; s++) {
      const rec = v.records[s];
      const segWidth = v.segmentWidths[s];
      for (let j = 0; j < rec.units; j++) {
        const u = rec.firstUnit + j;
        unitVariable[u] = i;
        if (v.width === 0) unitKind[u] = keep ? UNIT_NUMBER : UNIT_SKIP_NUMBER;
        else {
          unitKind[u] = keep ? UNIT_STRING : UNIT_SKIP_STRING;
          unitDest[u] = dest + 8 * j;
          unitLength[u] = Math.max(0, Math.min(8, segWidth - 8 * j));
        }
      }
      dest += segWidth;
    }
    if (v.width > 0 && keep) {
      stringBuffers[i] = new Uint8Array(dest + 8);
      stringLengths[i] = Math.min(v.width, dest);
    }
  }

  // The data: a byte stream (the file after the dictionary, or the inflated zlib blocks).
  let source: ChunkSource;
  let where = (offset: number) => `byte offset ${offset}`;
  let streamBytes = size - dataStart;
  if (compressionCode === 2) {
    const zlib = await zlibSource(file, path, dataStart, size, bias, signal);
    source = zlib.source;
    where = zlib.where;
    streamBytes = zlib.uncompressedBytes;
  } else {
    source = fileSource(file, dataStart, size, chunkBytes, signal);
  }
  const caseBytes = units * 8;
  // A case takes at least one command byte per unit (compressed) or 8 bytes per unit: a declared
  // count the data cannot hold is damage, found before the sink is told to expect it.
  const minCaseBytes = compressionCode === 0 ? caseBytes : units;
  if (compressionCode === 0 && declared !== null && declared * caseBytes > streamBytes) {
    const whole = Math.floor(streamBytes / caseBytes);
    const unit = Math.floor((streamBytes - whole * caseBytes) / 8);
    throw fail(`The SPSS file is truncated: its header declares ${declared} cases of ${caseBytes} bytes from byte offset ${dataStart}, but the file ends at byte offset ${size}, in case ${whole + 1} (variable ${variables[unitVariable[unit]].name}).`);
  }
  if (declared !== null && declared * minCaseBytes > streamBytes) {
    throw fail(`The SPSS file is truncated or damaged: its header declares ${declared} cases of ${units} values, but the data (from byte offset ${dataStart}) holds ${streamBytes} bytes${compressionCode === 2 ? ' once inflated' : ''}.`);
  }
  if (declared !== null) sink.expectRows?.(declared);

  // Offsets in the data are file offsets, or for .zsav the offsets the bytes would have uncompressed.
  const d = new ByteWindow(source, dataStart);
  d.little = w.little;
  const name = (u: number) => variables[unitVariable[u]].name;
  let cases = 0;
  const limit = declared ?? Infinity;
  const keptStrings = Int32Array.from({ length: variables.length }, (_, i) => i).filter((i) => stringBuffers[i] !== null);
  const stringViews = variables.map((_, i) => stringBuffers[i]?.subarray(0, stringLengths[i]) ?? null);
  // Short strings (country codes and the like) repeat: decoded once, by their bytes as a number.
  const shortStrings = new Map<number, string>();
  const emitStrings = () => {
    for (let k = 0; k < keptStrings.length; k++) {
      const i = keptStrings[k];
      const b = stringViews[i]!;
      if (b.length <= 6) {
        let key = b.length;
        for (let j = 0; j < b.length; j++) key = key * 256 + b[j];
        let s = shortStrings.get(key);
        if (s === undefined) {
          s = trimPadding(decoder!.decode(b));
          if (shortStrings.size < 65536) shortStrings.set(key, s);
        }
        cells.textCell(i, s);
      } else cells.textCell(i, trimPadding(decoder!.decode(b)));
    }
  };

  if (compressionCode === 0) {
    // PSPP "Data Record", uncompressed: each case is `units` 8-byte values in dictionary order;
    // only the kept units are looked at.
    const keptUnits = Int32Array.from({ length: units }, (_, u) => u).filter((u) => unitKind[u] === UNIT_NUMBER || unitKind[u] === UNIT_STRING);
    // The hot loop in a function of its own: V8 then optimises this small function, not all of
    // readSpss (whose optimisation took a few MB of compiler memory: bench/README-formats.md).
    const decodeWholeCases = (n: number) => {
      const view = d.view;
      const buf = d.buf;
      const little = d.little;
      while (n-- > 0) {
        const base = d.pos;
        cells.beginCells();
        for (let k = 0; k < keptUnits.length; k++) {
          const u = keptUnits[k];
          if (unitKind[u] === UNIT_NUMBER) {
            const x = view.getFloat64(base + 8 * u, little);
            if (x === sysmis || x !== x) cells.missingCell(unitVariable[u], -1);
            else cells.numberCell(unitVariable[u], x);
          } else {
            stringBuffers[unitVariable[u]]!.set(buf.subarray(base + 8 * u, base + 8 * u + unitLength[u]), unitDest[u]);
          }
        }
        emitStrings();
        d.pos += caseBytes;
        cases++;
        cells.endCells();
      }
    };
    while (cases < limit) {
      if (!(await d.need(caseBytes))) {
        if (d.available === 0 && declared === null) break;
        const u = Math.floor(d.available / 8);
        throw fail(`The SPSS file is truncated: case ${cases + 1} ends at ${where(d.offset + d.available)} in variable ${name(Math.min(u, units - 1))}${declared !== null ? ` (the header declares ${declared} cases)` : ''}.`);
      }
      decodeWholeCases(Math.min(Math.floor(d.available / caseBytes), limit - cases));
      onProgress?.(source.progress());
    }
  } else {
    // PSPP "Data Record", compressed: blocks of 8 command bytes, each followed by the 8-byte
    // values its codes call for (253). 0 is padding, 1-251 the number code - bias, 252 the end
    // of the data, 254 eight spaces, 255 system-missing.
    const commands = new Uint8Array(8);
    const saved = new Uint8Array(8);
    let next = 8;
    const failure = { code: 0, unit: 0, offset: 0 };
    // A case can take 9 bytes per unit (a command byte and 8 data bytes), plus padding codes.
    const maxCase = units * 9 + 16;
    const decodeCase = (buf: Uint8Array, view: DataView, little: boolean): number => {
      let pos = d.pos;
      const end = d.end;
      let k = next;
      cells.beginCells();
      for (let u = 0; u < units; u++) {
        let code: number;
        do {
          if (k === 8) {
            if (pos + 8 > end) return CASE_MORE;
            for (let j = 0; j < 8; j++) commands[j] = buf[pos + j];
            pos += 8;
            k = 0;
          }
          code = commands[k++];
        } while (code === 0);
        const kind = unitKind[u];
        if (code <= 251) {
          if (kind === UNIT_NUMBER) cells.numberCell(unitVariable[u], code - bias);
          else if (kind !== UNIT_SKIP_NUMBER) return damagedCode(code, u, pos);
        } else if (code === 253) {
          if (pos + 8 > end) return CASE_MORE;
          if (kind === UNIT_NUMBER) {
            const x = view.getFloat64(pos, little);
            if (x === sysmis || x !== x) cells.missingCell(unitVariable[u], -1);
            else cells.numberCell(unitVariable[u], x);
          } else if (kind === UNIT_STRING) {
            stringBuffers[unitVariable[u]]!.set(buf.subarray(pos, pos + unitLength[u]), unitDest[u]);
          }
          pos += 8;
        } else if (code === 254) {
          if (kind === UNIT_STRING) stringBuffers[unitVariable[u]]!.fill(32, unitDest[u], unitDest[u] + unitLength[u]);
          else if (kind !== UNIT_SKIP_STRING) return damagedCode(code, u, pos);
        } else if (code === 255) {
          if (kind === UNIT_NUMBER) cells.missingCell(unitVariable[u], -1);
          else if (kind !== UNIT_SKIP_NUMBER) return damagedCode(code, u, pos);
        } else if (u === 0) {
          // 252: the end of the data, only valid between cases.
          d.pos = pos;
          next = k;
          return CASE_END;
        } else return damagedCode(code, u, pos);
      }
      d.pos = pos;
      next = k;
      return CASE_OK;
    };
    const damagedCode = (code: number, unit: number, pos: number): number => {
      failure.code = code;
      failure.unit = unit;
      failure.offset = d.base + pos;
      return CASE_BAD;
    };
    // Cases decoded synchronously while the window surely holds one (in a function of its own, as
    // decodeWholeCases); CASE_MORE: the case was cut by the window's end, and is restored to be
    // decoded again once more bytes have come. Damage throws.
    const decodeWindow = (): number => {
      const view = d.view;
      const buf = d.buf;
      const little = d.little;
      while (cases < limit) {
        const start = d.pos;
        const startNext = next;
        saved.set(commands);
        const status = decodeCase(buf, view, little);
        if (status === CASE_OK) {
          emitStrings();
          cases++;
          cells.endCells();
          if (d.available < maxCase) return CASE_OK;
          continue;
        }
        if (status === CASE_END) return CASE_END;
        if (status === CASE_MORE) {
          d.pos = start;
          next = startNext;
          commands.set(saved);
          return CASE_MORE;
        }
        throw fail(
          failure.code === 252
            ? `The SPSS data is damaged: the end-of-data code 252 comes in the middle of case ${cases + 1}, at variable ${name(failure.unit)} (${where(failure.offset)}).`
            : `The SPSS data is damaged: compression code ${failure.code} (before ${where(failure.offset)}) is not valid for ${unitKind[failure.unit] <= UNIT_NUMBER ? 'numeric' : 'string'} variable ${name(failure.unit)} (case ${cases + 1}).`,
        );
      }
      return CASE_OK;
    };
    let ended = false;
    while (cases < limit && !ended) {
      await d.need(maxCase);
      const status = decodeWindow();
      if (status === CASE_END) ended = true;
      else if (status === CASE_MORE) {
        // Read on; when nothing more comes, the data stops inside the case (or only padding is left).
        const before = d.available;
        await d.need(before + maxCase);
        if (d.available === before) {
          if (onlyPadding(d, commands, next)) ended = true;
          else throw fail(`The SPSS file is truncated: case ${cases + 1} is cut off at ${where(d.offset + d.available)}${declared !== null ? ` (the header declares ${declared} cases)` : ''}.`);
        }
      }
      onProgress?.(source.progress());
    }
  }
  if (declared !== null && cases < declared) {
    throw fail(`The SPSS file is truncated: its header declares ${declared} cases, but the data ends after ${cases} (at ${where(d.offset)}).`);
  }
  signal?.throwIfAborted();
  onProgress?.(1);
  return {
    format: 'spss',
    formatVersion: magic === '$FL3' ? 3 : 2,
    encoding,
    cases,
    declaredCases: declared,
    compression: compressionCode === 0 ? 'none' : compressionCode === 1 ? 'bytecode' : 'zlib',
    byteOrder: w.little ? 'little' : 'big',
    label: nonEmpty(padded(fileLabelBytes)),
    product: nonEmpty(trimPadding(new TextDecoder('latin1').decode(productBytes)).replace(/^@\(#\) /, '')),
    weightVariable,
    variables: metaVariables,
    notes,
  };
}

/** Bytes appended to one buffer that grows by copying, so offsets into it stay valid. */
class ByteStore {
  bytes = new Uint8Array(1 << 16);
  used = 0;
  /** Appends `b`; returns its offset. */
  add(b: Uint8Array): number {
    if (this.used + b.length > this.bytes.length) {
      const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.used + b.length));
      grown.set(this.bytes.subarray(0, this.used));
      this.bytes = grown;
    }
    this.bytes.set(b, this.used);
    this.used += b.length;
    return this.used - b.length;
  }
}

/**
 * `variable` with its `valueLabels` decoded on first read (then kept): the reading entry asks only
 * for the variables it reads, and decoding all of a 600-variable dictionary's ~10,000 labels up
 * front costs heap that the CSV reader does not use.
 */
function lazyValueLabels(variable: SurveyVariable, decode: () => ValueLabel[]): SurveyVariable {
  Object.defineProperty(variable, 'valueLabels', {
    enumerable: true,
    configurable: true,
    get() {
      const labels = decode();
      Object.defineProperty(variable, 'valueLabels', { value: labels, enumerable: true, writable: true, configurable: true });
      return labels;
    },
    set(labels: ValueLabel[]) {
      Object.defineProperty(variable, 'valueLabels', { value: labels, enumerable: true, writable: true, configurable: true });
    },
  });
  return variable;
}

const UNIT_SKIP_NUMBER = 0;
const UNIT_NUMBER = 1;
const UNIT_SKIP_STRING = 2;
const UNIT_STRING = 3;
const CASE_OK = 0;
const CASE_END = 1;
const CASE_MORE = 2;
const CASE_BAD = 3;
/** True when the rest of the stream (and of the current command block) is padding (code 0) only. */
function onlyPadding(d: ByteWindow, commands: Uint8Array, next: number): boolean {
  for (let k = next; k < 8; k++) if (commands[k] !== 0) return false;
  for (let p = d.pos; p < d.end; p++) if (d.buf[p] !== 0) return false;
  return true;
}

/** SPSS pads strings with spaces to their width (PSPP "Data Record"): the padding is not data. */
function trimPadding(s: string): string {
  let end = s.length;
  while (end > 0 && (s.charCodeAt(end - 1) === 32 || s.charCodeAt(end - 1) === 0)) end--;
  return end === s.length ? s : s.slice(0, end);
}

function nonEmpty(s: string): string | null {
  return s.trim() === '' ? null : s;
}

/** A print format as SPSS writes it: "F8.2", "A20" (PSPP "Variable Record", print and write formats). */
function formatName(format: number, width: number): string | null {
  const type = (format >> 16) & 0xff;
  const w = (format >> 8) & 0xff;
  const decimals = format & 0xff;
  const name = FORMAT_NAMES[type];
  if (!name) return null;
  if (width > 0) return `A${width}`;
  // Number formats carry their decimals ("F8.0", as SPSS and haven show them); dates and times do not.
  return type >= 20 && type <= 30 ? `${name}${w}` : type >= 38 ? `${name}${w}` : `${name}${w}.${decimals}`;
}

/** PSPP "Long String Value Labels Record" (record 7 subtype 21). */
function parseLongStringLabels(
  data: Uint8Array,
  little: boolean,
  text: (b: Uint8Array) => string,
  padded: (b: Uint8Array) => string,
  add: (name: string, labels: ValueLabel[]) => void,
): void {
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let p = 0;
  const int = () => {
    if (p + 4 > data.length) throw new RangeError('short');
    const v = dv.getInt32(p, little);
    p += 4;
    return v;
  };
  const bytes = (n: number) => {
    if (n < 0 || p + n > data.length) throw new RangeError('short');
    const b = data.subarray(p, p + n);
    p += n;
    return b;
  };
  try {
    while (p < data.length) {
      const name = text(bytes(int())).trim();
      int(); // width
      const n = int();
      if (n < 0 || n * 8 > data.length) return;
      const labels: ValueLabel[] = [];
      for (let i = 0; i < n; i++) {
        const value = padded(bytes(int()));
        labels.push({ value, label: text(bytes(int())) });
      }
      add(name, labels);
    }
  } catch {
    // A damaged record 21 only loses the long strings' labels: not worth refusing the file.
  }
}

/** PSPP "Long String Missing Values Record" (record 7 subtype 22). */
function parseLongStringMissing(data: Uint8Array, little: boolean, padded: (b: Uint8Array) => string, add: (name: string, values: string[]) => void): void {
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let p = 0;
  try {
    while (p + 4 <= data.length) {
      const nameLength = dv.getInt32(p, little);
      p += 4;
      if (nameLength < 0 || p + nameLength + 5 > data.length) return;
      const name = new TextDecoder('latin1').decode(data.subarray(p, p + nameLength)).trim();
      p += nameLength;
      const n = data[p++];
      const valueLength = dv.getInt32(p, little);
      p += 4;
      if (valueLength < 0 || p + n * valueLength > data.length) return;
      const values: string[] = [];
      for (let i = 0; i < n; i++) values.push(padded(data.subarray(p + i * valueLength, p + (i + 1) * valueLength)));
      p += n * valueLength;
      add(name, values);
    }
  } catch {
    // As for record 21: only these declarations are lost.
  }
}

/**
 * The data of a .zsav file (PSPP "System File Format", ZLIB Compressed Data / ZLIB Trailer): the
 * bytecode stream cut into blocks, each compressed with zlib, listed in a trailer at the end of
 * the file. The trailer is checked (offsets inside the file, contiguous blocks, sizes within the
 * block size) before any block is read; blocks are inflated one at a time.
 */
async function zlibSource(file: AsyncBuffer, path: string, at: number, size: number, bias: number, signal?: AbortSignal) {
  const fail = (message: string) => damaged(CODE, path, message);
  if (at + 24 > size) throw fail(`The .zsav file is truncated: it ends inside the zlib data header at byte offset ${at}.`);
  const header = new ByteWindow(fileSource(file, at, at + 24));
  await header.need(24);
  const zheader = header.i64();
  const ztrailer = header.i64();
  const ztrailerLength = header.i64();
  if (zheader !== at || !(ztrailer >= at + 24) || !(ztrailerLength >= 24) || ztrailer + ztrailerLength !== size || (ztrailerLength - 24) % 24 !== 0) {
    throw fail(`The .zsav file is truncated or damaged: its zlib data header (byte offset ${at}) places the trailer at byte offset ${ztrailer} with ${ztrailerLength} bytes, but the file is ${size} bytes long.`);
  }
  const trailer = new ByteWindow(fileSource(file, ztrailer, size));
  await trailer.need(ztrailerLength);
  const trailerBias = trailer.i64();
  trailer.i64();
  const blockSize = trailer.i32();
  const blocks = trailer.i32();
  if (trailerBias !== -bias || blockSize <= 0 || blockSize > MAX_ZLIB_BLOCK || blocks !== (ztrailerLength - 24) / 24) {
    throw fail(`The .zsav file is damaged: its zlib trailer (byte offset ${ztrailer}) has bias ${trailerBias}, block size ${blockSize} and ${blocks} blocks.`);
  }
  const entries: { uncompressedAt: number; compressedAt: number; uncompressed: number; compressed: number }[] = [];
  let expectCompressed = at + 24;
  // uncompressed_ofs: where the block's bytes would be in a compression-1 file (from zheader_ofs).
  let expectUncompressed = at;
  for (let b = 0; b < blocks; b++) {
    const e = { uncompressedAt: trailer.i64(), compressedAt: trailer.i64(), uncompressed: trailer.i32(), compressed: trailer.i32() };
    if (e.compressedAt !== expectCompressed || e.uncompressedAt !== expectUncompressed || e.uncompressed < 0 || e.uncompressed > blockSize || e.compressed < 0 || e.compressedAt + e.compressed > ztrailer) {
      throw fail(`The .zsav file is damaged: zlib block ${b + 1} of ${blocks} (trailer entry at byte offset ${ztrailer + 24 + 24 * b}) is at byte offset ${e.compressedAt} with ${e.compressed} bytes.`);
    }
    expectCompressed += e.compressed;
    expectUncompressed += e.uncompressed;
    entries.push(e);
  }
  let next = 0;
  // With node:zlib's stream binding (BlockInflater), each block is inflated in pieces of
  // INFLATE_PIECE bytes into one reused buffer, from compressed bytes read into one reused buffer:
  // a fresh ~4 MB output and ~0.5 MB input per block, and the window's copy of whole blocks, cost
  // ~25 MB of peak memory on a 97,000 x 601 file (bench/README-formats.md).
  const inflater = new BlockInflater();
  const largest = entries.reduce((m, e) => Math.max(m, e.compressed), 0);
  const input = (file as ReadableBuffer).readInto ? new Uint8Array(largest) : null;
  const output = inflater.reusable ? new Uint8Array(Math.min(INFLATE_PIECE, blockSize + 1)) : null;
  // The block being inflated: its compressed bytes, how many are consumed, how many bytes it gave.
  let block: { e: (typeof entries)[number]; compressed: Uint8Array; inOffset: number; produced: number } | null = null;
  const readBlock = async () => {
    const e = entries[next++];
    const compressed = await readChunk(file as ReadableBuffer, e.compressedAt, e.compressed, input);
    if (compressed.length !== e.compressed) throw fail(`The .zsav file is truncated: zlib block ${next} of ${entries.length} (byte offset ${e.compressedAt}) is cut off.`);
    return { e, compressed };
  };
  const cannot = (e: { compressedAt: number }, err: unknown) => fail(`The .zsav file is damaged: zlib block ${next} of ${entries.length} (byte offset ${e.compressedAt}) cannot be inflated: ${(err as Error).message}.`);
  const wrongSize = (e: { compressedAt: number; uncompressed: number }, got: number) =>
    fail(`The .zsav file is damaged: zlib block ${next} (byte offset ${e.compressedAt}) inflates to ${got > e.uncompressed ? 'more than ' : ''}${Math.min(got, e.uncompressed)} bytes, not ${e.uncompressed}.`);
  const source: ChunkSource = {
    reused: output !== null,
    async next() {
      signal?.throwIfAborted();
      if (!output) {
        // Without the binding: each block whole, from inflateSync.
        if (next >= entries.length) return null;
        const { e, compressed } = await readBlock();
        let out: Uint8Array;
        try {
          out = inflateSync(compressed, { maxOutputLength: Math.max(1, e.uncompressed) });
        } catch (err) {
          throw cannot(e, err);
        }
        if (out.length !== e.uncompressed) throw wrongSize(e, out.length);
        return out;
      }
      for (;;) {
        if (!block) {
          if (next >= entries.length) return null;
          const { e, compressed } = await readBlock();
          inflater.begin();
          block = { e, compressed, inOffset: 0, produced: 0 };
        }
        const { e, compressed } = block;
        const written = inflater.inflatePiece(compressed, block.inOffset, output);
        if (written < 0) throw cannot(e, inflater.explain(compressed, e.uncompressed));
        block.inOffset = compressed.length - inflater.inputLeft;
        block.produced += written;
        if (block.produced > e.uncompressed) throw wrongSize(e, block.produced);
        // Output to spare: the block's zlib stream has ended (else zlib reports an error).
        if (written < output.length) {
          if (block.produced !== e.uncompressed) throw wrongSize(e, block.produced);
          block = null;
        }
        if (written > 0) return output.subarray(0, written);
      }
    },
    progress: () => (entries.length ? next / entries.length : 1),
  };
  const where = (offset: number) => {
    const b = entries.findIndex((e) => offset < e.uncompressedAt + e.uncompressed);
    const e = entries[b < 0 ? entries.length - 1 : b];
    return e ? `byte ${offset - e.uncompressedAt} of zlib block ${(b < 0 ? entries.length - 1 : b) + 1} once inflated (the block starts at byte offset ${e.compressedAt})` : `byte offset ${at + 24}`;
  };
  return { source, where, uncompressedBytes: expectUncompressed - at };
}

/** The parts of a node:zlib stream that `inflateSync` itself uses (lib/zlib.js `processChunkSync`). */
interface ZlibInternals {
  _handle: { writeSync(flush: number, input: Uint8Array, inOffset: number, inLength: number, output: Uint8Array, outOffset: number, outLength: number): void } | null;
  _writeState: Uint32Array;
}

/** Bytes of a .zsav block inflated at a time (the blocks are ~4 MB once inflated). */
const INFLATE_PIECE = 1 << 18;

/**
 * Inflates zlib streams piece by piece into a caller's buffer, with one zlib stream reset between
 * blocks. `inflateSync` cannot write into a given buffer: it allocates 16 KiB pieces and their
 * concatenation, ~8 MB of garbage per 4 MB block of a .zsav, which piles up to V8's external-memory
 * GC threshold (+18-24% peak memory over the CSV reader, bench/README-formats.md). Node's public
 * zlib API has no call that does; the stream's binding (`_handle.writeSync`, what inflateSync runs
 * on) does. Where that internal is not there (another runtime), `reusable` is false and the caller
 * uses inflateSync.
 */
export class BlockInflater {
  private stream: (Inflate & ZlibInternals) | null = null;
  /** Input bytes the last `inflatePiece` left unconsumed. */
  inputLeft = 0;

  get reusable(): boolean {
    return this.engine() !== null;
  }

  private engine(): (Inflate & ZlibInternals) | null {
    if (this.stream?._handle) return this.stream;
    const z = new Inflate() as Inflate & ZlibInternals;
    // A damaged stream destroys the zlib object and emits 'error' on the next tick; it is reported
    // from here (inflatePiece returns -1), so the event must not go unhandled.
    z.on('error', () => {});
    if (typeof z._handle?.writeSync !== 'function' || !(z._writeState instanceof Uint32Array) || z._writeState.length < 2) {
      z.close();
      return null;
    }
    this.stream = z;
    return z;
  }

  /** Starts a new zlib stream (the next block). */
  begin(): void {
    this.engine()?.reset();
  }

  /**
   * Inflates from `input[inOffset..]` into `output`: returns the bytes written (all of `output`
   * when the stream has more; fewer once it has ended), or -1 when the stream is damaged or its
   * input ends before the stream does. `inputLeft` then says how much input is left.
   */
  inflatePiece(input: Uint8Array, inOffset: number, output: Uint8Array): number {
    const z = this.stream;
    if (!z?._handle) return -1;
    z._handle.writeSync(zlibConstants.Z_FINISH, input, inOffset, input.length - inOffset, output, 0, output.length);
    // A zlib error closes the stream (lib/zlib.js: the binding's onerror destroys it) before writeSync returns.
    if (!z._handle) {
      this.stream = null;
      return -1;
    }
    this.inputLeft = z._writeState[1];
    return output.length - z._writeState[0];
  }

  /** What inflateSync says about a stream inflatePiece could not inflate (its message names the zlib error). */
  explain(input: Uint8Array, expected: number): Error {
    try {
      inflateSync(input, { maxOutputLength: Math.max(1, expected) });
      return new Error('the zlib stream ends early');
    } catch (err) {
      return err as Error;
    }
  }
}
