/**
 * Whole evaluations (src/core/evaluate/evaluate.ts) with corpus files as runs or as the reference, against
 * the corpus's small valid reference: a report or an InputError and nothing else, the expected
 * diagnostic where the problem is, the sound part still evaluated, no NaN in the report, and the
 * input files unchanged.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { evaluate } from '../../../src/core/evaluate/evaluate';
import type { EvaluationConfig } from '../../../src/core/evaluate/config';
import type { EvaluationReport } from '../../../src/core/report/model';
import { CORPUS, assertLocated, assertReadable, corpusConfig, find, guarded, manifest, type Expectation } from './corpus-helpers';

const M = manifest();
const abs = (name: string, dir = CORPUS) => resolve(dir, name);

function inputsOf(config: EvaluationConfig): string[] {
  return [config.reference.path, ...(config.reference.codebook ? [config.reference.codebook] : []), ...config.runs.map((r) => r.path)];
}

/** Evaluates; only a report or an InputError may come out, and no input may change. */
async function run(config: EvaluationConfig) {
  config.configPath = null;
  const out = await guarded(inputsOf(config), () => evaluate(config, { now: () => new Date(0) }));
  if (out.value) assertSound(out.value);
  return out;
}

/** A report has no NaN or Infinity (null instead), and readable, in-range diagnostics. */
function assertSound(report: EvaluationReport): void {
  const bad: string[] = [];
  JSON.stringify(report, (key, v) => {
    if (typeof v === 'number' && !Number.isFinite(v)) bad.push(`${key}=${v}`);
    return v;
  });
  assert.deepEqual(bad, [], 'numbers in the report that are not finite');
  for (const d of report.diagnostics) {
    assertReadable(d);
    if (d.line !== undefined) assert.ok(d.line >= 1 && (d.column === undefined || d.column >= 1), `${d.code} ${d.line}:${d.column}`);
  }
}

test('the valid run against the valid reference: a report without errors', async () => {
  const { value } = await run(corpusConfig(['run.csv']));
  assert.equal(value!.runs[0].respondents, M['run.csv'].rows);
  assert.equal(value!.reference.respondents, M['reference.csv'].rows);
  assert.deepEqual(value!.diagnostics.filter((d) => d.severity === 'error'), []);
  assert.notEqual(value!.runs[0].marginal.summary.representativeness.value, null);
});

/** Damaged runs whose sound part is still evaluated. */
const EVALUATED_RUNS = [
  'truncated-mid-row.csv',
  'truncated-mid-quote.csv',
  'truncated.jsonl',
  'broken-middle.jsonl',
  'unclosed-quote.csv',
  'ragged-10000-fields.csv',
  'mixed-eol.csv',
  'duplicate-headers.csv',
  'concatenated.csv',
  'long-run.csv',
  'dist-shares-off.csv',
  'utf16le-bom.csv',
  'utf16be-bom.csv',
  'utf16le.csv',
  'utf16be.csv',
];

for (const name of EVALUATED_RUNS) {
  const exp = M[name];
  test(`run ${name}: evaluated from its sound rows, ${exp.code} at ${exp.line}:${exp.column}`, async () => {
    const { value, error } = await run(corpusConfig([name]));
    assert.equal(error, undefined, error?.message);
    const path = abs(name);
    assertLocated(find(value!.diagnostics, exp.code!, { item: exp.item }), path, exp);
    const r = value!.runs[0];
    if (exp.class === 'distribution') assert.equal(r.level, 'distribution');
    else assert.equal(r.respondents, exp.rows ?? exp.respondents, 'respondents evaluated');
    assert.deepEqual(r.items, ['Q1', 'Q2', 'Q3', 'Q4']);
    assert.notEqual(r.marginal.summary.representativeness.value ?? r.marginal.summary.meanTvd.value, null);
  });
}

test('runs with odd numbers, a mid-file BOM and damaged Parquet values are evaluated', async () => {
  const { value } = await run(corpusConfig(['numbers.csv', 'bom-middle.csv', 'corrupt-page-values.parquet']));
  assert.deepEqual(value!.runs.map((r) => r.respondents), [40, 40, 40]);
  const numbers = value!.runs[0].marginal.items.find((i) => i.item === 'Q1')!;
  assert.ok(numbers.invalidCount >= 6, `invalid answers of Q1: ${numbers.invalidCount}`);
});

/** Runs nothing can be evaluated from: an InputError naming the file, never another exception. */
const REFUSED_RUNS = [
  'binary-junk.csv',
  'binary-junk.json',
  'binary-junk.jsonl',
  'binary-junk.parquet',
  'empty.csv',
  'empty.json',
  'empty.jsonl',
  'empty.parquet',
  'blank-lines.csv',
  'trailing-comma.json',
  'corrupt-page-header.parquet',
  'columns-10000.csv',
];

for (const name of REFUSED_RUNS) {
  test(`run ${name}: refused with an InputError on that file`, async () => {
    const { value, error } = await run(corpusConfig([name]));
    assert.equal(value, undefined);
    assert.equal(error!.diagnostic.file, abs(name));
    assertReadable(error!.diagnostic);
  });
}

test('one unreadable run does not stop the others from being evaluated', async () => {
  const { value, error } = await run(corpusConfig(['run.csv', 'empty.csv']));
  assert.equal(error, undefined, error?.message);
  assert.equal(value!.runs.length, 1);
  find(value!.diagnostics, 'file.empty');
});

test('a run with a header and no rows: a report that says so', async () => {
  const { value } = await run(corpusConfig(['header-only.csv']));
  assertLocated(find(value!.diagnostics, 'data.no-rows'), abs('header-only.csv'), { line: 1 });
  assert.equal(value!.runs[0].respondents, 0);
  assert.equal(value!.runs[0].marginal.summary.representativeness.value, null);
});

test('a run with a 1 MB field: evaluated, the invalid answer located, messages short', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'replens-big-'));
  try {
    execFileSync(process.execPath, [join(CORPUS, 'generate.mjs'), '--big', dir]);
    const exp = manifest(dir)['field-1mb.csv'];
    const { value } = await run(corpusConfig([abs('field-1mb.csv', dir)]));
    assertLocated(find(value!.diagnostics, exp.code!, { item: exp.item }), abs('field-1mb.csv', dir), exp);
    assert.equal(value!.runs[0].respondents, exp.rows);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** References with bad weights: the rows with a usable weight are the reference. */
for (const name of ['weights-negative.csv', 'weights-text.csv']) {
  const exp = M[name] as Expectation & { cells: { value: string; line: number; column: number }[] };
  test(`reference ${name}: ${exp.code} at each bad weight, the other ${exp.rows} respondents weighted`, async () => {
    const { value } = await run(corpusConfig(['run.csv'], { path: name }));
    assert.equal(value!.reference.respondents, exp.rows);
    assert.equal(value!.reference.weighted, true);
    for (const c of exp.cells) assertLocated(find(value!.diagnostics, exp.code!, { line: c.line }), abs(name), { line: c.line, column: c.column });
  });
}

test('reference with weights that are all zero: an error says so, no silent empty scores', async () => {
  const { value } = await run(corpusConfig(['run.csv'], { path: 'weights-zero.csv' }));
  find(value!.diagnostics, 'data.zero-weights');
});

test('reference with weights that are all zero: a report without NaN', async () => {
  const { value } = await run(corpusConfig(['run.csv'], { path: 'weights-zero.csv' }));
  assert.equal(value!.runs[0].marginal.summary.representativeness.value, null);
});

test('reference with a header and no rows: an InputError, not a crash', async () => {
  const { error } = await run(corpusConfig(['run.csv'], { path: 'header-only.csv', weight: null }));
  assert.equal(error?.diagnostic.code, 'reference.no-respondents');
  assertLocated(error!.diagnostic, abs('header-only.csv'), { line: 1, column: 1 });
});

test('a codebook that contradicts the data: answers outside it are invalid (located in the reference), its extra item is reported', async () => {
  const exp = M['codebook-contradicts.meta'] as Expectation & { absent: string };
  const { value } = await run(corpusConfig(['run.csv'], { codebook: 'codebook-contradicts.json' }));
  assertLocated(find(value!.diagnostics, 'data.invalid-answer', { item: 'Q1', line: exp.line }), abs('reference.csv'), exp);
  assertLocated(find(value!.diagnostics, 'data.unknown-item', { item: exp.absent }), abs('reference.csv'), { item: exp.absent });
  const q1 = value!.runs[0].marginal.items.find((i) => i.item === 'Q1')!;
  assert.deepEqual(q1.codes, [1, 2, 3]);
  assert.equal(value!.reference.items.includes(exp.absent), false);
});

test('a codebook with a syntax error: reported, and the evaluation goes on with an inferred codebook', async () => {
  const { value } = await run(corpusConfig(['run.csv'], { codebook: 'codebook-syntax.json' }));
  assert.equal(find(value!.diagnostics, 'codebook.syntax').file, abs('codebook-syntax.json'));
  find(value!.diagnostics, 'codebook.inferred');
  assert.equal(value!.runs[0].respondents, 40);
});

test('a codebook with a syntax error: located at the error', async () => {
  const { value } = await run(corpusConfig(['run.csv'], { codebook: 'codebook-syntax.json' }));
  const d = find(value!.diagnostics, 'codebook.syntax');
  assert.notEqual(d.line, 1);
});

/** Codebooks of the right JSON shape with wrong contents: each must be a located diagnostic. */
const BAD_CODEBOOKS: [string, string][] = [
  ['codes not a list', '{"items":[{"id":"Q1","type":"ordinal","codes":"abc"}]}'],
  ['no codes', '{"items":[{"id":"Q1","type":"ordinal","codes":[]}]}'],
  ['items that are not objects', '{"items":[null, 3]}'],
  ['missing not a list', '{"items":[{"id":"Q1","type":"ordinal","codes":[1,2,3,4],"missing":7}]}'],
];
for (const [what, text] of BAD_CODEBOOKS) {
  test(`a codebook with ${what}: a diagnostic, not a crash`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'replens-cb-'));
    try {
      writeFileSync(join(dir, 'codebook.json'), text);
      const { value } = await run(corpusConfig(['run.csv'], { codebook: join(dir, 'codebook.json') }));
      assert.ok(value!.diagnostics.some((d) => d.code.startsWith('codebook.')));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
