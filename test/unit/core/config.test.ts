import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { parseConfig } from '../../../src/core/evaluate/config';

const file = path.resolve('/work/project/representativeness.json');

test('a full config resolves paths from its folder and keeps every setting', () => {
  const r = parseConfig(
    JSON.stringify({
      reference: { path: 'data/wvs.csv', preset: 'wvs7', weight: 'W_WEIGHT', codebook: 'cb.json' },
      runs: [{ name: 'persona', path: 'runs/p.jsonl', producedBy: ['run.py'] }, 'runs/base.csv'],
      items: ['Q1', 'Q2'],
      groups: { Germany: 'B_COUNTRY_ALPHA in [DEU]' },
      association: ['pearson', 'polychoric'],
      thresholds: { tvd: 0.3 },
      bootstrap: 50,
      polychoricBootstrap: 20,
      seed: 9,
    }),
    file,
  );
  assert.deepEqual(r.diagnostics, []);
  const c = r.config!;
  assert.equal(c.reference.path, '/work/project/data/wvs.csv');
  assert.equal(c.reference.codebook, '/work/project/cb.json');
  assert.equal(c.reference.preset, 'wvs7');
  assert.equal(c.runs[0].producedBy[0], '/work/project/run.py');
  assert.equal(c.runs[1].name, 'base');
  assert.deepEqual(c.association, ['pearson', 'polychoric']);
  assert.equal(c.thresholds.tvd, 0.3);
  assert.equal(c.thresholds.w1Normalized, 0.1);
  assert.equal(c.bootstrap, 50);
  assert.equal(c.polychoricBootstrap, 20);
  assert.equal(c.permutations, 999);
  assert.equal(c.seed, 9);
});

test('syntax errors are located at the offending character (1-based line and column)', () => {
  const text = '{\n  "reference": "a.csv",\n  "runs": [ "b.csv" ,, ]\n}';
  const r = parseConfig(text, file);
  assert.equal(r.config, null);
  const d = r.diagnostics[0];
  assert.equal(d.code, 'config.syntax');
  assert.equal(d.line, 3);
  // The second comma is the 22nd character of line 3.
  assert.equal(d.column, text.split('\n')[2].indexOf(',,') + 2);
});

test('wrong values are reported at the value, unknown keys as warnings at the key', () => {
  const text = '{\n "reference": {"path": "a.csv"},\n "runs": ["b.csv"],\n "association": ["pearson", "kendall"],\n "colour": 1\n}';
  const r = parseConfig(text, file);
  assert.equal(r.config, null);
  const bad = r.diagnostics.find((d) => d.code === 'config.value')!;
  assert.equal(bad.line, 4);
  assert.equal(bad.column, text.split('\n')[3].indexOf('"kendall"') + 1);
  const unknown = r.diagnostics.find((d) => d.code === 'config.unknown-key')!;
  assert.equal(unknown.severity, 'warning');
  assert.equal(unknown.line, 5);
  assert.equal(unknown.column, 2);
});

test('missing reference and duplicate run names are errors', () => {
  const r = parseConfig('{"runs": [{"name": "a", "path": "x.csv"}, {"name": "a", "path": "y.csv"}]}', file);
  assert.equal(r.config, null);
  assert.ok(r.diagnostics.some((d) => d.code === 'config.missing-key'));
  assert.ok(r.diagnostics.some((d) => d.code === 'config.duplicate-run'));
});

test('run and item entries are located for CodeLenses and diagnostics', () => {
  const text = '{\n  "reference": "r.csv",\n  "runs": [\n    {"name": "p", "path": "p.csv"}\n  ],\n  "items": ["Q1", "Q46"]\n}';
  const r = parseConfig(text, file);
  assert.deepEqual(r.runLocations.p, { line: 4, column: 5 });
  assert.deepEqual(r.itemLocations.Q46, { line: 6, column: 19, endColumn: 24 });
});

test('polychoricBootstrap: 50 by default, a whole number >= 0, located where wrong', () => {
  assert.equal(parseConfig('{"reference": "r.csv", "runs": ["b.csv"]}', file).config!.polychoricBootstrap, 50);
  assert.equal(parseConfig('{"reference": "r.csv", "runs": ["b.csv"], "polychoricBootstrap": 0}', file).config!.polychoricBootstrap, 0);
  const text = '{\n "reference": "r.csv",\n "runs": ["b.csv"],\n "polychoricBootstrap": -3\n}';
  const bad = parseConfig(text, file).diagnostics.find((d) => d.code === 'config.value')!;
  assert.match(bad.message, /polychoricBootstrap/);
  assert.equal(bad.line, 4);
  assert.equal(bad.column, text.split('\n')[3].indexOf('-3') + 1);
});

test('groupLevelNominal: a list of item ids, located where it is not', () => {
  assert.equal(parseConfig('{"reference": "r.csv", "runs": ["b.csv"]}', file).config!.groupLevelNominal, undefined);
  assert.deepEqual(parseConfig('{"reference": "r.csv", "runs": ["b.csv"], "groupLevelNominal": ["Q57", "Q111"]}', file).config!.groupLevelNominal, ['Q57', 'Q111']);
  const text = '{\n "reference": "r.csv",\n "runs": ["b.csv"],\n "groupLevelNominal": "Q57"\n}';
  const bad = parseConfig(text, file).diagnostics.find((d) => d.code === 'config.type')!;
  assert.match(bad.message, /"groupLevelNominal" must be a list of item ids/);
  assert.equal(bad.line, 4);
  assert.equal(bad.column, text.split('\n')[3].indexOf('"Q57"') + 1);
  const item = '{\n "reference": "r.csv",\n "runs": ["b.csv"],\n "groupLevelNominal": ["Q57", 3]\n}';
  const wrong = parseConfig(item, file).diagnostics.find((d) => d.code === 'config.type')!;
  assert.equal(wrong.line, 4);
  assert.equal(wrong.column, item.split('\n')[3].indexOf('3]') + 1);
});
