import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readSurvey, readSurveyText, type ReadResult } from '../../../src/core/read/index';
import type { ItemCodebook } from '../../../src/core/read/codebook';

const root = path.resolve(__dirname, '../../../..');
const fixture = (name: string) => path.join(root, 'test/fixtures/read', name);
const byCode = (r: ReadResult, code: string) => r.diagnostics.filter((d) => d.code === code);

/** group -> item -> values over item.codes, as plain arrays. */
function shares(r: ReadResult): Record<string, Record<string, number[]>> {
  assert.equal(r.kind, 'distribution');
  return Object.fromEntries([...r.distribution!.distributions].map(([g, m]) => [g, Object.fromEntries([...m].map(([i, a]) => [i, [...a]]))]));
}
function invalid(r: ReadResult): Record<string, Record<string, number>> {
  return Object.fromEntries([...r.distribution!.invalidMass!].map(([g, m]) => [g, Object.fromEntries(m)]));
}

const Q1: ItemCodebook = { id: 'Q1', type: 'ordinal', codes: [1, 2, 3, 4], labels: { '1': 'Agree strongly', '4': 'Disagree strongly' } };

test('distribution CSV of shares: detected, codes inferred from the options, values kept as given', async () => {
  const r = await readSurvey(fixture('dist-shares.csv'));
  assert.equal(r.layout, 'distribution');
  assert.equal(r.distributionValues, 'shares');
  assert.deepEqual(r.codebook.map((c) => [c.id, c.type, c.codes]), [
    ['Q1', 'ordinal', [1, 2, 4]],
    ['Q2', 'ordinal', [1, 2]],
  ]);
  assert.deepEqual(shares(r), { '': { Q1: [0.5, 0.3, 0.2], Q2: [0.25, 0.75] } });
  assert.deepEqual(invalid(r), { '': { Q1: 0, Q2: 0 } });
  assert.ok(r.inferred);
  // First occurrence of each item's cell.
  assert.deepEqual(r.itemLocations, { Q1: { line: 2, column: 1, endColumn: 3 }, Q2: { line: 5, column: 1, endColumn: 3 } });
  assert.equal(byCode(r, 'data.shares-not-one').length, 0); // 0.5 + 0.3 + 0.2 is 1 within 1e-6
  assert.equal(r.diagnostics.filter((d) => d.severity !== 'info').length, 0);
});

test('distribution TSV of counts by group: labels, codes and "code: label" against the codebook; unknown options are invalid mass', async () => {
  const r = await readSurvey(fixture('dist-groups-counts.tsv'), { codebook: [Q1, { id: 'Q2', type: 'ordinal', codes: [1, 2, 3] }] });
  assert.equal(r.format, 'tsv');
  assert.equal(r.distributionValues, 'counts');
  assert.deepEqual(shares(r), {
    DEU: { Q1: [10, 5, 0, 5], Q2: [4, 0, 6] },
    USA: { Q1: [3, 0, 0, 7] },
    '': { Q2: [0, 1, 1] }, // rows with an empty group are the whole population
  });
  assert.deepEqual(invalid(r), { DEU: { Q1: 0, Q2: 0 }, USA: { Q1: 2 }, '': { Q2: 0 } });
  const bad = byCode(r, 'data.invalid-option');
  assert.deepEqual(bad.map((d) => [d.line, d.column, d.endColumn, d.item]), [[7, 4, 11, 'Q1']]);
  assert.match(bad[0].message, /"Refused" of Q1/);
  assert.equal(r.codebook, r.distribution!.items);
  assert.ok(!r.inferred);
  assert.equal(byCode(r, 'data.shares-not-one').length, 0); // counts are not expected to sum to 1
});

test('items outside the codebook are ignored and said so; codebook items absent from the file are reported', async () => {
  const r = await readSurvey(fixture('dist-groups-counts.tsv'), { codebook: [Q1, { id: 'Q9', type: 'ordinal', codes: [1, 2] }] });
  assert.deepEqual(r.codebook.map((c) => c.id), ['Q1']);
  assert.match(byCode(r, 'data.items-ignored')[0].message, /Q2/);
  assert.deepEqual(byCode(r, 'data.unknown-item').map((d) => d.item), ['Q9']);
});

test('bad values: negative and non-numeric shares are located errors and skipped; repeated options keep the first; sums other than 1 are reported, not renormalised', async () => {
  const r = await readSurvey(fixture('dist-bad.csv'));
  const located = (code: string) => byCode(r, code).map((d) => [d.line, d.column, d.endColumn, d.severity]);
  assert.deepEqual(located('data.negative-share'), [[3, 6, 10, 'error']]);
  assert.deepEqual(located('data.invalid-share'), [[4, 6, 9, 'error']]);
  assert.deepEqual(located('data.duplicate-option'), [[6, 4, 5, 'warning']]);
  assert.deepEqual(located('data.missing-item'), [[10, 1, undefined, 'error']]);
  assert.deepEqual(shares(r), { '': { Q1: [0.4, 0.35], Q2: [0.5, 0.4], Q3: [0.2, 0.8] } });
  const sums = byCode(r, 'data.shares-not-one');
  assert.equal(sums.length, 1);
  assert.equal(sums[0].severity, 'info');
  // Q1 0.4 + 0.35 and Q2 0.5 + 0.4 are named with their sums; Q3 (0.2 + 0.8) is not.
  assert.match(sums[0].message, /Q1 0\.75; Q2 0\.9\b/);
  assert.doesNotMatch(sums[0].message, /Q3/);
  assert.match(byCode(r, 'data.rows-skipped')[0].message, /^4 rows/);
});

test('labels only: a nominal item with labels in alphabetical order, one distribution per group', async () => {
  const r = await readSurvey(fixture('dist-labels.csv'));
  assert.deepEqual(r.codebook[0].labels, { '1': 'Not at all happy', '2': 'Quite happy', '3': 'Very happy' });
  assert.equal(r.codebook[0].type, 'nominal');
  assert.deepEqual(shares(r), { Women: { Q1: [0.4, 0, 0.6] }, Men: { Q1: [0, 0.7, 0.3] } });
});

test('JSON lines with a persona column: a distribution by persona, not a long file; bad values without a column are still on their line', async () => {
  const r = await readSurvey(fixture('dist.jsonl'));
  assert.equal(r.layout, 'distribution');
  assert.deepEqual(r.codebook[0].labels, { '1': 'Agree', '2': 'Disagree' });
  assert.deepEqual(shares(r), { liberal: { Q1: [0.7, 0.3] }, conservative: { Q1: [0.2, 0] } });
  assert.deepEqual(byCode(r, 'data.negative-share').map((d) => [d.line, d.item]), [[4, 'Q1']]);
  assert.match(byCode(r, 'data.shares-not-one')[0].message, /Q1 \(conservative\) 0\.2/);
});

test('JSON array with integer options; an item is located at the line of its first record', async () => {
  const r = await readSurvey(fixture('dist.json'));
  assert.deepEqual(shares(r), { '': { Q1: [0.25, 0.75] } });
  assert.equal(r.itemLocations.Q1?.line, 2);
});

test('columns named in options force the layout; a forced layout without its columns says so and reads wide', () => {
  const text = 'v,q,opt,grp\n0.5,A,1,x\n0.5,A,2,x\n';
  const r = readSurveyText(text, 'x.csv', { distribution: { item: 'q', option: 'opt', value: 'v', group: 'grp' } });
  assert.deepEqual(shares(r), { x: { A: [0.5, 0.5] } });
  assert.deepEqual(r.itemLocations.A, { line: 2, column: 5, endColumn: 6 });
  const forced = readSurveyText('Q1,Q2\n1,2\n', 'y.csv', { layout: 'distribution' });
  assert.equal(forced.layout, 'wide');
  assert.equal(byCode(forced, 'data.distribution-columns').length, 1);
  const absent = readSurveyText(text, 'x.csv', { distribution: { item: 'q', option: 'nope', value: 'v' } });
  assert.match(byCode(absent, 'data.unknown-column')[0].message, /"nope"/);
});

test('options that are declared missing codes are left out of the mass and listed', () => {
  const r = readSurveyText('item,option,share\nQ1,1,0.6\nQ1,2,0.3\nQ1,-1,0.1\n', 'm.csv');
  assert.deepEqual(shares(r), { '': { Q1: [0.6, 0.3] } });
  assert.deepEqual(r.codebook[0].missing, [-1]);
  assert.match(byCode(r, 'data.missing-options')[0].message, /Q1 -1/);
  assert.deepEqual(invalid(r), { '': { Q1: 0 } });
  assert.equal(byCode(r, 'data.shares-not-one').length, 0); // the file's shares, missing option included, sum to 1
});

test('a long file (respondent, item, answer) is still read as long', async () => {
  const r = await readSurvey(fixture('long.csv'));
  assert.equal(r.layout, 'long');
});

test('chunked reading of a distribution file gives what the whole text gives', async () => {
  const name = 'dist-bad.csv';
  const whole = readSurveyText(fs.readFileSync(fixture(name), 'utf8'), fixture(name));
  for (const chunkBytes of [1, 5, 64]) {
    const chunked = await readSurvey(fixture(name), { chunkBytes });
    assert.deepEqual(chunked.diagnostics, whole.diagnostics, `@${chunkBytes}`);
    assert.deepEqual(shares(chunked), shares(whole), `@${chunkBytes}`);
  }
});
