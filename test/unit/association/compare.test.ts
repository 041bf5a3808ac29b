import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeSufficientStats } from '../../../src/core/count/sufficient';
import { associationMatrix, type AssociationMatrix } from '../../../src/core/stats/association';
import { compareMatrices } from '../../../src/core/stats/compare';
import { benjaminiHochberg } from '../../../src/core/stats/multiple-testing';
import { pearsonVectors } from '../../../src/core/stats/correlation';
import { Prng } from '../../../src/core/stats/prng';
import { readCsv, readFixture, rowsWhere, surveyFromCsv } from './survey-csv';

interface CompareFixture {
  referenceN: number;
  runN: number;
  pairs: number;
  rmse: number;
  mae: number;
  maxAbsDiff: number;
  frobeniusFull: number;
  frobeniusUpper: number;
  pearson: number;
  spearman: number;
  signAgreement: number;
  steigerChi2: number;
  steigerDf: number;
  steigerP: number;
  mantelR: number;
  mantelP: number;
  mantelPermutations: number;
  pairZ: number[];
  pairP: number[];
  pairQ: number[];
  pTies: (number | null)[];
  qTies: (number | null)[];
  eigenReference: number[];
  eigenRun: number[];
  tuckerComponents: number;
  tucker: number[];
}
interface RFixture {
  bfiItems: string[];
  compare: CompareFixture;
  mantelWeak: { r: number; p: number; permutations: number };
}

const R = readFixture<RFixture>('reference-r.json');
const C = R.compare;
const csv = readCsv('test/fixtures/data/bfi.csv');
const bfi = surveyFromCsv(csv, R.bfiItems);
const gender = csv.column('gender');
const women = rowsWhere(gender, (g) => g === 2);
const men = rowsWhere(gender, (g) => g === 1);
// Reference = women's correlation matrix, run = men's (R: psych::cortest(Rf, Rm, nf, nm)).
const reference = associationMatrix(computeSufficientStats(bfi, { rows: women }), 'pearson');
const run = associationMatrix(computeSufficientStats(bfi, { rows: men }), 'pearson');
const comparison = compareMatrices(reference, run, {
  referenceN: women.length,
  runN: men.length,
  permutations: C.mantelPermutations,
  seed: 7,
  tuckerComponents: C.tuckerComponents,
});

/** |a - b| <= tol * max(1, |b|): absolute near 0, relative for large statistics. */
function close(a: number | null, b: number, tol: number, what: string): void {
  assert.ok(a !== null, `${what} is null`);
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);
}

/**
 * Monte-Carlo agreement of two permutation p-values. Each is a binomial proportion estimating the
 * same p from n_perm draws (standard deviation sqrt(p(1 - p)/n_perm)); both add 1 to numerator and
 * denominator, a shift of at most 1/n_perm. Four standard deviations of each estimate plus that
 * shift bounds the difference except with probability < 1e-4.
 */
function mcBound(p: number, nOurs: number, nRef: number): number {
  return 4 * Math.sqrt((p * (1 - p)) / nOurs) + 4 * Math.sqrt((p * (1 - p)) / nRef) + 1 / nOurs;
}

// The matrices match R to ~1e-15 (association.test.ts); every closed-form comparison statistic is a
// smooth function of them, so 1e-10 (relative for the large chi-square) leaves orders of magnitude
// of room and still catches a wrong formula.
const CLOSED_FORM = 1e-10;

test('the subgroup sizes are those R used', () => {
  assert.equal(women.length, C.referenceN);
  assert.equal(men.length, C.runN);
});

test('distances between bfi women\'s and men\'s correlation matrices equal R', () => {
  assert.equal(comparison.pairs, C.pairs);
  assert.equal(comparison.excludedPairs, 0);
  close(comparison.rmse, C.rmse, CLOSED_FORM, 'rmse');
  close(comparison.mae, C.mae, CLOSED_FORM, 'mae');
  close(comparison.maxAbsDiff, C.maxAbsDiff, CLOSED_FORM, 'maxAbsDiff');
  // R: norm(Rm - Rf, "F") and sqrt(sum(d^2)) over the upper triangle.
  close(comparison.frobeniusFull, C.frobeniusFull, CLOSED_FORM, 'frobeniusFull');
  close(comparison.frobeniusUpper, C.frobeniusUpper, CLOSED_FORM, 'frobeniusUpper');
  close(comparison.frobeniusFull! / Math.SQRT2, comparison.frobeniusUpper!, 1e-14, 'full = sqrt(2) upper');
  close(comparison.pearson, C.pearson, CLOSED_FORM, 'pearson');
  close(comparison.spearman, C.spearman, CLOSED_FORM, 'spearman');
  close(comparison.signAgreement, C.signAgreement, 1e-15, 'signAgreement'); // a ratio of counts
  const [a, b] = comparison.maxAbsDiffPair!;
  const t = comparison.pairTests.find((x) => x.i === a && x.j === b)!;
  close(Math.abs(t.run - t.reference), C.maxAbsDiff, CLOSED_FORM, 'maxAbsDiffPair points at the largest difference');
});

test('Steiger test equals psych::cortest(R1, R2, n1, n2)', () => {
  close(comparison.steiger.chi2, C.steigerChi2, CLOSED_FORM, 'chi2 (relative)');
  assert.equal(comparison.steiger.df, C.steigerDf);
  close(comparison.steiger.n, (C.referenceN * C.runN) / (C.referenceN + C.runN), 1e-15, 'n');
  // p = 1e-13 sits far in the tail: a relative error e in chi2 moves log p by about e * chi2 / 2,
  // ~1e-11 here, and @stdlib's incomplete gamma is accurate to ~1e-14 relative.
  const p = comparison.steiger.p!;
  assert.ok(Math.abs(p - C.steigerP) <= 1e-8 * C.steigerP, `p: ${p} vs ${C.steigerP}`);
});

test('per-pair Fisher-z tests and Benjamini-Hochberg q-values equal R (atanh, pnorm, p.adjust "BH")', () => {
  // R lists the pairs of upper.tri in column-major order; ours are row-major: map by item names.
  const items = R.bfiItems;
  const key = (i: string, j: string) => `${i}|${j}`;
  const ours = new Map(comparison.pairTests.map((t) => [key(t.i, t.j), t]));
  let k = 0;
  for (let j = 0; j < items.length; j++) {
    for (let i = 0; i < j; i++, k++) {
      const t = ours.get(key(items[i], items[j]))!;
      // z ~ O(1..10): absolute 1e-10 as a closed form of correlations exact to 1e-15.
      close(t.z, C.pairZ[k], CLOSED_FORM, `z ${items[i]},${items[j]}`);
      // p and q can be tiny: relative, same reasoning as the Steiger p.
      assert.ok(Math.abs(t.p! - C.pairP[k]) <= 1e-8 * C.pairP[k], `p ${items[i]},${items[j]}: ${t.p} vs ${C.pairP[k]}`);
      assert.ok(Math.abs(t.q! - C.pairQ[k]) <= 1e-8 * C.pairQ[k], `q ${items[i]},${items[j]}`);
    }
  }
  assert.equal(comparison.discoveries, C.pairQ.filter((q) => q <= 0.05).length);
});

test('Benjamini-Hochberg equals R p.adjust(p, "BH") with ties and missing p-values', () => {
  const q = benjaminiHochberg(C.pTies);
  assert.equal(q.length, C.qTies.length);
  for (let t = 0; t < q.length; t++) {
    const want = C.qTies[t];
    if (want === null) assert.equal(q[t], null);
    // Same products and minima as R on the same inputs: equal to the last bit or two.
    else assert.ok(Math.abs((q[t] as number) - want) <= 1e-15, `q[${t}]: ${q[t]} vs ${want}`);
  }
  assert.deepEqual(benjaminiHochberg([]), []);
  assert.deepEqual(benjaminiHochberg([null, 0.5]), [null, 0.5]);
});

test('eigenvalues and Tucker congruence of principal components equal R eigen and psych::factor.congruence', () => {
  const ev = comparison.eigenvalues!;
  // Symmetric eigenproblem, both backward stable: eigenvalues agree to ~1e-15 x ||R||.
  for (let c = 0; c < C.eigenReference.length; c++) {
    close(ev.reference[c], C.eigenReference[c], CLOSED_FORM, `reference eigenvalue ${c}`);
    close(ev.run[c], C.eigenRun[c], CLOSED_FORM, `run eigenvalue ${c}`);
  }
  assert.equal(comparison.tucker.components, C.tuckerComponents);
  assert.equal(comparison.tucker.reason, null);
  // Eigenvectors are determined to ~eps / gap; the smallest gap among the first 6 eigenvalues is ~0.1.
  for (let c = 0; c < C.tuckerComponents; c++) close(comparison.tucker.congruence[c], C.tucker[c], CLOSED_FORM, `phi ${c}`);
  close(comparison.tucker.mean, C.tucker.reduce((s, v) => s + v, 0) / C.tucker.length, CLOSED_FORM, 'mean phi');
});

test('Mantel test: r equals vegan::mantel exactly, p within Monte-Carlo error', () => {
  close(comparison.mantel.r, C.mantelR, CLOSED_FORM, 'r');
  assert.equal(comparison.mantel.permutations, C.mantelPermutations);
  const p = comparison.mantel.p!;
  assert.ok(Math.abs(p - C.mantelP) <= mcBound(C.mantelP, C.mantelPermutations, C.mantelPermutations), `p: ${p} vs ${C.mantelP}`);
});

/** Block [from, from + size) of a matrix, relabelled with the given item ids. */
function block(a: AssociationMatrix, from: number, size: number, ids: string[]): AssociationMatrix {
  const pick = <T>(M: T[][]) => M.slice(from, from + size).map((row) => row.slice(from, from + size));
  return { method: a.method, items: ids, values: pick(a.values), n: pick(a.n), undefinedPairs: [] };
}

test('Mantel test on a weak structure: p within Monte-Carlo error of vegan (p ~ 0.4), reproducible by seed', () => {
  // R: mantel(cor(bfi[, 1:10]), cor(bfi[, 11:20]), permutations = 99999), the A+C block against the E+N block.
  const all = associationMatrix(computeSufficientStats(bfi), 'pearson');
  const ids = Array.from({ length: 10 }, (_, i) => `item${i}`);
  const x = block(all, 0, 10, ids);
  const y = block(all, 10, 10, ids);
  const perms = 9999;
  const opts = { referenceN: 2800, runN: 2800, permutations: perms, seed: 2026 };
  const res = compareMatrices(x, y, opts);
  close(res.mantel.r, R.mantelWeak.r, CLOSED_FORM, 'r');
  const W = R.mantelWeak;
  assert.ok(Math.abs(res.mantel.p! - W.p) <= mcBound(W.p, perms, W.permutations), `p: ${res.mantel.p} vs ${W.p}`);
  assert.equal(compareMatrices(x, y, opts).mantel.p, res.mantel.p);
  const other = compareMatrices(x, y, { ...opts, seed: 99 }).mantel.p!;
  assert.notEqual(other, res.mantel.p);
  assert.ok(Math.abs(other - W.p) <= mcBound(W.p, perms, W.permutations));
});

test('Mantel p is exactly the permutation count of its definition, with holes or without', () => {
  // Brute force, written independently of the implementation: for each seeded permutation of the
  // reference's rows and columns, Pearson over the pairs defined in both, counted when >= r - sqrt(eps).
  const all = associationMatrix(computeSufficientStats(bfi), 'pearson');
  const ids = Array.from({ length: 10 }, (_, i) => `item${i}`);
  const x = block(all, 0, 10, ids);
  const y = block(all, 10, 10, ids);
  const holed = structuredClone(y);
  holed.values[2][5] = holed.values[5][2] = null;
  for (const run of [y, holed]) {
    const perms = 999;
    const seed = 31;
    const res = compareMatrices(x, run, { referenceN: 2800, runN: 2800, permutations: perms, seed });
    const rng = new Prng(seed);
    const upper = (A: (number | null)[][], p: ArrayLike<number>) => {
      const out: (number | null)[] = [];
      for (let i = 0; i < 10; i++) for (let j = i + 1; j < 10; j++) out.push(A[p[i]][p[j]]);
      return out;
    };
    const identity = Array.from({ length: 10 }, (_, i) => i);
    const yv = upper(run.values, identity);
    const corr = (xv: (number | null)[]) => {
      const keep = xv.map((v, t) => v !== null && yv[t] !== null);
      return pearsonVectors(xv.filter((_, t) => keep[t]) as number[], yv.filter((_, t) => keep[t]) as number[]);
    };
    const r0 = corr(upper(x.values, identity))!;
    close(res.mantel.r, r0, 1e-15, 'r');
    let count = 0;
    for (let b = 0; b < perms; b++) {
      const r = corr(upper(x.values, rng.permutation(10)));
      if (r !== null && r >= r0 - Math.sqrt(Number.EPSILON)) count++;
    }
    assert.equal(res.mantel.p, (count + 1) / (perms + 1));
  }
});

test('a matrix compared with itself: no distance, full agreement, Steiger chi2 0', () => {
  const res = compareMatrices(reference, reference, { referenceN: 1000, runN: 1000, permutations: 99 });
  assert.equal(res.rmse, 0);
  assert.equal(res.frobeniusFull, 0);
  close(res.pearson, 1, 1e-15, 'pearson');
  assert.equal(res.signAgreement, 1);
  assert.equal(res.steiger.chi2, 0);
  assert.equal(res.steiger.p, 1);
  for (const phi of res.tucker.congruence) close(phi, 1, 1e-12, 'phi');
  assert.equal(res.discoveries, 0);
});

test('null entries are excluded and counted; eigen and Tucker are null with a reason', () => {
  const holes = structuredClone(run);
  holes.values[0][1] = holes.values[1][0] = null;
  holes.values[3][3] = null;
  holes.values[3][7] = holes.values[7][3] = null;
  const res = compareMatrices(reference, holes, { referenceN: women.length, runN: men.length, permutations: 199 });
  assert.equal(res.excludedPairs, 2);
  assert.equal(res.pairs, C.pairs - 2);
  assert.equal(res.pairTests.length, C.pairs - 2);
  assert.equal(res.steiger.df, C.pairs - 2);
  assert.equal(res.eigenvalues, null);
  assert.deepEqual(res.tucker.congruence, []);
  assert.equal(res.tucker.mean, null);
  assert.match(res.tucker.reason!, /undefined entries/);
  assert.ok(res.mantel.r !== null && res.mantel.p !== null);
  for (const v of [res.rmse, res.mae, res.pearson, res.spearman, res.frobeniusFull, res.steiger.chi2]) {
    assert.ok(v !== null && Number.isFinite(v));
  }
  assert.throws(() => compareMatrices(reference, { ...run, items: run.items.slice().reverse() }, { referenceN: 1, runN: 1 }));
});
