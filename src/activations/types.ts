/**
 * What an activation function g is to tsdyn: the functions the simulations evaluate (CPU and
 * WGSL) and the Gaussian averages the ODE theory needs (Saad & Solla 1995, Appendix; Goldt et al.
 * 2019, eqs. (10)–(12)). Teacher and student use the same g.
 *
 * Averages take the covariance C (row-major L×L) of jointly Gaussian, zero-mean local fields
 * u_0 … u_{L−1} and indices into it; indices may repeat (e.g. I4(i, i, p, q) or I3(i, i, p)).
 */

/** A covariance matrix, row-major L×L. */
export type Covariance = ArrayLike<number>;

/** The scalar Gaussian averages of the order-parameter ODEs. */
export interface GaussianAverages {
  /** I2(a,b) = ⟨g(u_a) g(u_b)⟩. */
  i2(C: Covariance, L: number, a: number, b: number): number;
  /** I3(a,b,c) = ⟨g′(u_a) u_b g(u_c)⟩. */
  i3(C: Covariance, L: number, a: number, b: number, c: number): number;
  /** I4(a,b,c,d) = ⟨g′(u_a) g′(u_b) g(u_c) g(u_d)⟩. */
  i4(C: Covariance, L: number, a: number, b: number, c: number, d: number): number;
  /** J2(a,b) = ⟨g′(u_a) g′(u_b)⟩. */
  j2(C: Covariance, L: number, a: number, b: number): number;
}

/**
 * The sums over the signed output weights a = (−v, v*) (length L = K + M) that the ODE's
 * right-hand side and ε_g are made of. `sumsFromAverages` (sums.ts) builds them from the scalar
 * averages; an activation may supply faster ones that regroup the algebra (erf does).
 * Instances own their workspace: calls allocate nothing.
 */
export interface OdeSums {
  /** out[i·L + b] = Σ_p a_p I3(i, b, p), for i < K and b < L. */
  drift(C: Covariance, L: number, K: number, a: ArrayLike<number>, out: Float64Array): void;
  /** Σ_pq a_p a_q I4(i, k, p, q) + σ² J2(i, k)  (the η²/B term of dQ_ik/dt without its prefactor). */
  noise(C: Covariance, L: number, i: number, k: number, a: ArrayLike<number>, sigma2: number): number;
  /** scale · Σ_p a_p I2(i, p)  (dv_i/dt with scale = the second layer's learning rate). */
  readout(C: Covariance, L: number, i: number, a: ArrayLike<number>, scale: number): number;
  /** ε_g = ½ Σ_pq a_p a_q I2(p, q). */
  generalizationError(C: Covariance, L: number, a: ArrayLike<number>): number;
}
