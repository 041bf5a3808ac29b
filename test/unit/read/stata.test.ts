import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import fc from 'fast-check';
import { readStata } from '../../../src/core/read/formats/stata';
import { readSpss } from '../../../src/core/read/formats/spss';
import { bytesBuffer } from '../../../src/core/read/formats/parquet';
import { isExtendedMissing, windows1252, type SurveyFileMetadata } from '../../../src/core/read/formats/survey-file';
import { readerHelpers, CollectingSink, assertSameValues, countingBuffer, fixtureBytes, formatsFixture, mulberry32, oracleOf, readstatSummary, sortedLabels } from './formats-helpers';

// Fixtures and oracles: test/fixtures/formats/generate.sh (R haven 2.5.1 write_dta versions 13,
// 14, 15 = formats 117, 118, 119; read back with read_dta; readstat 1.1.8 summaries).
const FILES = ['survey-117.dta', 'survey-118.dta', 'survey-119.dta'] as const;

const { read, failureOf: failure, assertChunksAgree } = readerHelpers(readStata);
const failureOf = (bytes: Uint8Array, name = 'x.dta', chunkBytes?: number) => failure(bytes, name, chunkBytes);

/**
 * haven reads every 117 file as Windows-1252, also those it wrote as UTF-8 (its own): there its
 * strings are mojibake. Ours are the UTF-8 text, whose bytes read as Windows-1252 are haven's.
 */
const asHaven117 = (v: unknown) => (typeof v === 'string' && !isExtendedMissing(v) ? windows1252.decode(Buffer.from(v, 'utf8')) : v);

for (const name of FILES) {
  test(`${name}: every value and the dictionary are what R haven reads (read_dta)`, async () => {
    const oracle = oracleOf(name);
    const { sink, meta } = await read(fixtureBytes(name), name);
    const as = name === 'survey-117.dta' ? asHaven117 : (v: unknown) => v;
    // haven converts str# and labels of a 117 file from Windows-1252, but not its strLs.
    const asValue = (c: string) => (c === 'note' ? (v: unknown) => v : as);
    assert.deepEqual(sink.header, oracle.columns.map((c) => c.name));
    assert.equal(sink.expected, oracle.rows);
    assert.equal(meta.cases, oracle.rows);
    for (const c of oracle.columns) {
      assertSameValues(sink.column(c.name).map(asValue(c.name)), c.values, `${name} ${c.name}`);
      const v = meta.variables.find((x) => x.name === c.name)!;
      assert.equal(v.type, c.type, `${c.name} type`);
      assert.equal(as(v.label), c.label, `${c.name} label`);
      assert.equal(v.format, c.format, `${c.name} format`);
      assert.deepEqual(sortedLabels(v.valueLabels.map((l) => ({ value: l.value, label: as(l.label) as string }))), sortedLabels(c.valueLabels), `${c.name} value labels`);
      assert.equal(v.missing, null);
    }
  });

  test(`${name}: file facts agree with the readstat command`, async () => {
    const s = readstatSummary(name);
    const { meta } = await read(fixtureBytes(name), name);
    assert.equal(String(meta.formatVersion), s['Format version']);
    assert.equal(String(meta.cases), s['Rows']);
    assert.equal(String(meta.variables.length), s['Columns']);
    assert.equal(meta.byteOrder, s['Byte order'] === 'little-endian' ? 'little' : 'big');
    assert.equal(meta.compression, 'none');
  });

  test(`${name}: read in 16- to 4099-byte chunks, the records are the same, also into a reused buffer`, () => assertChunksAgree(name));
}

test('formats 117, 118 and 119 give identical records; 117 written as UTF-8 by haven is read as UTF-8 and says so', async () => {
  const results = await Promise.all(FILES.map((f) => read(fixtureBytes(f), f)));
  for (const r of results.slice(1)) assert.deepEqual(r.sink.rows, results[0].sink.rows);
  assert.equal(results[0].meta.encoding, 'utf-8');
  assert.match(results[0].meta.notes[0], /117 .*Windows-1252 .*UTF-8/);
  assert.equal(results[1].meta.encoding, 'utf-8');
  const v = results[1].meta.variables;
  assert.equal(v.find((x) => x.name === 'height_cm')!.label, 'Größe (cm)');
  assert.equal(v.find((x) => x.name === 'note')!.storage, 'strL');
  assert.equal(v.find((x) => x.name === 'id')!.storage, 'long');
  assert.deepEqual(
    v.find((x) => x.name === 'Q4')!.valueLabels.filter((l) => isExtendedMissing(l.value)).map((l) => [l.value, l.label]),
    [['.a', "Don't know"], ['.b', 'No answer'], ['.c', 'Not applicable'], ['.d', 'Not asked'], ['.e', 'Missing']],
  );
});

test('a genuine Windows-1252 text in a 117 file is read as Windows-1252', async () => {
  const bytes = fixtureBytes('survey-117.dta');
  const utf8 = Buffer.from('Größe (cm)\0', 'utf8');
  const at = Buffer.from(bytes).indexOf(utf8);
  assert.ok(at > 0);
  const latin = Buffer.from([...Buffer.from('Gr'), 0xf6, 0xdf, ...Buffer.from('e (cm)'), 0, 0, 0]);
  const patched = bytes.slice();
  patched.set(latin, at);
  const { meta } = await read(patched, 'x.dta');
  assert.equal(meta.variables.find((x) => x.name === 'height_cm')!.label, 'Größe (cm)');
  assert.match(meta.notes.join(' '), /some of this file's text is UTF-8/);
});

test('the Stata, SPSS and CSV versions of the data set hold the same records (Stata .a-.e being SPSS -1..-5)', async () => {
  const dta = (await read(fixtureBytes('survey-118.dta'), 'x.dta')).sink;
  const sav = new CollectingSink();
  await readSpss(bytesBuffer(fixtureBytes('survey-bytecode.sav')), 'x.sav', sav);
  assert.deepEqual(dta.header, sav.header);
  const q4 = dta.header!.indexOf('Q4');
  const fromStata = dta.rows.map((r) => r.map((v, i) => (i === q4 && isExtendedMissing(v) ? -(v.charCodeAt(1) - 96) : v)));
  assert.deepEqual(fromStata, sav.rows);
  // The CSV: numbers as numbers, an empty numeric cell as null, strings as they are.
  const csv = parseCsv(fs.readFileSync(formatsFixture('survey.csv'), 'utf8'));
  assert.deepEqual(csv[0], dta.header);
  const numeric = new Set(['id', 'B_COUNTRY', 'W_WEIGHT', 'Q1', 'Q2', 'Q3', 'Q4', 'Q5', 'Q262', 'height_cm']);
  const fromCsv = csv.slice(1).map((r) => r.map((cell, i) => (numeric.has(csv[0][i]) ? (cell === '' ? null : Number(cell)) : cell)));
  assert.deepEqual(fromCsv, sav.rows);
});

test('only the kept columns are decoded (a strL among them); the others stay undefined', async () => {
  for (const name of FILES) {
    const all = (await read(fixtureBytes(name), name)).sink;
    const some = (await read(fixtureBytes(name), name, new CollectingSink((n) => n === 'Q4' || n === 'note'))).sink;
    const keep = [some.header!.indexOf('Q4'), some.header!.indexOf('note')];
    for (let r = 0; r < some.rows.length; r++) {
      some.rows[r].forEach((v, i) => {
        if (keep.includes(i)) assert.deepEqual(v, all.rows[r][i]);
        else assert.equal(v, undefined, `${name}: column ${some.header![i]} was decoded`);
      });
    }
  }
});

test('the strLs are not read when no strL column is kept, and the file is read in bounded chunks', async () => {
  const bytes = fixtureBytes('survey-118.dta');
  const without = countingBuffer(bytes);
  await readStata(without, 'x.dta', new CollectingSink((n) => n === 'Q1'), undefined, undefined, { chunkBytes: 2048 });
  const withNote = countingBuffer(bytes);
  await readStata(withNote, 'x.dta', new CollectingSink((n) => n === 'note'), undefined, undefined, { chunkBytes: 2048 });
  assert.ok(withNote.total > without.total);
  assert.ok(without.largest <= 2048 && withNote.largest <= 4 << 20);
});

test('byte, int, long, float and double with . and .a-.z, both byte orders, 118 and 119 strL packings', async () => {
  for (const little of [true, false]) {
    for (const release of [117, 118, 119] as const) {
      const rows: Cell[][] = [
        [5, -7, 123456, 1.5, 0.25, 'abc', 'first strL'],
        [MISSING, MISSING, MISSING, MISSING, MISSING, '', 'é'],
        [tag('a'), tag('b'), tag('c'), tag('d'), tag('z'), 'xyz', ''],
        [100, 32740, 2147483620, -1e30, -1.5e300, 'ü', 'first strL'],
      ];
      const bytes = buildDta({ release, little, rows });
      const { sink, meta } = await read(bytes, 'x.dta');
      assert.equal(meta.byteOrder, little ? 'little' : 'big');
      assert.deepEqual(meta.variables.map((v) => v.storage), ['byte', 'int', 'long', 'float', 'double', 'str3', 'strL']);
      assert.deepEqual(sink.rows, [
        [5, -7, 123456, 1.5, 0.25, 'abc', 'first strL'],
        [null, null, null, null, null, '', 'é'],
        ['.a', '.b', '.c', '.d', '.z', 'xyz', ''],
        [100, 32740, 2147483620, Math.fround(-1e30), -1.5e300, 'ü', 'first strL'],
      ], `${release} ${little ? 'LSF' : 'MSF'}`);
      assert.deepEqual(meta.variables[0].valueLabels, [{ value: 5, label: 'five' }, { value: '.a', label: 'refused' }]);
    }
  }
});

test('damage is reported with its byte offset, observation and variable', async () => {
  const bytes = fixtureBytes('survey-118.dta');
  const not = await failureOf(new TextEncoder().encode('id,Q1\n1,2\n'));
  assert.match(not!.message, /not a Stata \.dta file.*byte offset 0/);
  assert.deepEqual([not!.diagnostic.code, not!.diagnostic.line, not!.diagnostic.column], ['stata.invalid', 1, 1]);

  const old = new Uint8Array(200);
  old.set([115, 2, 1, 0]);
  const e115 = await failureOf(old);
  assert.equal(e115!.diagnostic.code, 'stata.unsupported');
  assert.match(e115!.message, /format 115/);
  const r120 = bytes.slice();
  r120.set(Buffer.from('120'), 28);
  assert.equal((await failureOf(r120))!.diagnostic.code, 'stata.unsupported');

  // Truncated in the data: the observation and the variable where the file ends.
  const { meta } = await read(bytes, 'x.dta');
  const dataAt = Buffer.from(bytes).indexOf('<data>') + 6;
  const cut = await failureOf(bytes.slice(0, dataAt + 50 * rowLength(meta) + 20));
  assert.match(cut!.message, /truncated: it declares 200 observations of \d+ bytes from byte offset \d+, but ends at byte offset \d+, inside observation 51 \(variable country_name\)/);

  assert.match((await failureOf(bytes.slice(0, 40)))!.message, /truncated: it ends inside .* \(byte offset \d+/);

  // An absurd variable count, a damaged map, a bad storage type, a damaged value-label table.
  const k = bytes.slice();
  const kAt = Buffer.from(bytes).indexOf('<K>') + 3;
  new DataView(k.buffer).setUint16(kAt, 65000, true);
  assert.match((await failureOf(k))!.message, /declares 65000 variables/);
  const map = bytes.slice();
  const mapAt = Buffer.from(bytes).indexOf('<map>') + 5;
  new DataView(map.buffer).setUint32(mapAt + 8 * 9, 0x7fffffff, true);
  assert.match((await failureOf(map))!.message, /map \(byte offset \d+\) puts <data> at byte offset 2147483647/);
  const type = bytes.slice();
  const typesAt = Buffer.from(bytes).indexOf('<variable_types>') + 16;
  new DataView(type.buffer).setUint16(typesAt + 2, 40000, true);
  assert.match((await failureOf(type))!.message, /variable 2 has storage type code 40000 \(byte offset \d+\)/);
  const lbl = bytes.slice();
  const lblAt = Buffer.from(bytes).indexOf('<lbl>') + 5;
  new DataView(lbl.buffer).setInt32(lblAt, 0x7ffffff0, true);
  assert.match((await failureOf(lbl))!.message, /value label table .* claims 2147483632 bytes/);
  // A strL reference that points nowhere: the observation and the variable.
  const strl = bytes.slice();
  const noteAt = dataAt + rowLength(meta) * 3 + rowLength(meta) - 8;
  strl[noteAt] = 0x7f;
  strl[noteAt + 1] = 0x7f;
  const e = await failureOf(strl);
  assert.match(e!.message, /observation 4, variable note refers to a strL that is not in <strls> \(byte offset \d+\)/);
});

test('an aborted signal stops the read', async () => {
  const before = new AbortController();
  before.abort();
  await assert.rejects(readStata(bytesBuffer(fixtureBytes('survey-118.dta')), 'x.dta', new CollectingSink(), before.signal), { name: 'AbortError' });
  const during = new AbortController();
  const sink = new CollectingSink();
  const feed = sink.feedRecord.bind(sink);
  sink.feedRecord = (values, line) => {
    feed(values, line);
    if (sink.rows.length === 10) during.abort();
  };
  await assert.rejects(readStata(bytesBuffer(fixtureBytes('survey-118.dta')), 'x.dta', sink, during.signal, undefined, { chunkBytes: 2048 }), { name: 'AbortError' });
  assert.ok(sink.rows.length < 200, `stopped after ${sink.rows.length} observations`);
});

for (const name of FILES) {
  test(`${name}: a few hundred random mutations end in a result or a located stata error, never a crash or a hang`, async () => {
    const original = fixtureBytes(name);
    const dataAt = Buffer.from(original).indexOf('<data>');
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 8 }), fc.constantFrom('flip', 'dictionary', 'truncate', 'int'), async (seed, count, kind) => {
        const rand = mulberry32(seed);
        let bytes = original.slice();
        if (kind === 'truncate') bytes = bytes.slice(0, Math.floor(rand() * bytes.length));
        else if (kind === 'int') {
          const at = Math.floor(rand() * (dataAt - 4));
          new DataView(bytes.buffer).setInt32(at, [0x7fffffff, -1, -0x80000000, 0x10000][Math.floor(rand() * 4)], true);
        } else {
          const span = kind === 'dictionary' ? dataAt : bytes.length;
          for (let i = 0; i < count; i++) bytes[Math.floor(rand() * span)] = Math.floor(rand() * 256);
        }
        const e = await failureOf(bytes, name, 1 << (8 + Math.floor(rand() * 8)));
        if (e) {
          assert.ok(['stata.invalid', 'stata.unsupported'].includes(e.diagnostic.code), e.message);
          assert.equal(e.diagnostic.line, 1);
          assert.match(e.message, /byte offset/);
        }
      }),
      { numRuns: 300, seed: 20240607 },
    );
  });
}

/** Bytes of one observation: the fixed widths of the storage types. */
function rowLength(meta: SurveyFileMetadata): number {
  const widths: Record<string, number> = { byte: 1, int: 2, long: 4, float: 4, double: 8, strL: 8 };
  return meta.variables.reduce((a, v) => a + (widths[v.storage!] ?? v.width!), 0);
}

/** A minimal RFC 4180 reader for the fixture (quoted fields, doubled quotes). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') cell += text[++i];
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') (row.push(cell), (cell = ''));
    else if (c === '\n') (row.push(cell), rows.push(row), (row = []), (cell = ''));
    else if (c !== '\r') cell += c;
  }
  if (cell || row.length) (row.push(cell), rows.push(row));
  return rows;
}

const MISSING: unique symbol = Symbol(".");
const tag = (letter: string) => ({ tag: letter.charCodeAt(0) - 96 });
type Cell = number | string | typeof MISSING | { tag: number };

/**
 * A small .dta writer for the storage types haven does not write (byte, int, float), after the
 * dta documentation: columns byte, int, long, float, double, str3, strL; value labels on the first.
 */
function buildDta({ release, little, rows }: { release: 117 | 118 | 119; little: boolean; rows: Cell[][] }): Uint8Array {
  const parts: number[] = [];
  const ascii = (s: string) => parts.push(...Buffer.from(s, 'latin1'));
  const uint = (v: number, bytes: number) => {
    const b: number[] = [];
    for (let i = 0; i < bytes; i++) b.push(Math.floor(v / 2 ** (8 * i)) & 0xff);
    parts.push(...(little ? b : b.reverse()));
  };
  const fixed = (s: string, length: number) => {
    const b = Buffer.alloc(length);
    Buffer.from(s, 'utf8').copy(b);
    parts.push(...b);
  };
  const types = [65530, 65529, 65528, 65527, 65526, 3, 32768];
  const k = types.length;
  const nameLength = release === 117 ? 33 : 129;
  const map: number[] = new Array(14).fill(0);
  ascii('<stata_dta><header><release>' + release + '</release><byteorder>' + (little ? 'LSF' : 'MSF') + '</byteorder><K>');
  uint(k, release === 119 ? 4 : 2);
  ascii('</K><N>');
  uint(rows.length, release === 117 ? 4 : 8);
  ascii('</N><label>');
  uint(0, release === 117 ? 1 : 2);
  ascii('</label><timestamp>');
  uint(0, 1);
  ascii('</timestamp></header>');
  map[1] = parts.length;
  ascii('<map>');
  const mapAt = parts.length;
  for (let i = 0; i < 14; i++) uint(0, 8);
  ascii('</map>');
  map[2] = parts.length;
  ascii('<variable_types>');
  for (const t of types) uint(t, 2);
  ascii('</variable_types>');
  map[3] = parts.length;
  ascii('<varnames>');
  for (let i = 0; i < k; i++) fixed(`v${i + 1}`, nameLength);
  ascii('</varnames>');
  map[4] = parts.length;
  ascii('<sortlist>');
  for (let i = 0; i <= k; i++) uint(0, release === 119 ? 4 : 2);
  ascii('</sortlist>');
  map[5] = parts.length;
  ascii('<formats>');
  for (let i = 0; i < k; i++) fixed('%9.0g', release === 117 ? 49 : 57);
  ascii('</formats>');
  map[6] = parts.length;
  ascii('<value_label_names>');
  for (let i = 0; i < k; i++) fixed(i === 0 ? 'lab1' : '', nameLength);
  ascii('</value_label_names>');
  map[7] = parts.length;
  ascii('<variable_labels>');
  for (let i = 0; i < k; i++) fixed('', release === 117 ? 81 : 321);
  ascii('</variable_labels>');
  map[8] = parts.length;
  ascii('<characteristics></characteristics>');
  map[9] = parts.length;
  ascii('<data>');
  const strls: { v: number; o: number; text: string }[] = [];
  const vBytes = release === 117 ? 4 : release === 118 ? 2 : 3;
  rows.forEach((row, r) => {
    row.forEach((cell, j) => {
      const t = types[j];
      if (t === 32768) {
        const text = cell as string;
        const first = strls.find((s) => s.text === text);
        // Stata writes a repeated strL once and points to it (v, o) from later observations.
        const ref = text === '' ? { v: 0, o: 0 } : (first ?? { v: j + 1, o: r + 1 });
        if (text !== '' && !first) strls.push({ ...ref, text });
        uint(ref.v, vBytes);
        uint(ref.o, 8 - vBytes);
        return;
      }
      if (t <= 2045) return fixed(cell as string, t);
      const missingBase: Record<number, number> = { 65530: 101, 65529: 32741, 65528: 2147483621 };
      const k2 = cell === MISSING ? 0 : typeof cell === 'object' ? cell.tag : -1;
      const b = Buffer.alloc(8);
      if (t === 65530 || t === 65529 || t === 65528) {
        const v = k2 >= 0 ? missingBase[t] + k2 : (cell as number);
        const size = t === 65530 ? 1 : t === 65529 ? 2 : 4;
        uint(v < 0 ? v + 2 ** (8 * size) : v, size);
      } else if (t === 65527) {
        if (k2 >= 0) uint(0x7f000000 + k2 * 0x800, 4);
        else (little ? b.writeFloatLE(cell as number) : b.writeFloatBE(cell as number), parts.push(...b.subarray(0, 4)));
      } else {
        if (k2 >= 0) uint((0x7fe00000 + k2 * 0x100) * 2 ** 32, 8);
        else (little ? b.writeDoubleLE(cell as number) : b.writeDoubleBE(cell as number), parts.push(...b));
      }
    });
  });
  ascii('</data>');
  map[10] = parts.length;
  ascii('<strls>');
  for (const s of strls) {
    ascii('GSO');
    uint(s.v, 4);
    uint(s.o, release === 117 ? 4 : 8);
    uint(130, 1);
    const text = Buffer.from(s.text + '\0', 'utf8');
    uint(text.length, 4);
    parts.push(...text);
  }
  ascii('</strls>');
  map[11] = parts.length;
  ascii('<value_labels><lbl>');
  const txt = Buffer.from('five\0refused\0', 'latin1');
  uint(8 + 16 + txt.length, 4);
  fixed('lab1', nameLength);
  parts.push(0, 0, 0);
  uint(2, 4);
  uint(txt.length, 4);
  uint(0, 4);
  uint(5, 4);
  uint(5, 4);
  uint(2147483622, 4); // .a
  parts.push(...txt);
  ascii('</lbl></value_labels>');
  map[12] = parts.length;
  ascii('</stata_dta>');
  map[13] = parts.length;
  const out = Uint8Array.from(parts);
  const dv = new DataView(out.buffer);
  map.forEach((v, i) => (little ? dv.setUint32(mapAt + 8 * i, v, true) : dv.setUint32(mapAt + 8 * i + 4, v, false)));
  return out;
}
