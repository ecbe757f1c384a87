/**
 * Square roots of positive semi-definite matrices: the Gram matrices of weight vectors
 * (the exact sampler, weights built from order parameters) and of activations (ε_g).
 */

/**
 * A square root of the symmetric positive semi-definite n×n matrix `a`: `out` (n×n, row-major)
 * with out·outᵀ = a, by Cholesky with diagonal pivoting (the largest remaining diagonal first;
 * LAPACK's dpstrf does the same). Column k of `out` belongs to the k-th pivot, so `out` is lower
 * triangular only up to a row permutation; callers multiply by the whole matrix.
 *
 * Why pivoting: Gram matrices of a learned student are singular in several directions at once
 * (units that become teacher units, or pairs that cancel when K > M), and eliminating a
 * near-zero pivot before the large ones turns rounding noise into O(1) garbage; the unpivoted
 * factorization stopped a calibration run of the K = 6 soft committee at t ≈ 1468, where the
 * smallest eigenvalue was only −2·10⁻¹¹. With pivoting the factorization stops at the numerical
 * rank (remaining diagonal ≤ `rankTol` × the largest diagonal) and the remaining columns are zero:
 * those directions have no variance, and their unused standard normals belong to the orthogonal
 * complement, so |x|² stays exact. Returns false when what remains is clearly not PSD (an entry of
 * the remaining Schur complement beyond `psdTol` × the largest diagonal in size, or a negative
 * diagonal beyond it).
 *
 * `a` is overwritten (it holds the Schur complement as the factorization goes); `perm` is
 * scratch space. Both are the caller's so that the sampler's step allocates nothing.
 */
export function psdSqrtInto(a: Float64Array, n: number, out: Float64Array, perm = new Int32Array(n), rankTol = 1e-14, psdTol = 1e-8): boolean {
  const s = a;
  for (let i = 0; i < n; i++) perm[i] = i;
  out.fill(0);
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, s[i * n + i]);
  if (!(maxDiag > 0)) maxDiag = 1;
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (s[perm[i] * n + perm[i]] > s[perm[p] * n + perm[p]]) p = i;
    const pivot = s[perm[p] * n + perm[p]];
    if (pivot <= rankTol * maxDiag) {
      // Numerical rank k: the rest must be (numerically) zero.
      for (let i = k; i < n; i++)
        for (let j = k; j < n; j++) {
          const x = s[perm[i] * n + perm[j]];
          if (Math.abs(x) > psdTol * maxDiag) return false;
        }
      return true;
    }
    [perm[k], perm[p]] = [perm[p], perm[k]];
    const r = perm[k];
    const d = Math.sqrt(pivot);
    out[r * n + k] = d;
    for (let i = k + 1; i < n; i++) out[perm[i] * n + k] = s[perm[i] * n + r] / d;
    for (let i = k + 1; i < n; i++) {
      const li = out[perm[i] * n + k];
      for (let j = k + 1; j <= i; j++) {
        const v = s[perm[i] * n + perm[j]] - li * out[perm[j] * n + k];
        s[perm[i] * n + perm[j]] = v;
        s[perm[j] * n + perm[i]] = v;
      }
    }
  }
  return true;
}

/** Whether plain Cholesky succeeds on the symmetric n×n matrix `a` (every pivot > 0): positive definite in floating point. */
export function choleskySucceeds(a: ArrayLike<number>, n: number, work = new Float64Array(n * n)): boolean {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= work[i * n + k] * work[j * n + k];
      if (i === j) {
        if (!(s > 0)) return false;
        work[i * n + i] = Math.sqrt(s);
      } else work[i * n + j] = s / work[j * n + j];
    }
  }
  return true;
}
