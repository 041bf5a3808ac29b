/**
 * Singular value decomposition of a small dense matrix, for the rotations of factor analysis:
 * `stats::varimax` takes the polar factor U V' of a k x k matrix in every iteration, and the
 * orthogonal Procrustes rotation (Schoenemann 1966) and `vegan::procrustes` take U V' and the sum
 * of the singular values of a k x k cross-product.
 *
 * Method: one-sided Jacobi (Hestenes 1958; Demmel & Veselic 1992, "Jacobi's method is more
 * accurate than QR"): plane rotations applied to the columns of A until every pair of columns is
 * orthogonal to working precision; the column norms are then the singular values, the normalised
 * columns U and the accumulated rotations V. Each rotation is the Jacobi rotation that
 * diagonalises the 2 x 2 Gram matrix [[a, c], [c, b]] of the pair (Golub & Van Loan, Matrix
 * Computations, 4th ed., 8.6.3 and Algorithm 8.5.1). Singular values come out to high relative
 * accuracy, so also the small ones that decide a rank. O(m n^2) a sweep; the matrices here have a
 * handful of columns, where this is simpler than bidiagonalisation and as accurate as LAPACK.
 */

export interface SingularValueDecomposition {
  /** Singular values, decreasing, min(m, n) of them. */
  d: number[];
  /** m x r left singular vectors (r = min(m, n)) as rows of r numbers; orthonormal columns. */
  u: number[][];
  /** n x r right singular vectors as rows of r numbers; orthonormal columns. */
  v: number[][];
}

const EPS = 2 ** -52;
const MAX_SWEEPS = 80;

/**
 * A = U diag(d) V' for the m x n matrix `a` (rows of n numbers), thin: r = min(m, n) columns in U
 * and V. Columns of U for a zero singular value are completed to an orthonormal set (any such
 * completion is a valid SVD; R's LAPACK picks another one). Signs of singular vector pairs are
 * arbitrary, as in any SVD. Throws on a ragged or non-finite matrix.
 */
export function singularValueDecomposition(a: readonly (readonly number[])[]): SingularValueDecomposition {
  const m = a.length;
  const n = m === 0 ? 0 : a[0].length;
  for (let i = 0; i < m; i++) {
    if (a[i].length !== n) throw new RangeError(`singularValueDecomposition: row ${i} has ${a[i].length} entries, expected ${n}`);
    for (let j = 0; j < n; j++) {
      if (!Number.isFinite(a[i][j])) throw new RangeError(`singularValueDecomposition: entry (${i}, ${j}) is not finite`);
    }
  }
  if (m < n) {
    // A' = V D U': the one-sided method orthogonalises the shorter dimension's columns.
    const t = singularValueDecomposition(transpose(a));
    return { d: t.d, u: t.v, v: t.u };
  }
  // Columns of the working matrix and of V, column-major, so a rotation touches two rows of memory.
  const cols: Float64Array[] = Array.from({ length: n }, (_, j) => Float64Array.from(a, (row) => row[j]));
  const vcols: Float64Array[] = Array.from({ length: n }, (_, j) => {
    const e = new Float64Array(n);
    e[j] = 1;
    return e;
  });

  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const x = cols[p];
        const y = cols[q];
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let i = 0; i < m; i++) {
          alpha += x[i] * x[i];
          beta += y[i] * y[i];
          gamma += x[i] * y[i];
        }
        // Orthogonal to working precision (the test of Demmel & Veselic): no rotation.
        if (gamma === 0 || Math.abs(gamma) <= m * EPS * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        rotatePair(x, y, c, s);
        rotatePair(vcols[p], vcols[q], c, s);
      }
    }
    if (!rotated) break;
    if (sweep === MAX_SWEEPS - 1) throw new Error('singularValueDecomposition: the Jacobi sweeps did not converge');
  }

  const norms = cols.map((x) => Math.hypot(...x));
  const order = Array.from({ length: n }, (_, j) => j).sort((p, q) => norms[q] - norms[p] || p - q);
  const d = order.map((j) => norms[j]);
  const tiny = Math.max(m, n) * EPS * (d[0] ?? 0);
  const uCols: Float64Array[] = [];
  for (const j of order) {
    const x = cols[j];
    const norm = norms[j];
    if (norm > tiny && norm > 0) uCols.push(x.map((v) => v / norm));
    else uCols.push(completeOrthonormal(uCols, m));
  }
  const u = Array.from({ length: m }, (_, i) => uCols.map((col) => col[i]));
  const v = Array.from({ length: n }, (_, i) => order.map((j) => vcols[j][i]));
  return { d, u, v };
}

/**
 * The orthogonal polar factor U V' of a square matrix A = U D V' (the orthogonal matrix closest to
 * A in the Frobenius norm; Higham 1986) and the sum of its singular values (the nuclear norm),
 * as `stats::varimax` and orthogonal Procrustes use them. Unique when A is nonsingular.
 */
export function polarFactor(a: readonly (readonly number[])[]): { rotation: number[][]; singularSum: number } {
  const { d, u, v } = singularValueDecomposition(a);
  const rotation = multiplyTransposed(u, v);
  return { rotation, singularSum: d.reduce((s, x) => s + x, 0) };
}

/** (x, y) <- (c x - s y, s x + c y): the pair's Gram matrix becomes diagonal. */
function rotatePair(x: Float64Array, y: Float64Array, c: number, s: number): void {
  for (let i = 0; i < x.length; i++) {
    const xi = x[i];
    const yi = y[i];
    x[i] = c * xi - s * yi;
    y[i] = s * xi + c * yi;
  }
}

/** A unit vector orthogonal to `basis` (orthonormal columns of length m): Gram-Schmidt, twice, on unit vectors. */
function completeOrthonormal(basis: readonly Float64Array[], m: number): Float64Array {
  let best = new Float64Array(m);
  let bestNorm = -1;
  for (let e = 0; e < m; e++) {
    const x = new Float64Array(m);
    x[e] = 1;
    for (let pass = 0; pass < 2; pass++) {
      for (const b of basis) {
        let dot = 0;
        for (let i = 0; i < m; i++) dot += b[i] * x[i];
        for (let i = 0; i < m; i++) x[i] -= dot * b[i];
      }
    }
    const norm = Math.hypot(...x);
    if (norm > bestNorm) {
      best = x.map((value) => value / norm);
      bestNorm = norm;
    }
    if (norm > 0.5) break; // far from the span: as good as any
  }
  return best;
}

function transpose(a: readonly (readonly number[])[]): number[][] {
  const m = a.length;
  const n = m === 0 ? 0 : a[0].length;
  return Array.from({ length: n }, (_, j) => Array.from({ length: m }, (_, i) => a[i][j]));
}

/** X Y' for X m x r and Y n x r (rows). */
function multiplyTransposed(x: readonly (readonly number[])[], y: readonly (readonly number[])[]): number[][] {
  return x.map((xi) => y.map((yj) => xi.reduce((s, v, c) => s + v * yj[c], 0)));
}
