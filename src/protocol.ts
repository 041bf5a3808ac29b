/**
 * Typed messages between the extension host and the panel (webview). One place, imported by both.
 * The webview announces `ready`; the host answers with the current state and pushes updates.
 */
import type { EvaluationReport } from './core/report/model';

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
    }
  | { type: 'progress'; message: string; fraction: number | null }
  /** Back to no report (a cancelled or failed evaluation's point estimates are withdrawn). */
  | { type: 'clear' }
  | { type: 'failed'; message: string }
  | { type: 'exported'; path: string };

export type ExportFormat = 'json' | 'md' | 'csv' | 'html';

export type FromWebviewMessage =
  | { type: 'ready' }
  | { type: 'openItem'; item: string; run: string }
  | { type: 'openPair'; i: string; j: string; run: string }
  | { type: 'export'; format: ExportFormat }
  | { type: 'exportPng'; name: string; dataUrl: string }
  /** One data table of the panel as CSV (the table as shown). */
  | { type: 'exportCsv'; name: string; csv: string };
