import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeSufficientStats } from '../../../src/core/count/sufficient';
import { pairTable } from '../../../src/core/count/tables';
import { MISSING } from '../../../src/core/read/dataset';
import { categoryThresholds, fitPolychoric, twoStepPolychoric } from '../../../src/core/stats/polychoric-fit';
import { polychoricMatrix } from '../../../src/core/stats/polychoric';
import { bivariateNormalRectangle } from '../../../src/core/stats/bivariate-normal';
import { num, readFixtureJson, readSurveyCsv } from './survey-csv';

type Cell = number | string | null;
type Mat = Cell[][];
interface BfiFixture {
  items: string[];
  psychDefault: Mat;
  psychRaw: Mat;
  psychTight: Mat;
  thresholds: Mat;
  weights: Cell[];
  psychWeightedDefault: Mat;
  psychWeightedTight: Mat;
  weightedThresholds: Mat;
  psychWeightedThresholdsTight: Mat;
  twoStepItems: string[];
  twoStepPairs: number[][];
  twoStepRho: Cell[];
  twoStepSe: Cell[];
  twoStepRhoTight: Cell[];
  twoStepSeTight: Cell[];
}
interface SpiFixture {
  items: string[];
  psychDefault: Mat;
  psychTight: Mat;
  thresholds: Mat;
}

const bfi = readFixtureJson<BfiFixture>('bfi.json');
const spi = readFixtureJson<SpiFixture>('spi.json');

// Tolerances for rho, used throughout:
// - vs the TIGHT reference (psych's own objective psych:::polyF maximised by R's optimize with
//   tol = 1e-12): optimize (Brent's fmin) stops at ~sqrt(DBL_EPSILON) |rho| + tol/3 ~ 1.5e-8, and
//   the objective is flat to rounding (1e-16) within ~1e-8 of its minimum, so that reference is
//   good to ~1e-8; ours solves the score equation to 1e-12. 1e-6 leaves a margin of 100 and still
//   catches any difference in the objective (a wrong threshold or cell moves rho by >1e-4).
const TIGHT = 1e-6;
// - vs psych's DEFAULT output: optimize's tolerance .Machine$double.eps^0.25 = 1.2e-4 bounds its
//   stopping interval at 2 (sqrt(eps)|rho| + 1.2e-4/3) < 1e-4; observed max 2.0e-5 (bfi), 2.4e-5 (spi).
const DEFAULT = 1e-4;

function maxAbsDiff(ours: (number | null)[][], ref: Mat, label: string, tol: number): number {
  let worst = 0;
  for (let i = 0; i < ref.length; i++) {
    for (let j = 0; j < ref[i].length; j++) {
      const o = ours[i][j];
      assert.ok(o !== null && Number.isFinite(o), `${label}[${i}][${j}] is defined`);
      const d = Math.abs(o - num(ref[i][j]));
      worst = Math.max(worst, d);
      assert.ok(d <= tol, `${label}[${i}][${j}]: ours ${o}, R ${num(ref[i][j])}, |diff| ${d} > ${tol}`);
    }
  }
  return worst;
}

test('bfi (25 items, real NAs): global thresholds equal psych::polychoric()$tau', () => {
  const data = readSurveyCsv('bfi.csv', bfi.items);
  const res = polychoricMatrix(computeSufficientStats(data), { smooth: false });
  // qnorm(cumsum(n)/N) in both; psych sums proportions instead of counts (rounding ~1e-16 in p,
  // amplified by 1/phi(tau) <= ~40 here): 1e-12.
  maxAbsDiff(res.thresholds, bfi.thresholds, 'tau', 1e-12);
  assert.deepEqual(res.items, bfi.items);
});

test('bfi: polychoric matrix equals psych::polychoric at tight tolerance and at psych\'s default', () => {
  const data = readSurveyCsv('bfi.csv', bfi.items);
  const stats = computeSufficientStats(data);
  const res = polychoricMatrix(stats, { smooth: false });
  assert.equal(res.method, 'polychoric');
  assert.equal(res.smoothed, false);
  assert.equal(res.undefinedPairs.length, 0);
  maxAbsDiff(res.values, bfi.psychTight, 'tight', TIGHT);
  maxAbsDiff(res.values, bfi.psychRaw, 'psych default', DEFAULT);
  // psych's default smooths only when not positive definite; the bfi matrix is (min eigenvalue
  // 0.216), so with smoothing on ours is unchanged and still equals psych's default output.
  const smoothedRun = polychoricMatrix(stats);
  assert.equal(smoothedRun.smoothed, false);
  maxAbsDiff(smoothedRun.values, bfi.psychDefault, 'psych default (smooth = TRUE)', DEFAULT);
  // n: respondents answering both items, the diagonal each item's answers.
  const a1 = data.columns[0].values;
  const a2 = data.columns[1].values;
  let both = 0;
  let first = 0;
  for (let r = 0; r < data.n; r++) {
    if (a1[r] !== MISSING) first++;
    if (a1[r] !== MISSING && a2[r] !== MISSING) both++;
  }
  assert.equal(res.n[0][1], both);
  assert.equal(res.n[1][0], both);
  assert.equal(res.n[0][0], first);
});

test('bfi weighted: psych::polychoric(weight = w) with psych\'s unweighted thresholds, and weighted thresholds', () => {
  const data = readSurveyCsv('bfi.csv', bfi.items);
  data.weights = Float64Array.from(bfi.weights, num);
  const stats = computeSufficientStats(data);
  const psychLike = polychoricMatrix(stats, { smooth: false, thresholdWeights: 'unweighted' });
  maxAbsDiff(psychLike.thresholds, bfi.thresholds, 'unweighted tau', 1e-12);
  maxAbsDiff(psychLike.values, bfi.psychWeightedTight, 'weighted tight', TIGHT);
  // psych default, weighted: observed max 3.1e-5 (generate.R log), bound as above.
  maxAbsDiff(psychLike.values, bfi.psychWeightedDefault, 'weighted psych default', DEFAULT);
  const weightedTau = polychoricMatrix(stats, { smooth: false });
  maxAbsDiff(weightedTau.thresholds, bfi.weightedThresholds, 'weighted tau', 1e-12);
  maxAbsDiff(weightedTau.values, bfi.psychWeightedThresholdsTight, 'weighted thresholds tight', TIGHT);
  // The weights matter: the weighted matrix is not the unweighted one.
  const unweighted = polychoricMatrix(computeSufficientStats({ ...data, weights: null }), { smooth: false });
  let moved = 0;
  for (let i = 0; i < 25; i++) for (let j = 0; j < 25; j++) moved = Math.max(moved, Math.abs(unweighted.values[i][j]! - psychLike.values[i][j]!));
  assert.ok(moved > 1e-3, `weights change rho (max change ${moved})`);
});

test('spi (20 items): polychoric matrix equals psych::polychoric tight and default', () => {
  const data = readSurveyCsv('spi.csv', spi.items);
  const res = polychoricMatrix(computeSufficientStats(data), { smooth: false });
  maxAbsDiff(res.thresholds, spi.thresholds, 'tau', 1e-12);
  maxAbsDiff(res.values, spi.psychTight, 'tight', TIGHT);
  maxAbsDiff(res.values, spi.psychDefault, 'psych default', DEFAULT);
});

test('two-step with the pair\'s own thresholds equals polycor::polychor(x, y, std.err = TRUE), rho and standard error', () => {
  const data = readSurveyCsv('bfi.csv', bfi.twoStepItems);
  const stats = computeSufficientStats(data);
  const res = polychoricMatrix(stats, { thresholds: 'pair', smooth: false });
  bfi.twoStepPairs.forEach(([i, j], x) => {
    const rho = res.values[i][j]!;
    const se = res.se![i][j]!;
    const label = `${bfi.twoStepItems[i]}-${bfi.twoStepItems[j]}`;
    // Tight reference: polycor's own objective by optimize(tol = 1e-12) (see TIGHT).
    assert.ok(Math.abs(rho - num(bfi.twoStepRhoTight[x])) <= TIGHT, `${label} rho ${rho} vs tight ${num(bfi.twoStepRhoTight[x])}`);
    // polycor itself: optim(0, method = "BFGS") on finite-difference gradients (ndeps 1e-3) stops
    // at reltol 1e-8 of the objective (~5000 here), i.e. |rho error| up to ~sqrt(2 x 5e-5 / f'')
    // ~ 1e-4 for f'' ~ 5000; observed max 3.1e-5.
    assert.ok(Math.abs(rho - num(bfi.twoStepRho[x])) <= DEFAULT, `${label} rho ${rho} vs polycor ${num(bfi.twoStepRho[x])}`);
    // SE, tight: 1/sqrt(f'') with f'' by Richardson-extrapolated central differences (steps 1e-3,
    // 5e-4; truncation O(h^4) ~ 1e-11 relative, rounding ~1e-10 / 2.5e-7 / 5000 ~ 1e-7 relative).
    assert.ok(Math.abs(se / num(bfi.twoStepSeTight[x]) - 1) <= 1e-6, `${label} se ${se} vs tight ${num(bfi.twoStepSeTight[x])}`);
    // SE vs polycor: optimHess's central differences with step 1e-3 (relative error ~h^2 f''''/f''
    // ~ 1e-6) evaluated at BFGS's rho (off by up to ~1e-4, f'''/f'' ~ 1 moves f'' by ~1e-4
    // relative); observed max 2.4e-5 relative.
    assert.ok(Math.abs(se / num(bfi.twoStepSe[x]) - 1) <= 2e-4, `${label} se ${se} vs polycor ${num(bfi.twoStepSe[x])}`);
  });
});

test('an item with one answer category gives null with a reason, never NaN, and no smoothing', () => {
  const items = bfi.items.slice(0, 5);
  const data = readSurveyCsv('bfi.csv', items);
  // A real column made constant: everyone who answered A1 gets its first category.
  const constant = data.columns[0].values.map((v) => (v === MISSING ? MISSING : 0));
  data.columns[0] = { ...data.columns[0], values: constant };
  const res = polychoricMatrix(computeSufficientStats(data));
  assert.equal(res.smoothed, false);
  assert.equal(res.undefinedPairs.length, 4);
  for (let j = 1; j < 5; j++) {
    assert.equal(res.values[0][j], null);
    assert.equal(res.values[j][0], null);
    assert.equal(res.se![0][j], null);
    assert.match(res.undefinedPairs[j - 1].reason, /A1 has no variance/);
  }
  for (let i = 1; i < 5; i++) {
    for (let j = 1; j < 5; j++) {
      // The other pairs are unaffected: same values as psych's tight run.
      assert.ok(Math.abs(res.values[i][j]! - num(bfi.psychTight[i][j])) <= TIGHT);
    }
  }
  assert.ok(!JSON.stringify(res).includes('NaN'));
});

test('two-step: a pair table with one observed category of an item is undefined (polycor returns NA)', () => {
  const fit = twoStepPolychoric([5, 0, 3, 0, 2, 0], 3, 2);
  assert.ok('reason' in fit);
});

test('a declared but unused code does not change rho (empty categories contribute nothing)', () => {
  const items = ['A1', 'C3', 'N2'];
  const data = readSurveyCsv('bfi.csv', items);
  const base = polychoricMatrix(computeSufficientStats(data), { smooth: false });
  // Code 7 appended to A1's scale, never answered: a +Infinity threshold and an empty row.
  data.columns[0] = { ...data.columns[0], item: { ...data.columns[0].item, codes: [...data.columns[0].item.codes, 7] } };
  const wider = polychoricMatrix(computeSufficientStats(data), { smooth: false });
  assert.equal(wider.thresholds[0][5], Infinity);
  // Same likelihood, same maximiser: only solver rounding differs.
  assert.ok(Math.abs(wider.values[0][1]! - base.values[0][1]!) < 1e-12);
  assert.ok(Math.abs(wider.values[0][2]! - base.values[0][2]!) < 1e-12);
});

test('rho is symmetric in the two items and its standard error is the curvature of the log-likelihood', () => {
  const data = readSurveyCsv('bfi.csv', ['E1', 'E2']);
  const stats = computeSufficientStats(data);
  const t = pairTable(stats, 0, 1);
  const tauA = categoryThresholds(stats.itemWeights[0]);
  const tauB = categoryThresholds(stats.itemWeights[1]);
  const fit = fitPolychoric(t.weights, t.ki, t.kj, tauA, tauB);
  const transposed = new Float64Array(t.ki * t.kj);
  for (let a = 0; a < t.ki; a++) for (let b = 0; b < t.kj; b++) transposed[b * t.ki + a] = t.weights[a * t.kj + b];
  const fitT = fitPolychoric(transposed, t.kj, t.ki, tauB, tauA);
  assert.ok(Math.abs(fit.rho - fitT.rho) < 1e-12);
  // Numeric second derivative of l at the optimum (Richardson, as generate.R does for polycor).
  const ll = (r: number): number => fitLogLik(t.weights, t.ki, t.kj, tauA, tauB, r);
  const d = (h: number): number => (ll(fit.rho + h) - 2 * ll(fit.rho) + ll(fit.rho - h)) / (h * h);
  const curvature = -(4 * d(5e-4) - d(1e-3)) / 3;
  assert.ok(Math.abs(fit.se! * Math.sqrt(curvature) - 1) < 1e-6, `se ${fit.se} vs ${1 / Math.sqrt(curvature)}`);
});

/** Log-likelihood at a given rho, sum of n_ab log P_ab. */
function fitLogLik(table: ArrayLike<number>, ki: number, kj: number, tauA: number[], tauB: number[], rho: number): number {
  // Direct sum over cells with the public rectangle probability, independent of the fitter.
  const cutA = [-Infinity, ...tauA, Infinity];
  const cutB = [-Infinity, ...tauB, Infinity];
  let l = 0;
  for (let a = 0; a < ki; a++) {
    for (let b = 0; b < kj; b++) {
      const n = table[a * kj + b];
      if (n > 0) l += n * Math.log(bivariateNormalRectangle(cutA[a], cutA[a + 1], cutB[b], cutB[b + 1], rho));
    }
  }
  return l;
}

interface MlFixture {
  items: string[];
  pairs: number[][];
  rho: Cell[];
  se: Cell[];
  rhoTight: Cell[];
  seTight: Cell[];
}

test('joint ML of rho and thresholds equals polycor::polychor(x, y, ML = TRUE, std.err = TRUE)', () => {
  const ml = readFixtureJson<MlFixture>('ml.json');
  const data = readSurveyCsv('bfi.csv', ml.items);
  const stats = computeSufficientStats(data);
  const res = polychoricMatrix(stats, { thresholds: 'pair', jointML: true, smooth: false });
  const twoStep = polychoricMatrix(stats, { thresholds: 'pair', smooth: false });
  ml.pairs.forEach(([i, j], x) => {
    const label = `${ml.items[i]}-${ml.items[j]}`;
    const rho = res.values[i][j]!;
    const se = res.se![i][j]!;
    // Tight reference: Newton on polycor's objective with numDeriv's Richardson derivatives
    // (accurate to ~1e-9) until the step is < 1e-10; ours stops at steps < 1e-11. 1e-6 as TIGHT.
    assert.ok(Math.abs(rho - num(ml.rhoTight[x])) <= TIGHT, `${label} rho ${rho} vs tight ${num(ml.rhoTight[x])}`);
    // SE from the full inverse Hessian; both are numerical second derivatives (ours of an exact
    // gradient, numDeriv's Richardson of the function), each ~1e-8 relative: 1e-5.
    assert.ok(Math.abs(se / num(ml.seTight[x]) - 1) <= 1e-5, `${label} se ${se} vs tight ${num(ml.seTight[x])}`);
    // polycor's own values: optim's default Nelder-Mead over all 11 parameters stops early (reltol
    // 1e-8 of an objective of ~8000, on a simplex that is flat in the threshold directions); the
    // tight Newton run from polycor's solution moves rho by up to 4.2e-3 and the SE by 4.9e-3
    // relative (generate.R log), so polycor's ML values are only good to ~5e-3.
    assert.ok(Math.abs(rho - num(ml.rho[x])) <= 5e-3, `${label} rho ${rho} vs polycor ${num(ml.rho[x])}`);
    assert.ok(Math.abs(se / num(ml.se[x]) - 1) <= 1e-2, `${label} se ${se} vs polycor ${num(ml.se[x])}`);
    // ML and two-step differ (the thresholds move), but only a little.
    assert.ok(Math.abs(rho - twoStep.values[i][j]!) < 0.01);
  });
});

test('a perfectly concordant table puts rho at the boundary, finite and without a standard error', () => {
  // Everyone on the diagonal of a 2 x 2 median split: the likelihood rises all the way to rho = 1.
  const fit = fitPolychoric([10, 0, 0, 10], 2, 2, [0], [0]);
  assert.ok(fit.rho > 1 - 1e-9 && fit.rho <= 1, `rho ${fit.rho}`);
  assert.equal(fit.se, null);
  const anti = fitPolychoric([0, 7, 5, 0], 2, 2, [0], [0]);
  assert.ok(anti.rho < -1 + 1e-9 && anti.rho >= -1, `rho ${anti.rho}`);
});

test('nominal items get null with a reason', () => {
  const data = readSurveyCsv('bfi.csv', ['A1', 'A2', 'A3']);
  data.columns[2] = { ...data.columns[2], item: { ...data.columns[2].item, type: 'nominal' } };
  const res = polychoricMatrix(computeSufficientStats(data));
  assert.equal(res.values[0][2], null);
  assert.equal(res.values[1][2], null);
  assert.ok(Math.abs(res.values[0][1]! - num(bfi.psychTight[0][1])) <= TIGHT);
  assert.match(res.undefinedPairs[0].reason, /A3 is nominal/);
});
