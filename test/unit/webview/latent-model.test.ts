import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { EvaluationReport, RunReport } from '../../../src/core/report/model';
import { latentAbsence, mapAgreementTrack, mapExtent, placeLabels, type Box, type LabelRequest } from '../../../webview/latent-model';

/** The demo's golden report (test/unit/cli/golden.test.ts keeps it current). */
function demo(): EvaluationReport {
  const root = path.resolve(__dirname, '../../../..');
  return JSON.parse(readFileSync(path.join(root, 'test/fixtures/golden/demo-report.json'), 'utf8')) as EvaluationReport;
}

function run(name: string): RunReport {
  return demo().runs.find((r) => r.name === name)!;
}

test('the scorecard track: Procrustes r with its percentiles, floor (groups permuted) and split-half ceiling, the report\'s verdict; the distance and its verdict beside it', () => {
  const r = run('persona');
  const map = r.latent!.culturalMap!;
  const t = mapAgreementTrack(r)!;
  assert.equal(t.key, 'map');
  assert.deepEqual(t.range, [0, 1]);
  assert.equal(t.value.value, map.agreement.procrustes!.correlation);
  // A sample value: no basic interval to draw; the percentiles are the report's.
  assert.equal(t.value.ci, null);
  assert.deepEqual(t.value.percentile, { low: map.agreement.procrustesCorrelationCi!.low, high: map.agreement.procrustesCorrelationCi!.high });
  // Floor: the permutation null's mean; ceiling: the split-half mean; the verdict is the report's.
  assert.equal(t.floor, map.agreement.procrustesNull!.mean);
  assert.equal(t.ceiling, map.ceiling.procrustesCorrelation);
  assert.deepEqual(t.value.verdict, map.agreement.procrustesVerdict);
  assert.deepEqual(t.value.verdict!.floor, { baseline: 'group-permutation-null', value: map.agreement.procrustesNull!.mean });
  assert.ok(t.explain.includes(`matched to the wrong groups (mean of ${map.agreement.procrustesNull!.permutations} permutations)`));
  assert.match(t.usable, /permutation p (=|<) /);
  // The distance says how far: the report's verdict in words.
  assert.match(t.usable, new RegExp(`Mean distance ${map.agreement.meanDistance.value!.toFixed(3)}; percentiles `));
  assert.ok(t.usable.endsWith(map.agreement.meanDistance.verdict!.text));
  assert.equal(mapAgreementTrack({ ...r, latent: { culturalMap: null, culturalMapUnavailable: 'x', factors: null } }), null);
  // A report without verdicts (hand-edited): said, not made up.
  const bare = structuredClone(r);
  delete (bare.latent!.culturalMap!.agreement as Partial<typeof map.agreement>).procrustesVerdict;
  assert.equal(mapAgreementTrack(bare)!.value.verdict!.text, 'no verdict in this report');
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
