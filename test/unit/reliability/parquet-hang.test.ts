/**
 * Reads that may never return. A damaged Parquet file can make hyparquet spin without end inside
 * one synchronous call, where no AbortSignal reaches it; such reads are run in a worker thread that
 * is terminated after a time limit. Run by node --test, this file checks the corpus file that hangs
 * (a todo until the reader is bounded); started as a worker, it serves read requests from
 * fuzz.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSurvey } from '../../../src/core/read/index';
import { InputError } from '../../../src/core/report/diagnostics';
import { CORPUS } from './corpus-helpers';
import { BoundedReader, type Outcome, type ReadRequest } from './bounded-reader';

if (!isMainThread && (workerData as { reliabilityReader?: boolean } | null)?.reliabilityReader) {
  parentPort!.on('message', async (req: ReadRequest) => {
    let out: Outcome;
    try {
      if (req.bytes) writeFileSync(req.path, req.bytes);
      const r = await readSurvey(req.path);
      out = { kind: 'result', diagnostics: r.diagnostics };
    } catch (e) {
      out = e instanceof InputError ? { kind: 'input-error', diagnostic: e.diagnostic } : { kind: 'crash', error: (e as Error)?.stack ?? String(e) };
    }
    parentPort!.postMessage({ id: req.id, out });
  });
}

if (isMainThread) {
  test('a bounded reader tells a read that returns from one that does not', async () => {
    const reader = new BoundedReader(__filename, 10000);
    try {
      assert.equal((await reader.read(join(CORPUS, 'run.parquet'))).kind, 'result');
      assert.equal((await reader.read(join(CORPUS, 'binary-junk.parquet'))).kind, 'input-error');
    } finally {
      await reader.close();
    }
  });

  test('a Parquet file that makes the decoder spin is refused in bounded time', async () => {
    const reader = new BoundedReader(__filename, 3000);
    try {
      const out = await reader.read(join(CORPUS, 'parquet-hang.parquet'));
      assert.equal(out.kind, 'input-error', JSON.stringify(out));
    } finally {
      await reader.close();
    }
  });
}
