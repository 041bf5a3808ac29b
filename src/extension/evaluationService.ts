import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type * as vscode from 'vscode';
import type { EvaluationConfig } from '../core/evaluate/config';
import type { EvaluationReport, ReportDiagnostic } from '../core/report/model';
import type { Logger } from './log';
import type { FromWorker, ToWorker, WorkerData } from './workerProtocol';

export class EvaluationFailed extends Error {
  constructor(message: string, readonly diagnostics: ReportDiagnostic[]) {
    super(message);
  }
}

export class EvaluationCancelled extends Error {
  constructor() {
    super('Evaluation cancelled');
  }
}

/** How long a cancelled evaluation may take to stop before its worker is terminated. */
const STOP_GRACE_MS = 3000;

interface Pending {
  config: EvaluationConfig;
  onProgress: (message: string, fraction: number | null) => void;
  onPreliminary?: (report: EvaluationReport) => void;
  resolve: (report: EvaluationReport) => void;
  reject: (e: Error) => void;
}

/**
 * Runs evaluations in a worker thread, one at a time. A new request cancels the one in flight,
 * and so does cancelling the progress notification: the cancelled request's promise rejects at
 * once with `EvaluationCancelled`, and the worker stops it at its next step and then starts the
 * newer one (the worker runs requests in order, so two never interleave and a cancelled one never
 * delivers a result). The worker keeps its reference cache across requests; it is terminated
 * (dropping the cache) only if a cancelled evaluation has not stopped within `STOP_GRACE_MS`, in
 * which case the requests still waiting are sent to a fresh worker.
 */
export class EvaluationService implements vscode.Disposable {
  private worker: Worker | null = null;
  private cancelCell: Int32Array | null = null;
  private nextId = 1;
  /** Requests whose promise is still open (at most one: the newest). */
  private readonly pending = new Map<number, Pending>();
  /** Requests posted to the current worker that it has not finished (cancelled ones included). */
  private readonly running = new Set<number>();
  private watchdog: ReturnType<typeof setTimeout> | null = null;
  /** Worker restarts after a cancelled evaluation did not stop in time (for tests and the log). */
  restarts = 0;

  constructor(private readonly extensionPath: string, private readonly log: Logger) {}

  evaluate(
    config: EvaluationConfig,
    onProgress: (message: string, fraction: number | null) => void,
    token?: vscode.CancellationToken,
    /** Called with the point estimates (no intervals yet) before the full report, when it resamples. */
    onPreliminary?: (report: EvaluationReport) => void,
  ): Promise<EvaluationReport> {
    this.cancel();
    const id = this.nextId++;
    return new Promise<EvaluationReport>((resolve, reject) => {
      const sub = token?.onCancellationRequested(() => this.cancelRequest(id));
      const settle = () => {
        sub?.dispose();
        this.pending.delete(id);
      };
      this.pending.set(id, {
        config,
        onProgress,
        onPreliminary,
        resolve: (r) => (settle(), resolve(r)),
        reject: (e) => (settle(), reject(e)),
      });
      this.post(id, config);
    });
  }

  /** Stops the evaluation in flight, if any. */
  cancel(): void {
    for (const id of [...this.pending.keys()]) this.cancelRequest(id);
  }

  private cancelRequest(id: number): void {
    const p = this.pending.get(id);
    if (!p) return;
    if (this.cancelCell && Atomics.load(this.cancelCell, 0) < id) Atomics.store(this.cancelCell, 0, id);
    this.log.info(`Evaluation ${id} cancelled.`);
    p.reject(new EvaluationCancelled());
    this.armWatchdog();
  }

  private post(id: number, config: EvaluationConfig): void {
    const worker = this.ensureWorker();
    this.running.add(id);
    worker.postMessage({ type: 'evaluate', id, config } satisfies ToWorker);
  }

  private onMessage(m: FromWorker): void {
    if (m.type !== 'progress' && m.type !== 'preliminary') {
      this.running.delete(m.id);
      if (!this.stillStopping() && this.watchdog) {
        clearTimeout(this.watchdog);
        this.watchdog = null;
      }
    }
    const p = this.pending.get(m.id);
    if (!p) return;
    switch (m.type) {
      case 'progress':
        p.onProgress(m.message, m.fraction);
        return;
      case 'preliminary':
        this.log.info(`Evaluation ${m.id}: point estimates after ${(m.milliseconds / 1000).toFixed(2)} s; intervals and permutation p-values follow.`);
        p.onPreliminary?.(m.report);
        return;
      case 'result':
        this.log.info(
          `Evaluation ${m.id} finished in ${(m.milliseconds / 1000).toFixed(2)} s; reference statistics ` +
            (m.cache.warm ? `reused from the last evaluation (${m.cache.hits} cached parts, ${m.cache.misses} computed).` : `computed (${m.cache.misses} parts cached for the next evaluation).`),
        );
        p.resolve(m.report);
        return;
      case 'failed':
        p.reject(new EvaluationFailed(m.message, m.diagnostics));
        return;
      case 'cancelled':
        p.reject(new EvaluationCancelled());
        return;
    }
  }

  /** Whether the worker is still busy with a request that was cancelled. */
  private stillStopping(): boolean {
    const upTo = this.cancelCell ? Atomics.load(this.cancelCell, 0) : 0;
    for (const id of this.running) if (id <= upTo) return true;
    return false;
  }

  private armWatchdog(): void {
    if (this.watchdog || !this.stillStopping()) return;
    this.watchdog = setTimeout(() => {
      this.watchdog = null;
      if (!this.stillStopping()) return;
      this.restarts++;
      this.log.warn(`A cancelled evaluation did not stop within ${STOP_GRACE_MS / 1000} s; the evaluation worker was restarted (its cached reference statistics are read again on the next evaluation).`);
      this.stopWorker();
      // Requests still waiting go to a fresh worker.
      for (const [id, p] of this.pending) this.post(id, p.config);
    }, STOP_GRACE_MS);
    this.watchdog.unref?.();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const cancelledUpTo = new SharedArrayBuffer(4);
    const worker = new Worker(path.join(this.extensionPath, 'out', 'worker.js'), { workerData: { cancelledUpTo } satisfies WorkerData });
    worker.unref();
    this.worker = worker;
    this.cancelCell = new Int32Array(cancelledUpTo);
    worker.on('message', (m: FromWorker) => {
      if (this.worker === worker) this.onMessage(m);
    });
    const lost = (message: string) => {
      if (this.worker !== worker) return;
      this.worker = null;
      this.cancelCell = null;
      this.running.clear();
      for (const p of [...this.pending.values()]) p.reject(new EvaluationFailed(message, []));
    };
    worker.on('error', (e) => lost(`The evaluation worker stopped: ${e.message}`));
    worker.on('exit', (code) => lost(`The evaluation worker exited with code ${code}.`));
    return worker;
  }

  private stopWorker(): void {
    const w = this.worker;
    this.worker = null;
    this.cancelCell = null;
    this.running.clear();
    void w?.terminate();
  }

  dispose(): void {
    this.cancel();
    if (this.watchdog) clearTimeout(this.watchdog);
    this.watchdog = null;
    this.stopWorker();
  }
}
