// The input problems the command line prints: warnings of one file and code grouped at their first
// location, errors one by one, `--verbose` every line (src/cli/diagnostic-lines.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { diagnosticLines } from '../../../src/cli/diagnostic-lines';
import { formatDiagnostic, type InputDiagnostic } from '../../../src/core/report/diagnostics';
import type { EvaluationReport } from '../../../src/core/report/model';

const ROOT = path.resolve(__dirname, '../../../..');
const CLI = path.join(ROOT, 'out', 'cli.js');

function invalid(item: string, line: number, column: number, count: number, file = 'runs/base.csv'): InputDiagnostic {
  return {
    severity: 'warning',
    code: 'data.invalid-answer',
    message: `Answer "As an AI, I cannot" of ${item} matches no option (valid codes 1, 2, 3, 4; missing codes -1, -2); counted as invalid (${count} answers).`,
    file,
    line,
    column,
    item,
  };
}

test('warnings of one file and code: one line at the first location, naming the items and an example', () => {
  const lines = diagnosticLines([invalid('Q1', 16, 11, 31), invalid('Q2', 11, 13, 35), invalid('Q3', 2, 58, 45)]);
  assert.deepEqual(lines, [
    'runs/base.csv:2:58: warning: 3 items have answers that match no option, e.g. "As an AI, I cannot" (45 in Q3); --verbose lists each [data.invalid-answer]',
  ]);
});

test('--verbose: every diagnostic as formatDiagnostic writes it, in order', () => {
  const all = [invalid('Q1', 16, 11, 31), invalid('Q2', 11, 13, 35), { severity: 'error', code: 'csv.unclosed-quote', message: 'x', file: 'a.csv', line: 3, column: 1 } as InputDiagnostic];
  assert.deepEqual(diagnosticLines(all, true), all.map(formatDiagnostic));
});

test('errors are never grouped; a group of one is printed as it is; files and codes are kept apart', () => {
  const e1: InputDiagnostic = { severity: 'error', code: 'run.unreadable', message: 'Run a cannot be read.', file: 'a.csv', line: 1, column: 1 };
  const e2: InputDiagnostic = { ...e1, message: 'Run b cannot be read.', file: 'a.csv', line: 2 };
  const ragged: InputDiagnostic = { severity: 'warning', code: 'csv.ragged-row', message: 'Row has 4 fields but the header has 6.', file: 'runs/base.csv', line: 9, column: 1 };
  const other = invalid('Q7', 5, 3, 2, 'runs/persona.csv');
  const lines = diagnosticLines([e1, invalid('Q1', 16, 11, 31), ragged, e2, invalid('Q2', 11, 13, 35), other]);
  assert.deepEqual(lines, [
    formatDiagnostic(e1),
    'runs/base.csv:11:13: warning: 2 items have answers that match no option, e.g. "As an AI, I cannot" (35 in Q2); --verbose lists each [data.invalid-answer]',
    formatDiagnostic(ragged),
    formatDiagnostic(e2),
    formatDiagnostic(other),
  ]);
});

test('other codes: the first located message, with how many more and in how many items', () => {
  const row = (line: number, item?: string): InputDiagnostic => ({ severity: 'warning', code: 'data.duplicate-answer', message: `Respondent r${line} answered ${item} twice; the first answer is kept.`, file: 'long.csv', line, column: 1, item });
  assert.deepEqual(diagnosticLines([row(30, 'Q2'), row(12, 'Q1'), row(40, 'Q2')]), [
    'long.csv:12:1: warning: Respondent r12 answered Q1 twice; the first answer is kept. (and 2 more like it in this file, in 2 items; --verbose lists each) [data.duplicate-answer]',
  ]);
  // A capped code's summary (no item, no line) may stand for items not listed, so "at least".
  const capped: InputDiagnostic = { severity: 'warning', code: 'data.duplicate-answer', message: '300 more problems of this kind (500 in all) were not listed one by one.', file: 'long.csv' };
  assert.match(diagnosticLines([row(30, 'Q2'), row(12, 'Q1'), capped])[0], /^long\.csv:12:1: .*\(and 2 more like it in this file, in at least 2 items; /);
  // Several distinct invalid answers of one item.
  assert.deepEqual(diagnosticLines([invalid('Q5', 8, 3, 4), invalid('Q5', 3, 3, 7)]), [
    'runs/base.csv:3:3: warning: Q5 has several different answers that match no option, e.g. "As an AI, I cannot" (7 in Q5); --verbose lists each [data.invalid-answer]',
  ]);
});

test('the demo: one line for base.csv\'s refusals in place of one per item; --verbose lists them; the report keeps them all', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'replens-lines-'));
  const out = path.join(dir, 'report.json');
  const args = ['evaluate', '--config', 'demo/representativeness.json', '--bootstrap', '0', '--permutations', '0', '--quiet', '--out', out];
  const run = (extra: string[]) => spawnSync(process.execPath, [CLI, ...args, ...extra], { encoding: 'utf8', cwd: ROOT });
  const grouped = run([]);
  assert.equal(grouped.status, 0, grouped.stderr);
  const report = JSON.parse(readFileSync(out, 'utf8')) as EvaluationReport;
  const refusals = report.diagnostics.filter((d) => d.code === 'data.invalid-answer');
  assert.equal(new Set(refusals.map((d) => d.item)).size, 24, 'one per item of base.csv in the report');

  const lines = grouped.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, grouped.stderr);
  const first = [...refusals].sort((a, b) => a.line! - b.line! || a.column! - b.column!)[0];
  assert.ok(lines[0].startsWith(`${first.file}:${first.line}:${first.column}: warning: 24 items have answers that match no option, e.g. "As an AI, I don't have personal opinions" (`), lines[0]);
  assert.ok(lines[0].endsWith(` in ${first.item}); --verbose lists each [data.invalid-answer]`), lines[0]);
  // The summary table follows on stdout as before.
  assert.match(grouped.stdout, /^run\s+respondents\s+invalid\s+representativeness/);

  const verbose = run(['--verbose']);
  assert.equal(verbose.status, 0, verbose.stderr);
  assert.deepEqual(verbose.stderr.trimEnd().split('\n'), report.diagnostics.map(formatDiagnostic));
  rmSync(dir, { recursive: true, force: true });
});
