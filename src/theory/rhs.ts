/**
 * Right-hand sides of the order-parameter ODEs for online SGD in the N → ∞ limit.
 *
 * Two-layer network: Goldt, Advani, Saxe, Krzakala & Zdeborová (2019), "Dynamics of
 * stochastic gradient descent for two-layer neural networks in the teacher-student setup",
 * eqs. (10)–(12) (NeurIPS version; eqs. (31)–(33) of the arXiv appendix). With v ≡ v* ≡ 1 and
 * dv/dt = 0 they reduce to the soft committee machine of Saad & Solla (1995), eqs. (9)–(10).
 *
 * Written from the definitions, with Δ = Σ_p a_p g(u_p), a = (−v, v*):
 *   dR_in/dt = η v_i ⟨g'(λ_i) ρ_n Δ⟩
 *   dQ_ik/dt = η v_i ⟨g'(λ_i) λ_k Δ⟩ + η v_k ⟨g'(λ_k) λ_i Δ⟩
 *              + (η²/B) v_i v_k (⟨g'(λ_i) g'(λ_k) Δ₀²⟩ + σ² J2(i,k))
 *   dv_i/dt  = η ⟨g(λ_i) Δ⟩           (second layer trained at η/N per step)
 * Note the second Q term has i and k swapped relative to the first; the blog's printed
 * equation repeats I3(i,k,·), a typo that simulation rules out (see test/ode-vs-sgd).
 *
 * State vector layout: y = [Q (K·K, full, symmetric), R (K·M), v (K)].
 */
import { FOUR_OVER_PI_SQ, TWO_OVER_PI, safeAsin } from './integrals.ts';
import { fieldCovariance, signedOutputWeights, type OrderParams } from './orderParams.ts';
import { generalizationErrorFromCovariance } from './generalizationError.ts';

export interface OdeParams {
  K: number;
  M: number;
  /** Teacher overlaps T (M×M), constant in time. */
  T: Float64Array;
  /** Teacher second layer v* (M). */
  vTeacher: Float64Array;
  /** Learning rate η of the first layer (the second layer uses η/N per step, i.e. η in t). */
  lr: number;
  /** Output noise σ. */
  sigma: number;
  /** Minibatch size B: the η² (gradient-noise) term scales as 1/B. */
  batchSize: number;
  /** Whether v evolves (two-layer) or stays fixed (soft committee, or frozen second layer). */
  trainSecondLayer: boolean;
}

export type Rhs = (t: number, y: Float64Array, dy: Float64Array) => void;

export function stateSize(K: number, M: number): number {
  return K * K + K * M + K;
}

export function packState(p: OrderParams): Float64Array {
  const y = new Float64Array(stateSize(p.K, p.M));
  y.set(p.Q, 0);
  y.set(p.R, p.K * p.K);
  y.set(p.v, p.K * p.K + p.K * p.M);
  return y;
}

export function unpackState(y: Float64Array, params: Pick<OdeParams, 'K' | 'M' | 'T' | 'vTeacher'>): OrderParams {
  const { K, M } = params;
  return {
    K,
    M,
    Q: y.slice(0, K * K),
    R: y.slice(K * K, K * K + K * M),
    T: params.T.slice(),
    v: y.slice(K * K + K * M, K * K + K * M + K),
    vTeacher: params.vTeacher.slice(),
  };
}

/**
 * Build the right-hand side f(t, y) → dy for the given parameters. The closure owns its
 * workspace, so evaluations allocate nothing.
 *
 * Cost: the I3 sums are regrouped so that Σ_p a_p I3(i,b,p) costs O(L) per (i,b) (L = K+M);
 * the I4 double sum uses the symmetry I4(i,k,p,q) = I4(i,k,q,p) = I4(k,i,p,q), so only
 * i ≤ k and p ≤ q are evaluated, with Λ1/Λ2 shared across q.
 */
export function twoLayerRhs(params: OdeParams): Rhs {
  const { K, M, T, vTeacher, lr, sigma, batchSize, trainSecondLayer } = params;
  const L = K + M;
  const C = new Float64Array(L * L);
  const a = new Float64Array(L);
  const d = new Float64Array(L);
  const w = new Float64Array(L); // a_p / √Λ3(i,p) for the current i
  const s3 = new Float64Array(K * L); // s3[i,b] = Σ_p a_p I3(i,b,p)
  const lam = new Float64Array(L); // Λ1(p) for the current (i,k)
  const qOff = 0;
  const rOff = K * K;
  const vOff = K * K + K * M;
  const noiseVar = sigma * sigma;
  const lr2B = (lr * lr) / batchSize;

  return (_t, y, dy) => {
    const v = y.subarray(vOff, vOff + K);
    fieldCovariance(K, M, y.subarray(qOff, rOff), y.subarray(rOff, vOff), T, C);
    signedOutputWeights(v, vTeacher, a);
    for (let p = 0; p < L; p++) d[p] = 1 + C[p * L + p];

    // s3[i,b] = Σ_p a_p I3(i,b,p) = (2/π)/d_i · Σ_p w_p (C_bp d_i − C_ib C_ip), w_p = a_p/√Λ3(i,p)
    for (let i = 0; i < K; i++) {
      const di = d[i];
      for (let p = 0; p < L; p++) {
        const cip = C[i * L + p];
        w[p] = a[p] / Math.sqrt(di * d[p] - cip * cip);
      }
      let wCi = 0;
      for (let p = 0; p < L; p++) wCi += w[p] * C[i * L + p];
      for (let b = 0; b < L; b++) {
        let wCb = 0;
        for (let p = 0; p < L; p++) wCb += w[p] * C[b * L + p];
        s3[i * L + b] = (TWO_OVER_PI / di) * (di * wCb - C[i * L + b] * wCi);
      }
    }

    // dR_in = η v_i Σ_p a_p I3(i, K+n, p)
    for (let i = 0; i < K; i++) {
      for (let n = 0; n < M; n++) dy[rOff + i * M + n] = lr * v[i] * s3[i * L + K + n];
    }

    // dQ_ik: drift terms plus the η²/B noise term, for i ≤ k, mirrored.
    for (let i = 0; i < K; i++) {
      const di = d[i];
      for (let k = i; k < K; k++) {
        const dk = d[k];
        const cik = C[i * L + k];
        const lambda4 = di * dk - cik * cik;
        // Λ1(p) = Λ4 d_p − C_kp² d_i − C_ip² d_k + 2 C_ik C_ip C_kp  (Λ2 is Λ1 at q)
        for (let p = 0; p < L; p++) {
          const cip = C[i * L + p];
          const ckp = C[k * L + p];
          lam[p] = lambda4 * d[p] - ckp * ckp * di - cip * cip * dk + 2 * cik * cip * ckp;
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
            const lambda0 =
              lambda4 * C[p * L + q] - ckp * ckq * di - cip * ciq * dk + cik * cip * ckq + cik * ciq * ckp;
            const term = ap * aq * safeAsin(lambda0 / Math.sqrt(lam[p] * lam[q]));
            sum4 += q === p ? term : 2 * term;
          }
        }
        const invSqrtL4 = 1 / Math.sqrt(lambda4);
        const noiseTerm = lr2B * v[i] * v[k] * (FOUR_OVER_PI_SQ * invSqrtL4 * sum4 + noiseVar * TWO_OVER_PI * invSqrtL4);
        const drift = lr * (v[i] * s3[i * L + k] + v[k] * s3[k * L + i]);
        const dq = drift + noiseTerm;
        dy[qOff + i * K + k] = dq;
        dy[qOff + k * K + i] = dq;
      }
    }

    // dv_i = η Σ_p a_p I2(i,p)
    for (let i = 0; i < K; i++) {
      let s = 0;
      if (trainSecondLayer) {
        for (let p = 0; p < L; p++) s += a[p] * safeAsin(C[i * L + p] / Math.sqrt(d[i] * d[p]));
        s *= lr * TWO_OVER_PI;
      }
      dy[vOff + i] = s;
    }
  };
}

/** ε_g of a packed state (noise-free). */
export function stateGeneralizationError(y: Float64Array, params: Pick<OdeParams, 'K' | 'M' | 'T' | 'vTeacher'>): number {
  const { K, M } = params;
  const L = K + M;
  const C = fieldCovariance(K, M, y.subarray(0, K * K), y.subarray(K * K, K * K + K * M), params.T);
  const a = signedOutputWeights(y.subarray(K * K + K * M, K * K + K * M + K), params.vTeacher);
  return generalizationErrorFromCovariance(C, a, L);
}
