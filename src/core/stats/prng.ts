/**
 * A seeded pseudo-random generator that gives the same numbers on every platform and in every
 * JavaScript engine: xoshiro128** (Blackman & Vigna 2018) on 32-bit integer arithmetic
 * (`Math.imul`, `>>>`), seeded through SplitMix32. Bootstrap, permutation and split-half
 * resampling all draw from it, so a report is reproducible from its seed.
 */
export class Prng {
  /**
   * The 128-bit state, s0..s3. In a Uint32Array rather than four fields: a field holding numbers
   * beyond the small-integer range is a boxed number, and each draw allocated (measured: ~3 KB a
   * permutation of 175).
   */
  private readonly s = new Uint32Array(4);
  /** nextInt's last n and its rejection limit. */
  private lastN = 0;
  private limit = 0;

  constructor(seed: number) {
    let x = seed >>> 0;
    const next = (): number => {
      // SplitMix32 (Vigna): spreads any 32-bit seed over the 128-bit state.
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    const s = this.s;
    s[0] = next();
    s[1] = next();
    s[2] = next();
    s[3] = next();
    if ((s[0] | s[1] | s[2] | s[3]) === 0) s[0] = 1;
  }

  /** Next uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  nextFloat(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /**
   * Uniform integer in [0, n), unbiased (rejection sampling), for 1 <= n <= 2^32. The rejection
   * limit is kept for the last n (draws come in runs of one n), and x mod n is taken as
   * x - floor(x / n) n with the quotient corrected by one where rounding moved it: the same
   * numbers as `%`, which V8 computes with a call to fmod for numbers beyond 2^31 (3x slower).
   */
  nextInt(n: number): number {
    if (n !== this.lastN) {
      if (!(n >= 1 && n <= 4294967296)) throw new RangeError(`nextInt: n must be in [1, 2^32], got ${n}`);
      this.lastN = n;
      this.limit = 4294967296 - (4294967296 % n);
    }
    let x: number;
    do x = this.nextUint32();
    while (x >= this.limit);
    let r = x - Math.floor(x / n) * n;
    if (r < 0) r += n;
    else if (r >= n) r -= n;
    return r;
  }

  /** Fisher-Yates shuffle in place. */
  shuffle<T extends { length: number; [i: number]: unknown }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  /** A random permutation of 0..n-1. */
  permutation(n: number): Uint32Array {
    const p = new Uint32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
