// Which file the extension proposes as the human reference when there is no config
// (src/extension/referenceChoice.ts): never the run itself, its bytes, an empty file or another
// run; a file sharing the run's columns, with a survey weight, the largest; the weight and group
// columns the written config will carry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { proposeGroupBy, proposeWeight, rankReferences, sameBytes, sniffTable, type TableSniff } from '../../../src/extension/referenceChoice';

function workspace(): { dir: string; write(rel: string, text: string): string; done(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'reference-choice-'));
  return {
    dir,
    write(rel, text) {
      const file = path.join(dir, rel);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, text);
      return file;
    },
    done: () => rmSync(dir, { recursive: true, force: true }),
  };
}

function rows(header: string, n: number, row: (i: number) => string): string {
  return [header, ...Array.from({ length: n }, (_, i) => row(i))].join('\n') + '\n';
}

const SURVEY_HEADER = 'respondent_id,B_COUNTRY_ALPHA,W_WEIGHT,Q1,Q2,Q3';
const survey = (i: number) => `${i},${['DEU', 'USA', 'JPN'][i % 3]},${(0.5 + (i % 7) / 10).toFixed(2)},${1 + (i % 4)},${1 + (i % 3)},${1 + (i % 5)}`;
const RUN_HEADER = 'persona_id,persona_country,Q1,Q2,Q3';
const run = (i: number) => `p${i},${['DEU', 'USA', 'JPN'][i % 3]},${1 + (i % 2)},2,3`;

test('the human survey is proposed; sibling runs, the run\'s copy and an empty file are not', async () => {
  const ws = workspace();
  try {
    const persona = ws.write('runs/persona.csv', rows(RUN_HEADER, 60, run));
    const sibling = ws.write('runs/base.csv', rows(RUN_HEADER, 90, (i) => run(i + 1)));
    ws.write('runs/empty.csv', '');
    ws.write('runs/header-only.csv', RUN_HEADER + '\n');
    const copy = path.join(ws.dir, 'backup', 'persona-copy.csv');
    mkdirSync(path.dirname(copy));
    copyFileSync(persona, copy);
    const reference = ws.write('data/WVS_sample.csv', rows(SURVEY_HEADER, 300, survey));
    // A bigger table without the run's columns and without a weight: not the proposal.
    const unrelated = ws.write('data/prices.csv', rows('date,price', 5000, (i) => `2020-01-${i},${i}`));
    ws.write('codebook.json', '{"items": [{"id": "Q1", "type": "ordinal", "codes": [1, 2, 3, 4]}]}');
    ws.write('report.json', '{"schemaVersion": 1, "runs": []}');
    const distribution = ws.write('runs/shares.csv', rows('item,option,share', 6, (i) => `Q${1 + (i % 3)},${1 + (i % 2)},0.5`));

    const files = [persona, sibling, copy, reference, unrelated, distribution, ...['runs/empty.csv', 'runs/header-only.csv', 'codebook.json', 'report.json'].map((f) => path.join(ws.dir, f))];
    const runSniff = await sniffTable(persona);
    const sniffs = await Promise.all(files.map((f) => sniffTable(f)));
    const sameAsRun = new Set<string>();
    for (const f of files) if (f !== persona && (await sameBytes(f, persona))) sameAsRun.add(f);
    assert.deepEqual([...sameAsRun], [copy]);

    const ranked = rankReferences(runSniff, sniffs, { configuredRuns: new Map(), sameAsRun });
    const by = (f: string) => ranked.find((c) => c.path === f)!;
    assert.equal(ranked[0].path, reference, JSON.stringify(ranked.map((c) => [path.basename(c.path), c.verdict]), null, 1));
    assert.equal(ranked[0].verdict, 'proposed');
    assert.equal(ranked[0].weight, 'W_WEIGHT');
    assert.deepEqual(ranked[0].groupBy, { reference: 'B_COUNTRY_ALPHA', run: 'persona_country' });
    assert.deepEqual(ranked[0].reasons, ['weight W_WEIGHT', 'groups B_COUNTRY_ALPHA ↔ persona_country', "3 of the run's 3 columns", "the only file sharing the run's columns"]);
    assert.equal(by(unrelated).verdict, 'possible');
    assert.equal(by(sibling).verdict, 'run-like');
    assert.match(by(sibling).reasons.join(' '), /has the run's columns persona_id, persona_country/);
    assert.equal(by(distribution).verdict, 'run-like');
    for (const f of [persona, copy, ...['runs/empty.csv', 'runs/header-only.csv', 'codebook.json', 'report.json'].map((x) => path.join(ws.dir, x))]) {
      assert.equal(by(f).verdict, 'excluded', path.basename(f));
    }
    assert.match(by(copy).reasons[0], /same data as persona\.csv/);
    assert.match(by(persona).reasons[0], /the run itself/);
    // Order: proposed, possible, run-like, excluded.
    const order = ranked.map((c) => c.verdict);
    assert.deepEqual(order, [...order].sort((a, b) => ['proposed', 'possible', 'run-like', 'excluded'].indexOf(a) - ['proposed', 'possible', 'run-like', 'excluded'].indexOf(b)));
  } finally {
    ws.done();
  }
});

test('a configured run is never proposed, even when it is the largest file', async () => {
  const ws = workspace();
  try {
    const persona = ws.write('persona.csv', rows('id,Q1,Q2', 30, (i) => `${i},1,2`));
    const other = ws.write('other/finetuned.csv', rows('id,Q1,Q2', 3000, (i) => `${i},2,1`));
    const reference = ws.write('survey/human.csv', rows('id,Q1,Q2', 500, (i) => `${i},${1 + (i % 2)},${1 + (i % 3)}`));
    const ranked = rankReferences(await sniffTable(persona), await Promise.all([persona, other, reference].map(sniffTable)), {
      configuredRuns: new Map([[other, 'finetuned']]),
      sameAsRun: new Set(),
    });
    assert.equal(ranked[0].path, reference);
    const judged = ranked.find((c) => c.path === other)!;
    assert.equal(judged.verdict, 'run-like');
    assert.match(judged.reasons[0], /run "finetuned" in representativeness\.json/);
  } finally {
    ws.done();
  }
});

test('weights: W_WEIGHT first, then a weight-named column of positive numbers; never an item or a negative column', () => {
  const sniff = (columns: Record<string, string[]>): TableSniff => ({ path: 'x.csv', size: 1, kind: 'table', columns: Object.keys(columns), samples: columns });
  assert.equal(proposeWeight(sniff({ Q1: ['1', '2'], weight: ['0.4', '1.6'], W_WEIGHT: ['1', '2', '3'] })), 'W_WEIGHT');
  assert.equal(proposeWeight(sniff({ Q1: ['1', '2'], pspwght: ['0.4', '1.6'] })), 'pspwght');
  assert.equal(proposeWeight(sniff({ wt: ['-1', '2'], Q1: ['1'] })), null, 'a negative value: not a weight');
  assert.equal(proposeWeight(sniff({ weight: ['heavy', 'light'] })), null, 'text: not a weight');
  assert.equal(proposeWeight(sniff({ Q1: ['0.5', '1.5'] })), null, 'positive reals under an item name: not a weight');
});

test('group columns: the reference\'s country and the run\'s persona country', () => {
  const sniff = (columns: string[]): TableSniff => ({ path: 'x.csv', size: 1, kind: 'table', columns, samples: {} });
  assert.deepEqual(proposeGroupBy(sniff(['B_COUNTRY_ALPHA', 'country', 'Q1']), sniff(['persona_country', 'Q1'])), { reference: 'B_COUNTRY_ALPHA', run: 'persona_country' });
  assert.deepEqual(proposeGroupBy(sniff(['country', 'Q1']), sniff(['id', 'country', 'Q1'])), { reference: 'country', run: 'country' });
  assert.deepEqual(proposeGroupBy(sniff(['cntry', 'Q1']), sniff(['persona_cntry', 'Q1'])), { reference: 'cntry', run: 'persona_cntry' });
  assert.equal(proposeGroupBy(sniff(['B_COUNTRY_ALPHA', 'Q1']), sniff(['persona_id', 'Q1'])), null, 'no country in the run');
  assert.equal(proposeGroupBy(sniff(['Q1']), sniff(['persona_country', 'Q1'])), null);
});

test('sniffing reads JSON lines, JSON arrays and TSV; a 1 MB file only from its start', async () => {
  const ws = workspace();
  try {
    const jsonl = await sniffTable(ws.write('a.jsonl', '{"id": 1, "W_WEIGHT": 0.5, "Q1": 2}\n{"id": 2, "W_WEIGHT": 1.5, "Q1": 3}\n'));
    assert.deepEqual([jsonl.kind, jsonl.columns, jsonl.samples.W_WEIGHT], ['table', ['id', 'W_WEIGHT', 'Q1'], ['0.5', '1.5']]);
    const json = await sniffTable(ws.write('a.json', '[{"id": 1, "Q1": 2}, {"id": 2, "Q1": 3}]'));
    assert.deepEqual([json.kind, json.columns], ['table', ['id', 'Q1']]);
    const tsv = await sniffTable(ws.write('a.tsv', 'id\tweight\tQ1\n1\t0.7\t2\n'));
    assert.deepEqual([tsv.kind, tsv.columns, proposeWeight(tsv)], ['table', ['id', 'weight', 'Q1'], 'weight']);
    const big = await sniffTable(ws.write('big.csv', rows('id,W_WEIGHT,Q1', 100_000, (i) => `${i},1.25,${1 + (i % 4)}`)));
    assert.equal(big.kind, 'table');
    assert.ok(big.size > 1_000_000);
    assert.ok(big.samples.W_WEIGHT.length <= 200);
    assert.equal(proposeWeight(big), 'W_WEIGHT');
  } finally {
    ws.done();
  }
});
