/** Test helpers: random covariance matrices and correlated Gaussian samples. */
import { createRng, type Rng } from '../../src/sim/random.ts';

/** A random SPD covariance C = A Aᵀ / L + diag(jitter), with entries of order `scale`. */
export function randomCovariance(rng: Rng, L: number, scale = 1): Float64Array {
  const A = new Float64Array(L * L);
  rng.fillGaussian(A);
  const C = new Float64Array(L * L);
  for (let i = 0; i < L; i++)
    for (let j = 0; j < L; j++) {
      let s = 0;
      for (let k = 0; k < L; k++) s += A[i * L + k] * A[j * L + k];
      C[i * L + j] = (scale * s) / L + (i === j ? 0.05 * scale : 0);
    }
  return C;
}

export function cholesky(C: Float64Array, L: number): Float64Array {
  const out = new Float64Array(L * L);
  for (let i = 0; i < L; i++)
    for (let j = 0; j <= i; j++) {
      let s = C[i * L + j];
      for (let k = 0; k < j; k++) s -= out[i * L + k] * out[j * L + k];
      out[i * L + j] = i === j ? Math.sqrt(s) : s / out[j * L + j];
    }
  return out;
}

/**
 * Monte Carlo mean and standard error of f(u) for u ~ N(0, C), with n samples.
 * Returns {mean, se} where se = sample std / √n.
 */
export function monteCarlo(
  C: Float64Array,
  L: number,
  n: number,
  seed: number,
  f: (u: Float64Array) => number,
): { mean: number; se: number } {
  const rng = createRng(`mc:${seed}`);
  const chol = cholesky(C, L);
  const z = new Float64Array(L);
  const u = new Float64Array(L);
  let sum = 0;
  let sumSq = 0;
  for (let s = 0; s < n; s++) {
    rng.fillGaussian(z);
    for (let i = 0; i < L; i++) {
      let acc = 0;
      for (let k = 0; k <= i; k++) acc += chol[i * L + k] * z[k];
      u[i] = acc;
    }
    const x = f(u);
    sum += x;
    sumSq += x * x;
  }
  const mean = sum / n;
  const variance = (sumSq - n * mean * mean) / (n - 1);
  return { mean, se: Math.sqrt(variance / n) };
}
