// Verdicts (src/core/evaluate/verdict.ts) against hand-placed floors and ceilings, and the
// bias-corrected estimate with its basic interval (src/core/stats/bias-corrected.ts) against
// values computed by hand from the definition.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mapDistanceVerdict, verdictOf } from '../../../src/core/evaluate/verdict';
import { headlineOf } from '../../../src/core/evaluate/intervals';
import { basicBootstrap } from '../../../src/core/stats/bias-corrected';
import type { Interval } from '../../../src/core/report/model';

const floor = { baseline: 'uniform-random' as const, value: 0.94 };
const ceiling = { baseline: 'human-split-half' as const, value: 0.994 };
const ci = (low: number, high: number): Interval => ({ low, high, confidence: 0.95, method: 'basic', replicates: 200 });

test('verdict codes and words from the interval against floor and ceiling', () => {
  const v = (value: number, low: number, high: number) => verdictOf({ value, ci: ci(low, high) }, floor, ceiling);
  assert.deepEqual(v(0.92, 0.913, 0.928), { code: 'below-floor', text: 'below random answering', floor, ceiling });
  assert.equal(v(0.945, 0.938, 0.95).code, 'at-floor');
  assert.equal(v(0.945, 0.938, 0.95).text, 'no better than random answering');
  assert.equal(v(0.94, 0.94, 0.95).code, 'at-floor', 'touching the floor is at the floor');
  assert.equal(v(0.97, 0.96, 0.98).code, 'between');
  assert.equal(v(0.97, 0.96, 0.98).text, 'between random answering and another human sample');
  assert.equal(v(0.992, 0.99, 0.995).code, 'at-ceiling');
  assert.equal(v(0.992, 0.99, 0.995).text, 'at the human ceiling');
  assert.equal(v(0.999, 0.998, 1).code, 'at-ceiling', 'above the ceiling is at it');
  const wide = v(0.96, 0.9, 1);
  assert.equal(wide.code, 'undefined');
  assert.match(wide.text, /too uncertain/);
});

test('verdicts without an interval, a value, a floor or a ceiling', () => {
  const alone = verdictOf({ value: 0.93, ci: null }, floor, ceiling);
  assert.equal(alone.code, 'below-floor');
  assert.equal(alone.text, 'below random answering (estimate alone: no interval)');
  assert.equal(verdictOf({ value: null, ci: null }, floor, ceiling).code, 'undefined');
  assert.equal(verdictOf({ value: 0.97, ci: ci(0.96, 0.98) }, null, ceiling).code, 'undefined');
  assert.equal(verdictOf({ value: 0.97, ci: ci(0.96, 0.98) }, floor, { ...ceiling, value: null }).ceiling, null);
  assert.equal(verdictOf({ value: 0.5, ci: ci(0.4, 0.6) }, { baseline: 'uniform-random', value: 0.9 }, { baseline: 'human-split-half', value: 0.8 }).code, 'undefined');
  // Structure: the floor is "no structure".
  const s = verdictOf({ value: -0.1, ci: ci(-0.18, -0.03) }, { baseline: 'independent-marginals', value: 0 }, { baseline: 'human-split-half', value: 0.998 });
  assert.equal(s.code, 'below-floor');
  assert.equal(s.text, 'below no structure (items answered independently)');
});

test('bias-corrected estimate and basic interval: 2 x sample - mean, [2 x sample - q97.5, 2 x sample - q2.5], clamped', () => {
  // Replicates 0.80, 0.81, ..., 0.99 (20 values): mean 0.895; numpy percentile(.., 2.5) = 0.80475, (.., 97.5) = 0.98525.
  const reps = Array.from({ length: 20 }, (_, i) => 0.8 + i / 100);
  const r = basicBootstrap(0.9, reps, 20, 0, 1);
  assert.ok(Math.abs(r.value! - 0.905) < 1e-12);
  assert.ok(Math.abs(r.percentileLow! - 0.80475) < 1e-12);
  assert.ok(Math.abs(r.percentileHigh! - 0.98525) < 1e-12);
  assert.ok(Math.abs(r.low! - (1.8 - 0.98525)) < 1e-12);
  assert.ok(Math.abs(r.high! - (1.8 - 0.80475)) < 1e-12);
  // Clamped to the measure's range: a distance of 0.01 whose replicates sit at 0.02-0.04 (mean 0.03,
  // q2.5 0.020625, q97.5 0.039375): 2 x 0.01 - 0.03 < 0 and the whole basic interval below 0; clamped
  // to 0, it keeps the replicates' spread from the edge: [0, 0.01875], not [0, 0].
  const near = basicBootstrap(0.01, [0.02, 0.03, 0.04, 0.03, 0.035, 0.025], 6, 0, 1);
  assert.equal(near.value, 0);
  assert.equal(near.low, 0);
  assert.ok(Math.abs(near.high! - (0.039375 - 0.020625)) < 1e-15, String(near.high));
  const mid = basicBootstrap(0.03, [0.02, 0.03, 0.04, 0.03, 0.035, 0.025], 6, 0, 1);
  assert.ok(Math.abs(mid.value! - 0.03) < 1e-15);
  assert.ok(Math.abs(mid.high! - (0.06 - 0.020625)) < 1e-15);
  // Undefined replicates (NaN) are left out; fewer than two finite: no interval.
  const sparse = basicBootstrap(0.5, [NaN, 0.4, NaN], 3, -1, 1);
  assert.equal(sparse.low, null);
  assert.equal(sparse.value, 0.5);
  assert.equal(basicBootstrap(null, reps, 20, 0, 1).value, null);
});

test('headlineOf: a coherent ValueWithCi with the sample and the percentile interval beside it', () => {
  const reps = Float64Array.from({ length: 200 }, (_, b) => 0.5 + 0.1 * Math.sin(b));
  const h = headlineOf(0.62, reps, 200, [-1, 1]);
  assert.equal(h.ci!.method, 'basic');
  assert.equal(h.ci!.replicates, 200);
  assert.equal(h.sample, 0.62);
  assert.ok(h.ci!.low! <= h.value! && h.value! <= h.ci!.high!);
  assert.ok(h.percentile!.high! < h.sample!, 'the percentile interval can lie below its sample; the basic one cannot miss its value');
  assert.deepEqual(headlineOf(0.62, reps, 0, [-1, 1]), { value: 0.62, ci: null, sample: 0.62, percentile: null });
});

test('mapDistanceVerdict reads the mean distance against floor (1.230) and ceiling (0.729), lower is better', () => {
  const d = (value: number | null, low: number | null = null, high: number | null = null) => ({ value, ci: low === null ? null : { low, high, confidence: 0.95, method: 'percentile' as const, replicates: 200 } });
  const v = (value: number | null, low?: number, high?: number) => mapDistanceVerdict(d(value, low, high), 1.2304, 0.7287, false);
  assert.equal(v(0.9, 0.8, 1.0).code, 'between');
  assert.equal(v(0.7, 0.6, 0.8).code, 'at-ceiling');
  assert.equal(v(1.1, 0.9, 1.3).code, 'at-floor');
  assert.equal(v(1.5, 1.3, 1.7).code, 'below-floor');
  assert.match(v(1.5, 1.3, 1.7).text, /further from the human groups than no differences between groups/);
  // The interval reaches both: too uncertain.
  const wide = v(0.9, 0.5, 1.4);
  assert.equal(wide.code, 'undefined');
  assert.match(wide.text, /too uncertain/);
  // Without an interval the estimate alone decides, and the text says so.
  const alone = v(0.9);
  assert.equal(alone.code, 'between');
  assert.match(alone.text, /estimate alone/);
  assert.equal(v(null).code, 'undefined');
  // The floor and ceiling the verdict used travel with it.
  assert.deepEqual(alone.floor, { baseline: 'independent-marginals', value: 1.2304 });
  assert.deepEqual(alone.ceiling, { baseline: 'human-split-half', value: 0.7287 });
  // A pooled run: the floor is the human point itself (0), nothing to compare with; a ceiling not
  // closer than the floor, or a missing one, gives no verdict either.
  assert.equal(mapDistanceVerdict(d(0.9, 0.8, 1.0), 0, 0.1, true).code, 'undefined');
  assert.equal(mapDistanceVerdict(d(0.9, 0.8, 1.0), 0.5, 0.7, false).code, 'undefined');
  assert.match(mapDistanceVerdict(d(0.9), null, 0.7, false).text, /no floor/);
});

test('verdictOf with the groups-permuted floor says what the floor is', () => {
  const v = verdictOf({ value: 0.8, ci: { low: 0.75, high: 0.85, confidence: 0.95, method: 'percentile', replicates: 200 } }, { baseline: 'group-permutation-null', value: 0.45 }, { baseline: 'human-split-half', value: 0.95 });
  assert.equal(v.code, 'between');
  assert.equal(v.text, 'between no correspondence (groups permuted) and another human sample');
  assert.equal(verdictOf({ value: 0.45, ci: null }, { baseline: 'group-permutation-null', value: 0.45 }, { baseline: 'human-split-half', value: 0.95 }).text, 'no better than no correspondence (groups permuted) (estimate alone: no interval)');
});
