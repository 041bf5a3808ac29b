import { test } from 'node:test';
import assert from 'node:assert/strict';
import { trackDomain, trackPercent } from '../../../webview/track';
import { countedDistance } from '../../../webview/scope';

test('a track spans what it shows plus a margin, on round steps, within the measure range', () => {
  // The demo's marginal representativeness: estimates 0.85-0.99, floor 0.94, ceiling 0.994.
  const d = trackDomain([0.853, 0.849, 0.856, 0.92, 0.913, 0.928, 0.992, 0.99, 0.995, 0.94, 0.994], [0, 1]);
  assert.deepEqual(d, { low: 0.8, high: 1 });
  for (const x of [0.849, 0.94, 0.995]) {
    const at = trackPercent(x, d)!;
    assert.ok(at > 0 && at < 100, `${x} inside the track (${at}%)`);
  }
  // Floor and ceiling 5 points apart are a fifth of the track apart, not 5% of it.
  assert.ok(trackPercent(0.994, d)! - trackPercent(0.94, d)! > 25);
  // Agreements: a negative estimate widens the stretch below 0; never beyond -1..1.
  const s = trackDomain([-0.128, 0.039, 0.998, 0], [-1, 1]);
  assert.equal(s.low, -0.3);
  assert.equal(s.high, 1);
  // Narrow: a step of 0.01.
  assert.deepEqual(trackDomain([0.97, 0.975, 0.98], [0, 1]), { low: 0.96, high: 0.99 });
  // Nothing to show: the whole range.
  assert.deepEqual(trackDomain([null, undefined, NaN], [-1, 1]), { low: -1, high: 1 });
});

test('positions on the track are clamped; undefined values are not drawn', () => {
  const d = { low: 0.8, high: 1 };
  assert.equal(trackPercent(0.9, d), 50);
  assert.equal(trackPercent(0.5, d), 0);
  assert.equal(trackPercent(1.2, d), 100);
  assert.equal(trackPercent(null, d), null);
  assert.equal(trackPercent(Number.NaN, d), null);
});

test('worst first reads the distance the headline counts: unusable items first', () => {
  const item = (n: number, w1: number | null, s: number | null, ref: number | null = 0) => ({ n, w1Normalized: w1, tvd: w1, notValidShare: s, referenceNotValidShare: ref });
  assert.equal(countedDistance(item(0, null, 1)), 1, 'no valid answer');
  assert.equal(countedDistance(item(100, 0.1, 0)), 0.1);
  // 35% refusals where the humans leave 5% unanswered: 0.7 x 0.1 + 0.3.
  assert.ok(Math.abs(countedDistance(item(65, 0.1, 0.35, 0.05)) - (0.7 * 0.1 + 0.3)) < 1e-15);
  // Fewer unanswered than the humans: not counted.
  assert.equal(countedDistance(item(98, 0.1, 0.02, 0.05)), 0.1);
  const sorted = [item(100, 0.2, 0), item(0, null, 1), item(50, 0.05, 0.5)].sort((a, b) => countedDistance(b) - countedDistance(a));
  assert.deepEqual(sorted.map((x) => x.n), [0, 50, 100]);
});
