/**
 * Reads that may never return, run in a worker thread that is terminated after a time limit (a
 * synchronous infinite loop cannot be stopped otherwise). The worker is the bundled
 * parquet-hang.test.js, which serves read requests when started as a worker.
 */
import { Worker } from 'node:worker_threads';
import type { InputDiagnostic } from '../../../src/core/report/diagnostics';

/** What a read in the worker came to. */
export type Outcome =
  | { kind: 'result'; diagnostics: InputDiagnostic[] }
  | { kind: 'input-error'; diagnostic: InputDiagnostic }
  | { kind: 'crash'; error: string }
  | { kind: 'hang'; ms: number };

export interface ReadRequest {
  id: number;
  path: string;
  bytes?: Uint8Array;
}

/** A worker thread that reads files, restarted when a read exceeds the time limit. */
export class BoundedReader {
  private worker: Worker | null = null;
  private next = 0;
  constructor(
    private readonly script: string,
    private readonly limitMs: number,
  ) {}

  private start(): Worker {
    this.worker ??= new Worker(this.script, { workerData: { reliabilityReader: true } });
    this.worker.unref();
    return this.worker;
  }

  read(path: string, bytes?: Uint8Array): Promise<Outcome> {
    const worker = this.start();
    const id = this.next++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        worker.off('message', onMessage);
        void worker.terminate();
        this.worker = null;
        resolve({ kind: 'hang', ms: this.limitMs });
      }, this.limitMs);
      const onMessage = (m: { id: number; out: Outcome }) => {
        if (m.id !== id) return;
        clearTimeout(timer);
        worker.off('message', onMessage);
        resolve(m.out);
      };
      worker.on('message', onMessage);
      worker.postMessage({ id, path, bytes });
    });
  }

  async close(): Promise<void> {
    await this.worker?.terminate();
    this.worker = null;
  }
}

