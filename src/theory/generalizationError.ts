/**
 * Generalization error of a two-layer student against a two-layer teacher with the same
 * activation g.
 *
 * ε_g = ½ ⟨(y_noise-free − ŷ)²⟩ = ½ Σ_pq a_p a_q I2(p, q) with a = (−v, v*)
 * (Saad & Solla 1995, eq. (5); Goldt et al. 2019, eq. (7) for general v).
 * The test error against noisy labels adds the irreducible σ²/2.
 *
 * ε_g is the quadratic form ½ aᵀGa in the Gram matrix G_pq = I2(p,q) = ⟨g(u_p) g(u_q)⟩ of the
 * functions g(u_p), so it cannot be negative for overlaps of real weight vectors. The ODE's
 * state, though, leaves the PSD cone by its integration error (≈ atol): a converged K = 3, M = 2
 * soft committee reached Q_11 = −4·10⁻¹¹ and the plain sum ε_g = −5·10⁻¹¹, which breaks
 * anything that takes its logarithm. When G is not numerically positive definite (or the sum is
 * not positive), ε_g is evaluated as ½‖Aᵀa‖² with A the pivoted-Cholesky square root of G's
 * positive part (rank-truncated, src/linalg/psd.ts): a sum of squares, ≥ 0 by construction, and
 * equal to the plain sum wherever G is positive semi-definite. Elsewhere the plain sum is used
 * unchanged.
 */
import { activationOf, type ActivationName } from '../activations/registry.ts';
import { choleskySucceeds, psdSqrtInto } from '../linalg/psd.ts';
import { fieldCovariance, signedOutputWeights, type OrderParams } from '../model/orderParams.ts';

/** Noise-free generalization error ε_g (what the theory and the figures plot); never negative. */
export function generalizationError(p: OrderParams, activation: ActivationName | undefined): number {
  const L = p.K + p.M;
  const C = fieldCovariance(p.K, p.M, p.Q, p.R, p.T);
  const a = signedOutputWeights(p.v, p.vTeacher);
  const act = activationOf(activation);
  const direct = act.odeSums(L).generalizationError(C, L, a);
  const G = new Float64Array(L * L);
  for (let i = 0; i < L; i++) for (let j = 0; j <= i; j++) G[i * L + j] = G[j * L + i] = act.averages.i2(C, L, i, j);
  if (direct > 0 && choleskySucceeds(G, L)) return direct;
  const A = new Float64Array(L * L);
  // Far outside the cone (a diverging state) there is no positive part to speak of: keep the sum.
  if (!psdSqrtInto(G, L, A)) return direct;
  let s = 0;
  for (let k = 0; k < L; k++) {
    let c = 0;
    for (let i = 0; i < L; i++) c += A[i * L + k] * a[i];
    s += c * c;
  }
  return 0.5 * s;
}
