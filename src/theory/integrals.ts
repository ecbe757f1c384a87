/**
 * Closed-form Gaussian averages for g(u) = erf(u/√2), g'(u) = √(2/π) e^{-u²/2}.
 *
 * Every function takes the covariance matrix `C` (row-major, size L×L) of jointly Gaussian,
 * zero-mean local fields u_0 … u_{L-1}, and indices into it. They are the scalar reference
 * forms of Saad & Solla (1995), Phys. Rev. E 52, 4225, eqs. (A3)–(A7) (Appendix), written
 * with d_a = 1 + C_aa. The ODE right-hand side (`rhs.ts`) uses algebraically regrouped,
 * vectorised versions; tests check both against Monte Carlo and against each other.
 */

export const TWO_OVER_PI = 2 / Math.PI;
export const FOUR_OVER_PI_SQ = 4 / (Math.PI * Math.PI);

/** asin clamped to [-1, 1]: rounding can push an argument of a degenerate covariance to ±(1+ε). */
export function safeAsin(x: number): number {
  return Math.asin(x > 1 ? 1 : x < -1 ? -1 : x);
}

/** I2(a,b) = ⟨g(u_a) g(u_b)⟩ = (2/π) asin(C_ab / √((1+C_aa)(1+C_bb))). */
export function i2(C: ArrayLike<number>, L: number, a: number, b: number): number {
  const da = 1 + C[a * L + a];
  const db = 1 + C[b * L + b];
  return TWO_OVER_PI * safeAsin(C[a * L + b] / Math.sqrt(da * db));
}

/**
 * I3(a,b,c) = ⟨g'(u_a) u_b g(u_c)⟩
 *           = (2/π) (C_bc (1+C_aa) − C_ab C_ac) / ((1+C_aa) √Λ3),  Λ3 = (1+C_aa)(1+C_cc) − C_ac².
 */
export function i3(C: ArrayLike<number>, L: number, a: number, b: number, c: number): number {
  const da = 1 + C[a * L + a];
  const dc = 1 + C[c * L + c];
  const cab = C[a * L + b];
  const cac = C[a * L + c];
  const cbc = C[b * L + c];
  const lambda3 = da * dc - cac * cac;
  return (TWO_OVER_PI * (cbc * da - cab * cac)) / (da * Math.sqrt(lambda3));
}

/**
 * I4(a,b,c,d) = ⟨g'(u_a) g'(u_b) g(u_c) g(u_d)⟩ = (4/π²) Λ4^{-1/2} asin(Λ0 / √(Λ1 Λ2)),
 * with Λ4, Λ0, Λ1, Λ2 as in Saad & Solla (1995) eq. (A6).
 */
export function i4(C: ArrayLike<number>, L: number, a: number, b: number, c: number, d: number): number {
  const da = 1 + C[a * L + a];
  const db = 1 + C[b * L + b];
  const dcc = 1 + C[c * L + c];
  const ddd = 1 + C[d * L + d];
  const cab = C[a * L + b];
  const cac = C[a * L + c];
  const cad = C[a * L + d];
  const cbc = C[b * L + c];
  const cbd = C[b * L + d];
  const ccd = C[c * L + d];
  const lambda4 = da * db - cab * cab;
  const lambda0 = lambda4 * ccd - cbc * cbd * da - cac * cad * db + cab * cac * cbd + cab * cad * cbc;
  const lambda1 = lambda4 * dcc - cbc * cbc * da - cac * cac * db + 2 * cab * cac * cbc;
  const lambda2 = lambda4 * ddd - cbd * cbd * da - cad * cad * db + 2 * cab * cad * cbd;
  return (FOUR_OVER_PI_SQ / Math.sqrt(lambda4)) * safeAsin(lambda0 / Math.sqrt(lambda1 * lambda2));
}

/** J2(a,b) = ⟨g'(u_a) g'(u_b)⟩ = (2/π) ((1+C_aa)(1+C_bb) − C_ab²)^{-1/2}. */
export function j2(C: ArrayLike<number>, L: number, a: number, b: number): number {
  const da = 1 + C[a * L + a];
  const db = 1 + C[b * L + b];
  const cab = C[a * L + b];
  return TWO_OVER_PI / Math.sqrt(da * db - cab * cab);
}
