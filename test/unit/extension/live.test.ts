// Live mode's timing (src/extension/live.ts): debounced re-evaluation, cancelled by an evaluation
// the user asks for, and dropped when a newer evaluation starts while its target is resolved.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { LiveSchedule } from '../../../src/extension/live';

function harness() {
  const runs: string[] = [];
  const log: string[] = [];
  let release: (() => void) | null = null;
  let gate: Promise<void> | null = null;
  const schedule = new LiveSchedule<string>({
    resolve: async () => {
      if (gate) await gate;
      return 'previous target';
    },
    run: async (target) => {
      schedule.starting(false);
      runs.push(target);
    },
    log: (m) => log.push(m),
  });
  return {
    schedule,
    runs,
    log,
    /** Holds resolve() until `open()`. */
    hold() {
      gate = new Promise<void>((r) => (release = r));
    },
    open() {
      release?.();
    },
  };
}

test('changes in a row give one re-evaluation, after the quiet period', async () => {
  const h = harness();
  h.schedule.schedule(20);
  await sleep(5);
  h.schedule.schedule(20);
  await sleep(5);
  h.schedule.schedule(20);
  await sleep(60);
  assert.deepEqual(h.runs, ['previous target']);
});

test('an evaluation the user asks for cancels a scheduled re-evaluation; a live one does not', async () => {
  const h = harness();
  h.schedule.schedule(20);
  h.schedule.starting(true);
  await sleep(50);
  assert.deepEqual(h.runs, []);
  h.schedule.schedule(20);
  h.schedule.starting(false);
  await sleep(50);
  assert.deepEqual(h.runs, ['previous target']);
});

test('a re-evaluation still resolving its target when a newer evaluation starts is dropped, not run over the newer one', async () => {
  const h = harness();
  h.hold();
  h.schedule.schedule(5);
  await sleep(30); // fired: resolving the previous target
  assert.deepEqual(h.log, ['A watched file changed: re-evaluating.']);
  h.schedule.starting(true); // e.g. Evaluate All Runs
  h.open();
  await sleep(10);
  assert.deepEqual(h.runs, []);
  assert.match(h.log[1], /dropped: a newer evaluation has started/);
});

test('cancel stops a scheduled re-evaluation', async () => {
  const h = harness();
  h.schedule.schedule(10);
  h.schedule.cancel();
  await sleep(40);
  assert.deepEqual(h.runs, []);
});
