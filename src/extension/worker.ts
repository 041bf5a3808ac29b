/**
 * The evaluation worker: runs the engine off the extension host's thread, so a 200 MB survey never
 * freezes the editor and a crash here never takes the extension host down.
 *
 * It keeps one reference cache for its lifetime, so re-evaluating a run (live mode, a new run)
 * against an unchanged reference skips reading and counting the reference. Requests run one at a
 * time, in the order they arrive; the host cancels one by writing its id into a shared cell, which
 * the evaluation checks between steps (the host terminates the worker, and with it the cache, only
 * when a cancelled evaluation does not stop within a few seconds).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ReferenceCache } from '../core/evaluate/cache';
import { evaluate } from '../core/evaluate/evaluate';
import { InputError } from '../core/report/diagnostics';
import { requestProgress, type FromWorker, type ToWorker, type WorkerData } from './workerProtocol';

const port = parentPort;
if (!port) throw new Error('worker.js must run as a worker thread');
const cancelledUpTo = new Int32Array((workerData as WorkerData).cancelledUpTo);
const cache = new ReferenceCache();

/**
 * The cancellation signal of request `id`: aborted once the host has cancelled it (or any later
 * request). Only `aborted` and `throwIfAborted` are read by the engine; both read the shared cell.
 */
function cancellation(id: number): AbortSignal {
  const isCancelled = () => Atomics.load(cancelledUpTo, 0) >= id;
  const signal = {
    get aborted() {
      return isCancelled();
    },
    get reason() {
      return isCancelled() ? new Error('Evaluation cancelled') : undefined;
    },
    throwIfAborted() {
      if (isCancelled()) throw new Error('Evaluation cancelled');
    },
  };
  return signal as unknown as AbortSignal;
}

async function run(msg: ToWorker): Promise<void> {
  const post = (m: FromWorker) => port!.postMessage(m);
  const signal = cancellation(msg.id);
  if (signal.aborted) return post({ type: 'cancelled', id: msg.id });
  const hits = cache.hits;
  const misses = cache.misses;
  const started = performance.now();
  /** Whether the reference was reused (decided by the first evaluation of this request). */
  let warm: boolean | null = null;
  // Progress of one evaluation mapped onto [from, from + span] of the request's.
  const progressIn = (from: number, span: number) => (message: string, fraction: number | null) =>
    post({ type: 'progress', id: msg.id, ...requestProgress(message, fraction, from, span, from + span >= 1) });
  try {
    // Point estimates first: with the reference cached they take a fraction of a second, while
    // the bootstrap and permutations take seconds; the panel shows them in the meantime.
    const resampled = msg.config.bootstrap > 0 || msg.config.permutations > 0;
    if (resampled) {
      const quick = await evaluate({ ...msg.config, bootstrap: 0, permutations: 0 }, {
        signal,
        cache,
        onProgress: progressIn(0, 0.2),
      });
      warm = cache.warm;
      if (signal.aborted) return post({ type: 'cancelled', id: msg.id });
      post({ type: 'preliminary', id: msg.id, report: quick, milliseconds: performance.now() - started });
    }
    const report = await evaluate(msg.config, {
      signal,
      cache,
      onProgress: resampled ? progressIn(0.2, 0.8) : progressIn(0, 1),
    });
    warm ??= cache.warm;
    if (signal.aborted) return post({ type: 'cancelled', id: msg.id });
    const use = { warm, hits: cache.hits - hits, misses: cache.misses - misses };
    post({ type: 'result', id: msg.id, report, cache: use, milliseconds: performance.now() - started });
  } catch (e) {
    if (signal.aborted) post({ type: 'cancelled', id: msg.id });
    else if (e instanceof InputError) post({ type: 'failed', id: msg.id, message: e.message, diagnostics: [e.diagnostic] });
    else post({ type: 'failed', id: msg.id, message: e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e), diagnostics: [] });
  }
}

// One evaluation at a time: a request waits for the one before it, never interleaves with it.
let queue: Promise<void> = Promise.resolve();
port.on('message', (msg: ToWorker) => {
  if (msg.type !== 'evaluate') return;
  queue = queue.then(() => run(msg));
});
