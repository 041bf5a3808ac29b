import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitCulturalMap, mapAgreement, placeOnMap, procrustesNull } from '../../../src/core/stats/cultural-map';
import { readLatentFixture, matmul, maxAbsDiff, maxAbsDiffVector } from './fixtures';

/** cultural-map.json (generate.R): synthetic country means, psych::principal(2, varimax), vegan::procrustes. */
interface MapCase {
  indicators: string[];
  groups: string[];
  dimension1: number[];
  dimension2: number[];
  human: number[][];
  weights: number[];
  modelGroups: string[];
  model: number[][];
  center: number[];
  scale: number[];
  correlation: number[][];
  values: number[];
  loadings: number[][];
  scoreWeights: number[][];
  humanScores: number[][];
  modelScores: number[][];
  weightedCenter: number[];
  weightedScale: number[];
  weightedLoadings: number[][];
  weightedScoreWeights: number[][];
  weightedHumanScores: number[][];
  weightedModelScores: number[][];
  distances: number[];
  meanDistance: number;
  pearsonAxis1: number;
  pearsonAxis2: number;
  procrustesSymmetricSs: number;
  procrustesSs: number;
  procrustesScale: number;
  procrustesRotation: number[][];
  protestR: number;
  protestPermutations: number[][];
  protestNull: number[];
  protestP: number;
  protestSixR: number;
  protestSixPermutations: number[][];
  protestSixNull: number[];
  protestSixP: number;
}
const C = readLatentFixture<MapCase>('cultural-map.json');
const dims = { dimension1: C.dimension1, dimension2: C.dimension2 };

// Tolerance for everything below: the same closed-form steps as R (means, n - 1 SDs, one
// eigen-decomposition, ~6 varimax iterations, products), so rounding only: ~1e-15 relative per
// step, scores of size ~2 after 10-term sums. 1e-12 is the brief's 1e-10 with margin; achieved
// <= 2e-14 everywhere.
const TOL = 1e-12;

test('fitCulturalMap: centre, n - 1 scale, loadings, score weights and scores as psych::principal(x, 2, rotate = "varimax")', () => {
  const m = fitCulturalMap(C.human, dims);
  assert.ok(maxAbsDiffVector(m.center, C.center) <= TOL);
  assert.ok(maxAbsDiffVector(m.scale, C.scale) <= TOL);
  assert.ok(maxAbsDiff(m.correlation, C.correlation) <= TOL);
  assert.ok(maxAbsDiffVector(m.eigenvalues, C.values) <= TOL);
  assert.ok(maxAbsDiff(m.loadings, C.loadings) <= TOL, `loadings ${maxAbsDiff(m.loadings, C.loadings)}`);
  // psych's weights are solve(R, loadings); ours V_2 Lambda^-1/2 T, the same matrix.
  assert.ok(maxAbsDiff(m.scoreWeights, C.scoreWeights) <= TOL, `weights ${maxAbsDiff(m.scoreWeights, C.scoreWeights)}`);
  assert.ok(maxAbsDiff(m.scores, C.humanScores) <= TOL, `scores ${maxAbsDiff(m.scores, C.humanScores)}`);
  // Regression scores of orthogonal components from a correlation matrix: mean 0, variance 1 (n - 1).
  for (const axis of [0, 1]) {
    const xs = m.scores.map((s) => s[axis]);
    const mean = xs.reduce((s, v) => s + v, 0) / xs.length;
    const variance = xs.reduce((s, v) => s + (v - mean) ** 2, 0) / (xs.length - 1);
    assert.ok(Math.abs(mean) <= 1e-14 && Math.abs(variance - 1) <= 1e-13, `axis ${axis + 1}: mean ${mean}, variance ${variance}`);
  }
  // Axis identification: dimension-1 indicators load mostly on axis 1, and positively.
  const ss = (cols: number[], axis: number): number => cols.reduce((s, j) => s + m.loadings[j][axis] ** 2, 0);
  assert.ok(ss(C.dimension1, 0) > ss(C.dimension1, 1));
  assert.ok(C.dimension1.reduce((s, j) => s + m.loadings[j][0], 0) > 0);
  assert.ok(C.dimension2.reduce((s, j) => s + m.loadings[j][1], 0) > 0);
  assert.ok(m.varianceExplained[0] + m.varianceExplained[1] <= 1);
});

test('placeOnMap: model groups with the human centring, scaling and score weights; the human groups land on their scores', () => {
  const m = fitCulturalMap(C.human, dims);
  const placed = placeOnMap(m, C.model) as [number, number][];
  assert.ok(maxAbsDiff(placed, C.modelScores) <= TOL, `model ${maxAbsDiff(placed, C.modelScores)}`);
  assert.deepEqual(placeOnMap(m, C.human), m.scores);
  const holes = placeOnMap(m, [C.model[0].map((v, j) => (j === 3 ? null : v)), C.model[1].map((v, j) => (j === 0 ? NaN : v)), C.model[2]]);
  assert.equal(holes[0], null);
  assert.equal(holes[1], null);
  assert.ok(maxAbsDiffVector(holes[2]!, C.modelScores[2]) <= TOL);
});

test('fitCulturalMap with group weights: weighted mean, cov.wt(method = "unbiased") scale and correlation', () => {
  const m = fitCulturalMap(C.human, { ...dims, weights: C.weights });
  assert.equal(m.weighted, true);
  assert.ok(maxAbsDiffVector(m.center, C.weightedCenter) <= TOL);
  assert.ok(maxAbsDiffVector(m.scale, C.weightedScale) <= TOL);
  assert.ok(maxAbsDiff(m.loadings, C.weightedLoadings) <= TOL);
  assert.ok(maxAbsDiff(m.scoreWeights, C.weightedScoreWeights) <= TOL);
  assert.ok(maxAbsDiff(m.scores, C.weightedHumanScores) <= TOL);
  assert.ok(maxAbsDiff(placeOnMap(m, C.model) as number[][], C.weightedModelScores) <= TOL);
  // Equal weights reduce to the unweighted n - 1 fit.
  const equal = fitCulturalMap(C.human, { ...dims, weights: C.human.map(() => 2.5) });
  assert.ok(maxAbsDiff(equal.scores, C.humanScores) <= TOL);
});

test('fitCulturalMap: positions do not depend on indicator units, indicator order or the order of the two dimensions given', () => {
  const base = fitCulturalMap(C.human, dims);
  // Units: a linear recoding with positive slope (e.g. a 1-10 scale to 0-1) is standardised away.
  const rescaled = C.human.map((row) => row.map((v, j) => (j % 2 ? 100 * v - 7 : v / 9 + 3)));
  assert.ok(maxAbsDiff(fitCulturalMap(rescaled, dims).scores, base.scores) <= 1e-12);
  // Order: reversing the indicator columns and renaming the dimensions accordingly.
  const p = C.indicators.length;
  const reversed = C.human.map((row) => row.slice().reverse());
  const flip = (cols: number[]): number[] => cols.map((j) => p - 1 - j);
  const r = fitCulturalMap(reversed, { dimension1: flip(C.dimension1), dimension2: flip(C.dimension2) });
  assert.ok(maxAbsDiff(r.scores, base.scores) <= 1e-12);
  // Swapping which indicators are dimension 1 swaps the axes.
  const swapped = fitCulturalMap(C.human, { dimension1: C.dimension2, dimension2: C.dimension1 });
  assert.ok(maxAbsDiff(swapped.scores.map(([x, y]) => [y, x]), base.scores) <= 1e-12);
  // dimension2 defaults to the other indicators.
  assert.deepEqual(fitCulturalMap(C.human, { dimension1: C.dimension1 }).scores, base.scores);
  // A reversed-coded indicator (higher = traditional) is against the convention: the map's axes
  // keep their orientation from the other indicators, and that one's loading turns negative.
  const reverseCoded = C.human.map((row) => row.map((v, j) => (j === 1 ? -v : v)));
  const rc = fitCulturalMap(reverseCoded, dims);
  assert.ok(maxAbsDiff(rc.scores, base.scores) <= 1e-12);
  assert.ok(Math.abs(rc.loadings[1][0] + base.loadings[1][0]) <= 1e-12);
});

test('fitCulturalMap: the rotation takes the unrotated components to the loadings (an orthogonal 2 x 2)', () => {
  const m = fitCulturalMap(C.human, dims);
  const T = m.rotation;
  assert.ok(maxAbsDiff(matmul([[T[0][0], T[1][0]], [T[0][1], T[1][1]]], T), [[1, 0], [0, 1]]) <= 1e-15 * 8);
  const communality = m.loadings.map(([a, b]) => a * a + b * b);
  // Communalities of two components: sum over the first two eigenpairs, unchanged by the rotation.
  const total = communality.reduce((s, v) => s + v, 0);
  assert.ok(Math.abs(total - (m.eigenvalues[0] + m.eigenvalues[1])) <= 1e-12);
});

test('mapAgreement: distances, per-axis Pearson and vegan::procrustes (symmetric and not) of model against human positions', () => {
  const m = fitCulturalMap(C.human, dims);
  const human = C.modelGroups.map((g) => m.scores[C.groups.indexOf(g)]);
  const model = placeOnMap(m, C.model);
  const a = mapAgreement(human, model);
  assert.equal(a.groups, C.modelGroups.length);
  assert.equal(a.excluded, 0);
  assert.ok(maxAbsDiffVector(a.distances as number[], C.distances) <= TOL);
  assert.ok(Math.abs(a.meanDistance! - C.meanDistance) <= TOL);
  assert.ok(Math.abs(a.pearson[0]! - C.pearsonAxis1) <= TOL);
  assert.ok(Math.abs(a.pearson[1]! - C.pearsonAxis2) <= TOL);
  const pr = a.procrustes!;
  assert.ok(Math.abs(pr.symmetricSs - C.procrustesSymmetricSs) <= TOL, `symmetric ss ${pr.symmetricSs} vs ${C.procrustesSymmetricSs}`);
  assert.ok(Math.abs(pr.ss - C.procrustesSs) <= TOL * C.procrustesSs, `ss ${pr.ss} vs ${C.procrustesSs}`);
  assert.ok(Math.abs(pr.scale - C.procrustesScale) <= TOL);
  assert.ok(maxAbsDiff(pr.rotation, C.procrustesRotation) <= TOL);
  assert.ok(Math.abs(pr.correlation - C.protestR) <= TOL);
  // The symmetric statistic is symmetric; the other is not.
  const back = mapAgreement(model, human).procrustes!;
  assert.ok(Math.abs(back.symmetricSs - pr.symmetricSs) <= 1e-15 * 8);
  assert.ok(Math.abs(back.ss - pr.ss) > 1e-3);
});

test('procrustesNull: vegan::protest fed the same permutations (199 random of all groups; all 720 of 6 groups) gives the same null statistics and p', () => {
  const m = fitCulturalMap(C.human, dims);
  const human = C.modelGroups.map((g) => m.scores[C.groups.indexOf(g)]);
  const model = placeOnMap(m, C.model);
  const all = procrustesNull(human, model, C.protestPermutations)!;
  assert.ok(Math.abs(all.observed - C.protestR) <= TOL);
  assert.ok(maxAbsDiffVector(all.statistics, C.protestNull) <= TOL, `null ${maxAbsDiffVector(all.statistics, C.protestNull)}`);
  assert.equal(all.p, C.protestP);
  // Six groups: the exact null (identity included, as permute::allPerms(observed = TRUE) lists it).
  const six = procrustesNull(human.slice(0, 6), model.slice(0, 6), C.protestSixPermutations)!;
  assert.ok(Math.abs(six.observed - C.protestSixR) <= TOL);
  assert.ok(maxAbsDiffVector(six.statistics, C.protestSixNull) <= TOL);
  assert.equal(six.p, C.protestSixP);
  // With few groups unrelated matchings reach a sizeable correlation: the null's mean is far from 0.
  const mean = six.statistics.reduce((s, v) => s + v, 0) / six.statistics.length;
  assert.ok(mean > 0.3 && mean < 0.7, `six-group null mean ${mean}`);
  // Fewer than two groups with both positions, or no spread: no null.
  assert.equal(procrustesNull([human[0], null], [model[0], model[1]], []), null);
  assert.equal(procrustesNull([human[0], human[1]], [model[0], model[0]], [[1, 0]]), null);
  assert.throws(() => procrustesNull(human.slice(0, 3), model.slice(0, 3), [[0, 1]]), RangeError);
});

test('mapAgreement: identical positions agree perfectly; a rotated, scaled, shifted copy has Procrustes ss 0 but distances > 0', () => {
  const pts = C.humanScores.map(([x, y]) => [x, y] as [number, number]);
  const same = mapAgreement(pts, pts);
  assert.ok(same.distances.every((d) => d === 0));
  assert.equal(same.meanDistance, 0);
  assert.ok(Math.abs(same.pearson[0]! - 1) <= 1e-15 && Math.abs(same.pearson[1]! - 1) <= 1e-15);
  assert.ok(same.procrustes!.symmetricSs <= 1e-15 && same.procrustes!.ss <= 1e-13);
  const t = 0.6;
  const moved = pts.map(([x, y]) => [0.5 * (Math.cos(t) * x - Math.sin(t) * y) + 1, 0.5 * (Math.sin(t) * x + Math.cos(t) * y) - 2] as [number, number]);
  const a = mapAgreement(pts, moved);
  assert.ok(a.meanDistance! > 1);
  assert.ok(a.procrustes!.symmetricSs <= 1e-14, `symmetric ss ${a.procrustes!.symmetricSs}`);
  assert.ok(a.procrustes!.ss <= 1e-12);
  assert.ok(Math.abs(a.procrustes!.scale - 2) <= 1e-13, 'the scale that undoes the halving');
});

test('mapAgreement: groups without a position are excluded; too few groups or no spread give null, never NaN', () => {
  const pts = C.humanScores.slice(0, 4).map(([x, y]) => [x, y] as [number, number]);
  const a = mapAgreement(pts, [pts[0], null, pts[2], pts[3]]);
  assert.equal(a.groups, 3);
  assert.equal(a.excluded, 1);
  assert.equal(a.distances[1], null);
  const one = mapAgreement([pts[0]], [pts[1]]);
  assert.deepEqual(one.pearson, [null, null]);
  assert.equal(one.procrustes, null);
  const collapsed = mapAgreement(pts, pts.map(() => [0.3, 0.3] as [number, number]));
  assert.deepEqual(collapsed.pearson, [null, null]);
  assert.equal(collapsed.procrustes, null);
  assert.equal(mapAgreement([], []).meanDistance, null);
  assert.throws(() => mapAgreement(pts, pts.slice(1)), RangeError);
});

test('fitCulturalMap rejects what has no map: too few groups, a constant indicator, bad dimensions or weights, non-finite means', () => {
  assert.throws(() => fitCulturalMap(C.human.slice(0, 2), dims), RangeError);
  const constant = C.human.map((row) => row.map((v, j) => (j === 4 ? 3 : v)));
  assert.throws(() => fitCulturalMap(constant, dims), /indicator 4 does not vary/);
  assert.throws(() => fitCulturalMap(C.human, { dimension1: [0, 1], dimension2: [1, 2] }), /share a column/);
  assert.throws(() => fitCulturalMap(C.human, { dimension1: [10] }), RangeError);
  assert.throws(() => fitCulturalMap(C.human, { dimension1: [] }), RangeError);
  assert.throws(() => fitCulturalMap(C.human, { ...dims, weights: C.weights.slice(1) }), RangeError);
  assert.throws(() => fitCulturalMap(C.human, { ...dims, weights: C.weights.map((w, i) => (i === 0 ? 0 : w)) }), RangeError);
  const nan = C.human.map((row, i) => row.map((v, j) => (i === 3 && j === 2 ? NaN : v)));
  assert.throws(() => fitCulturalMap(nan, dims), /not finite/);
  // Three groups on a line: one dimension only.
  const line = [0, 1, 2].map((t) => [t, 2 * t + 1, 3 - t]);
  assert.throws(() => fitCulturalMap(line, { dimension1: [0] }), /fewer than two dimensions/);
});

test('fitCulturalMap with fewer groups than indicators (a singular correlation matrix) still places every group', () => {
  const few = C.human.slice(0, 6);
  const m = fitCulturalMap(few, dims);
  assert.ok(m.scores.every(([x, y]) => Number.isFinite(x) && Number.isFinite(y)));
  // The weights still reproduce the loadings: R_sample W = L for the rank-deficient R.
  const RW = matmul(m.correlation, m.scoreWeights);
  assert.ok(maxAbsDiff(RW, m.loadings) <= 1e-12);
});
