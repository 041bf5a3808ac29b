/**
 * Average ranks (Spearman) and Benjamini-Hochberg q-values from a numerically sorted copy and
 * binary search, against the textbook way (the indices ordered by comparison, ties walked in
 * order): equal bit for bit on random data full of ties, signed zeros, infinities and nulls.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { averageRanks } from '../../../src/core/stats/correlation';
import { benjaminiHochberg } from '../../../src/core/stats/multiple-testing';

function ranksByOrder(x: number[]): number[] {
  const order = x.map((_, i) => i).sort((a, b) => (x[a] < x[b] ? -1 : x[a] > x[b] ? 1 : 0));
  const ranks = new Array<number>(x.length);
  for (let s = 0; s < x.length; ) {
    let e = s + 1;
    while (e < x.length && x[order[e]] === x[order[s]]) e++;
    for (let t = s; t < e; t++) ranks[order[t]] = (s + 1 + e) / 2;
    s = e;
  }
  return ranks;
}

function bhByOrder(p: (number | null)[]): (number | null)[] {
  const idx = p.map((_, t) => t).filter((t) => p[t] !== null && !Number.isNaN(p[t]));
  const n = idx.length;
  idx.sort((a, b) => (p[b]! < p[a]! ? -1 : p[b]! > p[a]! ? 1 : 0));
  const out: (number | null)[] = p.map(() => null);
  let running = Infinity;
  for (let s = 0; s < n; s++) {
    const v = (n / (n - s)) * p[idx[s]]!;
    if (v < running) running = v;
    out[idx[s]] = Math.min(1, running);
  }
  return out;
}

/** `fast` gives what `reference` gives, bit for bit (Object.is), on 300 random inputs. */
function sameBits<T>(input: fc.Arbitrary<T[]>, fast: (x: T[]) => ArrayLike<number | null>, reference: (x: T[]) => ArrayLike<number | null>, seed: number): void {
  fc.assert(
    fc.property(input, (x) => {
      const got = fast(x);
      const want = reference(x);
      assert.equal(got.length, want.length);
      for (let i = 0; i < want.length; i++) assert.ok(Object.is(got[i], want[i]), `${i}: ${got[i]} vs ${want[i]}`);
    }),
    { numRuns: 300, seed },
  );
}

const tied = fc.oneof(fc.constantFrom(0, -0, 1, 0.5, -2, Infinity, -Infinity), fc.integer({ min: -5, max: 5 }), fc.double({ noNaN: true }));

test('average ranks equal ordering the indices, ties and signed zeros included', () => {
  sameBits(fc.array(tied, { maxLength: 300 }), averageRanks, ranksByOrder, 42);
  // With a NaN the comparator's order is kept.
  assert.deepEqual(Array.from(averageRanks([3, NaN, 1, 1])), ranksByOrder([3, NaN, 1, 1]));
});

test('Benjamini-Hochberg q-values equal sorting the tests in decreasing order, ties and nulls included', () => {
  const pValue = fc.oneof(fc.constantFrom(0, 1, 0.05, 0.5, 1e-300, null, NaN), fc.double({ min: 0, max: 1, noNaN: true }));
  sameBits(fc.array(pValue, { maxLength: 400 }), benjaminiHochberg, bhByOrder, 7);
});
