import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { EvaluationReport } from '../core/report/model';
import type { FromWebviewMessage, ToWebviewMessage } from '../protocol';
import { Disposable } from './dispose';

export const PANEL_VIEW_TYPE = 'representativeness.panel';

/** The editor column for a file the panel leads to: never the panel's own group, so the panel stays in view. */
export function editorColumnBesidePanel(): vscode.ViewColumn {
  return ReportPanel.active?.panel.viewColumn === vscode.ViewColumn.One ? vscode.ViewColumn.Beside : vscode.ViewColumn.One;
}

export interface PanelHandlers {
  onOpenItem(item: string, run: string): void;
  onOpenPair(i: string, j: string, run: string): void;
  onExport(format: 'json' | 'md' | 'csv' | 'html'): void;
  onExportPng(name: string, dataUrl: string): void;
  onExportCsv(name: string, csv: string): void;
}

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
  private pending: ToWebviewMessage[] = [];
  private lastReport: { report: EvaluationReport; focusRun?: string; view?: 'scores' | 'runs' } | undefined;

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

  showReport(report: EvaluationReport, focusRun?: string, view?: 'scores' | 'runs'): void {
    this.lastReport = { report, focusRun, view };
    this.post({ type: 'report', report, focusRun, view });
  }

  /**
   * Withdraws point estimates shown by `showPreliminary` (their evaluation was cancelled or failed):
   * the panel shows its last complete report again, or none.
   */
  revert(): void {
    if (this.lastReport) this.post({ type: 'report', ...this.lastReport });
    else this.post({ type: 'clear' });
  }

  /** Point estimates while the full report is computed; not kept for restore or export. */
  showPreliminary(report: EvaluationReport, focusRun?: string, view?: 'scores' | 'runs'): void {
    this.post({ type: 'report', report, focusRun, view, preliminary: true });
  }

  showProgress(message: string, fraction: number | null): void {
    this.post({ type: 'progress', message, fraction });
  }

  showFailure(message: string): void {
    this.post({ type: 'failed', message });
  }

  notifyExported(path: string): void {
    this.post({ type: 'exported', path });
  }

  get report(): EvaluationReport | undefined {
    return this.lastReport?.report;
  }

  private post(m: ToWebviewMessage): void {
    if (this.isDisposed) return;
    if (!this.ready) {
      // Only the newest report matters; progress before the webview is ready is dropped.
      if (m.type === 'report' || m.type === 'failed') this.pending = [m];
      return;
    }
    void this.panel.webview.postMessage(m);
  }

  private onMessage(m: FromWebviewMessage): void {
    switch (m.type) {
      case 'ready':
      {
        this.ready = true;
        const queued = this.pending;
        this.pending = [];
        if (queued.length) for (const q of queued) void this.panel.webview.postMessage(q);
        else if (this.lastReport) void this.panel.webview.postMessage({ type: 'report', ...this.lastReport } satisfies ToWebviewMessage);
        break;
      }
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
<main id="app" aria-live="polite"><p class="placeholder">Representativeness Lens: waiting for an evaluation…</p></main>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
  }

  override dispose(): void {
    if (this.isDisposed) return;
    ReportPanel.alive--;
    if (ReportPanel.current === this) ReportPanel.current = undefined;
    this.lastReport = undefined;
    this.pending = [];
    super.dispose();
  }
}
