/**
 * Eigen-decomposition of a small symmetric matrix by the cyclic Jacobi method (Golub & Van Loan,
 * "Matrix Computations", 4th ed., Sec. 8.5): rotations annihilate the off-diagonal entries one by
 * one until they are negligible against the diagonal. It is backward stable and finds small
 * eigenvalues to an absolute accuracy of ~ε‖A‖, which is all its callers need (the sign of the
 * smallest eigenvalues of a nearly singular Gram-like matrix). Meant for n ≲ 20.
 */

/** Most sweeps before giving up (convergence is quadratic; a handful suffice for n ≤ 20). */
const MAX_SWEEPS = 60;

/**
 * Eigenvalues (`values`, n) and eigenvectors (`vectors`, n×n row-major, column j belongs to
 * values[j]) of the symmetric n×n matrix `a`, which is overwritten. Unsorted.
 */
export function symmetricEigenInto(a: Float64Array, n: number, values: Float64Array, vectors: Float64Array): void {
  vectors.fill(0, 0, n * n);
  for (let i = 0; i < n; i++) vectors[i * n + i] = 1;
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let off = 0;
    let diag = 0;
    for (let i = 0; i < n; i++) {
      diag += a[i * n + i] * a[i * n + i];
      for (let j = i + 1; j < n; j++) off += a[i * n + j] * a[i * n + j];
    }
    if (!(off > 1e-34 * diag)) break; // off-diagonal below ~ε² of the diagonal (or NaN): done
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        // rotation angle: tan(2θ) = 2 a_pq/(a_qq − a_pp), the smaller root for stability
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = vectors[k * n + p];
          const vkq = vectors[k * n + q];
          vectors[k * n + p] = c * vkp - s * vkq;
          vectors[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  for (let i = 0; i < n; i++) values[i] = a[i * n + i];
}
