import * as vscode from 'vscode';
import { parseConfig } from '../core/evaluate/config';
import { CONFIG_FILE } from './target';

/** "Evaluate" above each run in representativeness.json, and "Evaluate All Runs" above the list. */
export class ConfigCodeLens implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    if (!doc.uri.fsPath.endsWith(CONFIG_FILE)) return [];
    const parsed = parseConfig(doc.getText(), doc.uri.fsPath);
    if (!parsed.config) return [];
    const lenses: vscode.CodeLens[] = [];
    const top = new vscode.Range(0, 0, 0, 0);
    lenses.push(new vscode.CodeLens(top, { title: 'Evaluate All Runs', command: 'representativeness.evaluateAll', arguments: [doc.uri] }));
    if (parsed.config.runs.length > 1) lenses.push(new vscode.CodeLens(top, { title: 'Compare Runs', command: 'representativeness.compareRuns', arguments: [doc.uri] }));
    for (const run of parsed.config.runs) {
      const loc = parsed.runLocations[run.name];
      if (!loc) continue;
      const range = new vscode.Range(loc.line - 1, loc.column - 1, loc.line - 1, loc.column - 1);
      lenses.push(new vscode.CodeLens(range, { title: `Evaluate ${run.name}`, command: 'representativeness.evaluate', arguments: [vscode.Uri.file(run.path)] }));
    }
    return lenses;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
