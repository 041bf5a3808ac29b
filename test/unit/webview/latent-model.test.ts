import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { CulturalMapReport, EvaluationReport, RunReport } from '../../../src/core/report/model';
import { latentAbsence, mapAgreementTrack, mapExtent, mapVerdict, placeLabels, type Box, type LabelRequest } from '../../../webview/latent-model';

/** The demo's golden report (test/unit/cli/golden.test.ts keeps it current). */
function demo(): EvaluationReport {
  const root = path.resolve(__dirname, '../../../..');
  return JSON.parse(readFileSync(path.join(root, 'test/fixtures/golden/demo-report.json'), 'utf8')) as EvaluationReport;
}

function run(name: string): RunReport {
  return demo().runs.find((r) => r.name === name)!;
}

/** The demo's map with its mean distance replaced. */
function withDistance(value: number | null, low: number | null, high: number | null, edit: Partial<CulturalMapReport> = {}): CulturalMapReport {
  const map = structuredClone(run('finetuned').latent!.culturalMap!);
  map.agreement.meanDistance = { value, ci: low === null ? null : { low, high, confidence: 0.95, method: 'percentile', replicates: 20 } };
  return { ...map, ...edit };
}

test('the scorecard track: Procrustes r with its interval and split-half ceiling, no floor; the distance and its verdict beside it', () => {
  const r = run('persona');
  const map = r.latent!.culturalMap!;
  const t = mapAgreementTrack(r)!;
  assert.equal(t.key, 'map');
  assert.deepEqual(t.range, [0, 1]);
  assert.equal(t.value.value, map.agreement.procrustes!.correlation);
  // A sample value: no basic interval to draw; the percentiles are the report's.
  assert.equal(t.value.ci, null);
  assert.deepEqual(t.value.percentile, { low: map.agreement.procrustesCorrelationCi!.low, high: map.agreement.procrustesCorrelationCi!.high });
  assert.equal(t.floor, null);
  assert.equal(t.ceiling, map.ceiling.procrustesCorrelation);
  // What a track draws from the verdict is the correlation's own ceiling, never the distance's.
  assert.equal(t.value.verdict!.floor, null);
  assert.deepEqual(t.value.verdict!.ceiling, { baseline: 'human-split-half', value: map.ceiling.procrustesCorrelation });
  // Persona: interval 0.67-0.72 below the ceiling 0.87: no verdict for the shape.
  assert.equal(t.value.verdict!.code, 'undefined');
  // The distance says it: further than the floor (the countries pushed outward).
  assert.match(t.usable, new RegExp(`Mean distance ${map.agreement.meanDistance.value!.toFixed(3)}; percentiles `));
  assert.match(t.usable, /further from the human groups than no differences between groups/);
  // The fine-tuned run's shape reaches the human ceiling.
  assert.equal(mapAgreementTrack(run('finetuned'))!.value.verdict!.code, 'at-ceiling');
  assert.match(t.explain, /Procrustes/);
  assert.equal(mapAgreementTrack({ ...r, latent: { culturalMap: null, culturalMapUnavailable: 'x', factors: null } }), null);
});

test('the map verdict reads the mean distance against floor (1.230) and ceiling (0.729), lower is better', () => {
  // Demo: floor 1.2304 (every group on the pooled human point), ceiling 0.7287 (human split-half).
  assert.equal(mapVerdict(withDistance(0.9, 0.8, 1.0)).code, 'between');
  assert.equal(mapVerdict(withDistance(0.7, 0.6, 0.8)).code, 'at-ceiling');
  assert.equal(mapVerdict(withDistance(1.1, 0.9, 1.3)).code, 'at-floor');
  assert.equal(mapVerdict(withDistance(1.5, 1.3, 1.7)).code, 'below-floor');
  // The interval reaches both: too uncertain (the demo's fine-tuned run).
  assert.equal(mapVerdict(run('finetuned').latent!.culturalMap!).code, 'undefined');
  assert.match(mapVerdict(withDistance(0.9, 0.5, 1.4)).text, /too uncertain/);
  // Without an interval the estimate alone decides, and the text says so.
  const alone = mapVerdict(withDistance(0.9, null, null));
  assert.equal(alone.code, 'between');
  assert.match(alone.text, /estimate alone/);
  assert.equal(mapVerdict(withDistance(null, null, null)).code, 'undefined');
  // A pooled run: the floor is the human point itself (0), nothing to compare with.
  const pooled = withDistance(0.9, 0.8, 1.0, { pooled: true, floor: { position: [0, 0], meanDistance: 0, procrustesCorrelation: null } });
  assert.equal(mapVerdict(pooled).code, 'undefined');
});

test('the map extent: one span on both axes, every point inside, never narrower than one unit', () => {
  const e = mapExtent([[-1, -7.4], [2, 6], null, [0.5, 0.1]]);
  assert.ok(Math.abs(e.x[1] - e.x[0] - (e.y[1] - e.y[0])) < 1e-12, 'square');
  assert.ok(e.x[0] < -1 && e.x[1] > 2 && e.y[0] < -7.4 && e.y[1] > 6);
  const tiny = mapExtent([[0.1, 0.1], [0.11, 0.1]]);
  assert.ok(tiny.x[1] - tiny.x[0] >= 1);
  assert.deepEqual(mapExtent([null]), { x: [-1, 1], y: [-1, 1] });
});

function overlap(a: Box, b: Box): boolean {
  return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
}

test('labels never overlap each other or a marker, stay inside the plot, and are placed the same way every time', () => {
  const area: Box = { left: 0, top: 0, right: 400, bottom: 400 };
  // A crowd: 12 points within 40 px, and a few far apart.
  const points: [number, number][] = [];
  for (let i = 0; i < 12; i++) points.push([200 + 40 * Math.cos(i), 200 + 40 * Math.sin(i * 1.7)]);
  points.push([20, 20], [390, 390], [390, 10]);
  const requests: LabelRequest[] = points.map(([x, y]) => ({ x, y, radius: 5, width: 28, height: 14 }));
  const obstacles = points.map(([x, y]) => ({ left: x - 6, top: y - 6, right: x + 6, bottom: y + 6 }));
  const placed = placeLabels(requests, area, obstacles);
  const boxes = placed.filter((p) => p !== null).map((p) => p!.box);
  assert.ok(boxes.length >= 10, `${boxes.length} of ${points.length} labels placed`);
  for (let i = 0; i < boxes.length; i++) {
    const b = boxes[i];
    assert.ok(b.left >= area.left && b.right <= area.right && b.top >= area.top && b.bottom <= area.bottom, 'inside');
    for (let j = i + 1; j < boxes.length; j++) assert.ok(!overlap(b, boxes[j]), `labels ${i} and ${j} overlap`);
    for (const o of obstacles) assert.ok(!overlap(b, o), 'a label over a marker');
  }
  // The corner points' labels go where there is room (not outside the plot).
  assert.ok(placed[12] && placed[13] && placed[14]);
  assert.deepEqual(placeLabels(requests, area, obstacles), placed);
  // Nowhere to go: left out rather than drawn over another label.
  const full = placeLabels([{ x: 10, y: 10, radius: 5, width: 500, height: 14 }], area, []);
  assert.deepEqual(full, [null]);
});

test('without a map or a factor structure, the view says why', () => {
  const r = run('finetuned');
  assert.deepEqual(latentAbsence(r), { map: null, factors: null });
  const off = latentAbsence({ ...r, latent: { culturalMap: null, culturalMapUnavailable: 'The cultural map needs at least 2 indicators per dimension; present: 1 (missing: trust, petition).', factors: null, factorsUnavailable: 'Factor structure of 175 items is computed when asked: set "factors".' } });
  assert.match(off.map!, /missing: trust, petition/);
  assert.match(off.factors!, /set "factors"/);
  const old = latentAbsence({ ...r, latent: undefined });
  assert.match(old.map!, /Evaluate again/);
  assert.match(latentAbsence({ ...r, latent: undefined, level: 'distribution' }).factors!, /answer distributions/);
});
