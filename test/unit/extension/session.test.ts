// The host's decisions around a report (src/extension/session.ts, src/extension/workerProtocol.ts,
// webview/status.ts): whose problems the Problems panel lists, a weight typo located in the
// config, whether a restored report is out of date, and progress that never says "Done" early.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { relocateConfigProblems, scopeOfProblems, staleSince, statusScores } from '../../../src/extension/session';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { requestProgress } from '../../../src/extension/workerProtocol';
import { progressText } from '../../../webview/status';
import type { EvaluationReport, ReportDiagnostic } from '../../../src/core/report/model';

test('one run pointed at: the other runs\' files and scripts are left out of the Problems panel', () => {
  const runs = [
    { name: 'persona', path: '/w/runs/persona.csv', producedBy: ['/w/prompts/persona.txt', '/w/make.py'] },
    { name: 'base', path: '/w/runs/base.csv', producedBy: ['/w/make.py', '/w/prompts/base.txt'] },
    { name: 'finetuned', path: '/w/runs/ft.csv', producedBy: [] },
  ];
  const scope = scopeOfProblems(runs, 'persona')!;
  assert.equal(scope.run, 'persona');
  // make.py produced both: it is persona's too, so its problems stay.
  assert.deepEqual([...scope.otherRunFiles].sort(), ['/w/prompts/base.txt', '/w/runs/base.csv', '/w/runs/ft.csv']);
  assert.equal(scopeOfProblems(runs, undefined), undefined, 'Evaluate All Runs: every run');
  assert.equal(scopeOfProblems(runs.slice(0, 1), 'persona'), undefined, 'one run: nothing to leave out');
});

test('a weight the reference lacks is reported at the config\'s "weight" value', () => {
  const diagnostics: ReportDiagnostic[] = [
    { severity: 'error', code: 'data.unknown-weight', message: 'The weight column "W_WIEGHT" is not in the file, so no weight was applied: respondents are weighted equally. Did you mean "W_WEIGHT"?', file: '/w/reference.csv', line: 1, column: 1 },
    { severity: 'warning', code: 'data.invalid-answer', message: 'x', file: '/w/reference.csv', line: 4, column: 7 },
  ];
  const moved = relocateConfigProblems(diagnostics, '/w/reference.csv', '/w/representativeness.json', { line: 5, column: 15, endColumn: 25 });
  assert.deepEqual(moved[0], {
    severity: 'error',
    code: 'data.unknown-weight',
    message: 'The weight column "W_WIEGHT" is not in reference.csv, so no weight was applied: respondents are weighted equally. Did you mean "W_WEIGHT"?',
    file: '/w/representativeness.json',
    line: 5,
    column: 15,
    endColumn: 25,
  });
  assert.equal(moved[1], diagnostics[1]);
  assert.equal(relocateConfigProblems(diagnostics, '/w/reference.csv', undefined, undefined), diagnostics, 'no config: where the reader put it');
});

test('a restored report is out of date when an input changed or went away after it was made', () => {
  const made = '2026-12-07T10:00:00.000Z';
  const t = Date.parse(made);
  assert.equal(staleSince([{ file: 'reference.csv', mtimeMs: t - 5000 }, { file: 'runs/persona.csv', mtimeMs: t - 1 }], made), null);
  assert.equal(
    staleSince([{ file: 'reference.csv', mtimeMs: t - 5000 }, { file: 'runs/persona.csv', mtimeMs: t + 60_000 }, { file: 'runs/base.csv', mtimeMs: null }], made),
    'Inputs changed since: runs/base.csv was deleted, runs/persona.csv was changed.',
  );
});

test('progress: the point estimates\' "Done" is not the end; the last step carries no percentage', () => {
  const mid = requestProgress('Bootstrap', 0.5, 0.2, 0.8, true);
  assert.equal(mid.message, 'Bootstrap');
  assert.ok(Math.abs(mid.fraction! - 0.6) < 1e-12);
  const early = requestProgress('Done', 1, 0, 0.2, false);
  assert.equal(early.fraction, 0.2);
  assert.doesNotMatch(early.message, /^Done/);
  assert.deepEqual(requestProgress('Done', 1, 0.2, 0.8, true), { message: 'Done', fraction: 1 });
  assert.equal(progressText('Done', 1), 'Done');
  assert.equal(progressText('Done', 0.2), 'Done', 'never "Done (20%)"');
  assert.equal(progressText('Bootstrap', 0.456), 'Bootstrap (46%)');
  assert.equal(progressText('Reading the reference survey', null), 'Reading the reference survey');
});

test('the status bar shows the headlines with a floor verdict, never the valid-answers-only sample', () => {
  const golden = JSON.parse(readFileSync(path.resolve(__dirname, '../../../../test/fixtures/golden/demo-report.json'), 'utf8')) as EvaluationReport;
  const base = golden.runs.find((r) => r.name === 'base')!;
  const s = base.structure.individual.pearson;
  const m = base.marginal.summary.representativeness;
  assert.equal(m.verdict?.code, 'below-floor');
  const { text, verdicts } = statusScores(base);
  assert.equal(text, `base: marginals ${m.value!.toFixed(3)} (below floor) · structure ${s.agreement.value!.toFixed(3)}${s.agreement.verdict?.code === 'at-floor' ? ' (at floor)' : s.agreement.verdict?.code === 'below-floor' ? ' (below floor)' : ''}`);
  assert.notEqual(s.agreement.value, s.comparison.pearson, 'the fixture tells the two apart');
  assert.match(verdicts, /^Marginal representativeness: below random answering\nStructure agreement \(pearson\): /);
});
