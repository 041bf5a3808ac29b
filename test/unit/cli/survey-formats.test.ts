// The whole evaluation with the reference as CSV, SPSS (.sav, .zsav) and Stata (.dta 117, 118, 119)
// files of the same data (test/fixtures/formats/, written by haven) must give the same report,
// number for number: only where the data came from (paths, formats, the file's labels and notes)
// may differ.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../../../..');
const fixture = (name: string) => path.join(ROOT, 'test/fixtures/formats', name);

function evaluate(config: object, dir: string, name: string): unknown {
  const file = path.join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(config));
  const r = spawnSync(process.execPath, [path.join(ROOT, 'out/cli.js'), 'evaluate', '--config', file, '--quiet'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

/** Keys that name where the data came from, or when and how fast the report was made. */
const SOURCE_KEYS = /^(path|file|format|source|configPath|generated|generatedAt|created|createdAt|timestamp|durationMs|duration|elapsedMs|timings|stages|label|labels|diagnostics|notes)$/;

/** Every number and string of the report, by path, with the source keys left out. */
function flatten(v: unknown, at: string, out: Map<string, unknown>): Map<string, unknown> {
  if (Array.isArray(v)) v.forEach((x, i) => flatten(x, `${at}[${i}]`, out));
  else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) if (!SOURCE_KEYS.test(k)) flatten(x, `${at}.${k}`, out);
  } else out.set(at, v);
  return out;
}

function runCsv(dir: string, keepNegative: boolean): string {
  // A run of 120 "respondents": the reference's answers shifted by one row, so the report is not trivial.
  const lines = readFileSync(fixture('survey.csv'), 'utf8').trimEnd().split('\n');
  const header = lines[0].split(',').map((h) => h.replace(/"/g, ''));
  const keep = ['B_COUNTRY_ALPHA', 'Q1', 'Q2', 'Q3', 'Q4', 'Q5'].map((k) => header.indexOf(k));
  const rows = lines.slice(1).map((l) => l.match(/("[^"]*"|[^,]*)(,|$)/g)!.map((c) => c.replace(/,$/, '')));
  const answer = (v: string) => (!keepNegative && Number(v) < 0 ? '' : v);
  const run = ['persona,Q1,Q2,Q3,Q4,Q5', ...rows.slice(0, 120).map((r, i) => [r[keep[0]], ...keep.slice(1).map((k) => answer(rows[(i + 1) % rows.length][k]))].join(','))];
  const file = path.join(dir, keepNegative ? 'run-negative.csv' : 'run.csv');
  writeFileSync(file, run.join('\n') + '\n');
  return file;
}

function sameNumbers(runPath: string, dir: string): void {
  const reports = new Map<string, Map<string, unknown>>();
  for (const f of ['survey.csv', 'survey.sav', 'survey.zsav', 'survey-117.dta', 'survey-118.dta', 'survey-119.dta']) {
    const config = {
      reference: { path: fixture(f), weight: 'W_WEIGHT' },
      runs: [{ name: 'shifted', path: runPath }],
      items: ['Q1', 'Q2', 'Q3', 'Q4', 'Q5'],
      groupBy: { reference: 'B_COUNTRY_ALPHA', run: 'persona' },
      bootstrap: 20,
      permutations: 20,
      seed: 7,
    };
    reports.set(f, flatten(evaluate(config, dir, f.replace(/\W/g, '_')), '', new Map()));
  }
  const csv = reports.get('survey.csv')!;
  assert.ok([...csv.values()].filter((v) => typeof v === 'number').length > 100, 'the report has numbers to compare');
  for (const [f, r] of reports) {
    if (f === 'survey.csv') continue;
    assert.deepEqual([...r.keys()], [...csv.keys()], `${f}: the report's shape`);
    for (const [k, v] of csv) assert.deepEqual(r.get(k), v, `${f} ${k}`);
  }
}

test("a run's -1..-5 count as missing against every format, .dta's .a-.e included: the same numbers", () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'replens-formats-neg-'));
  sameNumbers(runCsv(dir, true), dir);
});

test('the evaluation gives the same numbers with the reference as CSV, .sav, .zsav and .dta 117/118/119', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'replens-formats-'));
  // Missing answers written empty: the same run against every format, whatever its missing codes.
  sameNumbers(runCsv(dir, false), dir);
});
