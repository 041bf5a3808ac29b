/**
 * Typed messages between the extension host and the panel (webview). One place, imported by both.
 * The webview announces `ready`; the host answers with the current state and pushes updates.
 */
import type { EvaluationReport } from './core/report/model';

/**
 * Something the panel must say above the scores because it changes what they mean: the reference
 * is another model run, the weight was not applied, a configured run is missing.
 */
export interface PanelAlert {
  severity: 'error' | 'warning';
  message: string;
}

/** What became of the last evaluation when it gave no report. */
export interface PanelNotice {
  kind: 'failed' | 'cancelled';
  message: string;
}

export type ToWebviewMessage =
  | {
      type: 'report';
      report: EvaluationReport;
      /** The run to show first. */
      focusRun?: string;
      /** 'runs' opens the side-by-side comparison of all runs. */
      view?: 'scores' | 'runs';
      /** Point estimates shown while the intervals and permutation p-values are still computed. */
      preliminary?: boolean;
      /** What the evaluation's context says about these scores (besides the report's own diagnostics). */
      alerts?: PanelAlert[];
      /** The Problems panel shows only this run's problems (the user evaluated one run of several). */
      problemsOf?: string;
    }
  | { type: 'progress'; message: string; fraction: number | null }
  /** Back to no report (a cancelled or failed evaluation's point estimates are withdrawn). */
  | { type: 'clear' }
  /**
   * The one current error (the last evaluation failed) or notice (it was cancelled), replacing any
   * earlier one; null when there is none (an evaluation starts).
   */
  | { type: 'notice'; notice: PanelNotice | null }
  /**
   * The report shown no longer matches its inputs, and why ("Inputs changed since: ...", "The last
   * evaluation failed: ..."); null when it does again.
   */
  | { type: 'stale'; reason: string | null }
  | { type: 'exported'; path: string };

export type ExportFormat = 'json' | 'md' | 'csv' | 'html';

export type FromWebviewMessage =
  | { type: 'ready' }
  | { type: 'openItem'; item: string; run: string }
  | { type: 'openPair'; i: string; j: string; run: string }
  | { type: 'export'; format: ExportFormat }
  | { type: 'exportPng'; name: string; dataUrl: string }
  /** One data table of the panel as CSV (the table as shown). */
  | { type: 'exportCsv'; name: string; csv: string }
  /** Show every run's problems in the Problems panel, not only the focused run's. */
  | { type: 'showAllProblems' };
