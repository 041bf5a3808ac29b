/**
 * Eigenvalues and leading eigenvectors of a real symmetric matrix, for the principal components of
 * correlation matrices (compare.ts: all eigenvalues, and the first few eigenvectors for Tucker
 * congruence).
 *
 * Why it is hand-written: every matrix comparison decomposes two item-by-item matrices, and
 * ml-matrix's `EigenvalueDecomposition` (JAMA's tred2 + tql2, always accumulating all n
 * eigenvectors) took about ten times as long for a 175 x 175 correlation matrix (bench/eigen.ts
 * against bench/anchors/eigen.py; figures in bench/README.md). The saving comes from computing only
 * the eigenvectors that are asked for (tql2's accumulation of all of them is O(n^3) on its own) and
 * from one flat row-major array with unit-stride inner loops.
 *
 * Method (the classical dense symmetric eigensolver, written here from the textbook descriptions):
 *
 * 1. Householder tridiagonalisation, A = Q T Q' (Golub & Van Loan, Matrix Computations, 4th ed.,
 *    Algorithm 8.3.1; EISPACK tred2 / LAPACK dsytrd do the same). Step k reflects column k below the
 *    subdiagonal onto its first entry with H_k = I - tau_k v_k v_k' (v_k normalised to a leading 1, as
 *    LAPACK dlarfg), then updates the trailing block B by the symmetric rank-2 form
 *    B - v w' - w v' with p = tau B v and w = p - (tau p'v / 2) v. Only the lower triangle is kept up
 *    to date, row by row (unit stride); B v is one pass over that triangle adding each entry to two
 *    sums (as BLAS dsymv). The Householder vectors are kept in the unused upper triangle, row k.
 *    About 4n^3/3 flops, the bulk of the work.
 * 2. Implicit symmetric QR with the Wilkinson shift on T (Golub & Van Loan Algorithms 8.3.2 and 8.3.3;
 *    EISPACK tql1 / tql2 and LAPACK dsteqr are the QL / QR variants of the same iteration): bulge-
 *    chasing Givens rotations, an off-diagonal entry is set to zero once
 *    |e_i| <= eps (|d_i| + |d_i+1|), and a remaining 2 x 2 block is diagonalised in closed form by the
 *    Jacobi rotation of Golub & Van Loan Algorithm 8.5.1 (LAPACK dsteqr uses dlaev2 there). O(n^2).
 * 3. Eigenvectors: the QR iteration's rotations G_1 ... G_m are recorded (index, cosine, sine), as
 *    dsteqr records one sweep's rotations for dlasr, but over the whole iteration. T's eigenvector
 *    for the eigenvalue that ended in position c is column c of G_1' G_2' ... G_m', i.e. the unit vector
 *    e_c with the rotations applied in reverse order: O(m) per vector instead of O(m n) to accumulate
 *    all of them (tql2). The vectors of A are then Q z = H_0 (H_1 (... H_n-3 z)). These are exactly
 *    the columns tred2 + tql2 would accumulate (a product of orthogonal transformations applied in a
 *    different association), so they are orthonormal to working precision also for repeated or
 *    clustered eigenvalues, where inverse iteration would need reorthogonalisation.
 *
 * Each stage is backward stable (orthogonal transformations only), so every computed eigenvalue is
 * within a modest multiple of n eps ||A||_2 of an exact one, and an eigenvector whose eigenvalue is
 * separated by a gap g from the others is accurate to about n eps ||A||_2 / g.
 *
 * Inputs whose entries lie far from 1 in magnitude are scaled by a power of two first (exact) so
 * squared norms can neither overflow nor underflow. A non-finite entry gives NaN values and vectors.
 */

export interface SymmetricEigen {
  /** All eigenvalues, in decreasing order. */
  values: number[];
  /** vectors[c] is a unit eigenvector of values[c], for the first k components only. */
  vectors: number[][];
}

const EPS = 2 ** -52;
/** Smallest positive normal double: a subdiagonal entry below it is negligible whatever the diagonal. */
const SAFE_MIN = 2 ** -1022;
/** The iteration count that dsteqr allows (30 QR sweeps per eigenvalue) before giving up. */
const MAX_SWEEPS_PER_VALUE = 30;

/**
 * Eigen-decomposition of the symmetric matrix `matrix` (n rows of n numbers): all eigenvalues in
 * decreasing order and unit eigenvectors of the first `k` of them (k is clamped to 0..n). Entry
 * (i, j) is taken as the mean of matrix[i][j] and matrix[j][i], so an exactly symmetric matrix is
 * used as it is. The input is not modified.
 */
export function symmetricEigen(matrix: readonly (readonly number[])[], k: number): SymmetricEigen {
  const n = matrix.length;
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const row = matrix[i];
    if (row.length !== n) throw new RangeError(`symmetricEigen: row ${i} has ${row.length} entries, expected ${n}`);
    for (let j = 0; j < n; j++) a[i * n + j] = row[j];
  }
  symmetrise(a, n);
  return decompose(a, n, k);
}

/**
 * As `symmetricEigen`, for an n x n matrix stored row-major in `data` (not modified).
 */
export function symmetricEigenFlat(data: Float64Array, n: number, k: number): SymmetricEigen {
  if (!Number.isInteger(n) || n < 0 || data.length !== n * n) {
    throw new RangeError(`symmetricEigenFlat: ${data.length} entries do not form a ${n} x ${n} matrix`);
  }
  const a = Float64Array.from(data);
  symmetrise(a, n);
  return decompose(a, n, k);
}

/** Lower triangle <- mean of the two triangles (unchanged where they are equal). */
function symmetrise(a: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const x = a[i * n + j];
      const y = a[j * n + i];
      if (x !== y) a[i * n + j] = 0.5 * x + 0.5 * y;
    }
  }
}

/** `a` holds the matrix in its lower triangle (row-major, n x n) and is overwritten. */
function decompose(a: Float64Array, n: number, kWanted: number): SymmetricEigen {
  const k = Math.max(0, Math.min(n, Math.floor(Number.isFinite(kWanted) ? kWanted : 0)));
  if (n === 0) return { values: [], vectors: [] };

  let maxAbs = 0;
  let finite = true;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = Math.abs(a[i * n + j]);
      if (v > maxAbs) maxAbs = v;
      else if (!(v <= maxAbs)) finite = false; // NaN
    }
  }
  if (!finite || maxAbs === Infinity) {
    return { values: new Array<number>(n).fill(NaN), vectors: Array.from({ length: k }, () => new Array<number>(n).fill(NaN)) };
  }
  // Powers of two keep the scaling exact; |entries| <= 2^300 keeps their squares far from overflow
  // and underflow. Two factors, each a normal number, cover exponents up to +-1074.
  let f1 = 1;
  let f2 = 1;
  if (maxAbs > 0 && (maxAbs > 2 ** 300 || maxAbs < 2 ** -300)) {
    const exponent = Math.round(Math.log2(maxAbs));
    const half = Math.trunc(exponent / 2);
    f1 = 2 ** -half;
    f2 = 2 ** -(exponent - half);
    for (let i = 0; i < n * n; i++) a[i] = a[i] * f1 * f2;
  }

  const d = new Float64Array(n);
  const e = new Float64Array(Math.max(0, n - 1));
  const tau = new Float64Array(Math.max(0, n - 2));
  tridiagonalise(a, n, d, e, tau);

  const rotations = k > 0 ? new Rotations(n * n + 16) : null;
  tridiagonalQR(d, e, n, rotations);

  const order = Array.from({ length: n }, (_, c) => c).sort((p, q) => d[q] - d[p] || p - q);
  const values = order.map((c) => d[c] / f1 / f2);
  const vectors: number[][] = [];
  if (k > 0 && rotations) {
    // Z (n x k, row-major): column j starts as the unit vector of the j-th wanted position.
    const z = new Float64Array(n * k);
    for (let j = 0; j < k; j++) z[order[j] * k + j] = 1;
    rotations.applyTransposedInReverse(z, k);
    const x = new Float64Array(n);
    for (let j = 0; j < k; j++) {
      for (let i = 0; i < n; i++) x[i] = z[i * k + j];
      backTransform(a, n, tau, x);
      vectors.push(Array.from(x));
    }
  }
  return { values, vectors };
}

/**
 * Householder reduction of the symmetric matrix in the lower triangle of `a` to tridiagonal form:
 * diagonal d, subdiagonal e (e[i] couples i and i + 1). Reflector k is H_k = I - tau[k] v v' with
 * v[k + 1] = 1 and v[j] = a[k n + j] for j > k + 1 (row k of the upper triangle); tau[k] = 0 is I.
 */
function tridiagonalise(a: Float64Array, n: number, d: Float64Array, e: Float64Array, tau: Float64Array): void {
  // Row views keep the inner loops free of offset arithmetic; unrolled by four with separate sums
  // (measured ~1.5x faster in V8 than the plain loops).
  const rows = Array.from({ length: n }, (_, i) => a.subarray(i * n, (i + 1) * n));
  const v = new Float64Array(n);
  const p = new Float64Array(n);
  for (let k = 0; k < n - 2; k++) {
    const m0 = k + 1; // first row / column of the trailing block B
    d[k] = rows[k][k];
    const x0 = rows[m0][k];
    let tail = 0;
    for (let i = m0 + 1; i < n; i++) {
      const x = rows[i][k];
      tail += x * x;
    }
    if (tail === 0) {
      // The column is already zero below the subdiagonal: H_k = I.
      e[k] = x0;
      tau[k] = 0;
      continue;
    }
    const norm = Math.sqrt(x0 * x0 + tail);
    const alpha = x0 >= 0 ? -norm : norm; // opposite sign to x0: v0 = x0 - alpha has no cancellation
    const t = (alpha - x0) / alpha;
    tau[k] = t;
    e[k] = alpha;
    const inv = 1 / (x0 - alpha);
    const stored = rows[k];
    v[m0] = 1;
    stored[m0] = 1;
    for (let i = m0 + 1; i < n; i++) stored[i] = v[i] = rows[i][k] * inv;

    // p = B v over the lower triangle: entry (i, j), j < i, adds to p_i and to p_j.
    p.fill(0, m0, n);
    for (let i = m0; i < n; i++) {
      const row = rows[i];
      const vi = v[i];
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let j = m0;
      for (; j < i - 3; j += 4) {
        const a0 = row[j];
        const a1 = row[j + 1];
        const a2 = row[j + 2];
        const a3 = row[j + 3];
        s0 += a0 * v[j];
        s1 += a1 * v[j + 1];
        s2 += a2 * v[j + 2];
        s3 += a3 * v[j + 3];
        p[j] += a0 * vi;
        p[j + 1] += a1 * vi;
        p[j + 2] += a2 * vi;
        p[j + 3] += a3 * vi;
      }
      for (; j < i; j++) {
        const a0 = row[j];
        s0 += a0 * v[j];
        p[j] += a0 * vi;
      }
      p[i] += s0 + s1 + (s2 + s3) + row[i] * vi;
    }
    // p <- tau p; w = p - (tau p'v / 2) v, kept in p.
    let pv = 0;
    for (let i = m0; i < n; i++) {
      p[i] *= t;
      pv += p[i] * v[i];
    }
    const half = 0.5 * t * pv;
    for (let i = m0; i < n; i++) p[i] -= half * v[i];
    // B <- B - v w' - w v' (lower triangle).
    for (let i = m0; i < n; i++) {
      const row = rows[i];
      const vi = v[i];
      const wi = p[i];
      let j = m0;
      for (; j < i - 2; j += 4) {
        row[j] -= vi * p[j] + wi * v[j];
        row[j + 1] -= vi * p[j + 1] + wi * v[j + 1];
        row[j + 2] -= vi * p[j + 2] + wi * v[j + 2];
        row[j + 3] -= vi * p[j + 3] + wi * v[j + 3];
      }
      for (; j <= i; j++) row[j] -= vi * p[j] + wi * v[j];
    }
  }
  if (n >= 2) {
    d[n - 2] = rows[n - 2][n - 2];
    e[n - 2] = rows[n - 1][n - 2];
  }
  d[n - 1] = rows[n - 1][n - 1];
}

/** x <- Q x = H_0 (H_1 (... H_n-3 x)), with the reflectors left by `tridiagonalise`. */
function backTransform(a: Float64Array, n: number, tau: Float64Array, x: Float64Array): void {
  for (let k = n - 3; k >= 0; k--) {
    const t = tau[k];
    if (t === 0) continue;
    const vo = k * n;
    let s = x[k + 1];
    for (let j = k + 2; j < n; j++) s += a[vo + j] * x[j];
    s *= t;
    x[k + 1] -= s;
    for (let j = k + 2; j < n; j++) x[j] -= s * a[vo + j];
  }
}

/**
 * The Givens rotations of the QR iteration, in order. Rotation r acts on rows / columns
 * i = index[r], i + 1 as T <- R T R' with R = [[c, s], [-s, c]], c = cos[r], s = sin[r].
 */
class Rotations {
  index: Int32Array;
  cos: Float64Array;
  sin: Float64Array;
  length = 0;

  constructor(capacity: number) {
    this.index = new Int32Array(capacity);
    this.cos = new Float64Array(capacity);
    this.sin = new Float64Array(capacity);
  }

  /** Makes room for `extra` more rotations. */
  reserve(extra: number): void {
    const need = this.length + extra;
    if (need <= this.index.length) return;
    const size = Math.max(need, 2 * this.index.length);
    const index = new Int32Array(size);
    const cos = new Float64Array(size);
    const sin = new Float64Array(size);
    index.set(this.index.subarray(0, this.length));
    cos.set(this.cos.subarray(0, this.length));
    sin.set(this.sin.subarray(0, this.length));
    this.index = index;
    this.cos = cos;
    this.sin = sin;
  }

  /** Z <- R_1' R_2' ... R_m' Z for Z n x cols, row-major (the last rotation is applied first). */
  applyTransposedInReverse(z: Float64Array, cols: number): void {
    const { index, cos, sin } = this;
    for (let r = this.length - 1; r >= 0; r--) {
      const c = cos[r];
      const s = sin[r];
      const top = index[r] * cols;
      const bottom = top + cols;
      for (let j = 0; j < cols; j++) {
        const x = z[top + j];
        const y = z[bottom + j];
        z[top + j] = c * x - s * y;
        z[bottom + j] = s * x + c * y;
      }
    }
  }
}

/**
 * Eigenvalues of the symmetric tridiagonal matrix (d, e) by implicit QR with the Wilkinson shift,
 * in place in d (unordered); e is destroyed. The rotations are recorded when `rotations` is given.
 * Blocks are split where |e_i| <= eps (|d_i| + |d_i+1|) (Golub & Van Loan 8.3.3) or e_i is below
 * the smallest normal number, and the iteration works on the last unreduced block.
 */
function tridiagonalQR(d: Float64Array, e: Float64Array, n: number, rotations: Rotations | null): void {
  const maxSweeps = MAX_SWEEPS_PER_VALUE * n;
  let sweeps = 0;
  let hi = n - 1;
  while (hi > 0) {
    // The unreduced block lo..hi ending at hi (lo = hi when e[hi - 1] is negligible).
    let lo = hi;
    while (lo > 0) {
      const x = Math.abs(e[lo - 1]);
      if (x <= EPS * (Math.abs(d[lo - 1]) + Math.abs(d[lo])) || x < SAFE_MIN) {
        e[lo - 1] = 0;
        break;
      }
      lo--;
    }
    if (lo === hi) {
      hi--;
    } else if (hi - lo === 1) {
      rotate2x2(d, e, lo, rotations);
      hi -= 2;
    } else {
      if (++sweeps > maxSweeps) throw new Error('symmetricEigen: the QR iteration did not converge');
      qrSweep(d, e, lo, hi, rotations);
    }
  }
}

/**
 * Diagonalises the 2 x 2 block [[a, b], [b, c]] at lo, lo + 1 exactly by the Jacobi rotation of
 * Golub & Van Loan Algorithm 8.5.1: with tau = (c - a) / 2b and t the smaller root of
 * t^2 + 2 tau t - 1 = 0, the eigenvalues are a - t b and c + t b.
 */
function rotate2x2(d: Float64Array, e: Float64Array, lo: number, rotations: Rotations | null): void {
  const a = d[lo];
  const b = e[lo];
  const c = d[lo + 1];
  const theta = (c - a) / (2 * b);
  const root = norm2(1, theta);
  const t = theta >= 0 ? 1 / (theta + root) : -1 / (root - theta);
  const cs = 1 / Math.sqrt(1 + t * t); // |t| <= 1
  const sn = t * cs;
  d[lo] = a - t * b;
  d[lo + 1] = c + t * b;
  e[lo] = 0;
  if (rotations) {
    // J' T J with J = [[cs, sn], [-sn, cs]] is R T R' with R = J' = [[cs, -sn], [sn, cs]].
    rotations.reserve(1);
    const r = rotations.length++;
    rotations.index[r] = lo;
    rotations.cos[r] = cs;
    rotations.sin[r] = -sn;
  }
}

/**
 * One implicit QR sweep with the Wilkinson shift on the unreduced block lo..hi (hi - lo >= 2):
 * the first rotation is that of the shifted first column, the next ones chase the bulge it creates
 * down the band (Golub & Van Loan Algorithm 8.3.2).
 */
function qrSweep(d: Float64Array, e: Float64Array, lo: number, hi: number, rotations: Rotations | null): void {
  // Eigenvalue of the trailing 2 x 2 block closer to its last diagonal entry.
  const delta = (d[hi - 1] - d[hi]) / 2;
  const b = e[hi - 1];
  const denom = delta + (delta >= 0 ? 1 : -1) * norm2(delta, b);
  const mu = d[hi] - b * (b / denom);
  let record = 0;
  let index: Int32Array = EMPTY_INDEX;
  let cos: Float64Array = EMPTY;
  let sin: Float64Array = EMPTY;
  if (rotations) {
    rotations.reserve(hi - lo);
    record = rotations.length;
    rotations.length += hi - lo;
    ({ index, cos, sin } = rotations);
  }
  let x = d[lo] - mu;
  let z = e[lo];
  for (let k = lo; k < hi; k++) {
    // R = [[c, s], [-s, c]] maps (x, z) to (r, 0).
    const r = norm2(x, z);
    let c = 1;
    let s = 0;
    if (r !== 0) {
      const inv = 1 / r;
      c = x * inv;
      s = z * inv;
    }
    if (k > lo) e[k - 1] = r;
    const dk = d[k];
    const ek = e[k];
    const dk1 = d[k + 1];
    const cs = c * s;
    const cc = c * c;
    const ss = s * s;
    d[k] = cc * dk + 2 * cs * ek + ss * dk1;
    d[k + 1] = ss * dk - 2 * cs * ek + cc * dk1;
    e[k] = cs * (dk1 - dk) + (cc - ss) * ek;
    if (k + 1 < hi) {
      z = s * e[k + 1];
      e[k + 1] *= c;
      x = e[k];
    }
    if (rotations) {
      index[record] = k;
      cos[record] = c;
      sin[record] = s;
      record++;
    }
  }
}

const EMPTY = new Float64Array(0);
const EMPTY_INDEX = new Int32Array(0);

/**
 * sqrt(x^2 + y^2) without overflow or underflow of the squares (Math.hypot does the same but is
 * several times slower in V8, and the QR iteration calls this once per rotation).
 */
function norm2(x: number, y: number): number {
  const ax = Math.abs(x);
  const ay = Math.abs(y);
  const m = ax > ay ? ax : ay;
  if (m > 2 ** 500 || (m < 2 ** -500 && m > 0)) {
    const u = ax / m;
    const w = ay / m;
    return m * Math.sqrt(u * u + w * w);
  }
  return Math.sqrt(ax * ax + ay * ay);
}
