import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { readSurvey, type ReadResult } from '../../../src/core/read/index';
import { InputError } from '../../../src/core/report/diagnostics';
import type { ItemCodebook } from '../../../src/core/read/codebook';

// Fixtures written by test/fixtures/read/generate-parquet.mjs (hyparquet-writer) from the same
// data as their CSV twins.
const root = path.resolve(__dirname, '../../../..');
const fixture = (name: string) => path.join(root, 'test/fixtures/read', name);
const byCode = (r: ReadResult, code: string) => r.diagnostics.filter((d) => d.code === code);
/** Diagnostics without their places: Parquet has no lines, so only what was found is compared. */
const found = (r: ReadResult) => r.diagnostics.map((d) => [d.severity, d.code, d.item]);

test('wide Parquet (three row groups, INT32/INT64/DOUBLE/STRING, a null) reads exactly as its CSV twin', async () => {
  const options = { weight: 'weight', attributes: ['country'] };
  const p = await readSurvey(fixture('wide.parquet'), options);
  const c = await readSurvey(fixture('wide.csv'), options);
  assert.equal(p.format, 'parquet');
  assert.equal(p.layout, 'wide');
  assert.deepEqual(p.codebook, c.codebook);
  assert.deepEqual(p.data!.columns, c.data!.columns);
  assert.deepEqual(p.data!.weights, c.data!.weights);
  assert.deepEqual(p.data!.attributes, c.data!.attributes);
  assert.deepEqual(p.diagnostics.map((d) => d.message), c.diagnostics.map((d) => d.message));
});

test('an item subset of a Parquet file reads the same values as of its CSV twin', async () => {
  const p = await readSurvey(fixture('wide.parquet'), { items: ['Q3'], weight: null });
  assert.deepEqual(p.codebook.map((c) => c.id), ['Q3']);
  const c = await readSurvey(fixture('wide.csv'), { items: ['Q3'], weight: null });
  assert.deepEqual(p.data!.columns, c.data!.columns);
});

test('long Parquet is pivoted as the long CSV is', async () => {
  const codebook: ItemCodebook[] = [
    { id: 'Q1', type: 'ordinal', codes: [1, 2, 3, 4], labels: { '1': 'Agree strongly', '4': 'Disagree strongly' } },
    { id: 'Q2', type: 'ordinal', codes: [1, 2, 3, 4] },
  ];
  const p = await readSurvey(fixture('long.parquet'), { attributes: ['country'], codebook });
  const c = await readSurvey(fixture('long.csv'), { attributes: ['country'], codebook });
  assert.equal(p.layout, 'long');
  assert.deepEqual(p.data!.respondentIds, c.data!.respondentIds);
  assert.deepEqual(p.data!.columns, c.data!.columns);
  assert.deepEqual(p.data!.attributes, c.data!.attributes);
  assert.deepEqual(found(p), found(c));
  assert.equal(byCode(p, 'data.invalid-answer')[0].line, undefined); // no lines in Parquet
});

test('distribution Parquet (counts, groups, a null group) reads as its TSV twin', async () => {
  const codebook: ItemCodebook[] = [
    { id: 'Q1', type: 'ordinal', codes: [1, 2, 3, 4], labels: { '1': 'Agree strongly', '4': 'Disagree strongly' } },
    { id: 'Q2', type: 'ordinal', codes: [1, 2, 3] },
  ];
  const p = await readSurvey(fixture('dist.parquet'), { codebook });
  const c = await readSurvey(fixture('dist-groups-counts.tsv'), { codebook });
  assert.equal(p.layout, 'distribution');
  assert.equal(p.distributionValues, 'counts');
  assert.deepEqual(p.distribution!.distributions, c.distribution!.distributions);
  assert.deepEqual(p.distribution!.invalidMass, c.distribution!.invalidMass);
  assert.deepEqual(found(p), found(c));
});

for (const [name, pattern] of [
  ['truncated.parquet', /does not end with "PAR1" \(byte offset 887\)/],
  ['bad-footer.parquet', /footer \(metadata\) cannot be read \(byte offset \d+\)/],
  ['bad-data.parquet', /Rows 1-2 .* cannot be decoded \(column Q1: data pages from byte offset 37\)/],
  ['wide.csv', /not a Parquet file.*byte offset 0/],
] as const) {
  test(`a damaged Parquet file (${name}) is a located InputError, not a crash`, async () => {
    await assert.rejects(
      readSurvey(fixture(name), { format: 'parquet' }),
      (e: unknown) => {
        assert.ok(e instanceof InputError);
        assert.equal(e.diagnostic.code, 'parquet.invalid');
        assert.equal(e.diagnostic.file, fixture(name));
        assert.equal(e.diagnostic.line, 1);
        assert.equal(e.diagnostic.column, 1);
        assert.match(e.diagnostic.message, pattern);
        return true;
      },
    );
  });
}
