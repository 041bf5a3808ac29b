import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatP, pText, significant, tuckerReading } from '../../../webview/format';

test('p-values below 0.001 are written "< 0.001", never "0.0000"', () => {
  // A permutation test with 9,999 permutations and none as extreme: p = 1/10000.
  assert.equal(formatP(1 / 10_000), '< 0.001');
  assert.equal(formatP(0), '< 0.001');
  assert.equal(formatP(0.000999), '< 0.001');
  assert.equal(pText(1e-12), 'p < 0.001');
});

test('p-values from 0.001 up keep three significant digits', () => {
  assert.equal(formatP(0.001), '0.00100');
  assert.equal(formatP(0.0123456), '0.0123');
  assert.equal(formatP(0.04999), '0.0500');
  assert.equal(formatP(0.5), '0.500');
  assert.equal(formatP(1), '1.00');
  assert.equal(pText(0.0123456), 'p = 0.0123');
});

test('undefined p-values are n/a', () => {
  assert.equal(formatP(null), 'n/a');
  assert.equal(formatP(undefined), 'n/a');
  assert.equal(formatP(Number.NaN), 'n/a');
  assert.equal(pText(null), 'p n/a');
});

test("Tucker's phi is read as Lorenzo-Seva & ten Berge (2006): >= 0.95 equal, 0.85-0.94 fair similarity", () => {
  assert.equal(tuckerReading(1), 'equal');
  assert.equal(tuckerReading(0.95), 'equal');
  // The bands are given to two decimals: 0.9496 reads as 0.95.
  assert.equal(tuckerReading(0.9496), 'equal');
  assert.equal(tuckerReading(0.944), 'fair similarity');
  assert.equal(tuckerReading(0.85), 'fair similarity');
  assert.equal(tuckerReading(0.844), 'not similar');
  assert.equal(tuckerReading(0.2), 'not similar');
  // Components have arbitrary sign: the magnitude is read.
  assert.equal(tuckerReading(-0.97), 'equal');
  assert.equal(tuckerReading(null), null);
});

test('significant digits with a true minus sign', () => {
  assert.equal(significant(0.047312), '0.047');
  assert.equal(significant(-0.5), '\u22120.5');
  assert.equal(significant(1), '1');
  assert.equal(significant(0.62), '0.62');
  assert.equal(significant(0), '0');
});
