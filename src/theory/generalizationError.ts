/**
 * Generalization error of an erf two-layer student against an erf two-layer teacher.
 *
 * ε_g = ½ ⟨(y_noise-free − ŷ)²⟩ = ½ Σ_pq a_p a_q I2(p, q) with a = (−v, v*)
 * (Saad & Solla 1995, eq. (5); Goldt et al. 2019, eq. (7) for general v).
 * The test error against noisy labels adds the irreducible σ²/2.
 */
import { TWO_OVER_PI, safeAsin } from './integrals.ts';
import { fieldCovariance, signedOutputWeights, type OrderParams } from './orderParams.ts';

/** Noise-free generalization error ε_g (what the theory and the figures plot). */
export function generalizationError(p: OrderParams): number {
  const L = p.K + p.M;
  const C = fieldCovariance(p.K, p.M, p.Q, p.R, p.T);
  const a = signedOutputWeights(p.v, p.vTeacher);
  return generalizationErrorFromCovariance(C, a, L);
}

/** ε_g from a field covariance and signed output weights (shared with the ODE right-hand side). */
export function generalizationErrorFromCovariance(C: ArrayLike<number>, a: ArrayLike<number>, L: number): number {
  let s = 0;
  for (let p = 0; p < L; p++) {
    const dp = 1 + C[p * L + p];
    // diagonal term: I2(p,p) = (2/π) asin(C_pp / (1 + C_pp))
    s += a[p] * a[p] * safeAsin(C[p * L + p] / dp);
    for (let q = p + 1; q < L; q++) {
      const dq = 1 + C[q * L + q];
      s += 2 * a[p] * a[q] * safeAsin(C[p * L + q] / Math.sqrt(dp * dq));
    }
  }
  return 0.5 * TWO_OVER_PI * s;
}

/** Expected test MSE/2 against labels with output noise σ: ε_g + σ²/2. */
export function testErrorWithNoise(p: OrderParams, sigma: number): number {
  return generalizationError(p) + 0.5 * sigma * sigma;
}
