import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeSufficientStats } from '../../../src/core/count/sufficient';
import { mergeSufficientStats } from '../../../src/core/count/tables';
import { associationMatrix, associationValues } from '../../../src/core/stats/association';
import { compareUpperTriangles, upperTrianglePearson } from '../../../src/core/stats/group-structure';
import { MISSING, type SurveyData } from '../../../src/core/read/dataset';
import { maxAbsDiff, readCsv, readFixture, surveyFromCsv } from './survey-csv';

type M = (number | null)[][];
interface RFixture {
  bfiItems: string[];
  anesItems: string[];
  bfiN: number[][];
  bfiPearson: M;
  bfiSpearman: M;
  bfiSpearmanOnceRanked: M;
  bfiAgePearson: M;
  bfiAgeSpearman: M;
  anesPopulPearson: M;
  bfiCramerCorrected: M;
  anesCramerCorrected: M;
  bfiAgeCramerCorrected: M;
}
interface ScipyFixture {
  bfiCramer: M;
  anesCramer: M;
  bfiAgeCramer: M;
  bfiSpearmanPandas: M;
}

const R = readFixture<RFixture>('reference-r.json');
const SP = readFixture<ScipyFixture>('reference-scipy.json');
const bfiCsv = readCsv('test/fixtures/data/bfi.csv');
const anesCsv = readCsv('test/fixtures/data/anes96.csv');
const bfi = surveyFromCsv(bfiCsv, R.bfiItems);
const age = Float64Array.from(bfiCsv.column('age'), (v) => v as number);
const bfiByAge = surveyFromCsv(bfiCsv, R.bfiItems, age);
const anes = surveyFromCsv(anesCsv, R.anesItems);
const anesByPopul = surveyFromCsv(anesCsv, R.anesItems, Float64Array.from(anesCsv.column('popul'), (v) => (v as number) + 1));

const bfiStats = computeSufficientStats(bfi);

// Closed forms on the same tables as R: the only differences are summation order and R's long-double
// accumulators, ~1e-15 on a correlation; 1e-10 leaves room for that and catches any real error
// (the smallest real deviation we guard against, once-ranked Spearman, is 3.5e-4).
const CLOSED_FORM = 1e-10;

test('Pearson with pairwise deletion equals R cor(use = "pairwise.complete.obs") on bfi', () => {
  const a = associationMatrix(bfiStats, 'pearson');
  assert.equal(a.method, 'pearson');
  assert.deepEqual(a.items, R.bfiItems);
  assert.ok(maxAbsDiff(a.values, R.bfiPearson) < CLOSED_FORM);
  // n: R crossprod(!is.na(x)), diagonal = each item's valid answers.
  assert.deepEqual(a.n, R.bfiN);
  assert.equal(a.undefinedPairs.length, 0);
});

test('Spearman re-ranks within each pair: equals R and pandas, not the once-ranked shortcut, on bfi', () => {
  const a = associationMatrix(bfiStats, 'spearman');
  assert.ok(maxAbsDiff(a.values, R.bfiSpearman) < CLOSED_FORM);
  assert.ok(maxAbsDiff(a.values, SP.bfiSpearmanPandas) < CLOSED_FORM);
  // Ranking each column once over all its answers is off by up to 3.5e-4 on bfi (R, same data):
  // our matrix must be measurably different from that one.
  assert.ok(maxAbsDiff(a.values, R.bfiSpearmanOnceRanked) > 1e-4);
});

test('weighted Pearson equals R cov.wt(cor = TRUE) on each pair\'s complete rows', () => {
  // bfi weighted by age (real NAs, pairwise deletion) and ANES 1996 weighted by popul + 1 (weights 1..7.3e6).
  const a = associationMatrix(computeSufficientStats(bfiByAge), 'pearson');
  assert.ok(maxAbsDiff(a.values, R.bfiAgePearson) < CLOSED_FORM);
  // n stays the unweighted complete-pair count.
  assert.deepEqual(a.n, R.bfiN);
  const b = associationMatrix(computeSufficientStats(anesByPopul), 'pearson');
  assert.ok(maxAbsDiff(b.values, R.anesPopulPearson) < CLOSED_FORM);
  // weighted: false ignores the weights held in the statistics.
  const c = associationMatrix(computeSufficientStats(bfiByAge), 'pearson', { weighted: false });
  assert.ok(maxAbsDiff(c.values, R.bfiPearson) < CLOSED_FORM);
});

test('weighted Spearman with integer weights equals R Spearman of the rows repeated w times', () => {
  const a = associationMatrix(computeSufficientStats(bfiByAge), 'spearman');
  assert.ok(maxAbsDiff(a.values, R.bfiAgeSpearman) < CLOSED_FORM);
});

test('Cramer\'s V equals scipy contingency.association(method = "cramer") on bfi and ANES', () => {
  assert.ok(maxAbsDiff(associationMatrix(bfiStats, 'cramer').values, SP.bfiCramer) < CLOSED_FORM);
  assert.ok(maxAbsDiff(associationMatrix(computeSufficientStats(anes), 'cramer').values, SP.anesCramer) < CLOSED_FORM);
  // Weighted by integer age: the weighted table is scipy's integer table.
  assert.ok(maxAbsDiff(associationMatrix(computeSufficientStats(bfiByAge), 'cramer').values, SP.bfiAgeCramer) < CLOSED_FORM);
});

test('bias-corrected Cramer\'s V equals Bergsma\'s formula computed in R, and is a different number', () => {
  const a = associationMatrix(bfiStats, 'cramerCorrected');
  assert.equal(a.method, 'cramerCorrected');
  assert.ok(maxAbsDiff(a.values, R.bfiCramerCorrected) < CLOSED_FORM);
  assert.ok(maxAbsDiff(associationMatrix(computeSufficientStats(anes), 'cramerCorrected').values, R.anesCramerCorrected) < CLOSED_FORM);
  assert.ok(maxAbsDiff(associationMatrix(computeSufficientStats(bfiByAge), 'cramerCorrected').values, R.bfiAgeCramerCorrected) < CLOSED_FORM);
  // ANES income has 24 categories on 944 rows: the correction matters there.
  assert.ok(maxAbsDiff(associationMatrix(computeSufficientStats(anes), 'cramer').values, R.anesCramerCorrected) > 1e-3);
});

test('Cramer\'s V ignores codes never answered on the pair\'s rows', () => {
  // Declare an extra, never-used code on every bfi item: V must not change (scipy and DescTools
  // drop empty rows and columns). Pearson must not change either (an unused code has no weight).
  const padded: SurveyData = {
    ...bfi,
    columns: bfi.columns.map((c) => ({ ...c, item: { ...c.item, codes: [...c.item.codes, 99] } })),
  };
  const s = computeSufficientStats(padded);
  assert.ok(maxAbsDiff(associationMatrix(s, 'cramer').values, SP.bfiCramer) < CLOSED_FORM);
  assert.ok(maxAbsDiff(associationMatrix(s, 'cramerCorrected').values, R.bfiCramerCorrected) < CLOSED_FORM);
});

test('matrices from merged chunks equal the matrix of the whole (one pass, mergeable)', () => {
  const all = Array.from({ length: bfi.n }, (_, r) => r);
  const s = mergeSufficientStats(
    computeSufficientStats(bfi, { rows: all.slice(0, 1000) }),
    computeSufficientStats(bfi, { rows: all.slice(1000) }),
  );
  assert.ok(maxAbsDiff(associationMatrix(s, 'spearman').values, R.bfiSpearman) < CLOSED_FORM);
});

function tinySurvey(columns: { id: string; values: number[]; codes: number[]; type?: 'ordinal' | 'nominal' }[]): SurveyData {
  return {
    source: 'tiny',
    n: columns[0].values.length,
    columns: columns.map((c) => ({
      item: { id: c.id, type: c.type ?? 'ordinal', codes: c.codes },
      values: Uint8Array.from(c.values),
      invalid: 0,
      missing: 0,
    })),
    weights: null,
    attributes: new Map(),
  };
}

test('zero variance and too few complete rows give reported nulls, never NaN', () => {
  const X = MISSING;
  const data = tinySurvey([
    { id: 'varies', values: [0, 1, 2, 0, 1, 2], codes: [1, 2, 3] },
    { id: 'constant', values: [1, 1, 1, 1, 1, 1], codes: [1, 2, 3] },
    { id: 'sparse', values: [X, X, X, X, 0, 1], codes: [1, 2] },
    { id: 'other', values: [X, 1, 0, 1, 0, X], codes: [1, 2] },
  ]);
  const s = computeSufficientStats(data);
  for (const method of ['pearson', 'spearman', 'cramer', 'cramerCorrected'] as const) {
    const a = associationMatrix(s, method);
    for (const row of a.values) for (const v of row) assert.ok(v === null || Number.isFinite(v), `${method}: ${v}`);
    assert.equal(a.values[1][1], null, `${method}: constant item's diagonal`);
    assert.equal(a.values[0][1], null);
    assert.equal(a.values[1][0], null);
    // sparse x other share only row 4 (complete rows: 1).
    assert.equal(a.n[2][3], 1);
    assert.equal(a.values[2][3], null);
    const reported = new Set(a.undefinedPairs.map((u) => `${u.i},${u.j}`));
    for (let i = 0; i < 4; i++) {
      for (let j = i; j < 4; j++) if (a.values[i][j] === null) assert.ok(reported.has(`${i},${j}`), `${method}: ${i},${j} not reported`);
    }
    assert.ok(a.undefinedPairs.every((u) => u.reason.length > 0));
    assert.equal(a.values[0][0], 1);
  }
});

test('Pearson and Spearman are undefined for a nominal item with more than two codes; Cramer\'s V is not', () => {
  const data = tinySurvey([
    { id: 'religion', type: 'nominal', values: [0, 1, 2, 0, 1, 2, 2], codes: [1, 2, 3] },
    { id: 'sex', type: 'nominal', values: [0, 1, 1, 0, 1, 0, 1], codes: [1, 2] },
    { id: 'trust', values: [0, 1, 2, 1, 2, 3, 3], codes: [1, 2, 3, 4] },
  ]);
  const s = computeSufficientStats(data);
  const p = associationMatrix(s, 'pearson');
  assert.equal(p.values[0][0], null);
  assert.equal(p.values[0][2], null);
  assert.match(p.undefinedPairs.find((u) => u.i === 0 && u.j === 2)!.reason, /nominal/);
  assert.notEqual(p.values[1][2], null); // binary nominal: point-biserial
  const v = associationMatrix(s, 'cramer');
  assert.notEqual(v.values[0][2], null);
  assert.equal(v.values[0][0], 1);
});

test('a perfect monotone pair has correlation exactly 1 (clamped like R), Cramer\'s V 1', () => {
  const data = tinySurvey([
    { id: 'x', values: [0, 1, 2, 0, 1, 2], codes: [1, 2, 3] },
    { id: 'y', values: [0, 1, 2, 0, 1, 2], codes: [10, 20, 30] },
  ]);
  const s = computeSufficientStats(data);
  for (const method of ['pearson', 'spearman', 'cramer'] as const) {
    const v = associationMatrix(s, method).values[0][1] as number;
    assert.ok(Math.abs(v - 1) < 1e-15 && v <= 1, `${method}: ${v}`);
  }
});

test('associationValues is the matrices\' upper triangles exactly (NaN for null), for any share of the pairs and either order of methods; upperTrianglePearson is compareUpperTriangles\' Pearson', () => {
  const X = MISSING;
  const tiny = computeSufficientStats(tinySurvey([
    { id: 'varies', values: [0, 1, 2, 0, 1, 2, 1], codes: [1, 2, 3] },
    { id: 'constant', values: [1, 1, 1, 1, 1, 1, 1], codes: [1, 2, 3] },
    { id: 'sparse', values: [X, X, X, X, 0, 1, X], codes: [1, 2] },
    { id: 'religion', type: 'nominal', values: [0, 1, 2, 0, 1, 2, 2], codes: [1, 2, 3] },
    { id: 'other', values: [X, 1, 0, 1, 0, X, 1], codes: [1, 2] },
  ]));
  const byAge = computeSufficientStats(bfiByAge);
  for (const [label, stats] of [['bfi', bfiStats], ['bfi weighted by age', byAge], ['nulls and a nominal item', tiny]] as const) {
    const m = stats.items.length;
    const size = (m * (m - 1)) / 2;
    for (const methods of [['pearson', 'spearman'], ['spearman', 'pearson'], ['spearman']] as const) {
      const whole = methods.map(() => new Float64Array(size).fill(7));
      associationValues(stats, methods, whole);
      const split = methods.map(() => new Float64Array(size).fill(7));
      for (let start = 0; start < 3; start++) associationValues(stats, methods, split, start, 3);
      methods.forEach((method, mi) => {
        const matrix = associationMatrix(stats, method);
        for (let i = 0, p = 0; i < m; i++) {
          for (let j = i + 1; j < m; j++, p++) {
            const v = matrix.values[i][j];
            assert.ok(v === null ? Number.isNaN(whole[mi][p]) : whole[mi][p] === v, `${label} ${method} (${i}, ${j}): ${whole[mi][p]} vs ${v}`);
            assert.ok(Object.is(split[mi][p], whole[mi][p]), `${label} ${method} (${i}, ${j}) split over 3 shares`);
          }
        }
        if (label === 'nulls and a nominal item') assert.ok(whole[mi].some(Number.isNaN));
      });
      if (methods.length === 2) {
        // The comparison's Pearson of the two matrices from their vectors: the same number.
        const a = associationMatrix(stats, methods[0]);
        const b = associationMatrix(stats, methods[1]);
        assert.equal(upperTrianglePearson(whole[0], whole[1]), compareUpperTriangles(a.values, b.values).pearson, `${label} ${methods.join(' vs ')}`);
      }
    }
  }
});
