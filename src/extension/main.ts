import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EvaluationReport } from '../core/report';
import { ReportDiagnostics, type SeveritySetting } from './diagnostics';
import { Disposable } from './dispose';
import { EvaluationCancelled, EvaluationFailed, EvaluationService } from './evaluationService';
import { Logger } from './log';
import { PANEL_VIEW_TYPE, ReportPanel, type PanelHandlers } from './panel';
import { ConfigCodeLens } from './codelens';
import { CONFIG_FILE, ConfigProblem, resolveTarget, type EvaluationTarget } from './target';

export const enum CommandId {
  Evaluate = 'representativeness.evaluate',
  EvaluateAll = 'representativeness.evaluateAll',
  CompareRuns = 'representativeness.compareRuns',
  OpenPanel = 'representativeness.openPanel',
  ExportReport = 'representativeness.exportReport',
}

function settings(scope?: vscode.Uri) {
  const c = vscode.workspace.getConfiguration('representativeness', scope);
  return {
    weakSeverity: c.get<SeveritySetting>('diagnostics.weakItemSeverity', 'warning'),
    live: c.get<boolean>('live.enabled', true),
    debounceMs: Math.max(100, c.get<number>('live.debounceMs', 750)),
  };
}

/** The extension's state: one evaluation service, one panel, one diagnostic collection. */
class Lens extends Disposable implements PanelHandlers {
  private readonly log = this._register(new Logger());
  private readonly service: EvaluationService;
  private readonly diagnostics = this._register(new ReportDiagnostics());
  private readonly status = this._register(vscode.window.createStatusBarItem('representativeness.status', vscode.StatusBarAlignment.Left, 50));
  private lastTarget: EvaluationTarget | undefined;
  private lastReport: EvaluationReport | undefined;
  private watchers: vscode.Disposable[] = [];
  private liveTimer: NodeJS.Timeout | undefined;

  constructor(private readonly context: vscode.ExtensionContext) {
    super();
    this.service = this._register(new EvaluationService(context.extensionPath, this.log));
    this.status.name = 'Representativeness Lens';
    this.status.command = CommandId.OpenPanel;
    this._register(vscode.commands.registerCommand(CommandId.Evaluate, (uri?: vscode.Uri) => this.evaluateFile(uri)));
    this._register(vscode.commands.registerCommand(CommandId.EvaluateAll, (uri?: vscode.Uri) => this.evaluateAll(uri, 'scores')));
    this._register(vscode.commands.registerCommand(CommandId.CompareRuns, (uri?: vscode.Uri) => this.evaluateAll(uri, 'runs')));
    this._register(vscode.commands.registerCommand(CommandId.OpenPanel, () => this.openPanel()));
    const lens = this._register(new ConfigCodeLens());
    this._register(vscode.languages.registerCodeLensProvider({ pattern: `**/${CONFIG_FILE}` }, lens));
    this._register(vscode.commands.registerCommand(CommandId.ExportReport, () => this.onExport('json')));
    this._register(
      vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel) => {
          ReportPanel.revive(panel, context.extensionUri, this);
        },
      }),
    );
    this._register({ dispose: () => this.stopWatching() });
  }

  get report(): EvaluationReport | undefined {
    return this.lastReport;
  }

  /** Every run of the workspace's config (the given one, or the first found). */
  async evaluateAll(uri: vscode.Uri | undefined, view: 'scores' | 'runs'): Promise<void> {
    const config = uri ?? (await vscode.workspace.findFiles(`**/${CONFIG_FILE}`, '**/node_modules/**', 1))[0];
    if (!config) {
      void vscode.window.showErrorMessage(`No ${CONFIG_FILE} in this workspace: right-click a run file and choose "Evaluate Representativeness" to create one.`);
      return;
    }
    await this.evaluateFile(config, view);
  }

  async evaluateFile(uri?: vscode.Uri, view: 'scores' | 'runs' = 'scores'): Promise<void> {
    const target = uri ?? vscode.window.activeTextEditor?.document.uri;
    if (!target || target.scheme !== 'file') {
      void vscode.window.showErrorMessage('Evaluate Representativeness: choose a data file (CSV, TSV, JSONL, JSON or Parquet) in the explorer or open it in an editor.');
      return;
    }
    let resolved: EvaluationTarget | undefined;
    try {
      resolved = await resolveTarget(target, this.context.workspaceState);
    } catch (e) {
      if (e instanceof ConfigProblem) {
        this.diagnostics.publishProblems(e.diagnostics);
        void vscode.window.showErrorMessage(e.message);
        return;
      }
      throw e;
    }
    if (!resolved) return;
    await this.run(resolved, true, view);
  }

  private async run(target: EvaluationTarget, interactive: boolean, view: 'scores' | 'runs' = 'scores'): Promise<void> {
    this.lastTarget = target;
    const panel = ReportPanel.show(this.context.extensionUri, this);
    const started = Date.now();
    this.log.info(`Evaluating ${target.config.runs.map((r) => r.name).join(', ')} against ${target.config.reference.path}`);
    try {
      const report = await vscode.window.withProgress(
        { location: interactive ? vscode.ProgressLocation.Notification : vscode.ProgressLocation.Window, title: 'Representativeness', cancellable: true },
        (progress, token) => {
          let last = 0;
          return this.service.evaluate(
            target.config,
            (message, fraction) => {
              panel.showProgress(message, fraction);
              const pct = fraction === null ? undefined : Math.max(0, fraction * 100 - last);
              if (fraction !== null) last = fraction * 100;
              progress.report({ message, increment: pct });
            },
            token,
          );
        },
      );
      this.lastReport = report;
      this.log.info(`Evaluation finished in ${Date.now() - started} ms with ${report.diagnostics.length} input diagnostics.`);
      (ReportPanel.active ?? ReportPanel.show(this.context.extensionUri, this)).showReport(report, target.focusRun, view);
      this.diagnostics.publish(report, settings().weakSeverity);
      this.updateStatus(report, target.focusRun);
      this.watch(target);
    } catch (e) {
      if (e instanceof EvaluationCancelled) {
        ReportPanel.active?.showFailure('Evaluation cancelled.');
        return;
      }
      const message = e instanceof Error ? e.message : String(e);
      this.log.error(message);
      if (e instanceof EvaluationFailed) this.diagnostics.publishProblems(e.diagnostics);
      ReportPanel.active?.showFailure(message.split('\n')[0]);
      if (interactive) void vscode.window.showErrorMessage(`Evaluation failed: ${message.split('\n')[0]}`, 'Show Log').then((a) => a && this.log.show());
      // Keep watching: the next change of the file may fix it.
      this.watch(target);
    }
  }

  private updateStatus(report: EvaluationReport, focusRun?: string): void {
    const run = report.runs.find((r) => r.name === focusRun) ?? report.runs[0];
    if (!run) {
      this.status.hide();
      return;
    }
    const m = run.marginal.summary.representativeness.value;
    const firstMethod = Object.values(run.structure.individual)[0];
    const s = firstMethod?.comparison.pearson ?? null;
    this.status.text = `$(graph) ${run.name}: marginals ${m === null ? 'n/a' : m.toFixed(3)} · structure ${s === null ? 'n/a' : s.toFixed(3)}`;
    this.status.tooltip = `Representativeness of run "${run.name}": OpinionQA representativeness (1 - mean normalised W1) and agreement of the item-item correlation structure (Pearson of off-diagonal entries). Click to open the panel.`;
    this.status.show();
  }

  /** Live mode: re-evaluate (debounced) when a run, the reference or the config changes on disk. */
  private watch(target: EvaluationTarget): void {
    this.stopWatching();
    if (!settings().live) return;
    const files = [target.config.reference.path, ...target.config.runs.map((r) => r.path)];
    if (target.configUri) files.push(target.configUri.fsPath);
    for (const file of new Set(files)) {
      const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(path.dirname(file)), path.basename(file)));
      const trigger = () => this.scheduleLive();
      w.onDidChange(trigger);
      w.onDidCreate(trigger);
      this.watchers.push(w);
    }
  }

  private scheduleLive(): void {
    if (this.liveTimer) clearTimeout(this.liveTimer);
    this.liveTimer = setTimeout(async () => {
      const t = this.lastTarget;
      if (!t) return;
      this.log.info('A watched file changed: re-evaluating.');
      let next: EvaluationTarget | undefined = t;
      if (t.configUri) {
        try {
          next = await resolveTarget(t.focusRun ? vscode.Uri.file(t.config.runs.find((r) => r.name === t.focusRun)?.path ?? t.configUri.fsPath) : t.configUri, this.context.workspaceState);
        } catch (e) {
          if (e instanceof ConfigProblem) this.diagnostics.publishProblems(e.diagnostics);
          return;
        }
      }
      if (next) await this.run(next, false);
    }, settings().debounceMs);
  }

  private stopWatching(): void {
    if (this.liveTimer) clearTimeout(this.liveTimer);
    for (const w of this.watchers) w.dispose();
    this.watchers = [];
  }

  private openPanel(): void {
    const panel = ReportPanel.show(this.context.extensionUri, this);
    if (this.lastReport) panel.showReport(this.lastReport, this.lastTarget?.focusRun);
  }

  onOpenItem(item: string, runName: string): void {
    const run = this.lastReport?.runs.find((r) => r.name === runName);
    const loc = run?.itemLocations[item];
    if (!run || !loc) return;
    const pos = new vscode.Position(loc.line - 1, loc.column - 1);
    void vscode.window.showTextDocument(vscode.Uri.file(loc.file), { selection: new vscode.Range(pos, pos.translate(0, Math.max(0, loc.endColumn - loc.column))), viewColumn: vscode.ViewColumn.One });
  }

  onOpenPair(i: string, _j: string, runName: string): void {
    this.onOpenItem(i, runName);
  }

  async onExport(format: 'json' | 'md' | 'csv' | 'html'): Promise<void> {
    const report = this.lastReport;
    if (!report) {
      void vscode.window.showInformationMessage('Nothing to export yet: evaluate a run first.');
      return;
    }
    const { renderReport } = await import('../core/render');
    const base = this.lastTarget?.configUri ? path.dirname(this.lastTarget.configUri.fsPath) : path.dirname(report.runs[0]?.path ?? report.reference.path);
    const uri = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.file(path.join(base, `representativeness-report.${format}`)),
      filters: { Report: [format] },
      saveLabel: 'Export Report',
    });
    if (!uri) return;
    const webviewJs = format === 'html' ? new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(this.context.extensionUri, 'out', 'webview.js'))) : '';
    const css = format === 'html' ? new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(this.context.extensionUri, 'media', 'panel.css'))) : '';
    const text = renderReport(report, format, { webviewJs, css });
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
    ReportPanel.active?.notifyExported(uri.fsPath);
    void vscode.window.showInformationMessage(`Report exported to ${vscode.workspace.asRelativePath(uri)}.`);
  }

  async onExportPng(name: string, dataUrl: string): Promise<void> {
    const m = /^data:image\/png;base64,([A-Za-z0-9+/=]+)$/.exec(dataUrl);
    if (!m) return;
    const uri = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.file(path.join(path.dirname(this.lastReport?.runs[0]?.path ?? '.'), `${name.replace(/[^\w.-]+/g, '_')}.png`)), filters: { PNG: ['png'] } });
    if (!uri) return;
    await vscode.workspace.fs.writeFile(uri, Buffer.from(m[1], 'base64'));
  }
}

/** What the extension exports to other extensions (and to its own tests). */
export interface RepresentativenessApi {
  /** The most recent report, as the panel shows it and `replens --format json` writes it. */
  lastReport(): EvaluationReport | undefined;
}

export function activate(context: vscode.ExtensionContext): RepresentativenessApi {
  const lens = new Lens(context);
  context.subscriptions.push(lens);
  return { lastReport: () => lens.report };
}

export function deactivate(): void {
  // Everything is released through context.subscriptions.
}
