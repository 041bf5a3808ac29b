/**
 * Worker thread of `computeSufficientStatsParallel`, the bootstrap batches and
 * `polychoricMatrixParallel` (and the second half of a large CSV, `readPartOnWorker`): counts the pair tables (or fits the pairs) of every `step`-th work
 * unit from `start` into the shared outputs. Bundled as `out/sufficient-worker.js`.
 */
import { parentPort } from 'node:worker_threads';
import { batchCountingAvailable, countPairCorrelationsBatch, countPairTablesBatch, coverPairsOf } from './batch-count';
import { deriveBatch } from './derive';
import { countPairTables } from '../count/pair-tables';
import { globalFitsAt } from '../stats/polychoric';
import type { CountReply, WorkerRequest } from './protocol';
import { partTransfer, readPart } from '../read/split';

const port = parentPort;
if (!port) throw new Error('sufficient-worker.js must run as a worker thread');
// The batch kernel compiled now, before the first request: a thread started ahead of its work
// (`prestartCountingThreads`) then answers it at once.
batchCountingAvailable();

port.on('message', (msg: WorkerRequest) => {
  if (msg.kind === 'read-part') {
    // Reading waits on the file: the reply goes when the part is read, its arrays transferred.
    readPart(msg.job).then(
      (part) => port.postMessage({ id: msg.id, ok: true, part } satisfies CountReply, partTransfer(part)),
      (e: unknown) => port.postMessage({ id: msg.id, ok: false, message: e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e) } satisfies CountReply),
    );
    return;
  }
  let reply: CountReply;
  try {
    if (msg.kind === 'correlations') countPairCorrelationsBatch(msg.input, msg.pairOffset, msg.targets, msg.start, msg.step);
    else if (msg.kind === 'polychoric') globalFitsAt(msg.stats, msg.thresholds, msg.start, msg.wantSe, msg.out, msg.start0, msg.step);
    else if (msg.kind === 'batch') {
      countPairTablesBatch(msg.input, msg.pairOffset, msg.outputs, msg.start, msg.step);
      if (msg.derive) deriveBatch(msg.derive, msg.pairOffset, msg.outputs, coverPairsOf(msg.input.codes.k, msg.start, msg.step));
    } else countPairTables(msg.input, msg.pairOffset, msg.pairWeights, msg.pairCounts, msg.start, msg.step);
    reply = { id: msg.id, ok: true };
  } catch (e) {
    reply = { id: msg.id, ok: false, message: e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e) };
  }
  port.postMessage(reply);
});
