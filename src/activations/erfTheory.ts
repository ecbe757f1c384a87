/**
 * Closed-form Gaussian averages for g(u) = erf(u/√2), g'(u) = √(2/π) e^{-u²/2}.
 *
 * Every function takes the covariance matrix `C` (row-major, size L×L) of jointly Gaussian,
 * zero-mean local fields u_0 … u_{L-1}, and indices into it. They are the scalar reference
 * forms of Saad & Solla (1995), Phys. Rev. E 52, 4225, eqs. (A3)–(A7) (Appendix), written
 * with d_a = 1 + C_aa. `erfOdeSums` gives the ODE right-hand side algebraically regrouped,
 * vectorised versions of the same sums; tests check both against Monte Carlo and against each
 * other.
 */
import type { Covariance, GaussianAverages, OdeSums } from './types.ts';

export const TWO_OVER_PI = 2 / Math.PI;
export const FOUR_OVER_PI_SQ = 4 / (Math.PI * Math.PI);

/** asin clamped to [-1, 1]: rounding can push an argument of a degenerate covariance to ±(1+ε). */
export function safeAsin(x: number): number {
  return Math.asin(x > 1 ? 1 : x < -1 ? -1 : x);
}

/** I2(a,b) = ⟨g(u_a) g(u_b)⟩ = (2/π) asin(C_ab / √((1+C_aa)(1+C_bb))). */
export function i2(C: Covariance, L: number, a: number, b: number): number {
  const da = 1 + C[a * L + a];
  const db = 1 + C[b * L + b];
  return TWO_OVER_PI * safeAsin(C[a * L + b] / Math.sqrt(da * db));
}

/**
 * I3(a,b,c) = ⟨g'(u_a) u_b g(u_c)⟩
 *           = (2/π) (C_bc (1+C_aa) − C_ab C_ac) / ((1+C_aa) √Λ3),  Λ3 = (1+C_aa)(1+C_cc) − C_ac².
 */
export function i3(C: Covariance, L: number, a: number, b: number, c: number): number {
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
export function i4(C: Covariance, L: number, a: number, b: number, c: number, d: number): number {
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
export function j2(C: Covariance, L: number, a: number, b: number): number {
  const da = 1 + C[a * L + a];
  const db = 1 + C[b * L + b];
  const cab = C[a * L + b];
  return TWO_OVER_PI / Math.sqrt(da * db - cab * cab);
}

export const erfAverages: GaussianAverages = { i2, i3, i4, j2 };

/**
 * The ODE's sums for erf, regrouped so that they cost O(L) per (i, b) (drift) and share Λ1 across
 * q (noise):
 *   drift: s3[i,b] = Σ_p a_p I3(i,b,p) = (2/π)/d_i · Σ_p w_p (C_bp d_i − C_ib C_ip), w_p = a_p/√Λ3(i,p);
 *   noise: Σ_pq a_p a_q I4(i,k,p,q) uses I4(i,k,p,q) = I4(i,k,q,p), so only p ≤ q are evaluated,
 *          with Λ1(p) = Λ4 d_p − C_kp² d_i − C_ip² d_k + 2 C_ik C_ip C_kp shared (Λ2 is Λ1 at q).
 * The arithmetic is operation for operation that of the erf ODE since its first version, so erf
 * trajectories are unchanged bit for bit.
 */
export function erfOdeSums(L: number): OdeSums {
  const w = new Float64Array(L); // a_p / √Λ3(i,p) for the current i
  const lam = new Float64Array(L); // Λ1(p) for the current (i,k)
  return {
    drift(C, L, K, a, out) {
      for (let i = 0; i < K; i++) {
        const di = 1 + C[i * L + i];
        for (let p = 0; p < L; p++) {
          const cip = C[i * L + p];
          w[p] = a[p] / Math.sqrt(di * (1 + C[p * L + p]) - cip * cip);
        }
        let wCi = 0;
        for (let p = 0; p < L; p++) wCi += w[p] * C[i * L + p];
        for (let b = 0; b < L; b++) {
          let wCb = 0;
          for (let p = 0; p < L; p++) wCb += w[p] * C[b * L + p];
          out[i * L + b] = (TWO_OVER_PI / di) * (di * wCb - C[i * L + b] * wCi);
        }
      }
    },
    noise(C, L, i, k, a, sigma2) {
      const di = 1 + C[i * L + i];
      const dk = 1 + C[k * L + k];
      const cik = C[i * L + k];
      const lambda4 = di * dk - cik * cik;
      for (let p = 0; p < L; p++) {
        const cip = C[i * L + p];
        const ckp = C[k * L + p];
        lam[p] = lambda4 * (1 + C[p * L + p]) - ckp * ckp * di - cip * cip * dk + 2 * cik * cip * ckp;
      }
      let sum4 = 0;
      for (let p = 0; p < L; p++) {
        const ap = a[p];
        if (ap === 0) continue;
        const cip = C[i * L + p];
        const ckp = C[k * L + p];
        // q = p (diagonal) counted once, q > p twice.
        for (let q = p; q < L; q++) {
          const aq = a[q];
          if (aq === 0) continue;
          const ciq = C[i * L + q];
          const ckq = C[k * L + q];
          const lambda0 = lambda4 * C[p * L + q] - ckp * ckq * di - cip * ciq * dk + cik * cip * ckq + cik * ciq * ckp;
          const term = ap * aq * safeAsin(lambda0 / Math.sqrt(lam[p] * lam[q]));
          sum4 += q === p ? term : 2 * term;
        }
      }
      const invSqrtL4 = 1 / Math.sqrt(lambda4);
      return FOUR_OVER_PI_SQ * invSqrtL4 * sum4 + sigma2 * TWO_OVER_PI * invSqrtL4;
    },
    readout(C, L, i, a, scale) {
      const di = 1 + C[i * L + i];
      let s = 0;
      for (let p = 0; p < L; p++) s += a[p] * safeAsin(C[i * L + p] / Math.sqrt(di * (1 + C[p * L + p])));
      return s * (scale * TWO_OVER_PI);
    },
    generalizationError(C, L, a) {
      // ε_g = ½ Σ_pq a_p a_q I2(p, q) (Saad & Solla 1995, eq. (5); Goldt et al. 2019, eq. (7))
      let s = 0;
      for (let p = 0; p < L; p++) {
        const dp = 1 + C[p * L + p];
        s += a[p] * a[p] * safeAsin(C[p * L + p] / dp);
        for (let q = p + 1; q < L; q++) {
          const dq = 1 + C[q * L + q];
          s += 2 * a[p] * a[q] * safeAsin(C[p * L + q] / Math.sqrt(dp * dq));
        }
      }
      return 0.5 * TWO_OVER_PI * s;
    },
  };
}
