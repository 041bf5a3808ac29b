import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { readSpss } from '../../../src/core/read/formats/spss';
import { bytesBuffer } from '../../../src/core/read/formats/parquet';
import { readerHelpers, CollectingSink, assertSameValues, countingBuffer, fixtureBytes, mulberry32, oracleOf, readstatSummary, sortedLabels } from './formats-helpers';

// Fixtures and oracles: test/fixtures/formats/generate.sh (R haven 2.5.1 writes the files and
// reads them back with user_na = TRUE; readstat 1.1.8 summarises them).
const FILES = ['survey.sav', 'survey-bytecode.sav', 'survey.zsav'] as const;

const { read, failureOf, assertChunksAgree } = readerHelpers(readSpss);

for (const name of FILES) {
  test(`${name}: every value and the dictionary are what R haven reads (read_sav, user_na = TRUE)`, async () => {
    const oracle = oracleOf(name);
    const { sink, meta } = await read(fixtureBytes(name), name);
    assert.deepEqual(sink.header, oracle.columns.map((c) => c.name));
    assert.equal(sink.rows.length, oracle.rows);
    assert.equal(sink.expected, oracle.rows);
    assert.equal(meta.cases, oracle.rows);
    for (const c of oracle.columns) {
      assertSameValues(sink.column(c.name), c.values, `${name} ${c.name}`);
      const v = meta.variables.find((x) => x.name === c.name)!;
      assert.equal(v.type, c.type, `${c.name} type`);
      assert.equal(v.label, c.label, `${c.name} label`);
      assert.equal(v.format, c.format, `${c.name} format`);
      assert.deepEqual(sortedLabels(v.valueLabels), sortedLabels(c.valueLabels), `${c.name} value labels`);
      // haven: na_values are the discrete user-missing values, na_range the range.
      assert.deepEqual(v.missing?.values.length ? v.missing.values : null, c.naValues, `${c.name} user-missing values`);
      assert.deepEqual(v.missing?.range ? [v.missing.range.low, v.missing.range.high] : null, c.naRange, `${c.name} user-missing range`);
    }
  });

  test(`${name}: file facts agree with the readstat command`, async () => {
    const s = readstatSummary(name);
    const { meta } = await read(fixtureBytes(name), name);
    assert.equal(String(meta.formatVersion), s['Format version']);
    assert.equal(String(meta.cases), s['Rows']);
    assert.equal(String(meta.variables.length), s['Columns']);
    assert.equal(meta.encoding, s['Text encoding'].toLowerCase());
    assert.equal(meta.byteOrder, s['Byte order'] === 'little-endian' ? 'little' : 'big');
    // readstat says "rows" for bytecode compression, "binary" for zlib, nothing when uncompressed.
    assert.equal(meta.compression, { rows: 'bytecode', binary: 'zlib' }[s['Compression'] as 'rows' | 'binary'] ?? 'none');
  });

  test(`${name}: read in 16- to 4099-byte chunks, the records are the same, also into a reused buffer`, () => assertChunksAgree(name));
}

test('uncompressed, bytecode and zlib files give identical records and dictionaries', async () => {
  const results = await Promise.all(FILES.map((f) => read(fixtureBytes(f), f)));
  for (const r of results.slice(1)) {
    assert.deepEqual(r.sink.rows, results[0].sink.rows);
    assert.deepEqual(r.meta.variables, results[0].meta.variables);
  }
  const v = results[0].meta.variables;
  assert.equal(v.find((x) => x.name === 'height_cm')!.label, 'Größe (cm)');
  assert.ok(v.find((x) => x.name === 'B_COUNTRY')!.valueLabels.some((l) => l.label === "Côte d'Ivoire" && l.value === 384));
  assert.ok(v.find((x) => x.name === 'Q3')!.label!.length > 120, 'the long label is whole');
  assert.equal(v.find((x) => x.name === 'note')!.width, 301);
  assert.equal(v.find((x) => x.name === 'Q1')!.measure, 'scale');
  assert.equal(results[0].meta.weightVariable, null);
  assert.ok(results[0].sink.column('note').some((s) => typeof s === 'string' && s.length === 300 && s.endsWith('xé')), 'a very long string across two segments');
});

test('only the kept columns are decoded; the others stay undefined', async () => {
  for (const name of FILES) {
    const all = (await read(fixtureBytes(name), name)).sink;
    const some = (await read(fixtureBytes(name), name, new CollectingSink((n) => n === 'Q2' || n === 'note'))).sink;
    assert.equal(some.rows.length, all.rows.length);
    const q2 = some.header!.indexOf('Q2');
    const note = some.header!.indexOf('note');
    for (let r = 0; r < some.rows.length; r++) {
      some.rows[r].forEach((v, i) => {
        if (i === q2 || i === note) assert.deepEqual(v, all.rows[r][i]);
        else assert.equal(v, undefined, `${name}: column ${some.header![i]} was decoded`);
      });
    }
  }
});

test('the file is read in bounded chunks, never whole', async () => {
  const bytes = fixtureBytes('survey.sav');
  const b = countingBuffer(bytes);
  await readSpss(b, 'survey.sav', new CollectingSink(), undefined, undefined, { chunkBytes: 4096 });
  assert.ok(b.largest <= 4096, `largest read ${b.largest}`);
  assert.ok(b.total <= bytes.length + 4096, `read ${b.total} bytes of ${bytes.length}`);
});

test('progress is reported and ends at 1', async () => {
  const seen: number[] = [];
  await readSpss(bytesBuffer(fixtureBytes('survey-bytecode.sav')), 'x.sav', new CollectingSink(), undefined, (f) => seen.push(f), { chunkBytes: 1024 });
  assert.ok(seen.length > 3);
  assert.equal(seen[seen.length - 1], 1);
  assert.ok(seen.every((f, i) => f >= 0 && f <= 1 && (i === 0 || f >= seen[i - 1])));
});

test('an aborted signal stops the read', async () => {
  const before = new AbortController();
  before.abort();
  await assert.rejects(readSpss(bytesBuffer(fixtureBytes('survey.sav')), 'x.sav', new CollectingSink(), before.signal), { name: 'AbortError' });
  for (const name of FILES) {
    const during = new AbortController();
    const sink = new CollectingSink();
    const feed = sink.feedRecord.bind(sink);
    sink.feedRecord = (values, line) => {
      feed(values, line);
      if (sink.rows.length === 10) during.abort();
    };
    await assert.rejects(readSpss(bytesBuffer(fixtureBytes(name)), name, sink, during.signal, undefined, { chunkBytes: 2048 }), { name: 'AbortError' });
    assert.ok(sink.rows.length < 200, `${name}: stopped after ${sink.rows.length} cases`);
  }
});

test('damage is reported with its byte offset, case and variable', async () => {
  const sav = fixtureBytes('survey.sav');
  const notSav = await failureOf(new TextEncoder().encode('id,Q1\n1,2\n'.repeat(30)), 'x.sav');
  assert.match(notSav!.message, /not an SPSS system file.*byte offset 0/);
  assert.equal(notSav!.diagnostic.code, 'spss.invalid');
  assert.equal(notSav!.diagnostic.line, 1);
  assert.equal(notSav!.diagnostic.column, 1);

  assert.match((await failureOf(sav.slice(0, 100), 'x.sav'))!.message, /shorter than the 176-byte file header/);
  assert.match((await failureOf(sav.slice(0, 1000), 'x.sav'))!.message, /truncated: it ends inside the .* at byte offset \d+/);

  // Cut in the middle of the data: the case and the variable where it stops.
  const cut = await failureOf(sav.slice(0, sav.length - 1000), 'x.sav');
  assert.match(cut!.message, /declares 200 cases of 416 bytes from byte offset \d+, but the file ends at byte offset \d+, in case 198 \(variable \w+\)/);

  // With no case count in the header (-1), the cut is found where the data stops.
  const unknown = sav.slice(0, sav.length - 1000);
  new DataView(unknown.buffer).setInt32(80, -1, true);
  // ... nor in the extended case count (record 7 subtype 16: two int64, the second the count).
  const ext = findRecord(unknown, 7, 16);
  new DataView(unknown.buffer).setInt32(ext + 16 + 8, -1, true);
  new DataView(unknown.buffer).setInt32(ext + 16 + 12, -1, true);
  assert.match((await failureOf(unknown, 'x.sav', 4096))!.message, /truncated: case 198 ends at byte offset \d+ in variable \w+\./);

  const bytecode = fixtureBytes('survey-bytecode.sav');
  const cutCompressed = await failureOf(bytecode.slice(0, bytecode.length - 500), 'x.sav', 1024);
  assert.match(cutCompressed!.message, /truncated: case \d+ is cut off at byte offset \d+/);

  // An absurd label count (2^31 - 1) is refused before anything is allocated for it.
  const labelsAt = findRecord(sav, 3);
  const absurd = sav.slice();
  new DataView(absurd.buffer).setInt32(labelsAt + 4, 0x7fffffff, true);
  assert.match((await failureOf(absurd, 'x.sav'))!.message, new RegExp(`value label record at byte offset ${labelsAt} claims 2147483647 labels`));

  // A header declaring more cases than the data can hold.
  const many = sav.slice();
  new DataView(many.buffer).setInt32(80, 1e9, true);
  assert.match((await failureOf(many, 'x.sav'))!.message, /declares 1000000000 cases/);
});

test('a damaged compression code names the case and the variable', async () => {
  const bytes = fixtureBytes('survey-bytecode.sav');
  const { meta } = await read(bytes, 'x.sav');
  // The first command block of the data: its second code is B_COUNTRY_ALPHA's (a string).
  const dataAt = dataStartOf(bytes);
  assert.equal(meta.variables[1].name, 'B_COUNTRY_ALPHA');
  const bad = bytes.slice();
  bad[dataAt + 1] = 7; // a number code for a string
  const e = await failureOf(bad, 'x.sav');
  assert.match(e!.message, /compression code 7 .*not valid for string variable B_COUNTRY_ALPHA \(case 1\)/);
  bad[dataAt + 1] = 252; // end of data in the middle of a case
  assert.match((await failureOf(bad, 'x.sav'))!.message, /end-of-data code 252 comes in the middle of case 1, at variable B_COUNTRY_ALPHA/);
});

test('a damaged zlib block is reported with its offset', async () => {
  const bytes = fixtureBytes('survey.zsav');
  const bad = bytes.slice();
  const dataAt = dataStartOf(bytes);
  for (let i = 0; i < 16; i++) bad[dataAt + 24 + 10 + i] ^= 0x5a;
  assert.match((await failureOf(bad, 'x.zsav'))!.message, /zlib block 1 of 1 \(byte offset \d+\)|zlib block 1 .*inflates to/);
  assert.match((await failureOf(bytes.slice(0, bytes.length - 10), 'x.zsav'))!.message, /zlib data header .* trailer/);
});

for (const name of FILES) {
  test(`${name}: a few hundred random mutations end in a result or a located spss.invalid, never a crash or a hang`, async () => {
    const original = fixtureBytes(name);
    const dictionaryEnd = dataStartOf(original);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 8 }), fc.constantFrom('flip', 'dictionary', 'truncate', 'int'), async (seed, count, kind) => {
        const rand = mulberry32(seed);
        let bytes = original.slice();
        if (kind === 'truncate') bytes = bytes.slice(0, Math.floor(rand() * bytes.length));
        else if (kind === 'int') {
          // A 32-bit field of the dictionary set to an extreme: counts, lengths, widths.
          const at = Math.floor(rand() * (dictionaryEnd / 4)) * 4;
          new DataView(bytes.buffer).setInt32(at, [0x7fffffff, -1, -0x80000000, 0x10000][Math.floor(rand() * 4)], true);
        } else {
          const span = kind === 'dictionary' ? dictionaryEnd : bytes.length;
          for (let i = 0; i < count; i++) bytes[Math.floor(rand() * span)] = Math.floor(rand() * 256);
        }
        const e = await failureOf(bytes, name, 1 << (8 + Math.floor(rand() * 8)));
        if (e) {
          assert.equal(e.diagnostic.code, 'spss.invalid');
          assert.equal(e.diagnostic.line, 1);
          assert.match(e.message, /byte offset|byte \d+ of zlib block|SPSS file has no variables/);
        }
      }),
      { numRuns: 300, seed: 20240607 },
    );
  });
}

/** The byte offset of the first dictionary record of `type` (walks the records as PSPP describes). */
function findRecord(bytes: Uint8Array, wanted: number, subtype?: number): number {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let p = 176;
  for (;;) {
    const type = dv.getInt32(p, true);
    if (type === wanted && (subtype === undefined || dv.getInt32(p + 4, true) === subtype)) return p;
    if (type === 2) {
      const hasLabel = dv.getInt32(p + 8, true);
      const missing = Math.abs(dv.getInt32(p + 12, true));
      p += 32;
      if (hasLabel) p += 4 + ((dv.getInt32(p, true) + 3) & ~3);
      p += 8 * missing;
    } else if (type === 3) {
      const n = dv.getInt32(p + 4, true);
      p += 8;
      for (let i = 0; i < n; i++) p += 8 + (((bytes[p + 8] + 8) & ~7));
    } else if (type === 4) p += 8 + 4 * dv.getInt32(p + 4, true);
    else if (type === 6) p += 8 + 80 * dv.getInt32(p + 4, true);
    else if (type === 7) p += 16 + dv.getInt32(p + 8, true) * dv.getInt32(p + 12, true);
    else if (type === 999) return p;
    else throw new Error(`record type ${type} at ${p}`);
  }
}

/** The offset just after the dictionary termination record (999). */
function dataStartOf(bytes: Uint8Array): number {
  return findRecord(bytes, 999) + 8;
}
