// The editor features around an evaluation, inside the real extension host: CodeLenses in the
// config, Evaluate All Runs / Compare Runs, the severity setting, and input problems that are
// located and that clear once the file is fixed.
import * as assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, workspaceFile } from './workspace';
import type { EvaluationReport } from '../../src/core/report/model';




/** The CodeLenses VS Code shows on a file (the file must be open: the command reads its model). */
async function codeLenses(uri: vscode.Uri): Promise<vscode.CodeLens[]> {
  await vscode.workspace.openTextDocument(uri);
  return (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)) ?? [];
}

async function until(check: () => boolean, describe: () => string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(describe());
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** 0-based line and character of the first occurrence of `needle` after `after` in `text`. */
function positionOf(text: string, needle: string, after = 0): vscode.Position {
  const at = text.indexOf(needle, after);
  assert.ok(at >= 0, `${needle} in the text`);
  const before = text.slice(0, at).split('\n');
  return new vscode.Position(before.length - 1, before[before.length - 1].length);
}

/** The script a run declares as its producer (`producedBy`): it names the items as string literals. */
const SCRIPT = `# Writes agreeable.csv: the persona run, one step more agreeable.
ITEMS = ["Q1", "Q2", "Q3", "Q4", "Q5", "Q6"]
PROMPT = 'Answer Q3 honestly'
`;

suite('CodeLenses and commands', () => {
  test('the config shows "Evaluate All Runs" at its top and "Evaluate <run>" at each run', async () => {
    await api();
    const config = workspaceFile('representativeness.json');
    const text = readFileSync(config.fsPath, 'utf8');
    const lenses = await codeLenses(config);
    const all = lenses.find((l) => l.command?.title === 'Evaluate All Runs');
    assert.ok(all, `lenses: ${lenses.map((l) => l.command?.title).join(', ')}`);
    assert.equal(all.range.start.line, 0);
    const persona = lenses.find((l) => l.command?.title === 'Evaluate persona');
    assert.ok(persona, 'a lens for the run persona');
    // At the run's object in "runs".
    const runObject = positionOf(text, '{', text.indexOf('"runs"'));
    assert.deepEqual([persona.range.start.line, persona.range.start.character], [runObject.line, runObject.character]);
    assert.equal(persona.command?.command, 'representativeness.evaluate');
    assert.equal((persona.command?.arguments?.[0] as vscode.Uri).fsPath, workspaceFile('runs/persona.csv').fsPath);
  });

  suite('a config with two runs', () => {
    const dir = () => workspaceFile('compare').fsPath;
    suiteSetup(() => {
      mkdirSync(dir(), { recursive: true });
      // A second model run: the persona run with every answer moved one step up the scale.
      const [header, ...rows] = readFileSync(workspaceFile('runs/persona.csv').fsPath, 'utf8').trimEnd().split('\n');
      const shifted = rows.map((r) => r.split(',').map((v, k) => (k === 0 ? v : String(Math.max(1, Number(v) - 1)))).join(','));
      writeFileSync(path.join(dir(), 'agreeable.csv'), [header, ...shifted].join('\n') + '\n');
      writeFileSync(path.join(dir(), 'make_agreeable.py'), SCRIPT);
      writeFileSync(
        path.join(dir(), 'representativeness.json'),
        JSON.stringify(
          {
            reference: { path: '../reference.csv', codebook: '../codebook.json', weight: 'W_WEIGHT' },
            runs: [
              { name: 'persona', path: '../runs/persona.csv' },
              { name: 'agreeable', path: 'agreeable.csv', producedBy: ['make_agreeable.py'] },
            ],
          },
          null,
          2,
        ),
      );
    });
    suiteTeardown(() => rmSync(dir(), { recursive: true, force: true }));

    test('Evaluate All Runs evaluates every run of the config', async function () {
      this.timeout(120_000);
      const lens = await api();
      await vscode.commands.executeCommand('representativeness.evaluateAll', vscode.Uri.file(path.join(dir(), 'representativeness.json')));
      assert.deepEqual(lens.lastReport()?.runs.map((r) => r.name), ['persona', 'agreeable']);
    });

    test('weak items are marked where the producing script names them', async function () {
      this.timeout(120_000);
      const lens = await api();
      await vscode.commands.executeCommand('representativeness.evaluateAll', vscode.Uri.file(path.join(dir(), 'representativeness.json')));
      const run = lens.lastReport()!.runs.find((r) => r.name === 'agreeable')!;
      assert.ok(run.weakItems.length > 0, 'the shifted run has weak items');
      const script = vscode.Uri.file(path.join(dir(), 'make_agreeable.py'));
      const diags = vscode.languages.getDiagnostics(script).filter((d) => d.code === 'weak-item');
      // One per weak item: the list literal names each once; 'Answer Q3 honestly' is not a literal of Q3.
      assert.equal(diags.length, run.weakItems.length);
      for (const w of run.weakItems) {
        const at = positionOf(SCRIPT, `"${w.item}"`);
        const d = diags.find((x) => x.message.includes(`item ${w.item} `));
        assert.ok(d, `a diagnostic for ${w.item} in the script`);
        assert.deepEqual([d.range.start.line, d.range.start.character, d.range.end.character], [at.line, at.character + 1, at.character + 1 + w.item.length]);
      }
    });

    test('Compare Runs evaluates them side by side and the config offers it as a CodeLens', async function () {
      this.timeout(120_000);
      const lens = await api();
      const config = vscode.Uri.file(path.join(dir(), 'representativeness.json'));
      const lenses = await codeLenses(config);
      const compare = lenses.find((l) => l.command?.title === 'Compare Runs');
      assert.ok(compare, 'a Compare Runs lens for a config with two runs');
      await vscode.commands.executeCommand(compare.command!.command, ...(compare.command!.arguments ?? []));
      const report = lens.lastReport()!;
      assert.deepEqual(report.runs.map((r) => r.name), ['persona', 'agreeable']);
      assert.notEqual(report.runs[0].marginal.summary.representativeness.value, report.runs[1].marginal.summary.representativeness.value);
    });
  });
});

suite('Settings and input problems', () => {
  const run = () => workspaceFile('runs/persona.csv');
  let original = '';
  suiteSetup(async () => {
    original = readFileSync(run().fsPath, 'utf8');
    // These tests evaluate by command after each rewrite; live mode would race them. (Its own
    // tests are in evaluate.test.ts and session.test.ts.) The next evaluation drops the watchers.
    await vscode.workspace.getConfiguration('representativeness').update('live.enabled', false, vscode.ConfigurationTarget.Workspace);
  });
  suiteTeardown(async () => {
    writeFileSync(run().fsPath, original);
    const c = vscode.workspace.getConfiguration('representativeness');
    await c.update('diagnostics.weakItemSeverity', undefined, vscode.ConfigurationTarget.Workspace);
    await c.update('live.enabled', undefined, vscode.ConfigurationTarget.Workspace);
  });

  test('weak items take the severity of the setting', async function () {
    this.timeout(120_000);
    await api();
    const weak = () => vscode.languages.getDiagnostics(run()).filter((d) => d.code === 'weak-item');
    await vscode.workspace.getConfiguration('representativeness').update('diagnostics.weakItemSeverity', 'error', vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand('representativeness.evaluate', run());
    assert.ok(weak().length > 0);
    assert.deepEqual([...new Set(weak().map((d) => d.severity))], [vscode.DiagnosticSeverity.Error]);
    await vscode.workspace.getConfiguration('representativeness').update('diagnostics.weakItemSeverity', 'hint', vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand('representativeness.evaluate', run());
    assert.deepEqual([...new Set(weak().map((d) => d.severity))], [vscode.DiagnosticSeverity.Hint]);
  });

  test('a ragged row and an invalid answer are marked where they are, and clear once fixed', async function () {
    this.timeout(120_000);
    await api();
    const lines = original.trimEnd().split('\n');
    const broken = [...lines, 'p901,3,3', 'p902,3,3,3,3,7,3'].join('\n') + '\n';
    writeFileSync(run().fsPath, broken);
    await vscode.commands.executeCommand('representativeness.evaluate', run());
    const problems = () => vscode.languages.getDiagnostics(run()).filter((d) => d.code !== 'weak-item');
    const ragged = problems().find((d) => d.code === 'csv.ragged-row');
    assert.ok(ragged, `problems: ${problems().map((d) => d.code).join(', ')}`);
    assert.deepEqual([ragged.range.start.line, ragged.range.start.character], [lines.length, 0]);
    assert.equal(ragged.severity, vscode.DiagnosticSeverity.Error);
    const invalid = problems().find((d) => d.code === 'data.invalid-answer');
    assert.ok(invalid, 'the invalid answer 7 is diagnosed');
    const at = 'p902,3,3,3,3,'.length;
    assert.deepEqual([invalid.range.start.line, invalid.range.start.character, invalid.range.end.character], [lines.length + 1, at, at + 1]);
    // The producing script writes a clean file again: the problems go away.
    writeFileSync(run().fsPath, original);
    await vscode.commands.executeCommand('representativeness.evaluate', run());
    await until(() => problems().length === 0, () => `still: ${problems().map((d) => `${d.code} ${d.range.start.line + 1}`).join(', ')}`);
  });
});
