import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { EvaluationReport } from '../core/report/model';
import type { FromWebviewMessage, PanelAlert, PanelNotice, ToWebviewMessage } from '../protocol';
import { Disposable } from './dispose';

export const PANEL_VIEW_TYPE = 'representativeness.panel';

/**
 * The editor column for a file the panel leads to: never the panel's own group, so the panel stays
 * in view. An explicit column (not `Beside`, which is relative to whichever group has the focus: a
 * click in the panel does not always give it to the panel's group, and a third group would open).
 */
export function editorColumnBesidePanel(): vscode.ViewColumn {
  return ReportPanel.active?.panel.viewColumn === vscode.ViewColumn.One ? vscode.ViewColumn.Two : vscode.ViewColumn.One;
}

export interface PanelHandlers {
  onOpenItem(item: string, run: string): void;
  onOpenPair(i: string, j: string, run: string): void;
  onExport(format: 'json' | 'md' | 'csv' | 'html'): void;
  onExportPng(name: string, dataUrl: string): void;
  onExportCsv(name: string, csv: string): void;
  onShowAllProblems(): void;
}

/** What the panel says besides the report's numbers. */
export interface ReportContext {
  alerts?: PanelAlert[];
  /** The Problems panel shows only this run's problems. */
  problemsOf?: string;
}

type ReportMessage = Extract<ToWebviewMessage, { type: 'report' }>;

/**
 * The report panel beside the editor. One at a time; it keeps the last report so it can be shown
 * again when the webview is recreated, and the webview keeps it in its state so the panel is
 * restored after a window reload.
 */
export class ReportPanel extends Disposable {
  private static current: ReportPanel | undefined;
  /** Panels created and not yet disposed (the leak tests read it). */
  private static alive = 0;
  static get liveCount(): number {
    return ReportPanel.alive;
  }
  private ready = false;
  /** The newest report shown (complete, not point estimates), sent again when the webview is recreated. */
  private lastReport: Omit<ReportMessage, 'type'> | undefined;
  /** Point estimates shown while the full report is computed (sent to a webview that becomes ready meanwhile). */
  private preliminary: ReportMessage | undefined;
  /** Why the report shown is out of date, if it is. */
  private staleReason: string | null = null;
  /** The one current error (or cancellation notice), cleared when the next evaluation starts. */
  private notice: PanelNotice | null = null;
  /** The webview drew `lastReport` from its own saved state (after a reload): it need not be sent on `ready`. */
  private webviewHasReport = false;

  static show(extensionUri: vscode.Uri, handlers: PanelHandlers): ReportPanel {
    if (ReportPanel.current && !ReportPanel.current.isDisposed) {
      ReportPanel.current.panel.reveal(vscode.ViewColumn.Beside, true);
      return ReportPanel.current;
    }
    // A panel restored after a reload in a background tab is revived only when it is shown; a new
    // evaluation replaces it instead of opening a second panel next to it.
    const stale = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith(PANEL_VIEW_TYPE));
    if (stale.length) void vscode.window.tabGroups.close(stale, true);
    const panel = vscode.window.createWebviewPanel(
      PANEL_VIEW_TYPE,
      'Representativeness',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      ReportPanel.webviewOptions(extensionUri),
    );
    ReportPanel.current = new ReportPanel(panel, extensionUri, handlers);
    return ReportPanel.current;
  }

  /** Re-attaches a panel VS Code restored after a reload. */
  static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, handlers: PanelHandlers): ReportPanel {
    panel.webview.options = ReportPanel.webviewOptions(extensionUri);
    ReportPanel.current = new ReportPanel(panel, extensionUri, handlers);
    return ReportPanel.current;
  }

  static get active(): ReportPanel | undefined {
    return ReportPanel.current && !ReportPanel.current.isDisposed ? ReportPanel.current : undefined;
  }

  private static webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return {
      enableScripts: true,
      retainContextWhenHidden: false,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'out'), vscode.Uri.joinPath(extensionUri, 'media')],
    };
  }

  private constructor(readonly panel: vscode.WebviewPanel, private readonly extensionUri: vscode.Uri, private readonly handlers: PanelHandlers) {
    super();
    ReportPanel.alive++;
    this._register(panel);
    this._register(panel.onDidDispose(() => this.dispose()));
    this._register(panel.webview.onDidReceiveMessage((m: FromWebviewMessage) => this.onMessage(m)));
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.svg');
    panel.webview.html = this.html();
  }

  /** A complete report: the current one from now on (not stale, no error). */
  showReport(report: EvaluationReport, focusRun?: string, view?: 'scores' | 'runs', context: ReportContext = {}): void {
    this.lastReport = { report, focusRun, view, ...context };
    this.webviewHasReport = false;
    this.preliminary = undefined;
    this.staleReason = null;
    this.notice = null;
    this.post({ type: 'report', ...this.lastReport });
  }

  /**
   * Withdraws point estimates shown by `showPreliminary` (their evaluation was cancelled or failed):
   * the panel shows its last complete report again (with its stale mark), or none.
   */
  revert(): void {
    this.preliminary = undefined;
    if (this.lastReport) {
      this.post({ type: 'report', ...this.lastReport });
      this.post({ type: 'stale', reason: this.staleReason });
    } else this.post({ type: 'clear' });
  }

  /** Point estimates while the full report is computed; not kept for restore or export. */
  showPreliminary(report: EvaluationReport, focusRun?: string, view?: 'scores' | 'runs', context: ReportContext = {}): void {
    this.preliminary = { type: 'report', report, focusRun, view, preliminary: true, ...context };
    this.post(this.preliminary);
  }

  /**
   * After a reload: the report the webview restored by itself (kept here for a later redraw, not
   * sent again) and whether it is out of date.
   */
  restore(shown: Omit<ReportMessage, 'type'>, staleReason: string | null): void {
    this.lastReport = shown;
    this.webviewHasReport = true;
    this.markStale(staleReason);
  }

  /** An evaluation starts: the previous error is no longer the current one. */
  evaluating(): void {
    this.setNotice(null);
  }

  showProgress(message: string, fraction: number | null): void {
    this.post({ type: 'progress', message, fraction });
  }

  /** The one current error, replacing any earlier one. */
  showFailure(message: string): void {
    this.setNotice({ kind: 'failed', message });
  }

  showCancelled(message: string): void {
    this.setNotice({ kind: 'cancelled', message });
  }

  private setNotice(notice: PanelNotice | null): void {
    this.notice = notice;
    this.post({ type: 'notice', notice });
  }

  /** Marks the report shown as out of date, and why (null: up to date again). */
  markStale(reason: string | null): void {
    this.staleReason = reason;
    this.post({ type: 'stale', reason });
  }

  notifyExported(path: string): void {
    this.post({ type: 'exported', path });
  }

  get report(): EvaluationReport | undefined {
    return this.lastReport?.report;
  }

  private post(m: ToWebviewMessage): void {
    if (this.isDisposed) return;
    // Before the webview is ready nothing is sent: on `ready` it gets the state as it is then
    // (progress meanwhile is dropped).
    if (!this.ready) return;
    void this.panel.webview.postMessage(m);
  }

  /** Everything a webview that has just (re)loaded must be told, in order. */
  private currentState(): ToWebviewMessage[] {
    const out: ToWebviewMessage[] = [];
    if (this.preliminary) out.push(this.preliminary);
    else if (this.lastReport && !this.webviewHasReport) out.push({ type: 'report', ...this.lastReport });
    this.webviewHasReport = false;
    // Point estimates are of the inputs as they are now: not out of date.
    out.push({ type: 'stale', reason: this.preliminary ? null : this.staleReason });
    out.push({ type: 'notice', notice: this.notice });
    return out;
  }

  private onMessage(m: FromWebviewMessage): void {
    switch (m.type) {
      case 'ready':
        this.ready = true;
        // A webview restored after a reload draws the report it kept by itself; it is told only
        // what the host knows better (a newer report, whether it is stale, the current error).
        for (const q of this.currentState()) void this.panel.webview.postMessage(q);
        break;
      case 'showAllProblems':
        this.handlers.onShowAllProblems();
        break;
      case 'openItem':
        this.handlers.onOpenItem(m.item, m.run);
        break;
      case 'openPair':
        this.handlers.onOpenPair(m.i, m.j, m.run);
        break;
      case 'export':
        this.handlers.onExport(m.format);
        break;
      case 'exportPng':
        this.handlers.onExportPng(m.name, m.dataUrl);
        break;
      case 'exportCsv':
        this.handlers.onExportCsv(m.name, m.csv);
        break;
    }
  }

  private html(): string {
    const webview = this.panel.webview;
    // A fresh nonce from a cryptographic source for every page load (never Math.random).
    const nonce = randomBytes(16).toString('base64');
    const script = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'out', 'webview.js'));
    const style = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'panel.css'));
    const csp = [
      "default-src 'none'",
      `img-src ${webview.cspSource} data:`,
      `style-src ${webview.cspSource}`,
      `font-src ${webview.cspSource}`,
      `script-src 'nonce-${nonce}'`,
    ].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}">
<title>Representativeness</title>
</head>
<body>
<main id="app" aria-live="polite"><p class="placeholder">Representativeness Lens: no evaluation yet.</p></main>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
  }

  override dispose(): void {
    if (this.isDisposed) return;
    ReportPanel.alive--;
    if (ReportPanel.current === this) ReportPanel.current = undefined;
    this.lastReport = undefined;
    this.preliminary = undefined;
    this.notice = null;
    super.dispose();
  }
}
