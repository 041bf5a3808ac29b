/**
 * The evaluation worker: runs the engine off the extension host's thread, so a 200 MB survey never
 * freezes the editor and a crash here never takes the extension host down. The host cancels an
 * evaluation by terminating this worker.
 */
import { parentPort } from 'node:worker_threads';
import { evaluate } from '../core/evaluate';
import { InputError } from '../core/diagnostics';
import type { FromWorker, ToWorker } from './workerProtocol';

const port = parentPort;
if (!port) throw new Error('worker.js must run as a worker thread');

port.on('message', async (msg: ToWorker) => {
  if (msg.type !== 'evaluate') return;
  const post = (m: FromWorker) => port.postMessage(m);
  try {
    const report = await evaluate(msg.config, {
      onProgress: (message, fraction) => post({ type: 'progress', id: msg.id, message, fraction }),
    });
    post({ type: 'result', id: msg.id, report });
  } catch (e) {
    if (e instanceof InputError) post({ type: 'failed', id: msg.id, message: e.message, diagnostics: [e.diagnostic] });
    else post({ type: 'failed', id: msg.id, message: e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e), diagnostics: [] });
  }
});
