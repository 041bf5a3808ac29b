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
