import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tripleCover } from '../../../src/core/parallel/triple-cover';

/** How many times each pair i < j of m items is in a unit; throws on a malformed unit. */
function coverage(m: number, units: Int32Array): Uint8Array {
  assert.equal(units.length % 3, 0);
  const seen = new Uint8Array(m * m);
  for (let u = 0; u < units.length; u += 3) {
    const [a, b, c] = [units[u], units[u + 1], units[u + 2]];
    assert.ok(a >= 0 && a < b && b < m, `unit ${u / 3}: ${a}, ${b}, ${c}`);
    seen[a * m + b]++;
    if (c >= 0) {
      assert.ok(b < c && c < m, `unit ${u / 3}: ${a}, ${b}, ${c}`);
      seen[a * m + c]++;
      seen[b * m + c]++;
    }
  }
  return seen;
}

test('every pair of m items is in exactly one unit, for m = 0 to 60 and the 175 of the WVS case', () => {
  for (const m of [...Array.from({ length: 61 }, (_, i) => i), 175, 301]) {
    const seen = coverage(m, tripleCover(m));
    for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) assert.equal(seen[i * m + j], 1, `m = ${m}, pair (${i}, ${j})`);
  }
});

test('mostly triples: a Steiner triple system where one exists (v = 6n + 3), a few pairs otherwise', () => {
  const count = (units: Int32Array) => {
    let triples = 0;
    for (let u = 2; u < units.length; u += 3) if (units[u] >= 0) triples++;
    return { triples, pairs: units.length / 3 - triples };
  };
  assert.deepEqual(count(tripleCover(9)), { triples: 12, pairs: 0 });
  assert.deepEqual(count(tripleCover(177)), { triples: (177 * 176) / 6, pairs: 0 });
  // 175 of 177 points: the 2 x 88 triples through a dropped point, less the one through both, lose
  // a point; that one loses two.
  assert.deepEqual(count(tripleCover(175)), { triples: (177 * 176) / 6 - 175, pairs: 174 });
  assert.deepEqual(count(tripleCover(2)), { triples: 0, pairs: 1 });
});

test('a triple with more cells than allowed is given as its three pairs', () => {
  const m = 15;
  const slots = Array.from({ length: m }, (_, i) => (i < 3 ? 21 : 5));
  const units = tripleCover(m, slots, 1331);
  const seen = coverage(m, units);
  for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) assert.equal(seen[i * m + j], 1);
  for (let u = 0; u < units.length; u += 3) {
    if (units[u + 2] >= 0) assert.ok(slots[units[u]] * slots[units[u + 1]] * slots[units[u + 2]] <= 1331, `unit ${units.slice(u, u + 3)}`);
  }
  // Without the limit the same items have triples of 21 x 21 x 5 and 21 x 5 x 5 cells.
  const unbounded = tripleCover(m, slots);
  assert.ok(unbounded.length < units.length);
});

test('refuses a count of items that is not a whole number', () => {
  assert.throws(() => tripleCover(-1), RangeError);
  assert.throws(() => tripleCover(2.5), RangeError);
});
