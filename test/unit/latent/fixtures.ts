/**
 * Test helpers: the R reference values of test/fixtures/latent (written by generate.R there) and
 * matrix differences.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The repository root, from the built test file in out/test/unit/latent/. */
const repoRoot = path.resolve(__dirname, '../../../..');

export function readLatentFixture<T>(name: string): T {
  return JSON.parse(fs.readFileSync(path.join(repoRoot, 'test/fixtures/latent', name), 'utf8')) as T;
}

/** Largest |a - b| over two equally shaped matrices (throws on a shape mismatch). */
export function maxAbsDiff(a: readonly (readonly number[])[], b: readonly (readonly number[])[]): number {
  if (a.length !== b.length) throw new Error(`maxAbsDiff: ${a.length} rows against ${b.length}`);
  let m = 0;
  a.forEach((row, i) => {
    if (row.length !== b[i].length) throw new Error(`maxAbsDiff: row ${i} has ${row.length} entries against ${b[i].length}`);
    row.forEach((v, j) => {
      const d = Math.abs(v - b[i][j]);
      m = Math.max(m, Number.isNaN(d) ? Infinity : d);
    });
  });
  return m;
}

export function maxAbsDiffVector(a: readonly number[], b: readonly number[]): number {
  return maxAbsDiff([a], [b]);
}

/** Columns of a matrix reordered and multiplied by signs. */
export function permuteColumns(L: readonly (readonly number[])[], order: readonly number[], signs: readonly number[]): number[][] {
  return L.map((row) => order.map((c, j) => row[c] * signs[j]));
}

export function transpose(A: readonly (readonly number[])[]): number[][] {
  return A[0].map((_, j) => A.map((row) => row[j]));
}

export function matmul(A: readonly (readonly number[])[], B: readonly (readonly number[])[]): number[][] {
  return A.map((row) => B[0].map((_, c) => row.reduce((s, v, j) => s + v * B[j][c], 0)));
}
