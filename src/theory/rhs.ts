/**
 * Right-hand sides of the order-parameter ODEs for online SGD in the N → ∞ limit.
 *
 * Two-layer network: Goldt, Advani, Saxe, Krzakala & Zdeborová (2019), "Dynamics of
 * stochastic gradient descent for two-layer neural networks in the teacher-student setup",
 * eqs. (10)–(12) (NeurIPS version; eqs. (31)–(33) of the arXiv appendix). With v ≡ v* ≡ 1 and
 * dv/dt = 0 they reduce to the soft committee machine of Saad & Solla (1995), eqs. (9)–(10).
 *
 * Written from the definitions, with Δ = Σ_p a_p g(u_p), a = (−v, v*):
 *   dR_in/dt = η v_i ⟨g'(λ_i) ρ_n Δ⟩                                         − η λ R_in
 *   dQ_ik/dt = η v_i ⟨g'(λ_i) λ_k Δ⟩ + η v_k ⟨g'(λ_k) λ_i Δ⟩
 *              + (η²/B) v_i v_k (⟨g'(λ_i) g'(λ_k) Δ₀²⟩ + σ² J2(i,k))           − 2 η λ Q_ik
 *   dv_i/dt  = η₂ ⟨g(λ_i) Δ⟩                                                  − η₂ λ v_i
 * (second layer trained at η₂/N per step; weight decay λ moves each first-layer weight by
 * −(η/N)λw and v by −(η₂/N)λv per step, so to first order in 1/N Q shrinks at 2ηλ and R at ηλ).
 * Note the second Q term has i and k swapped relative to the first; the blog's printed
 * equation repeats I3(i,k,·), a typo that simulation rules out (see test/ode-vs-sgd).
 * The averages ⟨…⟩ are sums of the activation's I2, I3, I4, J2 (src/activations: its OdeSums).
 *
 * State vector layout: y = [Q (K·K, full, symmetric), R (K·M), v (K)].
 */
import { activationOf, type ActivationName } from '../activations/registry.ts';
import { generalizationError } from './generalizationError.ts';
import { fieldCovariance, signedOutputWeights, type OrderParams } from '../model/orderParams.ts';

export interface OdeParams {
  K: number;
  M: number;
  /** Teacher overlaps T (M×M), constant in time. */
  T: Float64Array;
  /** Teacher second layer v* (M). */
  vTeacher: Float64Array;
  /** Learning rate η of the first layer. */
  lr: number;
  /** Learning rate η₂ of the second layer (moves at η₂/N per step, i.e. η₂ in t). */
  lr2: number;
  /** Weight decay λ (0: none). */
  weightDecay: number;
  /** Output noise σ. */
  sigma: number;
  /** Minibatch size B: the η² (gradient-noise) term scales as 1/B. */
  batchSize: number;
  /** Whether v evolves (two-layer) or stays fixed (soft committee, or frozen second layer). */
  trainSecondLayer: boolean;
  /** Activation of teacher and student (undefined: erf). */
  activation?: ActivationName;
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
 * workspace, so evaluations allocate nothing. The activation's sums do the Gaussian averages
 * (erf's regroup them to O(L) per entry; see src/activations/erfTheory.ts).
 */
export function twoLayerRhs(params: OdeParams): Rhs {
  const { K, M, T, vTeacher, lr, lr2, weightDecay, sigma, batchSize, trainSecondLayer } = params;
  const L = K + M;
  const sums = activationOf(params.activation).odeSums(L);
  const C = new Float64Array(L * L);
  const a = new Float64Array(L);
  const s3 = new Float64Array(K * L); // s3[i,b] = Σ_p a_p I3(i,b,p)
  const qOff = 0;
  const rOff = K * K;
  const vOff = K * K + K * M;
  const noiseVar = sigma * sigma;
  const lr2B = (lr * lr) / batchSize;
  const decayQ = 2 * lr * weightDecay;
  const decayR = lr * weightDecay;
  const decayV = lr2 * weightDecay;

  return (_t, y, dy) => {
    const v = y.subarray(vOff, vOff + K);
    fieldCovariance(K, M, y.subarray(qOff, rOff), y.subarray(rOff, vOff), T, C);
    signedOutputWeights(v, vTeacher, a);
    sums.drift(C, L, K, a, s3);

    // dR_in = η v_i Σ_p a_p I3(i, K+n, p)
    for (let i = 0; i < K; i++) {
      for (let n = 0; n < M; n++) dy[rOff + i * M + n] = lr * v[i] * s3[i * L + K + n];
    }

    // dQ_ik: drift terms plus the η²/B noise term, for i ≤ k, mirrored.
    for (let i = 0; i < K; i++) {
      for (let k = i; k < K; k++) {
        const noiseTerm = lr2B * v[i] * v[k] * sums.noise(C, L, i, k, a, noiseVar);
        const drift = lr * (v[i] * s3[i * L + k] + v[k] * s3[k * L + i]);
        const dq = drift + noiseTerm;
        dy[qOff + i * K + k] = dq;
        dy[qOff + k * K + i] = dq;
      }
    }

    // dv_i = η₂ Σ_p a_p I2(i,p)
    for (let i = 0; i < K; i++) dy[vOff + i] = trainSecondLayer ? sums.readout(C, L, i, a, lr2) : 0;

    // Weight decay (skipped at λ = 0, so runs without it keep their arithmetic exactly).
    if (weightDecay > 0) {
      for (let j = 0; j < K * K; j++) dy[qOff + j] -= decayQ * y[qOff + j];
      for (let j = 0; j < K * M; j++) dy[rOff + j] -= decayR * y[rOff + j];
      if (trainSecondLayer) for (let i = 0; i < K; i++) dy[vOff + i] -= decayV * y[vOff + i];
    }
  };
}

/** ε_g of a packed state (noise-free). */
export function stateGeneralizationError(y: Float64Array, params: Pick<OdeParams, 'K' | 'M' | 'T' | 'vTeacher' | 'activation'>): number {
  return generalizationError(unpackState(y, params), params.activation);
}
