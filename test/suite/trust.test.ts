// Inside the real extension host: checks made before anything is evaluated, so that no score
// compares a run with its own data, and a setting that changes only how problems look applies at
// once. Each suite works in a folder of its own in the test workspace, removed afterwards.
import * as assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, workspaceFile } from './workspace';
import type { EvaluationReport } from '../../src/core/report/model';




/** 0-based line and character of `needle` in `text`. */
function positionOf(text: string, needle: string): vscode.Position {
  const at = text.indexOf(needle);
  assert.ok(at >= 0, `${needle} in the text`);
  const before = text.slice(0, at).split('\n');
  return new vscode.Position(before.length - 1, before[before.length - 1].length);
}

async function until(check: () => boolean, describe: () => string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(describe());
    await new Promise((r) => setTimeout(r, 50));
  }
}

suite('A run is never compared with its own data', () => {
  const dir = () => workspaceFile('trust-self').fsPath;
  const config = () => path.join(dir(), 'representativeness.json');
  let text = '';
  suiteSetup(async () => {
    await vscode.workspace.getConfiguration('representativeness').update('live.enabled', false, vscode.ConfigurationTarget.Workspace);
    mkdirSync(dir(), { recursive: true });
    copyFileSync(workspaceFile('reference.csv').fsPath, path.join(dir(), 'reference.csv'));
    copyFileSync(workspaceFile('reference.csv').fsPath, path.join(dir(), 'reference-copy.csv'));
    text = JSON.stringify(
      {
        reference: { path: 'reference.csv', codebook: '../codebook.json', weight: 'W_WEIGHT' },
        runs: [
          { name: 'persona', path: '../runs/persona.csv' },
          { name: 'itself', path: 'reference.csv' },
          { name: 'copy', path: 'reference-copy.csv' },
        ],
        bootstrap: 0,
        permutations: 0,
      },
      null,
      2,
    );
    writeFileSync(config(), text);
  });
  suiteTeardown(async () => {
    rmSync(dir(), { recursive: true, force: true });
    await vscode.workspace.getConfiguration('representativeness').update('live.enabled', undefined, vscode.ConfigurationTarget.Workspace);
  });

  test('the reference file and a byte-identical copy are left out, with an error at their entry in the config', async function () {
    this.timeout(120_000);
    const lens = await api();
    await vscode.commands.executeCommand('representativeness.evaluateAll', vscode.Uri.file(config()));
    assert.deepEqual(lens.lastReport()?.runs.map((r) => r.name), ['persona'], 'only the real run is scored');
    const diags = vscode.languages.getDiagnostics(vscode.Uri.file(config())).filter((d) => d.code === 'run.same-as-reference');
    assert.equal(diags.length, 2, diags.map((d) => d.message).join(' | '));
    const itself = diags.find((d) => d.message.includes('"itself"'))!;
    assert.match(itself.message, /is the reference file itself/);
    assert.equal(itself.severity, vscode.DiagnosticSeverity.Error);
    assert.deepEqual([itself.range.start.line, itself.range.start.character], [positionOf(text, '{\n      "name": "itself"').line, positionOf(text, '{\n      "name": "itself"').character]);
    const copy = diags.find((d) => d.message.includes('"copy"'))!;
    assert.match(copy.message, /has the same data as the reference/);
  });
});

suite('A reference that is another run', () => {
  const dir = () => workspaceFile('trust-run-as-reference').fsPath;
  const config = () => path.join(dir(), 'representativeness.json');
  let text = '';
  suiteSetup(async () => {
    await vscode.workspace.getConfiguration('representativeness').update('live.enabled', false, vscode.ConfigurationTarget.Workspace);
    mkdirSync(dir(), { recursive: true });
    const [header, ...rows] = readFileSync(workspaceFile('runs/persona.csv').fsPath, 'utf8').trimEnd().split('\n');
    const shifted = rows.map((r) => r.split(',').map((v, k) => (k === 0 ? v : String(Math.max(1, Number(v) - 1)))).join(','));
    writeFileSync(path.join(dir(), 'agreeable.csv'), [header, ...shifted].join('\n') + '\n');
    // The persona run of the workspace's own config, used here as the "reference".
    text = JSON.stringify({ reference: { path: '../runs/persona.csv', codebook: '../codebook.json' }, runs: [{ name: 'agreeable', path: 'agreeable.csv' }], bootstrap: 0, permutations: 0 }, null, 2);
    writeFileSync(config(), text);
  });
  suiteTeardown(async () => {
    rmSync(dir(), { recursive: true, force: true });
    await vscode.workspace.getConfiguration('representativeness').update('live.enabled', undefined, vscode.ConfigurationTarget.Workspace);
  });

  test('is evaluated with a warning at the reference in the config', async function () {
    this.timeout(120_000);
    const lens = await api();
    await vscode.commands.executeCommand('representativeness.evaluateAll', vscode.Uri.file(config()));
    assert.deepEqual(lens.lastReport()?.runs.map((r) => r.name), ['agreeable']);
    const warning = vscode.languages.getDiagnostics(vscode.Uri.file(config())).find((d) => d.code === 'reference.is-a-run');
    assert.ok(warning, 'a reference.is-a-run warning');
    assert.equal(warning.severity, vscode.DiagnosticSeverity.Warning);
    assert.match(warning.message, /is the model run "persona"/);
    const at = positionOf(text, '"../runs/persona.csv"');
    assert.deepEqual([warning.range.start.line, warning.range.start.character], [at.line, at.character]);
  });
});

suite('The severity setting', () => {
  suiteSetup(async () => {
    await vscode.workspace.getConfiguration('representativeness').update('live.enabled', false, vscode.ConfigurationTarget.Workspace);
  });
  suiteTeardown(async () => {
    const c = vscode.workspace.getConfiguration('representativeness');
    await c.update('diagnostics.weakItemSeverity', undefined, vscode.ConfigurationTarget.Workspace);
    await c.update('live.enabled', undefined, vscode.ConfigurationTarget.Workspace);
  });

  test('applies to the weak items shown at once, without evaluating again', async function () {
    this.timeout(120_000);
    const lens = await api();
    const run = workspaceFile('runs/persona.csv');
    await vscode.commands.executeCommand('representativeness.evaluate', run);
    const report = lens.lastReport();
    const weak = () => vscode.languages.getDiagnostics(run).filter((d) => d.code === 'weak-item');
    assert.ok(weak().length > 0);
    await vscode.workspace.getConfiguration('representativeness').update('diagnostics.weakItemSeverity', 'information', vscode.ConfigurationTarget.Workspace);
    await until(() => weak().every((d) => d.severity === vscode.DiagnosticSeverity.Information), () => `severities: ${weak().map((d) => d.severity).join(', ')}`);
    assert.equal(lens.lastReport(), report, 'the same report: nothing was evaluated');
  });
});
