import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Prng } from '../../../src/core/stats/prng';

/** nextInt by its definition: rejection below the largest multiple of n, then x % n. */
function nextIntByDefinition(rng: Prng, n: number): number {
  const limit = 4294967296 - (4294967296 % n);
  let x: number;
  do x = rng.nextUint32();
  while (x >= limit);
  return x % n;
}

test('nextInt draws the numbers of its definition (rejection, then x mod n) for every kind of n, in runs and interleaved', () => {
  const ns = [1, 2, 3, 7, 10, 97, 1000, 5000, 65536, 97001, 2147483647, 2147483648, 2147483649, 3000000000, 4294967295, 4294967296];
  const fast = new Prng(42);
  const slow = new Prng(42);
  for (let round = 0; round < 3; round++) {
    for (const n of ns) {
      // A run of one n (the cached limit), then the next n.
      for (let d = 0; d < 2000; d++) assert.equal(fast.nextInt(n), nextIntByDefinition(slow, n), `n = ${n}`);
    }
    // Interleaved: the cached limit changes every draw.
    for (let d = 0; d < 5000; d++) {
      const n = ns[d % ns.length];
      assert.equal(fast.nextInt(n), nextIntByDefinition(slow, n), `interleaved n = ${n}`);
    }
  }
  assert.throws(() => fast.nextInt(0), RangeError);
  assert.throws(() => fast.nextInt(4294967297), RangeError);
  assert.throws(() => fast.nextInt(NaN), RangeError);
});

test('nextUint32 is xoshiro128** seeded by SplitMix32: the same 10,000 numbers as a plain re-implementation', () => {
  // The algorithms written out again on plain numbers (Blackman & Vigna's reference code, in 32-bit
  // JavaScript arithmetic), independent of how Prng keeps its state.
  for (const seed of [0, 1, 42, 0xffffffff]) {
    let x = seed >>> 0;
    const splitMix = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    let s0 = splitMix();
    let s1 = splitMix();
    let s2 = splitMix();
    let s3 = splitMix();
    if ((s0 | s1 | s2 | s3) === 0) s0 = 1;
    const rotl = (v: number, k: number) => ((v << k) | (v >>> (32 - k))) >>> 0;
    const rng = new Prng(seed);
    for (let d = 0; d < 10000; d++) {
      const expected = Math.imul(rotl(Math.imul(s1, 5) >>> 0, 7), 9) >>> 0;
      const t = (s1 << 9) >>> 0;
      s2 = (s2 ^ s0) >>> 0;
      s3 = (s3 ^ s1) >>> 0;
      s1 = (s1 ^ s2) >>> 0;
      s0 = (s0 ^ s3) >>> 0;
      s2 = (s2 ^ t) >>> 0;
      s3 = rotl(s3, 11);
      assert.equal(rng.nextUint32(), expected, `seed ${seed}, draw ${d}`);
    }
  }
});
