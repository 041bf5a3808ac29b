// Runs inside the real extension host (code-server), on the copy of test/fixtures/workspace that
// the e2e runner opens. The run file, the diagnostics and the report are the real ones.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, EXTENSION_ID, workspaceFile } from './workspace';
import type { EvaluationReport } from '../../src/core/report/model';




suite('Evaluate Representativeness', () => {
  const run = () => workspaceFile('runs/persona.csv');

  suiteSetup(async function () {
    this.timeout(120_000);
    await api();
    await vscode.commands.executeCommand('representativeness.evaluate', run());
  });

  test('the report covers the run named in representativeness.json', async () => {
    const report = (await api()).lastReport();
    assert.ok(report, 'a report was produced');
    assert.equal(report.runs.length, 1);
    assert.equal(report.runs[0].name, 'persona');
    assert.equal(report.runs[0].path, run().fsPath);
    assert.ok(report.runs[0].items.length >= 2);
    assert.ok(report.runs[0].marginal.summary.representativeness.value !== null);
  });

  test('weak items are diagnosed at their header cell in the run file', async () => {
    const report = (await api()).lastReport()!;
    const weak = report.runs[0].weakItems;
    assert.ok(weak.length > 0, 'the collapsed persona run has weak items');
    const cells = readFileSync(run().fsPath, 'utf8').split(/\r?\n/)[0].split(',');
    const diags = vscode.languages.getDiagnostics(run()).filter((d) => d.code === 'weak-item');
    assert.equal(diags.length, weak.length);
    for (const w of weak) {
      // 0-based character where the item's header cell starts (unquoted header).
      const col = cells.slice(0, cells.indexOf(w.item)).reduce((s, c) => s + c.length + 1, 0);
      const d = diags.find((x) => x.message.includes(`item ${w.item} `));
      assert.ok(d, `diagnostic for ${w.item}`);
      assert.equal(d.range.start.line, 0);
      assert.equal(d.range.start.character, col, `${w.item} starts at column ${col + 1}`);
      assert.equal(d.range.end.character, col + w.item.length);
    }
  });

  test('the panel opens beside the editor', () => {
    const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs);
    const panel = tabs.find((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('representativeness.panel'));
    assert.ok(panel, `a Representativeness panel among ${tabs.map((t) => t.label).join(', ')}`);
  });

  test('the panel shows the same numbers as the command line', async function () {
    this.timeout(120_000);
    const report = (await api()).lastReport()!;
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const config = workspaceFile('representativeness.json').fsPath;
    const out = execFileSync(process.execPath, [path.join(ext.extensionPath, 'out', 'cli.js'), 'evaluate', '--config', config, '--format', 'json', '--quiet'], {
      encoding: 'utf8',
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      maxBuffer: 256 * 1024 * 1024,
    });
    const cli = JSON.parse(out) as EvaluationReport;
    const strip = (r: EvaluationReport) => ({ ...r, createdAt: '' });
    assert.deepEqual(strip(JSON.parse(JSON.stringify(report))), strip(cli));
  });

  test('a rewritten run file is re-evaluated by itself (live mode)', async function () {
    this.timeout(60_000);
    const before = (await api()).lastReport()!;
    const text = readFileSync(run().fsPath, 'utf8');
    const lines = text.trimEnd().split('\n');
    // The producing script rewrites the run with fewer respondents.
    const shorter = lines.slice(0, Math.max(20, Math.floor(lines.length / 2))).join('\n') + '\n';
    await vscode.workspace.fs.writeFile(run(), new TextEncoder().encode(shorter));
    const deadline = Date.now() + 45_000;
    let after = before;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      after = (await api()).lastReport()!;
      if (after !== before && after.runs[0].respondents !== before.runs[0].respondents) break;
    }
    await vscode.workspace.fs.writeFile(run(), new TextEncoder().encode(text));
    assert.equal(after.runs[0].respondents, shorter.trimEnd().split('\n').length - 1);
  });
});

suite('Two evaluations at once', () => {
  test('the newer request cancels the older one; the result is the newer one, never a mix', async function () {
    this.timeout(120_000);
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const lens = (await ext.activate()) as { lastReport(): EvaluationReport | undefined };
    const runUri = workspaceFile('runs/persona.csv');
    const configUri = workspaceFile('representativeness.json');
    const first = vscode.commands.executeCommand('representativeness.evaluate', runUri);
    const second = vscode.commands.executeCommand('representativeness.evaluateAll', configUri);
    // Neither command throws: the cancelled one ends quietly.
    await Promise.all([first, second]);
    const report = lens.lastReport()!;
    assert.equal(report.runs.length, 1);
    assert.equal(report.runs[0].name, 'persona');
    assert.equal(report.runs[0].respondents, readFileSync(runUri.fsPath, 'utf8').trimEnd().split('\n').length - 1);
  });
});
