/** Messages between the extension host and the evaluation worker thread. */
import type { EvaluationConfig } from '../core/config';
import type { EvaluationReport, ReportDiagnostic } from '../core/report';

export type ToWorker = { type: 'evaluate'; id: number; config: EvaluationConfig };

export type FromWorker =
  | { type: 'progress'; id: number; message: string; fraction: number | null }
  | { type: 'result'; id: number; report: EvaluationReport }
  | { type: 'failed'; id: number; message: string; diagnostics: ReportDiagnostic[] };
