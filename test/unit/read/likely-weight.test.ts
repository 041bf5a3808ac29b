// Weight-like columns when the items are inferred (no codebook, no "items"): a survey weight holding
// whole numbers must not pass for an item, and a weight name with a typo must say what it meant.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readSurveyText } from '../../../src/core/read/index';
import { isWeightLikeName } from '../../../src/core/read/header-plan';
import { evaluate } from '../../../src/core/evaluate/evaluate';
import { DEFAULTS, type EvaluationConfig } from '../../../src/core/evaluate/config';
import { DEFAULT_THRESHOLDS } from '../../../src/core/report/model';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

test('weight names of the usual surveys are recognised; item names are not', () => {
  for (const n of ['W_WEIGHT', 'weight', 'Weight', 'pspwght', 'dweight', 'anweight', 'wt', 'WT_FINAL', 'wt1', 'perwt', 'finalwt', 'hh_wt', 'w_trim', 'survey_weight']) {
    assert.ok(isWeightLikeName(n), n);
  }
  for (const n of ['Q1', 'Q260', 'B_COUNTRY_ALPHA', 'country', 'persona_country', 'twitter_use', 'Q82_WTO', 'newt', 'wait', 'respondent_id']) {
    assert.ok(!isWeightLikeName(n), n);
  }
});

test('a weight of whole numbers is not inferred as an item; an info at its header cell says how to use it', () => {
  // W_WEIGHT holds 1, 2, 3: without the rule it would be a three-point "item".
  const text = 'respondent_id,B_COUNTRY_ALPHA,W_WEIGHT,Q1,Q2\n1,DEU,1,1,2\n2,DEU,2,2,3\n3,USA,3,3,4\n4,USA,1,4,1\n';
  const r = readSurveyText(text, 'reference.csv');
  assert.deepEqual(r.codebook.map((c) => c.id), ['Q1', 'Q2']);
  const info = r.diagnostics.filter((d) => d.code === 'data.likely-weight');
  assert.equal(info.length, 1);
  assert.equal(info[0].severity, 'info');
  // Line 1, at "W_WEIGHT" (after "respondent_id,B_COUNTRY_ALPHA,").
  assert.deepEqual([info[0].line, info[0].column, info[0].endColumn], [1, 31, 39]);
  assert.match(info[0].message, /looks like a survey weight/);
  assert.match(info[0].message, /"weight": "W_WEIGHT"/);
  assert.match(info[0].message, /--weight W_WEIGHT/);
  assert.match(info[0].message, /"items" or in the codebook/);
  assert.equal(r.data!.weights, null, 'not applied unless named as the weight');
});

test('a real-valued weight is not an item either, and is read as the weight once named', () => {
  const text = 'pspwght,Q1,Q2\n0.5,1,2\n1.5,2,3\n1.25,3,1\n';
  const plain = readSurveyText(text, 'ess.csv');
  assert.deepEqual(plain.codebook.map((c) => c.id), ['Q1', 'Q2']);
  assert.equal(plain.diagnostics.filter((d) => d.code === 'data.likely-weight').length, 1);
  const weighted = readSurveyText(text, 'ess.csv', { weight: 'pspwght' });
  assert.deepEqual([...weighted.data!.weights!], [0.5, 1.5, 1.25]);
  assert.equal(weighted.diagnostics.filter((d) => d.code === 'data.likely-weight').length, 0, 'the named weight needs no note');
});

test('weight-like names are kept when the items are asked for by name or in a codebook', () => {
  const text = 'wt,Q1\n1,2\n2,3\n';
  const asked = readSurveyText(text, 'x.csv', { items: ['wt', 'Q1'] });
  assert.deepEqual(asked.codebook.map((c) => c.id), ['wt', 'Q1']);
  assert.equal(asked.diagnostics.filter((d) => d.code === 'data.likely-weight').length, 0);
  const coded = readSurveyText(text, 'x.csv', { codebook: [{ id: 'wt', type: 'ordinal', codes: [1, 2, 3] }] });
  assert.deepEqual(coded.codebook.map((c) => c.id), ['wt']);
});

test('a weight name with a typo says which column it probably meant', () => {
  const text = 'W_WEIGHT,Q1\n1.2,1\n0.8,2\n';
  const typo = readSurveyText(text, 'reference.csv', { weight: 'W_WIEGHT' });
  const d = typo.diagnostics.find((x) => x.code === 'data.unknown-weight')!;
  assert.equal(d.severity, 'error');
  assert.match(d.message, /"W_WIEGHT" is not in the file, so no weight was applied/);
  assert.match(d.message, /Did you mean "W_WEIGHT"\?/);
  const other = readSurveyText(text, 'reference.csv', { weight: 'survey_wt' });
  assert.match(other.diagnostics.find((x) => x.code === 'data.unknown-weight')!.message, /weight-like column is "W_WEIGHT"/);
});

test('an evaluation without a codebook: the run is not missing a weight "item"', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'likely-weight-'));
  try {
    const rows = ['respondent_id,W_WEIGHT,Q1,Q2'];
    for (let i = 0; i < 40; i++) rows.push(`${i},${1 + (i % 3)},${1 + (i % 4)},${1 + ((i * 3) % 4)}`);
    writeFileSync(path.join(dir, 'reference.csv'), rows.join('\n') + '\n');
    const run = ['persona_id,Q1,Q2'];
    for (let i = 0; i < 30; i++) run.push(`p${i},${1 + (i % 4)},${1 + ((i * 5) % 4)}`);
    writeFileSync(path.join(dir, 'run.csv'), run.join('\n') + '\n');
    const config: EvaluationConfig = {
      configPath: null,
      reference: { path: path.join(dir, 'reference.csv') },
      runs: [{ name: 'run', path: path.join(dir, 'run.csv'), producedBy: [] }],
      groups: {},
      association: ['pearson'],
      thresholds: { ...DEFAULT_THRESHOLDS },
      bootstrap: 0,
      permutations: 0,
      seed: DEFAULTS.seed,
      dontKnow: 'missing',
    };
    const report = await evaluate(config);
    assert.deepEqual(report.reference.items, ['Q1', 'Q2']);
    assert.deepEqual(report.diagnostics.filter((d) => d.code === 'data.unknown-item'), [], 'no "W_WEIGHT is not a column of this file"');
    assert.equal(report.diagnostics.filter((d) => d.code === 'data.likely-weight').length, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
