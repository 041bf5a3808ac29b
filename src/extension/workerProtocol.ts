/** Messages between the extension host and the evaluation worker thread. */
import type { EvaluationConfig } from '../core/evaluate/config';
import type { EvaluationReport, ReportDiagnostic } from '../core/report/model';

/**
 * The worker's start-up data: a shared Int32 cell in which the host writes the highest request id
 * it has cancelled. The worker reads it synchronously, so a cancellation is seen even while the
 * evaluation runs a long loop without yielding to the event loop.
 */
export interface WorkerData {
  cancelledUpTo: SharedArrayBuffer;
}

export type ToWorker = { type: 'evaluate'; id: number; config: EvaluationConfig };

/** What the reference cache did for one evaluation (for the log). */
export interface CacheUse {
  /** The reference was unchanged since the last evaluation, so its statistics were reused. */
  warm: boolean;
  hits: number;
  misses: number;
}

export type FromWorker =
  | { type: 'progress'; id: number; message: string; fraction: number | null }
  | { type: 'result'; id: number; report: EvaluationReport; cache: CacheUse; milliseconds: number }
  /** The same evaluation without resampling (bootstrap 0, permutations 0): every point estimate, no interval. */
  | { type: 'preliminary'; id: number; report: EvaluationReport; milliseconds: number }
  | { type: 'failed'; id: number; message: string; diagnostics: ReportDiagnostic[] }
  | { type: 'cancelled'; id: number };

/**
 * One evaluation's progress as a share of the request's: an evaluation's [0, 1] mapped onto
 * [from, from + span]. Only the request's last evaluation may say "Done": the point estimates'
 * evaluation ends at 20% of the request, and "Done" there would tell the user the work is over.
 */
export function requestProgress(message: string, fraction: number | null, from: number, span: number, last: boolean): { message: string; fraction: number | null } {
  const said = !last && /^done\b/i.test(message) ? 'Point estimates ready; computing confidence intervals and permutation p-values' : message;
  return { message: said, fraction: fraction === null ? null : from + span * fraction };
}
