// The headline's rule for answers without a valid code (src/core/evaluate/marginal-summary.ts,
// invalid-answers.ts), against numbers computed by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeSufficientStats } from '../../../src/core/count/sufficient';
import { MISSING, type SurveyData } from '../../../src/core/read/dataset';
import { marginalHeadline, marginalHeadlines } from '../../../src/core/evaluate/marginal-summary';
import { invalidAnswerHints, invalidAnswersOf, referenceAnswerShares, sameAsReference, usableFactor, usablePairValues, usableShareOf, usableShareOfItems } from '../../../src/core/evaluate/invalid-answers';

const items = [
  { id: 'A', type: 'ordinal' as const, codes: [1, 2, 3] },
  { id: 'B', type: 'ordinal' as const, codes: [1, 2, 3] },
  { id: 'C', type: 'nominal' as const, codes: [1, 2] },
];
function data(columns: number[][]): SurveyData {
  return { source: 't', n: columns[0].length, columns: columns.map((v, j) => ({ item: items[j], values: Uint8Array.from(v), invalid: 0, missing: 0 })), weights: null, attributes: new Map() };
}
const X = MISSING;
// Reference: A uniform over 1..3, B all 2, C half/half.
const ref = computeSufficientStats(data([[0, 1, 2, 0, 1, 2], [1, 1, 1, 1, 1, 1], [0, 1, 0, 1, 0, 1]]), { weights: null });

test('per item (1 - s) d + s, items without a valid answer at distance 1, valid-only as before', () => {
  // Run of 4: A answers 1,1,?,? (s = 1/2), B answers 2,2,2,2 (s = 0), C never valid (s = 1).
  const run = computeSufficientStats(data([[0, 0, X, X], [1, 1, 1, 1], [X, X, X, X]]), { weights: null });
  const h = marginalHeadlines(ref, run.itemWeights, [4, 4, 4]);
  // W1 of A: F_ref = (1/3, 2/3), F_run = (1, 1): |2/3| + |1/3| = 1 over range 2 -> 0.5; B: 0.
  const w1A = 0.5;
  assert.ok(Math.abs(h.validOnly.meanW1Normalized! - (w1A + 0) / 2) < 1e-15);
  assert.deepEqual(h.validOnly, marginalHeadline(ref, run.itemWeights));
  assert.ok(Math.abs(h.counted.meanW1Normalized! - ((0.5 * w1A + 0.5) + 0) / 2) < 1e-15);
  assert.ok(Math.abs(h.counted.representativeness! - (1 - 0.375)) < 1e-15);
  // TVD: A |1/3-1| + 2/3 ... = 2/3; B 0; C undefined valid-only, 1 counted.
  assert.ok(Math.abs(h.validOnly.meanTvd! - (2 / 3 + 0) / 2) < 1e-15);
  assert.ok(Math.abs(h.counted.meanTvd! - ((0.5 * (2 / 3) + 0.5) + 0 + 1) / 3) < 1e-15);
  assert.ok(Math.abs(h.invalidShare! - 6 / 12) < 1e-15);
  // No answers at all: no headline.
  const none = marginalHeadlines(ref, [new Float64Array(3), new Float64Array(3), new Float64Array(2)], [0, 0, 0]);
  assert.equal(none.counted.representativeness, null);
  assert.equal(none.invalidShare, null);
});

test('usable pairs: the mean over pairs of the share of respondents with both answers valid, in one pass over respondents', () => {
  const d = data([[0, 0, X, X], [1, X, 1, 1], [X, X, 0, 1]]);
  const rows = usablePairValues(d, [0, 1, 2]);
  // Respondents' valid answers 2, 1, 2, 2 -> pairs 1, 0, 1, 1. Pair AB: rows 0 -> 1; AC: none -> 0; BC: rows 2, 3 -> 2.
  assert.deepEqual([...rows], [1, 0, 1, 1]);
  assert.ok(Math.abs(usableShareOf(3, 4, 3)! - (1 / 4 + 0 + 2 / 4) / 3) < 1e-15);
  assert.equal(usableShareOf(3, 4, 1), null);
  // Distribution runs: from the items' shares, taken as independent.
  assert.ok(Math.abs(usableShareOfItems([0.5, 0, 0.2])! - (0.5 * 1 + 0.5 * 0.8 + 1 * 0.8) / 3) < 1e-15);
});

test('the same data on both sides is recognised; a different run is not', () => {
  assert.equal(sameAsReference(ref, ref.itemWeights), true);
  assert.equal(sameAsReference(ref, ref.itemWeights.map((w) => w.map((x) => 3 * x))), true, 'the same shares');
  const run = computeSufficientStats(data([[0, 0, 1, 2], [1, 1, 1, 1], [0, 1, 0, 1]]), { weights: null });
  assert.equal(sameAsReference(ref, run.itemWeights), false);
});

test('hints: labels, refusals, numbers off the scale, empty answers; the reader\'s messages parsed', () => {
  const diag = (value: string, item: string, count: number) => ({ severity: 'warning' as const, code: 'data.invalid-answer', message: `Answer ${value} of ${item} matches no option (valid codes 1, 2, 3); counted as invalid (${count} answer${count === 1 ? '' : 's'}).`, file: 'r.csv', item });
  const diagnostics = [diag('"Very important"', 'A', 40), diag('"Rather important"', 'A', 12), diag('"Very important"', 'B', 30), diag('"As an AI, I cannot answer that."', 'A', 7), diag('7', 'B', 3), diag('"xyzzy"', 'B', 1)];
  assert.deepEqual(invalidAnswersOf(diagnostics).map((a) => a.value), ['Very important', 'Rather important', 'Very important', 'As an AI, I cannot answer that.', 7, 'xyzzy']);
  const hints = invalidAnswerHints({ diagnostics, items, answers: 300, notValid: 93, missing: 20, referenceShare: 0.01 });
  assert.match(hints[0], /^Answers look like labels \("Very important", "Rather important"\) on 2 items \(A, B; at least 82 answers, 27\.3%\): add a codebook with labels/);
  assert.match(hints[1], /^Refusals \("As an AI, I cannot answer that\."\) on 1 item: at least 7 answers \(2\.3%; the reference leaves 1\.0% unanswered/);
  assert.match(hints[2], /^Answers off the scale \(7 on B; at least 3 answers\)/);
  assert.match(hints[3], /^6\.7% of the answers are empty or a missing code, against 1\.0% in the reference/);
  assert.equal(invalidAnswerHints({ diagnostics: [], items, answers: 300, notValid: 20, missing: 20, referenceShare: 0.05 }).length, 0, 'missing answers at the humans\' rate are no hint');
  assert.equal(hints.length, 4, 'a text written once on one item is not a label');
  assert.match(invalidAnswerHints({ diagnostics: [], items, answers: 10, notValid: 6, missing: 0, referenceShare: 0 })[0], /^More than half of the answers \(60\.0%\) are not valid/);
});

test('what the reference leaves unanswered is allowed: only the run\'s excess counts', () => {
  const run = computeSufficientStats(data([[0, 0, X, X], [1, 1, 1, 1], [X, X, X, X]]), { weights: null });
  // The reference leaves A unanswered a quarter of the time: A's s = 1/2 - 1/4; B, C as before.
  const h = marginalHeadlines(ref, run.itemWeights, [4, 4, 4], [0.25, 0, 0]);
  assert.ok(Math.abs(h.counted.meanW1Normalized! - ((0.75 * 0.5 + 0.25) + 0) / 2) < 1e-15);
  // A run answering more than the reference does: no credit either (s = 0, not negative).
  const more = marginalHeadlines(ref, run.itemWeights, [4, 4, 4], [0.9, 0.5, 0]);
  assert.deepEqual(more.counted.meanW1Normalized, more.validOnly.meanW1Normalized);
  // The reference's own shares, weighted; the structure factor from the excess of unusable pairs.
  const weighted: SurveyData = { ...data([[0, X, 1, 2], [1, 1, X, X], [0, 1, 0, 1]]), weights: Float64Array.of(1, 3, 1, 1) };
  const s = referenceAnswerShares(weighted, [0, 1, 2]);
  [3 / 6, 2 / 6, 0].forEach((x, i) => assert.ok(Math.abs(s.notValid[i] - x) < 1e-15, `${i}: ${s.notValid[i]}`));
  // Valid answers per row 3, 2, 2, 2 -> pairs 3, 1, 1, 1; weighted 3 + 3 + 1 + 1 = 8 over 3 pairs x total weight 6.
  assert.ok(Math.abs(s.usable! - 8 / (3 * 6)) < 1e-15);
  assert.equal(usableFactor(0.5, 0.8), 0.7);
  assert.equal(usableFactor(0.9, 0.8), 1);
  assert.equal(usableFactor(null, 0.8), 1);
});
