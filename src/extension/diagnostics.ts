import * as vscode from 'vscode';
import type { EvaluationReport, ReportDiagnostic, WeakItem } from '../core/report/model';
import type { ProblemScope } from './session';

export type { ProblemScope };

export type SeveritySetting = 'error' | 'warning' | 'information' | 'hint';

function toSeverity(s: SeveritySetting | ReportDiagnostic['severity']): vscode.DiagnosticSeverity {
  switch (s) {
    case 'error':
      return vscode.DiagnosticSeverity.Error;
    case 'warning':
      return vscode.DiagnosticSeverity.Warning;
    case 'hint':
      return vscode.DiagnosticSeverity.Hint;
    default:
      return vscode.DiagnosticSeverity.Information;
  }
}

function fmt(x: number | null, digits = 3): string {
  return x === null ? 'n/a' : x.toFixed(digits);
}

/** One sentence with the numbers: what is wrong with the item and by how much. */
export function weakItemMessage(run: string, w: WeakItem): string {
  return `Representativeness (${run}): item ${w.item} is weak: ${w.reasons.join('; ')}.`;
}

/** Lines and columns in reports are 1-based, as the editor shows them; VS Code's API is 0-based. */
function range(line: number | undefined, column: number | undefined, endColumn?: number): vscode.Range {
  const l = Math.max(0, (line ?? 1) - 1);
  const c = Math.max(0, (column ?? 1) - 1);
  const e = endColumn !== undefined && endColumn > (column ?? 1) ? endColumn - 1 : c + 1;
  return new vscode.Range(l, c, l, e);
}

/**
 * Publishes an evaluation's findings to the Problems panel: weak items on the run file's header
 * cell (and on the other places that name the item), and every input problem at its line and
 * column. Replaces everything it published before, so fixed problems disappear.
 */
export class ReportDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('representativeness');

  /**
   * `only`: the run the user pointed at. Then only its weak items and problems are published, with
   * the problems of the shared inputs (reference, config, codebook); the other runs' (their files
   * and producing scripts) stay out of the Problems panel until every run is asked for.
   */
  publish(report: EvaluationReport, weakSeverity: SeveritySetting, only?: ProblemScope): void {
    const weak: [string, vscode.Diagnostic][] = [];
    for (const run of report.runs) {
      if (only && run.name !== only.run) continue;
      for (const w of run.weakItems) {
        for (const loc of w.locations) {
          const d = new vscode.Diagnostic(range(loc.line, loc.column, loc.endColumn), weakItemMessage(run.name, w), toSeverity(weakSeverity));
          d.source = 'Representativeness Lens';
          d.code = 'weak-item';
          weak.push([loc.file, d]);
        }
      }
    }
    this.replace(weak, only ? report.diagnostics.filter((d) => !d.file || !only.otherRunFiles.has(d.file)) : report.diagnostics);
  }

  /** Input problems of a failed evaluation (e.g. an unreadable config), replacing earlier ones. */
  publishProblems(problems: ReportDiagnostic[]): void {
    this.replace([], problems);
  }

  private replace(entries: [string, vscode.Diagnostic][], problems: ReportDiagnostic[]): void {
    for (const p of problems) {
      if (!p.file) continue;
      const d = new vscode.Diagnostic(range(p.line, p.column, p.endColumn), p.message, toSeverity(p.severity));
      d.source = 'Representativeness Lens';
      d.code = p.code;
      entries.push([p.file, d]);
    }
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const [file, d] of entries) byFile.set(file, [...(byFile.get(file) ?? []), d]);
    this.collection.clear();
    for (const [file, list] of byFile) this.collection.set(vscode.Uri.file(file), list);
  }

  clear(): void {
    this.collection.clear();
  }

  dispose(): void {
    this.collection.dispose();
  }
}
