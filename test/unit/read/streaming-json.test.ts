import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import fc from 'fast-check';
import { readSurvey, readSurveyText, type ReadOptions, type ReadResult } from '../../../src/core/read/index';
import { InputError } from '../../../src/core/report/diagnostics';
import { byCode, errorOf, fixture, tempWriter } from './stream-helpers';
import type { ItemCodebook } from '../../../src/core/read/codebook';

// JSON lines and JSON arrays are read chunk by chunk (src/core/read/formats/json-stream.ts): whatever the
// chunk size, the result must be the one of reading the whole text at once (readSurveyText gives
// the reader the whole text as one chunk), and the lines and columns of the diagnostics must be
// those of an independent whole-text reference (split at line feeds, JSON.parse per line).

const write = tempWriter('replens-stream-');

const CHUNKS = [1, 2, 3, 5, 7, 13, 64, 1 << 20];

/** Reads the file at every chunk size and checks each result equals the whole-text reading. */
async function sameAtEveryChunkSize(file: string, options: ReadOptions = {}): Promise<ReadResult> {
  const whole = readSurveyText(fs.readFileSync(file, 'utf8'), file, options);
  for (const chunkBytes of CHUNKS) {
    const r = await readSurvey(file, { ...options, chunkBytes });
    assert.deepEqual(r, whole, `chunk size ${chunkBytes}`);
  }
  return whole;
}

test('every JSON lines and JSON fixture reads the same at every chunk size as the whole text', async () => {
  const codebook: ItemCodebook[] = [
    { id: 'Q1', type: 'ordinal', codes: [1, 2, 3] },
    { id: 'Q2', type: 'ordinal', codes: [1, 2, 3, 4], missing: [-1] },
  ];
  for (const name of ['runs.jsonl', 'dist.jsonl', 'runs.json', 'dist.json']) {
    await sameAtEveryChunkSize(fixture(name));
    await sameAtEveryChunkSize(fixture(name), { attributes: ['persona'], items: ['Q1', 'Q2'] });
    if (name.startsWith('runs')) await sameAtEveryChunkSize(fixture(name), { codebook });
  }
  // The located broken line of runs.jsonl survives tiny chunks.
  const r = await readSurvey(fixture('runs.jsonl'), { attributes: ['persona'], items: ['Q1', 'Q2'], chunkBytes: 3 });
  assert.deepEqual(byCode(r, 'json.invalid-line').map((d) => [d.line, d.column]), [[3, 19]]);
  assert.deepEqual([...r.data!.lines!], [1, 2, 5]);
});

/** Values a model run's answers take: codes, labels with multi-byte characters, null, junk. */
const value = fc.oneof(
  fc.integer({ min: -5, max: 12 }),
  fc.constantFrom('Agree', '4: Stimme zu ✓', 'Ελλάδα', 'emoji 😀 answer', '', null, 2.5, '3', ' 1 '),
);
/** One line of a JSON lines file: a record, a broken record, a non-record, or blank. */
const jsonLine = fc.oneof(
  { weight: 6, arbitrary: fc.record({ id: fc.integer({ min: 0, max: 999 }), Q1: value, Q2: value, persona: fc.constantFrom('DEU', 'USA', 'Ελλάδα') }).map((r) => JSON.stringify(r)) },
  { weight: 1, arbitrary: fc.record({ Q1: value, Q9: value, 'ünï': value }).map((r) => JSON.stringify(r)) },
  { weight: 1, arbitrary: fc.tuple(fc.record({ Q1: value, note: value }), fc.integer({ min: 1, max: 8 })).map(([r, cut]) => '  ' + JSON.stringify(r).slice(0, -cut)) },
  { weight: 1, arbitrary: fc.constantFrom('', '   ', '[1, 2]', ' "😀" ', '{"Q1": 1,, "Q2": 2}', '\t{"Q1": 2}  ', 'null') },
);
const jsonLinesFile = fc.record({
  lines: fc.array(jsonLine, { minLength: 1, maxLength: 25 }),
  eol: fc.constantFrom('\n', '\r\n'),
  bom: fc.boolean(),
  finalEol: fc.boolean(),
  chunkBytes: fc.integer({ min: 1, max: 40 }),
});

/** The whole-text reference: which lines hold records, and where each broken line breaks. */
function referenceLines(text: string): { records: number[]; broken: [number, number][]; notRecords: number[] } {
  const records: number[] = [];
  const broken: [number, number][] = [];
  const notRecords: number[] = [];
  text.replace(/^\ufeff/, '').split('\n').forEach((raw, i) => {
    const s = raw.trim();
    if (s === '') return;
    try {
      const v: unknown = JSON.parse(s);
      if (v && typeof v === 'object' && !Array.isArray(v)) records.push(i + 1);
      else notRecords.push(i + 1);
    } catch (e) {
      const at = /position (\d+)/.exec((e as Error).message);
      broken.push([i + 1, at ? raw.length - raw.trimStart().length + Number(at[1]) + 1 : -1]);
    }
  });
  return { records, broken, notRecords };
}

test('property: random JSON lines (multi-byte text, CRLF, BOM, broken lines, late keys) read the same in chunks of 1-40 bytes as whole', async () => {
  await fc.assert(
    fc.asyncProperty(jsonLinesFile, async ({ lines, eol, bom, finalEol, chunkBytes }) => {
      const text = (bom ? '\ufeff' : '') + lines.join(eol) + (finalEol ? eol : '');
      const file = write('random.jsonl', text);
      let whole: ReadResult | InputError;
      try {
        whole = readSurveyText(text, file, { attributes: ['persona'] });
      } catch (e) {
        whole = e as InputError;
      }
      let streamed: ReadResult | InputError;
      try {
        streamed = await readSurvey(file, { attributes: ['persona'], chunkBytes });
      } catch (e) {
        streamed = e as InputError;
      }
      if (whole instanceof InputError) {
        assert.ok(streamed instanceof InputError);
        assert.deepEqual(streamed.diagnostic, whole.diagnostic);
        return;
      }
      assert.deepEqual(streamed, whole);
      const ref = referenceLines(text);
      const r = streamed as ReadResult;
      assert.deepEqual([...r.data!.lines!], ref.records);
      const broken = byCode(r, 'json.invalid-line').map((d) => [d.line, d.column]);
      assert.deepEqual(broken.map((b) => b[0]), ref.broken.map((b) => b[0]));
      for (let i = 0; i < broken.length; i++) if (ref.broken[i][1] > 0) assert.equal(broken[i][1], ref.broken[i][1]);
      assert.deepEqual(byCode(r, 'json.not-a-record').map((d) => d.line), ref.notRecords);
    }),
    { seed: 20261202, numRuns: 150 },
  );
});

test('a key that first appears late becomes a column (the file is read a second time), at any chunk size', async () => {
  const lines = ['{"id": 1, "Q1": 1}', '{"id": 2, "Q1": 2}', '{"id": 3, "Q1": 3, "Q2": "é"}', '{"id": 4, "Q1": 1, "Q2": 2}'];
  const file = write('late.jsonl', lines.join('\n'));
  const r = await sameAtEveryChunkSize(file, { items: ['Q1', 'Q2'] });
  assert.deepEqual(r.codebook.map((c) => c.id), ['Q1', 'Q2']);
  assert.equal(r.data!.n, 4);
  // Q2 is empty (missing) for the two records without it.
  const q2 = r.data!.columns.find((c) => c.item.id === 'Q2')!;
  assert.equal(q2.missing, 2);
});

test('a long-layout JSON lines file streams and pivots as its CSV twin does', async () => {
  const csv = fs.readFileSync(fixture('long.csv'), 'utf8').trim().split('\n');
  const header = csv[0].split(',');
  const jsonl = csv
    .slice(1)
    .map((row) => JSON.stringify(Object.fromEntries(row.split(',').map((v, i) => [header[i], v]))))
    .join('\r\n');
  const file = write('long.jsonl', jsonl);
  const codebook: ItemCodebook[] = [
    { id: 'Q1', type: 'ordinal', codes: [1, 2, 3, 4], labels: { '1': 'Agree strongly', '4': 'Disagree strongly' } },
    { id: 'Q2', type: 'ordinal', codes: [1, 2, 3, 4] },
  ];
  const r = await sameAtEveryChunkSize(file, { attributes: ['country'], codebook });
  const c = await readSurvey(fixture('long.csv'), { attributes: ['country'], codebook });
  assert.equal(r.layout, 'long');
  assert.deepEqual(r.data!.respondentIds, c.data!.respondentIds);
  assert.deepEqual(r.data!.columns, c.data!.columns);
  assert.deepEqual(r.data!.attributes, c.data!.attributes);
  // The same rows hold the same answers, so the located diagnostics point at the same lines.
  assert.deepEqual(
    r.diagnostics.map((d) => [d.code, d.line]),
    c.diagnostics.map((d) => [d.code, d.line === undefined ? undefined : d.line - 1]),
  );
});

test('JSON arrays: pretty-printed, multi-byte, BOM: the same at every chunk size as whole', async () => {
  const records = [
    { id: 1, Q1: 1, Q2: 'Stimme zu ✓', persona: 'Ελλάδα' },
    { id: 2, Q1: 2, Q2: '😀', persona: 'DEU', nested: { a: [1, { b: ']' }], s: 'a "quoted" } ' } },
    { id: 3, Q1: null, Q2: 'Agree', persona: 'USA' },
  ];
  for (const text of [JSON.stringify(records), '\ufeff' + JSON.stringify(records, null, 2).replace(/\n/g, '\r\n'), `[${JSON.stringify(records[0])} , 7, "x",\n${JSON.stringify(records[1])}]  \n`]) {
    const r = await sameAtEveryChunkSize(write('array.json', text), { attributes: ['persona'], items: ['Q1', 'Q2'] });
    assert.equal(r.format, 'json');
  }
  const text = `[${JSON.stringify(records[0])} , 7, "x",\n  ${JSON.stringify(records[1])}]`;
  const r = await readSurvey(write('array.json', text), { chunkBytes: 4 });
  assert.deepEqual(
    byCode(r, 'json.not-a-record').map((d) => [d.line, d.column, d.message]),
    [
      [1, text.indexOf(' 7') + 2, 'Element 1 of the array is not an object; it was skipped.'],
      [1, text.indexOf('"x"') + 1, 'Element 2 of the array is not an object; it was skipped.'],
    ],
  );
});

test('JSON arrays that do not parse: an InputError where the problem starts, at any chunk size', async () => {
  const cases: [string, string, number, number][] = [
    // text, code, line, column (1-based, UTF-16)
    ['[{"Q1": 1},\n {"Q1": }]', 'json.invalid', 2, 9],
    ['[{"Q1": "é😀"},\n {"Q1": 2}\n {"Q1": 3}]', 'json.invalid', 3, 2],
    ['[{"Q1": 1},\n {"Q1": 2},\n]', 'json.invalid', 2, 11], // the trailing comma
    ['[{"Q1": 1}] x', 'json.invalid', 1, 13],
    ['[{"Q1": 1},\n {"Q1": \n  "ab\\u00"}]', 'json.invalid', 3, 10],
    ['[{"Q1": 1},\n {"Q1": 2, "Q2": [1, 2', 'json.invalid', 2, 2],
    ['  \n {"Q1": 1}', 'json.not-records', 2, 2],
    ['\ufeff 7', 'json.invalid', 1, 2],
  ];
  for (const [text, code, line, column] of cases) {
    const file = write('bad.json', text);
    for (const chunkBytes of [1, 3, 1 << 20]) {
      const e = await errorOf(readSurvey(file, { chunkBytes }));
      assert.deepEqual([e.diagnostic.code, e.diagnostic.line, e.diagnostic.column], [code, line, column], `${JSON.stringify(text)} in chunks of ${chunkBytes}`);
    }
    assert.throws(() => readSurveyText(text, file), (e: unknown) => e instanceof InputError && e.diagnostic.line === line && e.diagnostic.column === column);
  }
  // Where JSON.parse of the whole text says where the error is, the streamed reading agrees.
  const text = '[{"Q1": 1},\n {"Q1": 2 "Q2": 3}]';
  const whole = (() => {
    try {
      JSON.parse(text);
    } catch (e) {
      const at = Number(/position (\d+)/.exec((e as Error).message)![1]);
      const before = text.slice(0, at).split('\n');
      return [before.length, before[before.length - 1].length + 1];
    }
    return [];
  })();
  const e = await errorOf(readSurvey(write('bad.json', text), { chunkBytes: 2 }));
  assert.deepEqual([e.diagnostic.line, e.diagnostic.column], whole);
});

test('blank JSON files are empty; files of non-records are refused where the first non-record is', async () => {
  for (const [text, name] of [['  \n\n', 'x.jsonl'], ['\ufeff \n', 'x.json'], ['[]', 'x.json']] as const) {
    const e = await errorOf(readSurvey(write(name, text), { chunkBytes: 2 }));
    assert.equal(e.diagnostic.code, 'file.empty', text);
  }
  for (const [text, name, line] of [['[1, 2]', 'x.json', 1], ['\n7\n[1]\n', 'x.jsonl', 2]] as const) {
    const e = await errorOf(readSurvey(write(name, text), { chunkBytes: 2 }));
    assert.equal(e.diagnostic.code, 'json.no-records', text);
    assert.equal(e.diagnostic.line, line, text);
    assert.match(e.diagnostic.message, /not (a JSON object|an object)/);
  }
});

test('a value that matches no option is located at the value itself, in JSON lines and in pretty-printed arrays', async () => {
  const codebook: ItemCodebook[] = [{ id: 'Q1', type: 'ordinal', codes: [1, 2, 3] }, { id: 'Q2', type: 'ordinal', codes: [1, 2, 3] }];
  const jsonl = '{"id": 1, "Q1": 1, "Q2": 2}\n  {"note": "a, \\"b\\" }", "id": 2, "Q1": "x", "Q2": 7}\n';
  for (const chunkBytes of [3, 1 << 20]) {
    const r = await readSurvey(write('v.jsonl', jsonl), { codebook, chunkBytes });
    const at = (item: string) => byCode(r, 'data.invalid-answer').filter((d) => d.message.includes(item)).map((d) => [d.line, d.column]);
    assert.deepEqual(at('Q1'), [[2, 41]], `chunks of ${chunkBytes}`);
    assert.deepEqual(at('Q2'), [[2, 52]], `chunks of ${chunkBytes}`);
  }
  const array = '[\n  {\n    "id": 1,\n    "Q1": 9,\n    "Q2": {"nested": [1, "]"]}\n  }\n]\n';
  const r = await readSurvey(write('v.json', array), { codebook, chunkBytes: 5 });
  const d = byCode(r, 'data.invalid-answer').find((x) => x.message.includes('Q1'))!;
  assert.deepEqual([d.line, d.column], [4, 11]);
});
