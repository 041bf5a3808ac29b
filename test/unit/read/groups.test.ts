import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseFilter, selectGroups } from '../../../src/core/read/groups';
import { readSurveyText } from '../../../src/core/read/index';

const root = path.resolve(__dirname, '../../../..');

const text = [
  'B_COUNTRY_ALPHA,Q240,Q260,Q1',
  'DEU,1,2,1',
  'USA,3,1,2',
  'DEU,9,2,3',
  'FRA,,1,1',
  'USA,10,2,4',
].join('\n');

test('subgroups: lists, ranges, equality, "and"; overlapping; missing values never match a range', () => {
  const r = readSurveyText(text, 'x.csv', { attributes: ['B_COUNTRY_ALPHA', 'Q240', 'Q260'], items: ['Q1'] });
  const { rows, diagnostics } = selectGroups(r.data!, {
    'Germany or US': 'B_COUNTRY_ALPHA in [DEU, USA]',
    left: 'Q240 in 1..3',
    women: 'Q260 = 2',
    'left women': 'Q240 in 1..3 and Q260 = 2',
    'not German': 'B_COUNTRY_ALPHA != DEU',
    'agree on Q1': 'Q1 in 1..2',
  });
  assert.deepEqual(diagnostics, []);
  assert.deepEqual([...rows.get('Germany or US')!], [0, 1, 2, 4]);
  assert.deepEqual([...rows.get('left')!], [0, 1]);
  assert.deepEqual([...rows.get('women')!], [0, 2, 4]);
  assert.deepEqual([...rows.get('left women')!], [0]);
  assert.deepEqual([...rows.get('not German')!], [1, 3, 4]);
  assert.deepEqual([...rows.get('agree on Q1')!], [0, 1, 3]);
});

test('subgroups: unknown column and bad syntax reported, the group left out', () => {
  const r = readSurveyText(text, 'x.csv', { attributes: ['B_COUNTRY_ALPHA'], items: ['Q1'] });
  const { rows, diagnostics } = selectGroups(r.data!, { a: 'Q999 = 1', b: 'B_COUNTRY_ALPHA is DEU', c: 'B_COUNTRY_ALPHA in [XXX]' });
  assert.deepEqual(diagnostics.map((d) => d.code), ['group.unknown-column', 'group.syntax', 'group.empty']);
  assert.deepEqual([...rows.keys()], ['c']);
  const e = parseFilter('Q1 = 2 and Q2 ~ 3');
  assert.ok('message' in e && e.column === 12);
});

test('the codebook schema is valid JSON, requires id/type/codes and caps codes at 255', () => {
  const schema = JSON.parse(fs.readFileSync(path.join(root, 'schemas/codebook.schema.json'), 'utf8'));
  assert.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#');
  assert.deepEqual(schema.definitions.item.required, ['id', 'type', 'codes']);
  assert.equal(schema.definitions.item.properties.codes.maxItems, 255);
  // Every ItemCodebook field is described (the schema and the type must not drift apart).
  assert.deepEqual(Object.keys(schema.definitions.item.properties).sort(), ['codes', 'id', 'label', 'labels', 'missing', 'negativeMissing', 'recode', 'reverse', 'topic', 'type']);
});
