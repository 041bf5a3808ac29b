/**
 * Every pair of m items exactly once, mostly as triples: the bootstrap counts a triple's three-way
 * table in one pass over the rows and takes its three pairs' tables as its two-way margins
 * (batch-count.ts), so the rows are visited about m^2 / 6 times instead of m^2 / 2.
 *
 * The triples are a Steiner triple system, Bose's construction: on v = 6n + 3 points (x, i), x in
 * Z_q with q = 2n + 1 and i in Z_3, the triples {(x,0), (x,1), (x,2)} and, for x < y,
 * {(x,i), (y,i), (x o y, i + 1)} with x o y = (x + y) / 2 mod q (an idempotent commutative
 * quasigroup, as q is odd). Every pair of points lies in exactly one triple. With v the least such
 * number >= m and the points past m left out, a triple that loses one point leaves its other pair as
 * a pair unit (at most 5 points are left out, each in (v - 1) / 2 triples).
 */

/**
 * Units covering every pair i < j < m once: unit u is items[3u], items[3u + 1], items[3u + 2], in
 * increasing order, the last -1 for a pair. A triple whose table would have more than `maxCells`
 * cells (`slots` a side) is given as its three pairs.
 */
export function tripleCover(m: number, slots?: ArrayLike<number>, maxCells = Infinity): Int32Array {
  if (!(Number.isInteger(m) && m >= 0)) throw new RangeError(`tripleCover: ${m} items`);
  const n = Math.max(0, Math.ceil((m - 3) / 6));
  const q = 2 * n + 1;
  const half = n + 1; // 2^-1 mod q
  const out: number[] = [];
  const point = (x: number, i: number) => i * q + x;
  const add = (a: number, b: number, c: number) => {
    const t = [a, b, c].filter((x) => x < m).sort((x, y) => x - y);
    if (t.length === 2) out.push(t[0], t[1], -1);
    else if (t.length === 3) {
      if (slots && slots[t[0]] * slots[t[1]] * slots[t[2]] > maxCells) out.push(t[0], t[1], -1, t[0], t[2], -1, t[1], t[2], -1);
      else out.push(t[0], t[1], t[2]);
    }
  };
  for (let x = 0; x < q; x++) add(point(x, 0), point(x, 1), point(x, 2));
  for (let x = 0; x < q; x++) {
    for (let y = x + 1; y < q; y++) {
      const z = ((x + y) * half) % q;
      for (let i = 0; i < 3; i++) add(point(x, i), point(y, i), point(z, (i + 1) % 3));
    }
  }
  return Int32Array.from(out);
}
