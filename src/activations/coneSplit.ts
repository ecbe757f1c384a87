/**
 * The part of a field covariance that lies outside the PSD cone, in the directions in which the
 * ODE's state leaves it.
 *
 * C = [[Q, R], [Rᵀ, T]] (K students, then M teachers) is a Gram matrix of real weight vectors iff
 * T ≻ 0 and the Schur complement N = Q − R T⁻¹ Rᵀ ⪰ 0. N is the Gram matrix of the students'
 * components orthogonal to the teachers' span, E_⊥ (N = E_⊥E_⊥ᵀ/N_input). When the students
 * converge onto teachers N → 0: it has eigenvalues ~ε_g, and the integrator's error (≈ atol) makes
 * it indefinite once they are that small. `split` writes N = N₊ + N₋ (the positive and negative
 * spectral parts) and C₊ = C with Q replaced by Q − N₋, the nearest Gram matrix with the same R and
 * T and Schur complement N₊ (nearest in Frobenius norm among matrices that differ from C in Q only).
 */
import { choleskySucceeds } from '../linalg/psd.ts';
import { symmetricEigenInto } from '../linalg/symmetricEigen.ts';

export class ConeSplit {
  /** C₊ (L×L), valid after `split` returned true. */
  readonly cPlus: Float64Array;
  /** N₋ (K×K, row-major, stride K), valid after `split` returned true. */
  readonly nMinus: Float64Array;
  private readonly lt: Float64Array;
  private readonly x: Float64Array;
  private readonly n: Float64Array;
  private readonly work: Float64Array<ArrayBuffer>;
  private readonly values: Float64Array;
  private readonly vectors: Float64Array;

  constructor(readonly L: number) {
    this.cPlus = new Float64Array(L * L);
    this.nMinus = new Float64Array(L * L);
    this.lt = new Float64Array(L * L);
    this.x = new Float64Array(L * L);
    this.n = new Float64Array(L * L);
    this.work = new Float64Array(L * L);
    this.values = new Float64Array(L);
    this.vectors = new Float64Array(L * L);
  }

  /**
   * Split the covariance C (L×L, the first K fields students). Returns false when C is on the cone
   * (N ⪰ 0: nothing to do), or when T is not positive definite (no teacher span to project on).
   */
  split(C: ArrayLike<number>, K: number): boolean {
    const { L, lt, x, n, work, values, vectors, nMinus, cPlus } = this;
    const M = L - K;
    if (K < 1 || M < 1) return false;
    // Cholesky T = G Gᵀ (G in lt, M×M)
    for (let i = 0; i < M; i++) {
      for (let j = 0; j <= i; j++) {
        let s = C[(K + i) * L + K + j];
        for (let m = 0; m < j; m++) s -= lt[i * M + m] * lt[j * M + m];
        if (i === j) {
          if (!(s > 0)) return false;
          lt[i * M + i] = Math.sqrt(s);
        } else lt[i * M + j] = s / lt[j * M + j];
      }
    }
    // x = G⁻¹ Rᵀ (M×K): then R T⁻¹ Rᵀ = xᵀx
    for (let k = 0; k < K; k++) {
      for (let i = 0; i < M; i++) {
        let s = C[k * L + K + i];
        for (let m = 0; m < i; m++) s -= lt[i * M + m] * x[m * K + k];
        x[i * K + k] = s / lt[i * M + i];
      }
    }
    for (let i = 0; i < K; i++) {
      for (let j = 0; j <= i; j++) {
        let s = 0;
        for (let m = 0; m < M; m++) s += x[m * K + i] * x[m * K + j];
        const v = 0.5 * (C[i * L + j] + C[j * L + i]) - s;
        n[i * K + j] = v;
        n[j * K + i] = v;
      }
    }
    if (choleskySucceeds(n, K, work)) return false;
    symmetricEigenInto(n, K, values, vectors);
    let any = false;
    nMinus.fill(0, 0, K * K);
    for (let e = 0; e < K; e++) {
      const lam = values[e];
      if (!(lam < 0)) continue;
      any = true;
      for (let i = 0; i < K; i++) {
        const li = lam * vectors[i * K + e];
        for (let j = 0; j <= i; j++) nMinus[i * K + j] += li * vectors[j * K + e];
      }
    }
    if (!any) return false;
    for (let i = 0; i < K; i++) for (let j = 0; j < i; j++) nMinus[j * K + i] = nMinus[i * K + j];
    for (let j = 0; j < L * L; j++) cPlus[j] = C[j];
    for (let i = 0; i < K; i++) for (let j = 0; j < K; j++) cPlus[i * L + j] -= nMinus[i * K + j];
    return true;
  }
}
