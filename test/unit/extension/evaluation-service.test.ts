// The extension's evaluation service with its real worker (out/worker.js), outside VS Code: the
// worker keeps the reference cache between evaluations, a cancelled evaluation stops
// cooperatively (the worker is not restarted, so the cache survives), and of two requests made at
// once only the newer one delivers a result, equal to a cold evaluation's. Point estimates arrive
// before the resampled report.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { readFileSync } from 'node:fs';
import { parseConfig } from '../../../src/core/evaluate/config';
import { evaluate } from '../../../src/core/evaluate/evaluate';
import type { EvaluationReport } from '../../../src/core/report/model';
import { EvaluationCancelled, EvaluationService } from '../../../src/extension/evaluationService';
import type { Logger } from '../../../src/extension/log';

const ROOT = path.resolve(__dirname, '../../../..');

function demoConfig() {
  const file = path.join(ROOT, 'demo', 'representativeness.json');
  const loaded = parseConfig(readFileSync(file, 'utf8'), file);
  assert.ok(loaded.config);
  return { ...loaded.config, bootstrap: 40, permutations: 99 };
}

function logger(lines: string[]): Logger {
  const add = (m: string | Error) => lines.push(String(m));
  return { info: add, warn: add, error: add, show() {}, dispose() {} } as unknown as Logger;
}

const withoutTime = (r: EvaluationReport) => ({ ...r, createdAt: '' });

test('the worker reuses the reference between evaluations, and a cancelled evaluation stops without a restart', async () => {
  const lines: string[] = [];
  const service = new EvaluationService(ROOT, logger(lines));
  try {
    const config = demoConfig();
    const cold = withoutTime(await evaluate(config));

    // The point estimates come first, as an evaluation without resampling gives them.
    const preliminary: EvaluationReport[] = [];
    const first = await service.evaluate(config, () => {}, undefined, (r) => preliminary.push(r));
    assert.deepEqual(withoutTime(first), cold);
    assert.match(lines.at(-1)!, /reference statistics computed/);
    assert.equal(preliminary.length, 1);
    assert.deepEqual(withoutTime(preliminary[0]), withoutTime(await evaluate({ ...config, bootstrap: 0, permutations: 0 })));
    // Without replicates the headline is the sample estimate; the full report corrects it.
    assert.equal(preliminary[0].runs[0].marginal.summary.representativeness.value, first.runs[0].marginal.summary.representativeness.sample);
    assert.equal(preliminary[0].runs[0].marginal.summary.representativeness.ci, null);
    const second = await service.evaluate(config, () => {});
    assert.deepEqual(withoutTime(second), cold);
    assert.match(lines.at(-1)!, /reused from the last evaluation/);

    // Cancel once the evaluation is under way: the promise rejects at once, the worker stops at
    // its next step, and the next request runs on the same worker with its cache.
    let cancelled: Promise<unknown> | null = null;
    const running = service.evaluate(config, (message) => {
      if (!cancelled && /Bootstrap/.test(message)) cancelled = Promise.resolve().then(() => service.cancel());
    });
    await assert.rejects(running, EvaluationCancelled);
    const third = await service.evaluate(config, () => {});
    assert.deepEqual(withoutTime(third), cold);
    assert.equal(service.restarts, 0, 'the cancelled evaluation stopped by itself');
    assert.match(lines.at(-1)!, /reused from the last evaluation/);

    // Two requests at once: the older is cancelled, the newer delivers; never a mix.
    const older = service.evaluate(config, () => {});
    const newer = service.evaluate({ ...config, seed: config.seed + 1 }, () => {});
    await assert.rejects(older, EvaluationCancelled);
    const result = await newer;
    assert.equal(result.settings.seed, config.seed + 1);
    assert.deepEqual(withoutTime(result), withoutTime(await evaluate({ ...config, seed: config.seed + 1 })));
  } finally {
    service.dispose();
  }
});
