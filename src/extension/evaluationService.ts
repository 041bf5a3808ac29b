import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type * as vscode from 'vscode';
import type { EvaluationConfig } from '../core/config';
import type { EvaluationReport, ReportDiagnostic } from '../core/report';
import type { Logger } from './log';
import type { FromWorker } from './workerProtocol';

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

/**
 * Runs evaluations in a worker thread, one at a time: a new request cancels the one in flight
 * (its worker is terminated, so no stale result can arrive), and cancellation from the progress
 * notification does the same.
 */
export class EvaluationService implements vscode.Disposable {
  private worker: Worker | null = null;
  private nextId = 1;
  private current: { id: number; reject: (e: Error) => void } | null = null;

  constructor(private readonly extensionPath: string, private readonly log: Logger) {}

  evaluate(
    config: EvaluationConfig,
    onProgress: (message: string, fraction: number | null) => void,
    token?: vscode.CancellationToken,
  ): Promise<EvaluationReport> {
    this.cancel();
    const id = this.nextId++;
    const worker = this.ensureWorker();
    return new Promise<EvaluationReport>((resolve, reject) => {
      this.current = { id, reject };
      const onMessage = (m: FromWorker) => {
        if (m.id !== id) return;
        if (m.type === 'progress') onProgress(m.message, m.fraction);
        else {
          cleanup();
          if (m.type === 'result') resolve(m.report);
          else reject(new EvaluationFailed(m.message, m.diagnostics));
        }
      };
      const onError = (e: Error) => {
        cleanup();
        this.worker = null;
        reject(new EvaluationFailed(`The evaluation worker stopped: ${e.message}`, []));
      };
      const onExit = (code: number) => {
        cleanup();
        if (this.worker === worker) this.worker = null;
        reject(new EvaluationFailed(`The evaluation worker exited with code ${code}.`, []));
      };
      const cleanup = () => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        sub?.dispose();
        if (this.current?.id === id) this.current = null;
      };
      const sub = token?.onCancellationRequested(() => this.cancel());
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      worker.postMessage({ type: 'evaluate', id, config });
    });
  }

  /** Stops the evaluation in flight, if any, by terminating its worker. */
  cancel(): void {
    const cur = this.current;
    if (!cur) return;
    this.current = null;
    const w = this.worker;
    this.worker = null;
    void w?.terminate();
    this.log.info(`Evaluation ${cur.id} cancelled.`);
    cur.reject(new EvaluationCancelled());
  }

  private ensureWorker(): Worker {
    if (!this.worker) {
      this.worker = new Worker(path.join(this.extensionPath, 'out', 'worker.js'));
      this.worker.unref();
    }
    return this.worker;
  }

  dispose(): void {
    this.cancel();
    void this.worker?.terminate();
    this.worker = null;
  }
}
