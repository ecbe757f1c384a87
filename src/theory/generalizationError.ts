/**
 * Generalization error of a two-layer student against a two-layer teacher with the same
 * activation g.
 *
 * ε_g = ½ ⟨(y_noise-free − ŷ)²⟩ = ½ Σ_pq a_p a_q I2(p, q) with a = (−v, v*)
 * (Saad & Solla 1995, eq. (5); Goldt et al. 2019, eq. (7) for general v).
 * The test error against noisy labels adds the irreducible σ²/2.
 */
import { activationOf, type ActivationName } from '../activations/registry.ts';
import { fieldCovariance, signedOutputWeights, type OrderParams } from './orderParams.ts';

/** Noise-free generalization error ε_g (what the theory and the figures plot). */
export function generalizationError(p: OrderParams, activation: ActivationName | undefined): number {
  const L = p.K + p.M;
  const C = fieldCovariance(p.K, p.M, p.Q, p.R, p.T);
  const a = signedOutputWeights(p.v, p.vTeacher);
  return activationOf(activation).odeSums(L).generalizationError(C, L, a);
}
