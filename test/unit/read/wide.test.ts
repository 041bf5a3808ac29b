import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { readSurvey, readSurveyText, type ReadResult } from '../../../src/core/read/index';
import { MISSING } from '../../../src/core/read/dataset';
import { InputError } from '../../../src/core/report/diagnostics';

const root = path.resolve(__dirname, '../../../..');
const fixture = (name: string) => path.join(root, 'test/fixtures/read', name);

function column(r: ReadResult, id: string) {
  const c = r.data!.columns.find((x) => x.item.id === id);
  assert.ok(c, `item ${id} read`);
  return c;
}
const codes = (r: ReadResult, id: string) => {
  const c = column(r, id);
  return [...c.values].map((v) => (v === MISSING ? null : c.item.codes[v]));
};
const byCode = (r: ReadResult, code: string) => r.diagnostics.filter((d) => d.code === code);

test('wide CSV: inferred codebook, weights, group column, negative codes missing', async () => {
  const r = await readSurvey(fixture('wide.csv'), { weight: 'weight', attributes: ['country'] });
  assert.equal(r.data!.n, 5);
  assert.deepEqual(r.codebook.map((c) => c.id), ['Q1', 'Q2', 'Q3']); // `id` is a respondent id, not an item
  assert.deepEqual(column(r, 'Q2').item.codes, [3, 4, 5]);
  assert.deepEqual(column(r, 'Q2').item.missing, [-2, -1]);
  assert.deepEqual(codes(r, 'Q2'), [4, null, 5, null, 3]);
  assert.equal(column(r, 'Q2').missing, 2);
  assert.equal(column(r, 'Q3').missing, 1); // the empty cell
  assert.deepEqual([...r.data!.weights!], [1.5, 0.5, 2, 1, 0.25]);
  assert.deepEqual(r.data!.attributes.get('country'), ['DEU', 'USA', 'DEU', 'FRA', 'USA']);
  assert.deepEqual([...r.data!.lines!], [2, 3, 4, 5, 6]);
  assert.ok(r.inferred);
  assert.equal(byCode(r, 'codebook.inferred').length, 1);
  assert.match(byCode(r, 'codebook.inferred')[0].message, /Q2: ordinal 3,4,5 \(missing -2,-1\)/);
  assert.deepEqual(r.itemLocations.Q2, { line: 1, column: 7, endColumn: 9 });
});

test('a file read in 7-byte chunks gives exactly what the whole text gives', async () => {
  for (const name of ['wide.csv', 'quoted-newlines.csv', 'bom-crlf-semicolon.csv', 'ragged.csv', 'unclosed-quote.csv', 'labels.csv']) {
    const whole = readSurveyText(require('node:fs').readFileSync(fixture(name), 'utf8'), fixture(name), { items: undefined });
    for (const chunkBytes of [1, 2, 3, 7, 64]) {
      const chunked = await readSurvey(fixture(name), { chunkBytes });
      assert.deepEqual(chunked.diagnostics, whole.diagnostics, `${name} @${chunkBytes}`);
      assert.deepEqual(chunked.data!.columns, whole.data!.columns, `${name} @${chunkBytes}`);
    }
  }
});

test('BOM, CRLF, semicolons and quoted delimiters', async () => {
  const r = await readSurvey(fixture('bom-crlf-semicolon.csv'), { attributes: ['grp'] });
  assert.deepEqual(r.codebook.map((c) => c.id), ['Q1', 'Q2']); // BOM not part of the first name
  assert.deepEqual(codes(r, 'Q2'), [2, 1]); // "1" quoted is the code 1
  assert.deepEqual(r.data!.attributes.get('grp'), ['a;b', 'c']);
  assert.equal(r.diagnostics.filter((d) => d.severity !== 'info').length, 0);
});

test('TSV by extension', async () => {
  const r = await readSurvey(fixture('tabs.tsv'));
  assert.equal(r.format, 'tsv');
  assert.deepEqual(codes(r, 'Q1'), [1, 2]);
});

test('quoted newlines, commas and doubled quotes; lines counted through them', async () => {
  const r = await readSurvey(fixture('quoted-newlines.csv'), { attributes: ['note'] });
  assert.deepEqual(r.data!.attributes.get('note'), ['line one\nline two, with comma', 'say "hi"']);
  assert.deepEqual([...r.data!.lines!], [2, 4]);
});

test('ragged row: error at the row start with expected and found counts, row skipped', async () => {
  const r = await readSurvey(fixture('ragged.csv'));
  const d = byCode(r, 'csv.ragged-row');
  assert.equal(d.length, 1);
  assert.deepEqual([d[0].line, d[0].column, d[0].severity], [3, 1, 'error']);
  assert.match(d[0].message, /2 fields but the header has 3/);
  assert.equal(r.data!.n, 2);
  assert.equal(byCode(r, 'data.rows-skipped').length, 1);
});

test('unclosed quote: error where the quote opens', async () => {
  const r = await readSurvey(fixture('unclosed-quote.csv'));
  const d = byCode(r, 'csv.unclosed-quote');
  assert.equal(d.length, 1);
  assert.deepEqual([d[0].line, d[0].column], [3, 3]);
  assert.equal(r.data!.n, 1);
});

test('duplicate header: error at the second occurrence, first column read', async () => {
  const r = await readSurvey(fixture('duplicate-header.csv'));
  const d = byCode(r, 'csv.duplicate-column');
  assert.equal(d.length, 1);
  assert.deepEqual([d[0].line, d[0].column, d[0].endColumn], [1, 7, 9]);
  assert.deepEqual(codes(r, 'Q1'), [1]);
});

test('empty file: InputError; missing file: InputError', async () => {
  await assert.rejects(readSurvey(fixture('empty.csv')), (e: unknown) => e instanceof InputError && e.diagnostic.code === 'file.empty');
  await assert.rejects(readSurvey(fixture('does-not-exist.csv')), (e: unknown) => e instanceof InputError && e.diagnostic.code === 'file.unreadable');
  assert.throws(() => readSurveyText('\n\n', 'blank.csv'), InputError);
});

test('non-numeric and negative weights: located errors, rows skipped and counted', async () => {
  const r = await readSurvey(fixture('bad-weights.csv'), { weight: 'w' });
  assert.equal(r.data!.n, 2);
  assert.deepEqual([...r.data!.weights!], [1, 0.5]);
  const bad = byCode(r, 'data.invalid-weight');
  const neg = byCode(r, 'data.negative-weight');
  assert.deepEqual([bad.length, bad[0].line, bad[0].column], [1, 3, 3]);
  assert.deepEqual([neg.length, neg[0].line, neg[0].column], [1, 4, 3]);
  assert.match(byCode(r, 'data.rows-skipped')[0].message, /^2 rows were skipped/);
});

test('codebook applied: recode, reverse, missing codes, labels; unmatched answers invalid and located', () => {
  const text = 'Q1,Q2\n1,Agree strongly\n2,Refused\n3,4: Agree strongly\n4,  agree   STRONGLY \n1,9\n5,-1\n';
  const r = readSurveyText(text, 'labels.csv', {
    codebook: [
      { id: 'Q1', type: 'ordinal', codes: [1, 2, 3, 4], recode: { '4': 1, '1': 4 }, missing: [5] },
      { id: 'Q2', type: 'ordinal', codes: [1, 2, 3, 4], reverse: true, missing: [-1], labels: { '1': 'Agree strongly', '4': 'Disagree strongly' } },
    ],
  });
  // Q1: recode 1<->4 then valid; 5 is missing.
  assert.deepEqual(codes(r, 'Q1'), [4, 2, 3, 1, 4, null]);
  assert.equal(column(r, 'Q1').missing, 1);
  // Q2: labels match case/space-insensitively (label codes are after recoding); `4: ...` reads the code 4, reversed to 1.
  assert.deepEqual(codes(r, 'Q2'), [1, null, 1, 1, null, null]);
  assert.equal(column(r, 'Q2').invalid, 2);
  assert.equal(column(r, 'Q2').missing, 1);
  const inv = byCode(r, 'data.invalid-answer');
  assert.deepEqual(inv.map((d) => [d.line, d.column, d.item]), [[3, 3, 'Q2'], [6, 3, 'Q2']]);
  assert.equal(r.inferred, false);
});

test('unknown item and unknown weight column: errors, the rest still read', () => {
  const r = readSurveyText('Q1,Q2\n1,2\n', 'x.csv', { items: ['Q1', 'Q9'], weight: 'W' });
  assert.deepEqual(byCode(r, 'data.unknown-item').map((d) => d.item), ['Q9']);
  assert.equal(byCode(r, 'data.unknown-weight').length, 1);
  assert.equal(r.data!.weights, null);
  assert.deepEqual(codes(r, 'Q1'), [1]);
});

test('items with more than 255 codes are refused', () => {
  const r = readSurveyText('Q1\n1\n', 'x.csv', {
    codebook: [{ id: 'Q1', type: 'nominal', codes: Array.from({ length: 256 }, (_, i) => i) }],
  });
  assert.equal(byCode(r, 'codebook.too-many-codes').length, 1);
  assert.equal(r.data!.columns.length, 0);
});

test('columns with many distinct values or decimals are not inferred as items, and say why', () => {
  const rows = Array.from({ length: 40 }, (_, i) => `${i},${(i % 3) + 1},${i / 4}`);
  const r = readSurveyText(['age,Q1,score', ...rows].join('\n'), 'x.csv');
  assert.deepEqual(r.codebook.map((c) => c.id), ['Q1']);
  assert.match(byCode(r, 'data.columns-not-items')[0].message, /age \(40 distinct values.*score \(non-integer numbers\)/);
});

test('JSON lines: records by key, a broken line located and skipped, the others kept', async () => {
  const r = await readSurvey(fixture('runs.jsonl'), { attributes: ['persona'], items: ['Q1', 'Q2'] });
  assert.equal(r.format, 'jsonl');
  assert.equal(r.data!.n, 3);
  assert.deepEqual([...r.data!.lines!], [1, 2, 5]);
  const bad = byCode(r, 'json.invalid-line');
  assert.equal(bad.length, 1);
  // `{"id": 3, "Q1": 3,, ...`: the second comma is the 19th character.
  assert.deepEqual([bad[0].line, bad[0].column], [3, 19]);
  assert.deepEqual(codes(r, 'Q1'), [1, 2, null]);
  // Labels only, asked for by name: a nominal item with labels in alphabetical order.
  assert.equal(column(r, 'Q2').item.type, 'nominal');
  assert.deepEqual(column(r, 'Q2').item.labels, { '1': 'Agree', '2': 'Disagree', '3': 'I cannot answer' });
  assert.deepEqual(r.data!.attributes.get('persona'), ['DEU', 'USA', 'USA']);
});

test('JSON array of records; the codebook turns -1 into missing', async () => {
  const r = await readSurvey(fixture('runs.json'), {
    codebook: [
      { id: 'Q1', type: 'ordinal', codes: [1, 2, 3] },
      { id: 'Q2', type: 'ordinal', codes: [1, 2, 3, 4], missing: [-1] },
    ],
  });
  assert.equal(r.format, 'json');
  assert.deepEqual(codes(r, 'Q1'), [1, 2, 3]);
  assert.deepEqual(codes(r, 'Q2'), [4, 3, null]);
  assert.equal(column(r, 'Q2').missing, 1);
});

test('JSON that does not parse at all: InputError at the line and column', () => {
  assert.throws(
    () => readSurveyText('[{"Q1": 1},\n {"Q1": }]', 'x.json'),
    (e: unknown) => e instanceof InputError && e.diagnostic.line === 2 && e.diagnostic.column === 9,
  );
});

test('long layout: detected, pivoted, answers as codes, labels or "code: label"; duplicates reported', async () => {
  const r = await readSurvey(fixture('long.csv'), {
    attributes: ['country'],
    codebook: [
      { id: 'Q1', type: 'ordinal', codes: [1, 2, 3, 4], labels: { '1': 'Agree strongly', '4': 'Disagree strongly' } },
      { id: 'Q2', type: 'ordinal', codes: [1, 2, 3, 4] },
    ],
  });
  assert.equal(r.layout, 'long');
  assert.deepEqual(r.data!.respondentIds, ['p1', 'p2', 'p3']);
  assert.deepEqual(codes(r, 'Q1'), [1, 1, 4]);
  assert.deepEqual(codes(r, 'Q2'), [2, null, null]); // p2 refused (invalid), p3 not asked (missing)
  assert.equal(column(r, 'Q2').invalid, 1);
  assert.equal(column(r, 'Q2').missing, 1);
  const dup = byCode(r, 'data.duplicate-answer');
  assert.deepEqual(dup.map((d) => [d.line, d.item]), [[6, 'Q1']]);
  assert.deepEqual(r.data!.attributes.get('country'), ['DEU', 'USA', 'FRA']);
  assert.equal(byCode(r, 'data.invalid-answer')[0].line, 5);
});
