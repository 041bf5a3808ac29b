import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { formatOf, readSurvey, readSurveyText } from '../../../src/core/read/index';
import { InputError } from '../../../src/core/report/diagnostics';

// SPSS and Stata files read through readSurvey: fixtures of the same data as survey.csv, written by
// test/fixtures/formats/generate.R (haven), with haven's reading of each in *.oracle.json.
const root = path.resolve(__dirname, '../../../..');
const fixture = (name: string) => path.join(root, 'test/fixtures/formats', name);
const BINARY = ['survey.sav', 'survey.zsav', 'survey-117.dta', 'survey-118.dta', 'survey-119.dta'];

interface OracleColumn {
  name: string;
  label: string | null;
  valueLabels: { value: number | string; label: string }[] | null;
  naValues: number[] | null;
  naRange: [number, number] | null;
}
const oracle = (f: string): OracleColumn[] => JSON.parse(fs.readFileSync(fixture(`${f}.oracle.json`), 'utf8')).columns;

test('formatOf maps .sav/.zsav to spss and .dta to stata; readSurveyText refuses them', () => {
  assert.equal(formatOf('a/b.sav', {}), 'spss');
  assert.equal(formatOf('a/b.ZSAV', {}), 'spss');
  assert.equal(formatOf('a/b.dta', {}), 'stata');
  for (const f of ['x.sav', 'x.dta']) assert.throws(() => readSurveyText('abc', f), (e) => e instanceof InputError && e.diagnostic.code === 'format.unsupported');
});

test('each SPSS/Stata file reads the same items, answers and groups as the CSV', async () => {
  const options = { attributes: ['B_COUNTRY_ALPHA', 'country_name'], weight: 'W_WEIGHT' };
  const csv = await readSurvey(fixture('survey.csv'), options);
  for (const f of BINARY) {
    const r = await readSurvey(fixture(f), options);
    assert.equal(r.format, f.endsWith('.dta') ? 'stata' : 'spss', f);
    assert.deepEqual(r.codebook.map((c) => [c.id, c.type, c.codes]), csv.codebook.map((c) => [c.id, c.type, c.codes]), f);
    assert.deepEqual(r.data!.columns.map((c) => Array.from(c.values)), csv.data!.columns.map((c) => Array.from(c.values)), f);
    assert.deepEqual(Array.from(r.data!.weights!), Array.from(csv.data!.weights!), f);
    assert.deepEqual(r.data!.attributes, csv.data!.attributes, f);
  }
});

test("the codebook comes from the file: variable labels, value labels and missing values as haven reads them", async () => {
  for (const f of BINARY) {
    const r = await readSurvey(fixture(f), {});
    // haven reads format 117 text as Windows-1252 (mojibake for this UTF-8 file, which the reader
    // recognises and notes, stata.test.ts); its 118 reading of the same labels is the oracle then.
    const columns = new Map(oracle(f === 'survey-117.dta' ? 'survey-118.dta' : f).map((c) => [c.name, c]));
    for (const item of r.codebook) {
      const o = columns.get(item.id)!;
      assert.equal(item.label, o.label ?? undefined, `${f} ${item.id} label`);
      const numeric = (o.valueLabels ?? []).filter((l) => typeof l.value === 'number');
      assert.deepEqual(item.labels ?? {}, Object.fromEntries(numeric.map((l) => [String(l.value), l.label])), `${f} ${item.id} labels`);
      // Whatever haven calls missing (user-missing values and ranges) is missing here, never valid.
      for (const l of numeric) {
        const v = l.value as number;
        const userMissing = (o.naValues ?? []).includes(v) || (o.naRange !== null && v >= o.naRange[0] && v <= o.naRange[1]);
        if (userMissing) assert.ok(item.missing?.includes(v) && !item.codes.includes(v), `${f} ${item.id} ${v} missing`);
      }
    }
  }
});

test('Stata extended missing values .a-.d are missing answers, not invalid ones', async () => {
  const r = await readSurvey(fixture('survey-118.dta'), {});
  const q4 = r.codebook.find((c) => c.id === 'Q4')!;
  assert.deepEqual(q4.codes, [1, 2, 3, 4]);
  assert.equal(r.diagnostics.filter((d) => d.code.startsWith('data.invalid') || d.code === 'data.unknown-answer').length, 0, JSON.stringify(r.diagnostics));
  const csv = await readSurvey(fixture('survey.csv'), {});
  const i = r.codebook.findIndex((c) => c.id === 'Q4');
  const j = csv.codebook.findIndex((c) => c.id === 'Q4');
  assert.deepEqual(Array.from(r.data!.columns[i].values), Array.from(csv.data!.columns[j].values));
});

test("a run's answers written as labels resolve against the file's value labels", async () => {
  const ref = await readSurvey(fixture('survey.sav'), {});
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'replens-labels-'));
  const run = path.join(dir, 'run.csv');
  fs.writeFileSync(run, 'Q1\nVery important\nNot at all important\nDon\'t know\n');
  const r = await readSurvey(run, { codebook: ref.codebook, items: ['Q1'], weight: null });
  assert.deepEqual(Array.from(r.data!.columns[0].values), [0, 3, 255]);
  fs.rmSync(dir, { recursive: true });
});

test('a codebook given beside the file wins; its conflicts with the file are located warnings', async () => {
  const codebook = [{ id: 'Q1', type: 'ordinal' as const, codes: [-1, 1, 2, 3, 4], labels: { '1': 'Essential' } }];
  const r = await readSurvey(fixture('survey.sav'), { codebook });
  assert.deepEqual(r.codebook[0].codes, [-1, 1, 2, 3, 4]);
  const w = r.diagnostics.filter((d) => d.code === 'codebook.conflicts-file');
  assert.equal(w.length, 1);
  assert.equal(w[0].severity, 'warning');
  assert.equal(w[0].item, 'Q1');
  assert.match(w[0].message, /"Essential".*"Very important"/);
  assert.match(w[0].message, /-1 is a valid answer in the codebook but declared missing in the file/);
  assert.ok(w[0].line !== undefined);
});

test('a truncated .sav is a located spss.invalid error', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'replens-dmg-'));
  const cut = path.join(dir, 'cut.sav');
  const bytes = fs.readFileSync(fixture('survey.sav'));
  fs.writeFileSync(cut, bytes.subarray(0, bytes.length - 100));
  await assert.rejects(readSurvey(cut, {}), (e) => e instanceof InputError && e.diagnostic.code === 'spss.invalid' && e.diagnostic.line === 1);
  fs.rmSync(dir, { recursive: true });
});

test('readSurvey refuses a directory as a located InputError (what the extension shows as a diagnostic)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'replens-dir-'));
  const folder = path.join(dir, 'folder.sav');
  fs.mkdirSync(folder);
  await assert.rejects(readSurvey(folder, {}), (e) => e instanceof InputError && e.diagnostic.code === 'file.not-a-file' && e.diagnostic.file === folder && /is a directory/.test(e.message));
  fs.rmSync(dir, { recursive: true });
});

// The missing-codes rule (docs/configuration.md, "Missing answers"): a reference that writes its
// missing answers as Stata's .a-.z makes a run's negative codes missing, as the same data written
// with -1..-5 as codes does, when negative codes are missing (default, wvs7 preset).
test("a run's negative codes are missing against a .dta reference whose missing answers are .a-.e", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'replens-negmiss-'));
  const run = path.join(dir, 'run.csv');
  fs.writeFileSync(run, 'Q1,Q4\n1,-1\n2,-3\n3,2\n4,-7\n');
  for (const options of [{}, { preset: 'wvs7' as const, weight: null }]) {
    const dta = await readSurvey(fixture('survey-118.dta'), options);
    const q4 = dta.codebook.find((c) => c.id === 'Q4')!;
    assert.equal(q4.negativeMissing, true, JSON.stringify(options));
    // Q1 keeps -1..-5 as labelled codes in the .dta: the ordinary rule, no flag.
    assert.equal(dta.codebook.find((c) => c.id === 'Q1')!.negativeMissing, undefined);
    const r = await readSurvey(run, { codebook: dta.codebook, items: ['Q1', 'Q4'], weight: null });
    const col = r.data!.columns[r.codebook.findIndex((c) => c.id === 'Q4')];
    assert.equal(col.invalid, 0, JSON.stringify(r.diagnostics));
    assert.equal(col.missing, 3);
    assert.deepEqual(r.diagnostics.filter((d) => d.code === 'data.invalid-answer'), []);
  }
  // The same run against the CSV twin (Q4's -1..-5 are codes there): the same missing answers,
  // but -7 is not a code of the CSV's Q4, so it is invalid there; with the flag it is missing.
  const csv = await readSurvey(fixture('survey.csv'), {});
  assert.equal(csv.codebook.find((c) => c.id === 'Q4')!.negativeMissing, undefined);
  const r = await readSurvey(run, { codebook: csv.codebook, items: ['Q1', 'Q4'], weight: null });
  const col = r.data!.columns[r.codebook.findIndex((c) => c.id === 'Q4')];
  assert.equal(col.missing, 2);
  assert.equal(col.invalid, 1);
  fs.rmSync(dir, { recursive: true });
});

test('negativeMissing in a codebook: negative codes that are not valid are missing, valid ones stay valid', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'replens-negmiss-cb-'));
  const run = path.join(dir, 'run.csv');
  fs.writeFileSync(run, 'Q1\n-1\n-2\n1\n9\n');
  const codebook = [{ id: 'Q1', type: 'nominal' as const, codes: [-1, 1, 2], negativeMissing: true }];
  const r = await readSurvey(run, { codebook, weight: null });
  assert.deepEqual(Array.from(r.data!.columns[0].values), [0, 255, 1, 255]);
  assert.equal(r.data!.columns[0].missing, 1);
  assert.equal(r.data!.columns[0].invalid, 1);
  const { parseCodebook } = await import('../../../src/core/read/codebook');
  const parsed = parseCodebook(JSON.stringify({ items: [{ id: 'Q1', type: 'ordinal', codes: [1, 2], negativeMissing: true }, { id: 'Q2', type: 'ordinal', codes: [1, 2], negativeMissing: 'yes' }] }), 'cb.json');
  assert.equal(parsed.items![0].negativeMissing, true);
  assert.equal(parsed.items![1].negativeMissing, undefined);
  assert.equal(parsed.diagnostics.length, 1);
  fs.rmSync(dir, { recursive: true });
});
