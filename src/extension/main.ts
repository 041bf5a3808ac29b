import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EvaluationReport, ItemLocation } from '../core/report/model';
import type { ExportFormat } from '../protocol';
import { ReportDiagnostics, type SeveritySetting } from './diagnostics';
import { Disposable, heldDisposables } from './dispose';
import { EvaluationCancelled, EvaluationFailed, EvaluationService } from './evaluationService';
import { Logger } from './log';
import { PANEL_VIEW_TYPE, ReportPanel, editorColumnBesidePanel, type PanelHandlers } from './panel';
import { ConfigCodeLens } from './codelens';
import { CONFIG_FILE, ConfigProblem, resolveTarget, type EvaluationTarget } from './target';
import { LiveSchedule } from './live';

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
  private readonly live = new LiveSchedule<EvaluationTarget>({
    resolve: () => this.liveTarget(),
    run: (target) => this.run(target, false),
    log: (message) => this.log.info(message),
  });

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
    this._register(vscode.commands.registerCommand(CommandId.ExportReport, (format?: ExportFormat) => this.exportReport(format)));
    this._register(
      vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel, state: unknown) => {
          // The webview keeps the report it showed in its state and draws it again by itself; the
          // host takes it back too, so clicks and exports work before the next evaluation.
          const saved = (state as { report?: EvaluationReport } | undefined)?.report;
          if (!this.lastReport && saved && Array.isArray(saved.runs)) this.lastReport = saved;
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
    this.live.starting(interactive);
    this.lastTarget = target;
    const panel = ReportPanel.show(this.context.extensionUri, this);
    const started = Date.now();
    this.log.info(`Evaluating ${target.config.runs.map((r) => r.name).join(', ')} against ${target.config.reference.path}`);
    let preliminaryShown = false;
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
            (quick) => {
              // The numbers at once; the intervals replace them when the bootstrap is done.
              preliminaryShown = true;
              (ReportPanel.active ?? panel).showPreliminary(quick, target.focusRun, view);
            },
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
      if (preliminaryShown) ReportPanel.active?.revert();
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
      const trigger = () => this.live.schedule(settings().debounceMs);
      w.onDidChange(trigger);
      w.onDidCreate(trigger);
      this.watchers.push(w);
    }
  }

  /** What a live re-evaluation evaluates: the last target, its config read again. */
  private async liveTarget(): Promise<EvaluationTarget | undefined> {
    const t = this.lastTarget;
    if (!t?.configUri) return t;
    try {
      return await resolveTarget(t.focusRun ? vscode.Uri.file(t.config.runs.find((r) => r.name === t.focusRun)?.path ?? t.configUri.fsPath) : t.configUri, this.context.workspaceState);
    } catch (e) {
      if (e instanceof ConfigProblem) this.diagnostics.publishProblems(e.diagnostics);
      return undefined;
    }
  }

  private stopWatching(): void {
    this.live.cancel();
    for (const w of this.watchers) w.dispose();
    this.watchers = [];
  }

  private openPanel(): void {
    const panel = ReportPanel.show(this.context.extensionUri, this);
    if (this.lastReport) panel.showReport(this.lastReport, this.lastTarget?.focusRun);
  }

  /**
   * Where an item is defined: its header cell (first key) in the run file, else its entry in the
   * config or codebook (the places its weak-item diagnostics point at).
   */
  private itemLocation(item: string, runName: string): ItemLocation | undefined {
    const run = this.lastReport?.runs.find((r) => r.name === runName);
    if (!run) return undefined;
    return run.itemLocations[item] ?? run.weakItems.find((w) => w.item === item)?.locations[0];
  }

  onOpenItem(item: string, runName: string): void {
    void this.reveal([item], runName);
  }

  /** Both items of a pair selected (two cursors) where they are defined. */
  onOpenPair(i: string, j: string, runName: string): void {
    void this.reveal([i, j], runName);
  }

  private async reveal(items: string[], runName: string): Promise<void> {
    const locs = items.map((it) => this.itemLocation(it, runName)).filter((l): l is ItemLocation => !!l);
    if (!locs.length) {
      void vscode.window.showInformationMessage(`Representativeness: no location is known for ${items.join(' × ')} in run ${runName}.`);
      return;
    }
    const file = locs[0].file;
    const selections = locs
      .filter((l) => l.file === file)
      .map((l) => new vscode.Selection(l.line - 1, l.column - 1, l.line - 1, Math.max(l.column, l.endColumn) - 1));
    const editor = await vscode.window.showTextDocument(vscode.Uri.file(file), { selection: selections[0], viewColumn: editorColumnBesidePanel(), preview: true });
    editor.selections = selections;
    editor.revealRange(selections[0], vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  /** "Export Report" from the palette: asks for the format unless a caller passes one. */
  private async exportReport(format?: ExportFormat): Promise<void> {
    if (!format) {
      const formats: (vscode.QuickPickItem & { format: ExportFormat })[] = [
        { label: 'JSON', description: 'the whole report, as replens --format json writes it', format: 'json' },
        { label: 'Markdown', description: 'a readable summary', format: 'md' },
        { label: 'HTML', description: 'a standalone page with the panel\'s charts', format: 'html' },
        { label: 'CSV', description: 'per-item and per-pair rows of every run', format: 'csv' },
      ];
      format = (await vscode.window.showQuickPick(formats, { title: 'Export Report', placeHolder: 'Format of the exported report' }))?.format;
      if (!format) return;
    }
    await this.onExport(format);
  }

  /** Where exports go by default: beside the config, else the run's workspace folder. */
  private exportFolder(): string {
    const report = this.lastReport;
    if (this.lastTarget?.configUri) return path.dirname(this.lastTarget.configUri.fsPath);
    const file = report?.runs[0]?.path ?? report?.reference.path;
    const folder = file ? vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file)) : vscode.workspace.workspaceFolders?.[0];
    return folder?.uri.fsPath ?? path.dirname(file ?? '.');
  }

  /**
   * Asks where to save (the save dialog asks before replacing an existing file, and nothing is
   * written when the user declines or cancels) and writes the bytes there.
   */
  private async saveAs(fileName: string, filterName: string, ext: string, bytes: () => Promise<Uint8Array> | Uint8Array, title: string): Promise<vscode.Uri | undefined> {
    const uri = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.file(path.join(this.exportFolder(), fileName)),
      filters: { [filterName]: [ext] },
      saveLabel: title,
      title,
    });
    if (!uri) return undefined;
    await vscode.workspace.fs.writeFile(uri, await bytes());
    this.log.info(`${title}: ${uri.fsPath}`);
    ReportPanel.active?.notifyExported(uri.fsPath);
    void vscode.window.showInformationMessage(`Saved ${vscode.workspace.asRelativePath(uri)}.`);
    return uri;
  }

  async onExport(format: ExportFormat): Promise<void> {
    const report = this.lastReport;
    if (!report) {
      void vscode.window.showInformationMessage('Nothing to export yet: evaluate a run first.');
      return;
    }
    await this.saveAs(`representativeness-report.${format}`, 'Report', format, async () => {
      const { renderReport } = await import('../core/report/render');
      const webviewJs = format === 'html' ? new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(this.context.extensionUri, 'out', 'webview.js'))) : '';
      const css = format === 'html' ? new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(this.context.extensionUri, 'media', 'panel.css'))) : '';
      return new TextEncoder().encode(renderReport(report, format, { webviewJs, css }));
    }, 'Export Report');
  }

  async onExportPng(name: string, dataUrl: string): Promise<void> {
    const m = /^data:image\/png;base64,([A-Za-z0-9+/=]+)$/.exec(dataUrl);
    if (!m) return;
    await this.saveAs(`${safeFileName(name)}.png`, 'PNG image', 'png', () => Buffer.from(m[1], 'base64'), 'Save Chart as PNG');
  }

  async onExportCsv(name: string, csv: string): Promise<void> {
    await this.saveAs(`${safeFileName(name)}.csv`, 'CSV table', 'csv', () => new TextEncoder().encode(csv), 'Save Table as CSV');
  }
}

function safeFileName(name: string): string {
  return name.replace(/[^\w.-]+/g, '_').slice(0, 120) || 'chart';
}

/** What the extension exports to other extensions (and to its own tests). */
export interface RepresentativenessApi {
  /** The most recent report, as the panel shows it and `replens --format json` writes it. */
  lastReport(): EvaluationReport | undefined;
  /** Counters the extension's own leak tests read; not a stable API. */
  readonly testing: { heldDisposables(): number; livePanels(): number };
}

export function activate(context: vscode.ExtensionContext): RepresentativenessApi {
  const lens = new Lens(context);
  context.subscriptions.push(lens);
  return { lastReport: () => lens.report, testing: { heldDisposables, livePanels: () => ReportPanel.liveCount } };
}

export function deactivate(): void {
  // Everything is released through context.subscriptions.
}
