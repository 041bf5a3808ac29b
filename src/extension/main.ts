import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EvaluationReport, ItemLocation, ReportDiagnostic } from '../core/report/model';
import type { ExportFormat, PanelAlert } from '../protocol';
import { ReportDiagnostics, type ProblemScope, type SeveritySetting } from './diagnostics';
import { Disposable, heldDisposables } from './dispose';
import { EvaluationCancelled, EvaluationFailed, EvaluationService } from './evaluationService';
import { Logger } from './log';
import { PANEL_VIEW_TYPE, ReportPanel, editorColumnBesidePanel, type PanelHandlers } from './panel';
import { ConfigCodeLens } from './codelens';
import { CONFIG_FILE, ConfigProblem, loadConfigFile, offerToWriteConfig, resolveTarget, preflightTarget, thresholdsFromSettings, type EvaluationTarget } from './target';
import { LiveSchedule } from './live';
import { relocateConfigProblems, scopeOfProblems, staleSince, statusScores, type InputChange } from './session';

export const enum CommandId {
  Evaluate = 'representativeness.evaluate',
  EvaluateAll = 'representativeness.evaluateAll',
  CompareRuns = 'representativeness.compareRuns',
  OpenPanel = 'representativeness.openPanel',
  ExportReport = 'representativeness.exportReport',
}

/** Files the explorer must not offer "Evaluate Representativeness" on (configs, codebooks): a context key for package.json's `when`. */
const NON_DATA_FILES_KEY = 'representativeness.nonDataFiles';
/** What the last evaluation was (config, run, problem scope), kept per workspace to come back after a reload. */
const SESSION_KEY = 'representativeness.session';

interface SavedSession {
  target: { config: EvaluationTarget['config']; configPath?: string; focusRun?: string; alerts?: PanelAlert[]; locations?: EvaluationTarget['locations'] };
  allProblems: boolean;
}

function settings(scope?: vscode.Uri) {
  const c = vscode.workspace.getConfiguration('representativeness', scope);
  return {
    weakSeverity: c.get<SeveritySetting>('diagnostics.weakItemSeverity', 'warning'),
    live: c.get<boolean>('live.enabled', true),
    debounceMs: Math.max(100, c.get<number>('live.debounceMs', 750)),
  };
}

/** The first line of an error's message: what a banner or a notification shows. */
function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0];
}

/** Why an evaluation failed, in a sentence: its located problem (`scratch/a.csv:1:1: ...`) when it has one. */
function failureMessage(e: unknown): string {
  const d = e instanceof EvaluationFailed ? e.diagnostics.find((x) => x.severity === 'error') ?? e.diagnostics[0] : undefined;
  if (!d) return firstLine(e);
  const where = d.file ? `${vscode.workspace.asRelativePath(d.file)}${d.line ? `:${d.line}` : ''}${d.line && d.column ? `:${d.column}` : ''}: ` : '';
  return `${where}${d.message}`;
}

/**
 * The extension's state: one evaluation service, one panel, one diagnostic collection, and what
 * the panel and the status bar must say about the report they show: whether it is out of date
 * (its inputs changed since, or the last evaluation failed) and the one current error.
 */
class Lens extends Disposable implements PanelHandlers {
  private readonly log = this._register(new Logger());
  private readonly service: EvaluationService;
  private readonly diagnostics = this._register(new ReportDiagnostics());
  private readonly status = this._register(vscode.window.createStatusBarItem('representativeness.status', vscode.StatusBarAlignment.Left, 50));
  private lastTarget: EvaluationTarget | undefined;
  private lastReport: EvaluationReport | undefined;
  /** Why the report shown is out of date, or null. */
  private stale: string | null = null;
  /** The current error (the last evaluation failed), or null. */
  private failure: string | null = null;
  /** The user asked to see every run's problems, not only the focused run's. */
  private allProblems = false;
  /** Counts input changes, so that one during an evaluation keeps its result marked out of date. */
  private inputChanges = 0;
  /** Evaluations under way (for `idle`). */
  private evaluating = 0;
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
        deserializeWebviewPanel: async (panel, state: unknown) => this.revive(panel, state),
      }),
    );
    this._register(vscode.workspace.onDidChangeConfiguration((e) => void this.onSettingsChanged(e)));
    // Configs and codebooks are not survey data: the explorer does not offer to evaluate them.
    const configs = this._register(vscode.workspace.createFileSystemWatcher(`**/${CONFIG_FILE}`));
    const refresh = () => void this.updateNonDataFiles();
    this._register(configs.onDidChange(refresh));
    this._register(configs.onDidCreate(refresh));
    this._register(configs.onDidDelete(refresh));
    refresh();
    this._register({ dispose: () => this.stopWatching() });
  }

  get report(): EvaluationReport | undefined {
    return this.lastReport;
  }

  private async updateNonDataFiles(): Promise<void> {
    const files = new Set<string>();
    for (const c of await vscode.workspace.findFiles(`**/${CONFIG_FILE}`, '**/node_modules/**', 50)) {
      files.add(c.path);
      try {
        const codebook = (await loadConfigFile(c)).config?.reference.codebook;
        if (codebook) files.add(vscode.Uri.file(codebook).path);
      } catch {
        // An unreadable config names no codebook.
      }
    }
    for (const c of await vscode.workspace.findFiles('**/*codebook*.json', '**/node_modules/**', 200)) files.add(c.path);
    await vscode.commands.executeCommand('setContext', NON_DATA_FILES_KEY, [...files]);
  }

  /** Every run of the workspace's config (the given one, or the first found). */
  async evaluateAll(uri: vscode.Uri | undefined, view: 'scores' | 'runs'): Promise<void> {
    const config = uri ?? (await vscode.workspace.findFiles(`**/${CONFIG_FILE}`, '**/node_modules/**', 1))[0];
    if (!config) {
      void vscode.window.showErrorMessage(`No ${CONFIG_FILE} in this workspace: right-click a run file and choose "Evaluate Representativeness" to create one.`);
      return;
    }
    this.allProblems = true;
    await this.evaluateFile(config, view);
  }

  async evaluateFile(uri?: vscode.Uri, view: 'scores' | 'runs' = 'scores'): Promise<void> {
    const target = uri ?? vscode.window.activeTextEditor?.document.uri;
    if (!target || target.scheme !== 'file') {
      void vscode.window.showErrorMessage('Evaluate Representativeness: choose a data file (CSV, TSV, JSONL, JSON or Parquet) in the explorer or open it in an editor.');
      return;
    }
    if (path.basename(target.fsPath) !== CONFIG_FILE && /codebook[^/\\]*\.json$/i.test(path.basename(target.fsPath))) {
      void vscode.window.showErrorMessage(`${path.basename(target.fsPath)} is a codebook, not survey data: evaluate a run file, or run "Evaluate All Runs".`);
      return;
    }
    let resolved: EvaluationTarget | undefined;
    try {
      resolved = await resolveTarget(target, this.context.workspaceState);
    } catch (e) {
      if (e instanceof ConfigProblem) {
        this.configFailed(e, true);
        return;
      }
      throw e;
    }
    if (!resolved) return;
    // A run pointed at: its problems alone; every run's when all were asked for (evaluateAll).
    if (uri?.fsPath !== resolved.configUri?.fsPath) this.allProblems = false;
    await this.run(resolved, true, view);
  }

  /** A config that cannot be used (or a run that cannot be evaluated): its problems where they are, the panel's report marked. */
  private configFailed(e: ConfigProblem, interactive: boolean): void {
    this.diagnostics.publishProblems(e.diagnostics);
    this.failed(e.message, interactive);
  }

  /**
   * The last evaluation failed: one current error, and the report shown marked out of date. The
   * panel in view shows it (a notification too would stay behind, one per failure, after the
   * error is gone); without a panel in view, a notification says it.
   */
  private failed(message: string, interactive: boolean): void {
    this.log.error(message);
    this.failure = message;
    const panel = ReportPanel.active;
    panel?.showFailure(message);
    if (this.lastReport) this.markStale(`The last evaluation failed: ${message}`);
    else this.updateStatus();
    if (interactive && !panel?.panel.visible) void vscode.window.showErrorMessage(`Evaluation failed: ${message}`, 'Show Log').then((a) => a && this.log.show());
  }

  private markStale(reason: string | null): void {
    this.stale = reason;
    ReportPanel.active?.markStale(reason);
    this.updateStatus();
  }

  /** What the panel says above the scores for this target, and whose problems the Problems panel lists. */
  private panelContext(target: EvaluationTarget | undefined) {
    const scope = this.problemScope(target);
    return { alerts: [...(target?.alerts ?? []), ...(target?.preflightAlerts ?? [])], problemsOf: scope?.run };
  }

  private problemScope(target: EvaluationTarget | undefined): ProblemScope | undefined {
    if (!target || this.allProblems) return undefined;
    return scopeOfProblems(target.config.runs, target.focusRun);
  }

  private publishDiagnostics(): void {
    if (this.lastReport) this.diagnostics.publish(this.lastReport, settings().weakSeverity, this.problemScope(this.lastTarget));
  }

  /** The report with the target's own findings: problems located in the config rather than the data, and those found before evaluating. */
  private annotate(report: EvaluationReport, target: EvaluationTarget): EvaluationReport {
    const located = relocateConfigProblems(report.diagnostics, target.config.reference.path, target.configUri?.fsPath, target.locations?.weight);
    return { ...report, diagnostics: [...(target.preflight ?? []), ...located] };
  }

  /** Resolves once no evaluation is under way or scheduled (for the extension's own tests). */
  async idle(): Promise<void> {
    while (this.evaluating > 0 || this.live.busy) await new Promise((r) => setTimeout(r, 50));
  }

  private async run(target: EvaluationTarget, interactive: boolean, view: 'scores' | 'runs' = 'scores'): Promise<void> {
    this.evaluating++;
    try {
      await this.evaluateTarget(target, interactive, view);
    } finally {
      this.evaluating--;
    }
  }

  private async evaluateTarget(target: EvaluationTarget, interactive: boolean, view: 'scores' | 'runs'): Promise<void> {
    this.live.starting(interactive);
    this.lastTarget = target;
    this.failure = null;
    const changesAtStart = this.inputChanges;
    const panel = ReportPanel.show(this.context.extensionUri, this);
    panel.evaluating();
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
              (ReportPanel.active ?? panel).showProgress(message, fraction);
              const pct = fraction === null ? undefined : Math.max(0, fraction * 100 - last);
              if (fraction !== null) last = fraction * 100;
              progress.report({ message, increment: pct });
            },
            token,
            (quick) => {
              // The numbers at once; the intervals replace them when the bootstrap is done.
              preliminaryShown = true;
              (ReportPanel.active ?? panel).showPreliminary(this.annotate(quick, target), target.focusRun, view, this.panelContext(target));
            },
          );
        },
      );
      const annotated = this.annotate(report, target);
      this.lastReport = annotated;
      this.log.info(`Evaluation finished in ${Date.now() - started} ms with ${report.diagnostics.length} input diagnostics.`);
      (ReportPanel.active ?? ReportPanel.show(this.context.extensionUri, this)).showReport(annotated, target.focusRun, view, this.panelContext(target));
      this.stale = null;
      // An input that changed while it was read: the numbers may be of its older version.
      if (this.inputChanges !== changesAtStart) this.markStale('Inputs changed during the evaluation; it is evaluated again.');
      this.publishDiagnostics();
      this.updateStatus();
      this.saveSession(target);
      this.watch(target);
      const sameData = annotated.diagnostics.some((d) => d.code === 'reference.same-as-run');
      if (target.proposal && !sameData) {
        const runUri = vscode.Uri.file(target.config.runs[0].path);
        void offerToWriteConfig(target, runUri, this.context.workspaceState, editorColumnBesidePanel);
      }
    } catch (e) {
      if (preliminaryShown) ReportPanel.active?.revert();
      if (e instanceof EvaluationCancelled) {
        ReportPanel.active?.showCancelled('Evaluation cancelled.');
        this.updateStatus();
        return;
      }
      const problems: ReportDiagnostic[] = [...(target.preflight ?? []), ...(e instanceof EvaluationFailed ? e.diagnostics : [])];
      this.diagnostics.publishProblems(relocateConfigProblems(problems, target.config.reference.path, target.configUri?.fsPath, target.locations?.weight));
      if (!(e instanceof EvaluationFailed)) this.log.error(e instanceof Error ? e : String(e));
      this.failed(failureMessage(e), interactive);
      // Keep watching: the next change of the file may fix it.
      this.watch(target);
    }
  }

  private updateStatus(): void {
    const report = this.lastReport;
    const focus = this.lastTarget?.focusRun;
    const run = report?.runs.find((r) => r.name === focus) ?? report?.runs[0];
    if (!run) {
      if (!this.failure) {
        this.status.hide();
        return;
      }
      this.status.text = '$(error) Representativeness: evaluation failed';
      this.status.tooltip = `The last evaluation failed: ${this.failure}`;
      this.status.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
      this.status.show();
      return;
    }
    const { text: scores, verdicts } = statusScores(run);
    const doubts = [
      ...[...(this.lastTarget?.alerts ?? []), ...(this.lastTarget?.preflightAlerts ?? [])].map((a) => a.message),
      ...report!.diagnostics.filter((d) => d.code === 'data.unknown-weight' || d.code === 'reference.same-as-run').map((d) => d.message),
    ];
    const about = `${verdicts}\n\nRepresentativeness of run "${run.name}": OpinionQA representativeness (1 - mean normalised W1) and agreement of the item-item correlation structure (Pearson of off-diagonal entries), the headlines: answers without a valid code counted against the run, bias-corrected. Click to open the panel.`;
    if (this.stale) {
      this.status.text = `$(warning) ${scores} (out of date)`;
      this.status.tooltip = `Out of date: ${this.stale}\n\n${about}`;
      this.status.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
    } else {
      this.status.text = `${doubts.length ? '$(warning)' : '$(graph)'} ${scores}`;
      this.status.tooltip = `${doubts.length ? `${doubts.join('\n')}\n\n` : ''}${about}`;
      this.status.backgroundColor = doubts.length ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    }
    this.status.show();
  }

  /** What a reload needs to carry on from the report the panel restores. */
  private saveSession(target: EvaluationTarget): void {
    const saved: SavedSession = {
      target: { config: target.config, configPath: target.configUri?.fsPath, focusRun: target.focusRun, alerts: target.alerts, locations: target.locations },
      allProblems: this.allProblems,
    };
    void this.context.workspaceState.update(SESSION_KEY, saved);
  }

  /**
   * A panel VS Code restored after a reload: it draws the report it kept by itself; the host takes
   * the report back (clicks and exports work before the next evaluation), publishes its problems
   * and weak items again, watches its inputs, and marks it out of date if they changed meanwhile.
   */
  private async revive(webviewPanel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const saved = state as { report?: EvaluationReport; run?: string | null; stale?: string | null } | undefined;
    const panel = ReportPanel.revive(webviewPanel, this.context.extensionUri, this);
    if (this.lastReport || !saved?.report || !Array.isArray(saved.report.runs)) return;
    const report = saved.report;
    this.lastReport = report;
    const session = this.context.workspaceState.get<SavedSession>(SESSION_KEY);
    const sameRuns = session && session.target.config.runs.every((r) => report.runs.some((x) => x.path === r.path)) && session.target.config.reference.path === report.reference.path;
    if (session && sameRuns) {
      const t = session.target;
      this.lastTarget = { config: t.config, configUri: t.configPath ? vscode.Uri.file(t.configPath) : undefined, focusRun: t.focusRun, alerts: t.alerts, locations: t.locations };
      this.allProblems = session.allProblems;
    }
    const inputs = [report.reference.path, ...report.runs.map((r) => r.path)];
    if (this.lastTarget?.configUri) inputs.push(this.lastTarget.configUri.fsPath);
    const changed = saved.stale ?? staleSince(await Promise.all(inputs.map(async (file) => ({ file: vscode.workspace.asRelativePath(file), mtimeMs: await fs.stat(file).then((s) => s.mtimeMs, () => null) }))), report.createdAt);
    panel.restore({ report, focusRun: saved.run ?? this.lastTarget?.focusRun, ...this.panelContext(this.lastTarget) }, changed);
    this.stale = changed;
    this.publishDiagnostics();
    this.updateStatus();
    if (this.lastTarget) this.watch(this.lastTarget);
  }

  /** Live mode: re-evaluate (debounced) when a run, the reference or the config changes on disk; mark the report out of date at once. */
  private watch(target: EvaluationTarget): void {
    this.stopWatching();
    const files = [target.config.reference.path, ...target.config.runs.map((r) => r.path)];
    // A run left out because its file was missing: its coming back is a change too.
    files.push(...(target.leftOut ?? []));
    if (target.config.reference.codebook) files.push(target.config.reference.codebook);
    if (target.configUri) files.push(target.configUri.fsPath);
    for (const file of new Set(files)) {
      const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(path.dirname(file)), path.basename(file)));
      w.onDidChange(() => this.inputChanged(file, 'changed'));
      w.onDidCreate(() => this.inputChanged(file, 'created'));
      w.onDidDelete(() => this.inputChanged(file, 'deleted'));
      this.watchers.push(w);
    }
  }

  private inputChanged(file: string, change: InputChange): void {
    this.inputChanges++;
    const live = settings().live;
    if (this.lastReport) this.markStale(`Inputs changed since: ${vscode.workspace.asRelativePath(file)} was ${change}${live ? '; re-evaluating.' : '. Evaluate again to update (live mode is off).'}`);
    if (live) this.live.schedule(settings().debounceMs);
  }

  /**
   * Settings: thresholds change the results (re-evaluated, debounced, in live mode); the severity
   * only the diagnostics. Live mode turned off drops a scheduled re-evaluation; turned on, it waits
   * for the next change (enabling it evaluates nothing by itself).
   */
  private async onSettingsChanged(e: vscode.ConfigurationChangeEvent): Promise<void> {
    if (!e.affectsConfiguration('representativeness')) return;
    if (e.affectsConfiguration('representativeness.diagnostics')) this.publishDiagnostics();
    if (e.affectsConfiguration('representativeness.live.enabled') && !settings().live) this.live.cancel();
    const target = this.lastTarget;
    const report = this.lastReport;
    if (!target || !report) return;
    const changed: string[] = [];
    if (e.affectsConfiguration('representativeness.thresholds')) {
      const now = target.configUri ? (await loadConfigFile(target.configUri).catch(() => undefined))?.config?.thresholds : thresholdsFromSettings(vscode.Uri.file(target.config.runs[0]?.path ?? report.reference.path));
      if (now && JSON.stringify(now) !== JSON.stringify(report.settings.thresholds)) changed.push('the thresholds');
    }
    if (!changed.length) return;
    const live = settings().live;
    this.markStale(`Settings changed since: ${changed.join(', ')} (representativeness.thresholds)${live ? '; re-evaluating.' : '. Evaluate again to update (live mode is off).'}`);
    if (live) this.live.schedule(settings().debounceMs);
  }

  /** What a live re-evaluation evaluates: the last target, its config read again (and checked again). */
  private async liveTarget(): Promise<EvaluationTarget | undefined> {
    const t = this.lastTarget;
    if (!t) return undefined;
    try {
      if (!t.configUri) {
        // No config: the same choices, with the thresholds of the settings as they are now.
        const scope = vscode.Uri.file(t.config.runs[0]?.path ?? t.config.reference.path);
        const runs = [...t.config.runs, ...(t.leftOut ?? []).map((p) => ({ name: path.basename(p).replace(/\.[^.]+$/, ''), path: p, producedBy: [] }))];
        return await preflightTarget({ ...t, config: { ...t.config, runs, thresholds: thresholdsFromSettings(scope) } });
      }
      const focusPath = t.focusRun ? t.config.runs.find((r) => r.name === t.focusRun)?.path : undefined;
      return await resolveTarget(focusPath ? vscode.Uri.file(focusPath) : t.configUri, this.context.workspaceState);
    } catch (e) {
      if (e instanceof ConfigProblem) this.configFailed(e, false);
      else this.failed(firstLine(e), false);
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
    if (this.lastReport && !panel.report) {
      panel.showReport(this.lastReport, this.lastTarget?.focusRun, undefined, this.panelContext(this.lastTarget));
      if (this.stale) panel.markStale(this.stale);
    }
    if (this.failure) panel.showFailure(this.failure);
  }

  /** "Show every run's problems" (from the panel): the Problems panel lists every run's. */
  onShowAllProblems(): void {
    this.allProblems = true;
    this.publishDiagnostics();
    if (this.lastTarget) this.saveSession(this.lastTarget);
    const panel = ReportPanel.active;
    if (panel && this.lastReport) {
      panel.showReport(this.lastReport, this.lastTarget?.focusRun, undefined, this.panelContext(this.lastTarget));
      if (this.stale) panel.markStale(this.stale);
    }
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
  readonly testing: { heldDisposables(): number; livePanels(): number; idle(): Promise<void> };
}

export function activate(context: vscode.ExtensionContext): RepresentativenessApi {
  const lens = new Lens(context);
  context.subscriptions.push(lens);
  return { lastReport: () => lens.report, testing: { heldDisposables, livePanels: () => ReportPanel.liveCount, idle: () => lens.idle() } };
}

export function deactivate(): void {
  // Everything is released through context.subscriptions.
}
