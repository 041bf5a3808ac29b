import { test } from 'node:test';
import assert from 'node:assert/strict';
import { heatScale, labelStep, legendTicks, scaleNote, scalePosition, shortLabel, shownLabels, tickText } from '../../../webview/heatscale';

const human = [
  [1, 0.62, -0.3],
  [0.62, 1, null],
  [-0.3, null, 1],
];
const nearPerfectDifference = [
  [0, 0.047, -0.012],
  [0.047, 0, null],
  [-0.012, null, 0],
];

test('heatmaps use the fixed -1..1 scale by default: a near-perfect run stays pale', () => {
  const s = heatScale([nearPerfectDifference], false, true);
  assert.deepEqual(s, { max: 1, stretched: false, dataMax: 0.047, clipped: false });
  // The largest difference is drawn 4.7% of the way to the end colour, not at full colour.
  assert.equal(scalePosition(0.047, s), 0.047);
  assert.equal(scaleNote(s, 'difference', false), 'Fixed scale −1 to +1: comparable across runs.');
  assert.deepEqual(legendTicks(s).map((t) => tickText(t, s)), ['−1', '−0.5', '0', '0.5', '+1']);
});

test('stretching is explicit, and the legend says to what', () => {
  const s = heatScale([nearPerfectDifference], true, true);
  assert.equal(s.max, 0.047);
  assert.equal(s.stretched, true);
  assert.equal(scalePosition(0.047, s), 1);
  assert.equal(scalePosition(-0.012, s), -0.012 / 0.047);
  assert.equal(scaleNote(s, 'difference', false), 'Colours stretched to ±0.047 (the largest |difference|): not comparable across runs.');
  assert.deepEqual(legendTicks(s).map((t) => tickText(t, s)), ['−0.047', '−0.024', '0', '0.024', '+0.047']);
});

test('correlation matrices stretch to the largest off-diagonal value, shared by human and model', () => {
  const model = [
    [1, 0.2, 0.1],
    [0.2, 1, -0.7],
    [0.1, -0.7, 1],
  ];
  const s = heatScale([human, model], true, true);
  assert.equal(s.max, 0.7);
  // The diagonal (1) is drawn at the end colour but is not "clipped" data.
  assert.equal(s.clipped, false);
  assert.equal(scalePosition(1, s), 1);
  assert.equal(scaleNote(s, 'correlation', true), 'Colours stretched to ±0.7 (the largest |correlation| off the diagonal): not comparable across runs.');
});

test('differences beyond ±1 on the fixed scale are said to be clipped', () => {
  const s = heatScale([[[0, 1.4], [1.4, 0]]], false, true);
  assert.equal(s.clipped, true);
  assert.equal(scalePosition(1.4, s), 1);
  assert.equal(scaleNote(s, 'difference', false), 'Fixed scale −1 to +1: comparable across runs. Values beyond ±1 (up to ±1.4) drawn at the end colours.');
});

test('nothing to stretch to keeps the fixed scale', () => {
  assert.deepEqual(heatScale([[[1, null], [null, 1]]], true, true), { max: 1, stretched: false, dataMax: null, clipped: false });
  assert.deepEqual(heatScale([[[0, 0], [0, 0]]], true, true), { max: 1, stretched: false, dataMax: 0, clipped: false });
});

test('axis labels: every k-th, never closer than a label is tall, at 50 to 175 items', () => {
  const labelPx = 12;
  for (const items of [50, 100, 175]) {
    for (const side of [240, 400, 900]) {
      const cell = side / items;
      const step = labelStep(cell, labelPx);
      const shown = shownLabels(items, step);
      const at = shown.flatMap((s, i) => (s ? [i * cell] : []));
      for (let i = 1; i < at.length; i++) assert.ok(at[i] - at[i - 1] >= labelPx - 1e-9, `${items} items on ${side} px: labels ${at[i - 1]} and ${at[i]}`);
      // As many as fit: the next smaller step would overlap.
      if (step > 1) assert.ok((step - 1) * cell < labelPx);
      assert.ok(at.length >= Math.floor(side / labelPx / 2), `${items} items on ${side} px: ${at.length} labels`);
    }
  }
  // 175 items on a 400 px heatmap: every 6th label, 30 of them.
  assert.equal(labelStep(400 / 175, 12), 6);
  assert.equal(shownLabels(175, 6).filter(Boolean).length, 30);
  assert.equal(labelStep(20, 12), 1);
});

test('the highlighted row or column always shows its label, and its neighbours make room', () => {
  const shown = shownLabels(30, 5, [12]);
  assert.equal(shown[12], true);
  for (const i of [8, 9, 10, 11, 13, 14, 15, 16]) assert.equal(shown[i], false, `label ${i}`);
  assert.equal(shown[5], true);
  assert.equal(shown[20], true);
  const at = shown.flatMap((s, i) => (s ? [i] : []));
  for (let i = 1; i < at.length; i++) assert.ok(at[i] - at[i - 1] >= 5, `labels ${at[i - 1]} and ${at[i]}`);
  assert.deepEqual(shownLabels(4, 1, [null]), [true, true, true, true]);
});

test('long item ids are shortened for the axis (the full one is on hover)', () => {
  assert.equal(shortLabel('Q12', 14), 'Q12');
  assert.equal(shortLabel('trust_in_national_government', 14), 'trust_in_nati…');
  assert.equal(Array.from(shortLabel('trust_in_national_government', 14)).length, 14);
});
