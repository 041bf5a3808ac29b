import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeSufficientStats } from '../../../src/core/count/sufficient';
import type { ItemCodebook, ItemType } from '../../../src/core/read/codebook';
import {
  DEFAULT_KL_SMOOTHING,
  dissimilarity,
  headlineMeasures,
  invalidRate,
  marginalMeasures,
  meanOverItems,
  representativeness,
  type MarginalMeasures,
} from '../../../src/core/stats/marginal';
import { close, readJson, readNumericCsv, rowsWhere, surveyData } from './data';

// Reference values: test/fixtures/marginal/generate.py (scipy 1.10.1, numpy 1.24.2) on the real
// bfi (psychTools) and ANES 1996 (statsmodels) exports.
interface Expected {
  tvd: number;
  jsDistance: number;
  jsDistanceNatural: number;
  jsDivergence: number;
  referenceModalShare: number;
  runModalShare: number;
  referenceN: number;
  runN: number;
  /** One per fixture.klSmoothings entry. */
  kl: (number | null)[];
  w1?: number;
  w1Normalized?: number;
  w1OnProbabilities?: number;
  referenceMean?: number;
  runMean?: number;
  meanDiff?: number;
  referenceVariance?: number;
  runVariance?: number;
  varianceRatio?: number;
}
interface Case {
  data: 'bfi' | 'anes96';
  item: string;
  type: ItemType;
  codes: number[];
  reference: string;
  run: string;
  referenceCounts: number[];
  runCounts: number[];
  expected: Expected;
}
const fixture = readJson<{ cases: Case[]; klSmoothings: number[]; bfiRepresentativeness: number }>('test/fixtures/marginal/marginal.json');
const csv = {
  bfi: readNumericCsv('test/fixtures/data/bfi.csv'),
  anes96: readNumericCsv('test/fixtures/data/anes96.csv'),
};

// Closed forms on O(1) quantities computed in a different summation order than scipy/numpy:
// agreement to ~1e-15 is expected; 1e-10 absolute leaves room for rounding, not for a wrong formula.
const TOL = 1e-10;

function itemOf(c: Case): ItemCodebook {
  return { id: c.item, type: c.type, codes: c.codes };
}

/** The two distributions counted by our own pipeline (computeSufficientStats over the group's rows). */
function groupDistributions(c: Case): { reference: Float64Array; run: Float64Array } {
  const data = surveyData(csv[c.data], [{ id: c.item, codes: c.codes, type: c.type }]);
  const group = (expr: string): Uint32Array => {
    const [name, value] = expr.split(' == ');
    return rowsWhere(csv[c.data], name, Number(value));
  };
  const ref = computeSufficientStats(data, { rows: group(c.reference), marginalsOnly: true });
  const run = computeSufficientStats(data, { rows: group(c.run), marginalsOnly: true });
  return { reference: ref.itemWeights[0], run: run.itemWeights[0] };
}

function assertNoNaN(m: MarginalMeasures): void {
  for (const [k, v] of Object.entries(m)) assert.ok(!(typeof v === 'number' && Number.isNaN(v)), `${k} is NaN`);
}

test('marginal measures match scipy/numpy on real data (bfi by gender, ANES 1996 by vote and party)', () => {
  assert.equal(fixture.cases.length, 35);
  for (const c of fixture.cases) {
    const what = `${c.data} ${c.item} (${c.type}) ${c.reference} vs ${c.run}`;
    const { reference, run } = groupDistributions(c);
    // Counting is exact (integers).
    assert.deepEqual(Array.from(reference), c.referenceCounts, `${what}: reference counts`);
    assert.deepEqual(Array.from(run), c.runCounts, `${what}: run counts`);
    for (const [e_i, eps] of fixture.klSmoothings.entries()) {
      const m = marginalMeasures(reference, run, itemOf(c), { klSmoothing: eps });
      const e = c.expected;
      assertNoNaN(m);
      assert.equal(m.klSmoothing, eps);
      close(m.kl, e.kl[e_i], TOL, `${what}: KL eps ${eps}`); // scipy rel_entr / ln 2
      close(m.tvd, e.tvd, TOL, `${what}: TVD`); // numpy 0.5 * sum|p - q|
      close(m.jsDistance, e.jsDistance, TOL, `${what}: JS distance`); // scipy jensenshannon(base=2)
      close(m.jsDivergence, e.jsDivergence, TOL, `${what}: JS divergence`); // its square
      close(m.referenceModalShare, e.referenceModalShare, TOL, `${what}: reference modal share`);
      close(m.runModalShare, e.runModalShare, TOL, `${what}: run modal share`);
      assert.equal(m.referenceN, e.referenceN);
      assert.equal(m.runN, e.runN);
      if (c.type === 'ordinal') {
        close(m.w1, e.w1!, TOL, `${what}: W1`); // scipy wasserstein_distance(codes, codes, u, v)
        close(m.w1Normalized, e.w1Normalized!, TOL, `${what}: W1 / range`);
        close(m.referenceMean, e.referenceMean!, TOL, `${what}: reference mean`); // np.average
        close(m.runMean, e.runMean!, TOL, `${what}: run mean`);
        close(m.meanDiff, e.meanDiff!, TOL, `${what}: mean difference`);
        close(m.referenceVariance, e.referenceVariance!, TOL, `${what}: reference variance`); // population variance
        close(m.runVariance, e.runVariance!, TOL, `${what}: run variance`);
        close(m.varianceRatio, e.varianceRatio!, TOL, `${what}: variance ratio`);
        const range = Math.max(...c.codes) - Math.min(...c.codes);
        close(m.runDiversity, e.runVariance! / range ** 2, TOL, `${what}: run diversity`);
      } else {
        // Nominal: no order, so no Wasserstein and no means; TVD is the headline.
        for (const k of ['w1', 'w1Normalized', 'meanDiff', 'referenceMean', 'runMean', 'referenceVariance', 'runVariance', 'varianceRatio'] as const) {
          assert.equal(m[k], null, `${what}: ${k} must be null for a nominal item`);
        }
      }
    }
  }
});

test('the default KL smoothing is the documented 1e-6, applied to both sides', () => {
  const c = fixture.cases.find((x) => x.item === 'selfLR' && x.reference === 'PID == 0')!;
  const m = marginalMeasures(Float64Array.from(c.referenceCounts), Float64Array.from(c.runCounts), itemOf(c));
  assert.equal(m.klSmoothing, DEFAULT_KL_SMOOTHING);
  assert.equal(DEFAULT_KL_SMOOTHING, 1e-6);
  assert.equal(fixture.klSmoothings[1], 1e-6);
  close(m.kl, c.expected.kl[1], TOL, 'KL with default smoothing'); // scipy rel_entr((p+eps)/(1+K eps), ...)
  // Without smoothing, a run share of 0 where the population has answers makes KL infinite: null, not Infinity.
  assert.ok(c.runCounts.includes(0));
  assert.equal(fixture.klSmoothings[0], 0);
  assert.equal(c.expected.kl[0], null);
  assert.equal(marginalMeasures(Float64Array.from(c.referenceCounts), Float64Array.from(c.runCounts), itemOf(c), { klSmoothing: 0 }).kl, null);
});

test('counts, shares and any scaling of them give the same measures (inputs are normalised inside)', () => {
  const c = fixture.cases[3];
  const counts = marginalMeasures(Float64Array.from(c.referenceCounts), Float64Array.from(c.runCounts), itemOf(c));
  const sum = (a: number[]): number => a.reduce((s, x) => s + x, 0);
  const shares = marginalMeasures(
    Float64Array.from(c.referenceCounts, (x) => x / sum(c.referenceCounts)),
    Float64Array.from(c.runCounts, (x) => (3.7 * x) / sum(c.runCounts)),
    itemOf(c),
  );
  for (const k of ['w1', 'w1Normalized', 'tvd', 'jsDivergence', 'jsDistance', 'kl', 'meanDiff', 'referenceVariance', 'runVariance', 'varianceRatio', 'referenceModalShare', 'runModalShare'] as const) {
    close(shares[k], counts[k], 1e-12, `${k}`); // same shares up to one division's rounding
  }
  assert.equal(shares.runN, 3.7);
});

test('peer mistake: Jensen-Shannon on counts instead of probabilities', () => {
  const c = fixture.cases.find((x) => x.item === 'N1')!;
  const u = c.referenceCounts;
  const v = c.runCounts;
  // What the buggy peer computes: the JS formula on raw counts (unequal totals, 918 vs 1866).
  let naive = 0;
  for (let k = 0; k < u.length; k++) {
    const m = (u[k] + v[k]) / 2;
    naive += (u[k] * Math.log2(u[k] / m) + v[k] * Math.log2(v[k] / m)) / 2;
  }
  const ours = marginalMeasures(Float64Array.from(u), Float64Array.from(v), itemOf(c));
  close(ours.jsDivergence, c.expected.jsDivergence, TOL, 'JS on counts = JS on normalised shares (scipy)');
  assert.ok(Math.abs(naive - c.expected.jsDivergence) > 0.1, `the naive count-based value ${naive} must differ`);
});

test('peer mistake: Wasserstein on probability values instead of option positions', () => {
  for (const c of fixture.cases.filter((x) => x.type === 'ordinal').slice(0, 10)) {
    const m = marginalMeasures(Float64Array.from(c.referenceCounts), Float64Array.from(c.runCounts), itemOf(c));
    close(m.w1, c.expected.w1!, TOL, `${c.item}: W1 over positions (scipy)`);
    // scipy wasserstein_distance(p, q): the shares taken as the sample, a different (wrong) number.
    assert.ok(Math.abs(m.w1! - c.expected.w1OnProbabilities!) > 1e-3, `${c.item}: must differ from W1 on probabilities`);
  }
});

test('peer mistakes: JS distance vs divergence, and natural log vs base 2', () => {
  for (const c of fixture.cases.slice(0, 10)) {
    const m = marginalMeasures(Float64Array.from(c.referenceCounts), Float64Array.from(c.runCounts), itemOf(c));
    // scipy's jensenshannon returns the DISTANCE; our jsDivergence is its square.
    close(m.jsDistance, c.expected.jsDistance, TOL, `${c.item}: distance`);
    close(m.jsDivergence! , m.jsDistance! ** 2, 1e-15, `${c.item}: divergence = distance^2`);
    assert.ok(m.jsDistance! - m.jsDivergence! > 1e-3, `${c.item}: distance and divergence are different numbers`);
    // Natural log (scipy's default base) is another number; related by ln 2.
    assert.ok(Math.abs(m.jsDistance! - c.expected.jsDistanceNatural) > 1e-3, `${c.item}: base 2 vs base e`);
    close(Math.sqrt(m.jsDivergence! * Math.LN2), c.expected.jsDistanceNatural, TOL, `${c.item}: base-e distance`);
  }
});

test('peer mistake: no silent renormalisation after dropping an option or invalid answers', () => {
  const c = fixture.cases[0];
  const item = itemOf(c);
  // A dropped option must stay as a zero-weight category: a shorter vector is an error, not realigned.
  assert.throws(() => marginalMeasures(Float64Array.from(c.referenceCounts), Float64Array.from(c.runCounts.slice(1)), item), /6 codes/);
  // Invalid answers are not part of the valid-code vector; they are counted and reported separately.
  const validRun = Float64Array.from(c.runCounts);
  const invalid = 40;
  const m = marginalMeasures(Float64Array.from(c.referenceCounts), validRun, item);
  assert.equal(m.runN, c.expected.runN); // the valid total, not valid + invalid
  close(m.w1, c.expected.w1!, TOL, 'measures over the valid answers only');
  close(invalidRate(invalid, m.runN + invalid), invalid / (c.expected.runN + invalid), 1e-15, 'invalid rate');
  // A zero-weight option changes the measures compared with dropping it and renormalising the rest.
  const zeroed = Float64Array.from(c.runCounts);
  zeroed[5] = 0;
  const withZero = marginalMeasures(Float64Array.from(c.referenceCounts), zeroed, item);
  assert.ok(withZero.runN < m.runN);
  assert.ok(Math.abs(withZero.w1! - m.w1!) > 1e-3);
});

test('empty distributions give nulls, never NaN', () => {
  const c = fixture.cases[0];
  const empty = new Float64Array(6);
  for (const [ref, run] of [
    [empty, Float64Array.from(c.runCounts)],
    [Float64Array.from(c.referenceCounts), empty],
    [empty, empty],
  ]) {
    const m = marginalMeasures(ref, run, itemOf(c));
    assertNoNaN(m);
    for (const k of ['w1', 'w1Normalized', 'tvd', 'jsDivergence', 'jsDistance', 'kl', 'meanDiff', 'varianceRatio'] as const) assert.equal(m[k], null, k);
  }
  const oneSided = marginalMeasures(empty, Float64Array.from(c.runCounts), itemOf(c));
  close(oneSided.runMean, c.expected.runMean!, TOL, 'the non-empty side keeps its mean');
  assert.equal(oneSided.referenceMean, null);
  assert.equal(oneSided.referenceN, 0);
  // A one-code item has range 0: normalised W1 and diversity undefined.
  const single = marginalMeasures(Float64Array.of(5), Float64Array.of(2), { id: 'x', type: 'ordinal', codes: [1] });
  assertNoNaN(single);
  assert.equal(single.w1, 0);
  assert.equal(single.w1Normalized, null);
  assert.equal(single.varianceRatio, null);
  assert.throws(() => marginalMeasures(Float64Array.of(1, -1), Float64Array.of(1, 1), { id: 'x', type: 'ordinal', codes: [1, 2] }), /finite and >= 0/);
});

test('codes listed in reverse scale order give scipy\'s Wasserstein (support sorted by value)', () => {
  const c = fixture.cases[7];
  const rev = (a: number[]): number[] => a.slice().reverse();
  const m = marginalMeasures(Float64Array.from(rev(c.referenceCounts)), Float64Array.from(rev(c.runCounts)), {
    id: c.item,
    type: 'ordinal',
    codes: rev(c.codes),
  });
  close(m.w1, c.expected.w1!, TOL, 'W1 with reversed code list');
  close(m.meanDiff, c.expected.meanDiff!, TOL, 'mean difference with reversed code list');
});

test('OpinionQA representativeness and means over items ignore undefined items', () => {
  const bfi = fixture.cases.filter((c) => c.data === 'bfi');
  const measures = bfi.map((c) => marginalMeasures(Float64Array.from(c.referenceCounts), Float64Array.from(c.runCounts), itemOf(c)));
  close(representativeness(measures), fixture.bfiRepresentativeness, TOL, 'R = 1 - mean W1/range (numpy)');
  // An item with an empty side (null W1) and a nominal item do not enter the mean.
  const empty = marginalMeasures(new Float64Array(6), Float64Array.from(bfi[0].runCounts), itemOf(bfi[0]));
  const nominal = fixture.cases.find((c) => c.type === 'nominal')!;
  const nominalMeasures = marginalMeasures(Float64Array.from(nominal.referenceCounts), Float64Array.from(nominal.runCounts), itemOf(nominal));
  close(representativeness([...measures, empty, nominalMeasures]), fixture.bfiRepresentativeness, TOL, 'nulls ignored');
  assert.equal(representativeness([]), null);
  assert.equal(representativeness([empty]), null);
  const tvd = meanOverItems([...measures, empty], (m) => m.tvd);
  assert.equal(tvd.items, 25);
  close(tvd.mean, bfi.reduce((s, c) => s + c.expected.tvd, 0) / 25, TOL, 'mean TVD');
  // Dissimilarity: W1/range for ordinal items, TVD for nominal ones.
  const d = dissimilarity([
    { measures: measures[0], item: itemOf(bfi[0]) },
    { measures: nominalMeasures, item: itemOf(nominal) },
  ]);
  close(d, (bfi[0].expected.w1Normalized! + nominal.expected.tvd) / 2, TOL, 'dissimilarity');
});

test('invalid rate', () => {
  assert.equal(invalidRate(0, 0), null);
  assert.equal(invalidRate(3, 12), 0.25);
  assert.throws(() => invalidRate(5, 4));
});

test('headlineMeasures gives marginalMeasures\' w1Normalized, tvd and jsDistance exactly (codes out of numeric order, nominal and one-code items, empty sides)', () => {
  let seed = 7;
  const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
  const items: ItemCodebook[] = [
    { id: 'a', label: 'a', type: 'ordinal', codes: [1, 2, 3, 4, 5] },
    { id: 'b', label: 'b', type: 'ordinal', codes: [5, 1, 4, 2, 3, 10] },
    { id: 'c', label: 'c', type: 'nominal', codes: [3, 1, 2] },
    { id: 'd', label: 'd', type: 'ordinal', codes: [7] },
    { id: 'e', label: 'e', type: 'ordinal', codes: [-2, -1, 0, 1, 2, 3, 4, 5, 6, 7] },
  ] as ItemCodebook[];
  const out = { w1Normalized: null, tvd: null, jsDistance: null } as { w1Normalized: number | null; tvd: number | null; jsDistance: number | null };
  let compared = 0;
  for (let round = 0; round < 400; round++) {
    for (const item of items) {
      const k = item.codes.length;
      const draw = () => Float64Array.from({ length: k }, () => (random() < 0.2 ? 0 : Math.floor(random() * 300) * (random() < 0.5 ? 1 : 0.37)));
      const reference = round % 50 === 0 ? new Float64Array(k) : draw();
      const run = round % 70 === 1 ? new Float64Array(k) : draw();
      const full = marginalMeasures(reference, run, item);
      headlineMeasures(reference, run, item, out);
      assert.ok(Object.is(out.w1Normalized, full.w1Normalized), `${item.id} round ${round}: w1Normalized ${out.w1Normalized} vs ${full.w1Normalized}`);
      assert.ok(Object.is(out.tvd, full.tvd), `${item.id} round ${round}: tvd`);
      assert.ok(Object.is(out.jsDistance, full.jsDistance), `${item.id} round ${round}: jsDistance`);
      if (full.w1Normalized !== null) compared++;
    }
  }
  assert.ok(compared > 1000, `W1 compared ${compared} times`);
  // It can fail: a different run gives a different W1.
  const item = items[1];
  const reference = Float64Array.from([10, 20, 30, 40, 50, 60]);
  headlineMeasures(reference, Float64Array.from([60, 50, 40, 30, 20, 10]), item, out);
  const other = out.w1Normalized;
  headlineMeasures(reference, Float64Array.from([10, 20, 30, 40, 50, 61]), item, out);
  assert.notEqual(out.w1Normalized, other);
});
