import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readSurveyText, type ReadResult } from '../../../src/core/read/index';
import { MISSING } from '../../../src/core/read/dataset';
import { wvs7Topic } from '../../../src/core/read/presets/wvs7';

// WVS wave 7 columns as downloaded (a few of the ~600): ids, country, weight, items, demographics.
const header = 'version,B_COUNTRY_ALPHA,D_INTERVIEW,W_WEIGHT,Q1,Q56,Q82_EU,Q152,Q223,Q240,Q260,Q262';
const rows = [
  '"4-0-0",DEU,276001,0.91,1,2,1,1,276001,3,2,34',
  '"4-0-0",DEU,276002,1.20,-1,3,2,2,276002,-2,1,51',
  '"4-0-0",USA,840001,0.75,4,1,-4,3,840001,8,2,22',
  '"4-0-0",USA,840002,1.05,2,-1,3,4,840002,10,1,67',
  ...Array.from({ length: 12 }, (_, i) => `"4-0-0",NGA,566${String(i).padStart(3, '0')},1,3,1,4,1,${566100 + i},5,1,40`),
];
const text = [header, ...rows].join('\n');
const codesOf = (r: ReadResult, id: string) => {
  const c = r.data!.columns.find((x) => x.item.id === id)!;
  return [...c.values].slice(0, 4).map((v) => (v === MISSING ? null : c.item.codes[v]));
};

test('wvs7 preset: items by topic range, negative codes missing, Q56 recoded, weight and groups', () => {
  const r = readSurveyText(text, 'WVS_Cross-National_Wave_7_csv_v6_0.csv', { preset: 'wvs7' });
  // Q152 (post-materialism ranking) is outside the topic ranges; Q223 (party codes) has too many codes.
  assert.deepEqual(r.codebook.map((c) => c.id), ['Q1', 'Q56', 'Q82_EU', 'Q240']);
  assert.deepEqual(r.codebook.map((c) => c.topic), ['Social values', 'Happiness and well-being', 'Social capital and trust', 'Political culture and regimes']);
  assert.deepEqual(codesOf(r, 'Q1'), [1, null, 4, 2]);
  assert.deepEqual(r.codebook[0].missing, [-1]);
  // Q56: raw 1 better off, 2 worse off, 3 the same -> 2 and 3 swapped.
  assert.deepEqual(r.codebook[1].recode, { '2': 3, '3': 2 });
  assert.deepEqual(codesOf(r, 'Q56'), [3, 2, 1, null]);
  assert.deepEqual(codesOf(r, 'Q240'), [3, null, 8, 10]);
  assert.deepEqual([...r.data!.weights!].slice(0, 4), [0.91, 1.2, 0.75, 1.05]);
  assert.deepEqual(r.data!.attributes.get('B_COUNTRY_ALPHA')!.slice(0, 4), ['DEU', 'DEU', 'USA', 'USA']);
  assert.deepEqual(r.data!.attributes.get('Q262')!.slice(0, 2), ['34', '51']);
  assert.match(r.diagnostics.find((d) => d.code === 'data.columns-not-items')!.message, /Q223 \(16 distinct values/);
});

test('wvs7 preset: "don\'t know" as a category keeps -1 and makes the item nominal', () => {
  const r = readSurveyText(text, 'wvs.csv', { preset: 'wvs7', dontKnow: 'category' });
  const q1 = r.codebook.find((c) => c.id === 'Q1')!;
  assert.deepEqual(q1.codes, [-1, 1, 2, 3, 4]);
  assert.equal(q1.type, 'nominal');
  assert.deepEqual(codesOf(r, 'Q1'), [1, -1, 4, 2]);
  assert.deepEqual(r.codebook.find((c) => c.id === 'Q240')!.missing, [-2]);
});

test('wvs7 topics follow the questionnaire sections', () => {
  assert.equal(wvs7Topic('Q45'), 'Social values');
  assert.equal(wvs7Topic('Q46'), 'Happiness and well-being');
  assert.equal(wvs7Topic('Q155'), undefined);
  assert.equal(wvs7Topic('Q259'), 'Political culture and regimes');
  assert.equal(wvs7Topic('Q260'), undefined);
  assert.equal(wvs7Topic('W_WEIGHT'), undefined);
});
