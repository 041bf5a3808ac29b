// What an SPSS dictionary says beyond labels, and damaged files, through the streaming path the
// extension and the CLI use: readSurvey over a file handle (`readInto`: one reused chunk buffer,
// cells written straight into the columns) and readSpss / readStata with `readInto` and small
// chunks. Fixtures: survey-pspp.sav / .zsav, written by GNU PSPP (generate-pspp.sh) with a declared
// weight (WEIGHT BY W_WEIGHT) and measurement levels (B_COUNTRY nominal, Q1-Q5 ordinal), and
// haven's survey.sav / survey-118.dta (generate.R).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { spawnSync } from 'node:child_process';
import { deflateSync } from 'node:zlib';
import { readSurvey } from '../../../src/core/read/index';
import { readSpss, BlockInflater } from '../../../src/core/read/formats/spss';
import { readStata } from '../../../src/core/read/formats/stata';
import { InputError } from '../../../src/core/report/diagnostics';
import { CollectingSink, fixtureBytes, formatsFixture, readIntoBuffer } from './formats-helpers';

const ROOT = path.resolve(__dirname, '../../../..');
const PSPP = ['survey-pspp.sav', 'survey-pspp.zsav'];

test('the weight declared in an SPSS file (WEIGHT BY) is the weight; a weight in the options wins', async () => {
  const csv = await readSurvey(formatsFixture('survey.csv'), { weight: 'W_WEIGHT' });
  for (const f of PSPP) {
    const meta = await readSpss(readIntoBuffer(fixtureBytes(f)), f, new CollectingSink(), undefined, undefined, { chunkBytes: 4099 });
    assert.equal(meta.weightVariable, 'W_WEIGHT', f);
    const declared = await readSurvey(formatsFixture(f), {});
    assert.deepEqual(Array.from(declared.data!.weights!), Array.from(csv.data!.weights!), `${f}: the file's weight, as the CSV's W_WEIGHT`);
    // The weight column is not an item.
    assert.ok(!declared.codebook.some((c) => c.id === 'W_WEIGHT'), f);
    const byOption = await readSurvey(formatsFixture(f), { weight: 'id' });
    assert.deepEqual(Array.from(byOption.data!.weights!), Array.from({ length: 200 }, (_, i) => i + 1), `${f}: weight "id" from the options`);
    const none = await readSurvey(formatsFixture(f), { weight: null });
    assert.equal(none.data!.weights, null, `${f}: weight null: unweighted`);
    // A preset's weight wins over the file's too (wvs7: W_WEIGHT here as well, so only no error).
    const preset = await readSurvey(formatsFixture(f), { preset: 'wvs7' });
    assert.deepEqual(Array.from(preset.data!.weights!), Array.from(csv.data!.weights!), f);
  }
  // haven writes no weight: none is taken.
  const haven = await readSurvey(formatsFixture('survey.sav'), {});
  assert.equal(haven.data!.weights, null);
});

test('the measurement level from the .sav: nominal makes a nominal item, ordinal an ordinal one', async () => {
  for (const f of PSPP) {
    const meta = await readSpss(readIntoBuffer(fixtureBytes(f)), f, new CollectingSink(), undefined, undefined, { chunkBytes: 37 });
    const level = new Map(meta.variables.map((v) => [v.name, v.measure]));
    assert.equal(level.get('B_COUNTRY'), 'nominal', f);
    assert.equal(level.get('Q1'), 'ordinal', f);
    assert.equal(level.get('W_WEIGHT'), 'scale', f);
    const r = await readSurvey(formatsFixture(f), { items: ['B_COUNTRY', 'Q1', 'Q2'] });
    const type = new Map(r.codebook.map((c) => [c.id, c.type]));
    assert.equal(type.get('B_COUNTRY'), 'nominal', f);
    assert.equal(type.get('Q1'), 'ordinal', f);
    assert.equal(type.get('Q2'), 'ordinal', f);
    const country = r.codebook.find((c) => c.id === 'B_COUNTRY')!;
    assert.deepEqual(country.codes, [250, 276, 384, 392, 840]);
    assert.equal(country.labels!['384'], "Côte d'Ivoire");
    // -5..-1 declared user-missing by PSPP: missing, never valid.
    const q1 = r.codebook.find((c) => c.id === 'Q1')!;
    assert.deepEqual(q1.codes, [1, 2, 3, 4]);
    assert.ok(q1.missing!.includes(-1) && q1.missing!.includes(-2), JSON.stringify(q1));
  }
  // The same answers as the CSV: only the type differs for B_COUNTRY.
  const csv = await readSurvey(formatsFixture('survey.csv'), { items: ['B_COUNTRY', 'Q1', 'Q2'] });
  const sav = await readSurvey(formatsFixture('survey-pspp.sav'), { items: ['B_COUNTRY', 'Q1', 'Q2'], weight: null });
  assert.deepEqual(sav.data!.columns.map((c) => Array.from(c.values)), csv.data!.columns.map((c) => Array.from(c.values)));
  assert.equal(csv.codebook[0].type, 'ordinal');
});

/** A copy of `name` cut after `keep` bytes, in a fresh folder. */
function shortened(name: string, keep: number): { file: string; dir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'replens-cut-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, fixtureBytes(name).subarray(0, keep));
  return { file, dir };
}

test('a shortened .sav, .zsav or .dta is a located error naming the byte offset and the case, through readInto', async () => {
  const cases: { name: string; keep: (size: number) => number; code: string; says: RegExp }[] = [
    // Uncompressed: cut in the data, mid-case: the header's case count says so before the data.
    { name: 'survey-pspp.sav', keep: (n) => n - 5000, code: 'spss.invalid', says: /truncated.*byte offset \d+.*case \d+ \(variable \w+\)/ },
    { name: 'survey.sav', keep: (n) => Math.floor(n * 0.6), code: 'spss.invalid', says: /truncated.*case \d+/ },
    // In the dictionary.
    { name: 'survey-pspp.sav', keep: () => 700, code: 'spss.invalid', says: /truncated: it ends inside the .* at byte offset \d+/ },
    // zlib: the trailer is gone.
    { name: 'survey-pspp.zsav', keep: (n) => n - 30, code: 'spss.invalid', says: /truncated or damaged.*byte offset \d+/ },
    { name: 'survey.zsav', keep: (n) => n - 100, code: 'spss.invalid', says: /byte offset \d+/ },
    // Stata: mid-observation.
    { name: 'survey-118.dta', keep: (n) => Math.floor(n * 0.5), code: 'stata.invalid', says: /truncated.*byte offset \d+.*observation \d+/ },
    { name: 'survey-117.dta', keep: () => 300, code: 'stata.invalid', says: /truncated or damaged|truncated/ },
  ];
  for (const c of cases) {
    const size = fixtureBytes(c.name).length;
    const { file, dir } = shortened(c.name, c.keep(size));
    await assert.rejects(readSurvey(file, { weight: null }), (e) => {
      assert.ok(e instanceof InputError, `${c.name}: ${String(e)}`);
      assert.equal(e.diagnostic.code, c.code, `${c.name}: ${e.message}`);
      assert.equal(e.diagnostic.file, file);
      assert.equal(e.diagnostic.line, 1);
      assert.match(e.message, c.says, c.name);
      return true;
    });
    // The reader alone, with a reused buffer in small chunks: the same error.
    const bytes = new Uint8Array(fs.readFileSync(file));
    const read = c.code === 'spss.invalid' ? readSpss : readStata;
    await assert.rejects(read(readIntoBuffer(bytes), file, new CollectingSink(), undefined, undefined, { chunkBytes: 512 }), (e) => e instanceof InputError && e.diagnostic.code === c.code);
    fs.rmSync(dir, { recursive: true });
  }
});

test('the CLI reports a shortened .sav reference as a located input error (exit 2), not a crash', () => {
  const { file, dir } = shortened('survey-pspp.sav', 60000);
  const run = path.join(dir, 'run.csv');
  fs.writeFileSync(run, 'Q1,Q2\n1,2\n2,3\n');
  const r = spawnSync(process.execPath, [path.join(ROOT, 'out/cli.js'), 'evaluate', '--reference', file, '--run', run, '--quiet'], { encoding: 'utf8' });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /truncated/);
  assert.match(r.stderr, /byte offset \d+/);
  assert.doesNotMatch(r.stderr, /\bat .*\.js:\d+/, 'no stack trace');
  fs.rmSync(dir, { recursive: true });
});

test('BlockInflater: this runtime offers the reusable zlib stream; pieces inflate to the input, damage is -1', () => {
  const inflater = new BlockInflater();
  // If a Node upgrade removes the binding, .zsav reading falls back to inflateSync (correct, but
  // more memory): this says so.
  assert.equal(inflater.reusable, true);
  const data = Buffer.from(Array.from({ length: 50000 }, (_, i) => (i * 7919) % 251));
  const compressed = deflateSync(data);
  for (let round = 0; round < 2; round++) {
    inflater.begin();
    const out = new Uint8Array(4096);
    const got: number[] = [];
    let at = 0;
    for (;;) {
      const n = inflater.inflatePiece(compressed, at, out);
      assert.ok(n >= 0);
      got.push(...out.subarray(0, n));
      at = compressed.length - inflater.inputLeft;
      if (n < out.length) break;
    }
    assert.deepEqual(Buffer.from(got), data, `round ${round}: the stream reset between blocks`);
  }
  const damaged = Buffer.from(compressed);
  damaged[20] ^= 0xff;
  damaged[21] ^= 0xff;
  inflater.begin();
  let n = 0;
  for (let at = 0, i = 0; i < 100; i++) {
    n = inflater.inflatePiece(damaged, at, new Uint8Array(4096));
    if (n < 4096) break;
    at = damaged.length - inflater.inputLeft;
  }
  assert.equal(n, -1);
  assert.match(inflater.explain(damaged, data.length).message, /./);
  // After damage, a new stream serves the next block.
  inflater.begin();
  assert.equal(inflater.inflatePiece(compressed, 0, new Uint8Array(60000)), 50000);
});

test("the report names an SPSS file's own weight (settings.weight, notes)", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'replens-fileweight-'));
  const run = path.join(dir, 'run.csv');
  fs.writeFileSync(run, 'Q1,Q2\n1,2\n2,3\n3,1\n4,4\n');
  const r = spawnSync(process.execPath, [path.join(ROOT, 'out/cli.js'), 'evaluate', '--reference', formatsFixture('survey-pspp.sav'), '--run', run, '--bootstrap', '5', '--permutations', '5', '--quiet'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.reference.weighted, true);
  assert.equal(report.settings.weight, 'W_WEIGHT');
  assert.ok(report.notes.some((n: string) => /survey weight W_WEIGHT \(declared in the SPSS file\)/.test(n)), JSON.stringify(report.notes));
  fs.rmSync(dir, { recursive: true });
});
