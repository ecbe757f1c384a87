/**
 * Exact finite-N sampler of the order parameters under online SGD: no weight vectors.
 *
 * With x ~ N(0, I_N), write the L = K + M weight vectors (student W, teacher W*) through an
 * orthonormal basis U of their span: (W; W*)/√N = A U with A a square root (pivoted Cholesky) of the
 * Gram matrix G = [[Q, R], [Rᵀ, T]]. Then z = U x ~ N(0, I_L), the fields are f = (λ, ρ) = A z,
 * and the part of x orthogonal to the span is an independent N(0, I_{N−L}) vector. One SGD
 * step changes (Q, R, v) only through f, ξ and the Gram matrix of the batch's inputs:
 *   x_s · x_s' / N = (z_s · z_s' + Ω_ss') / N,   Ω ~ Wishart_B(N − L, I)  (Bartlett, 1933),
 * which for B = 1 is |x|²/N = (|z|² + χ²_{N−L})/N. With c_s = v ∘ g'(λ_s) Δ_s:
 *   R' = R + (η/(NB)) Σ_s c_s ρ_sᵀ
 *   Q' = Q + (η/(NB)) Σ_s (c_s λ_sᵀ + λ_s c_sᵀ) + (η²/(NB²)) Σ_ss' (x_s·x_s'/N) c_s c_s'ᵀ
 *   v' = v + (η/(NB)) Σ_s g(λ_s) Δ_s                      (two-layer, trained)
 * These are exactly the full-SGD updates of Q = WWᵀ/N etc., so the chain (Q, R, v) has the
 * same law as full SGD at any N, at O(L³ + B²L) work per step. With weight decay λ the step is
 * W ← dW + …, d = 1 − ηλ/N (and v ← d₂v + …, d₂ = 1 − η₂λ/N), so R' = dR + …, Q' = d²Q +
 * d·(the linear term) + (the quadratic term), v' = d₂v + … with η₂ in place of η for v.
 */
import { activationOf } from '../activations/registry.ts';
import { secondLayerLr, weightDecayOf, type RunConfig } from '../config.ts';
import { headCount, headOf } from '../model/schedule.ts';
import type { SteppingEngine } from '../model/stepping.ts';
import { DivergenceError } from '../model/divergence.ts';
import type { OrderParams } from '../model/orderParams.ts';
import { psdSqrtInto } from '../linalg/psd.ts';
import { createRng, type Rng } from './random.ts';

export interface SamplerOptions {
  /** Test-only: replace |x|²/N by exactly 1 (a deliberately wrong chain, to show test power). */
  fixNormToOne?: boolean;
}

/** The chain left the PSD cone (η too large for this N): a divergence at time t. */
export class GramMatrixError extends DivergenceError {}

/** Gamma(shape, 1) by Marsaglia & Tsang (2000); shape ≥ 1 here (χ² with ≥ 2 dof → shape ≥ 1). */
export function sampleGamma(rng: Rng, shape: number): number {
  if (shape < 1) {
    // Boost: Gamma(a) = Gamma(a+1) · U^{1/a}
    const u = rng.nextDouble();
    return sampleGamma(rng, shape + 1) * Math.pow(u === 0 ? Number.MIN_VALUE : u, 1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = rng.nextGaussian();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.nextDouble();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** χ² with `dof` degrees of freedom. */
export function sampleChiSquare(rng: Rng, dof: number): number {
  return 2 * sampleGamma(rng, dof / 2);
}

/**
 * Gram matrix of B independent N(0, I_dof) vectors (Wishart_B(dof, I)) by the Bartlett
 * decomposition Ω = C Cᵀ, C lower triangular with C_ii² ~ χ²_{dof−i}, C_ij ~ N(0,1) (i > j).
 */
export function sampleWishartIdentity(rng: Rng, B: number, dof: number, out: Float64Array, work: Float64Array): void {
  for (let i = 0; i < B; i++) {
    for (let j = 0; j < i; j++) work[i * B + j] = rng.nextGaussian();
    work[i * B + i] = Math.sqrt(sampleChiSquare(rng, dof - i));
    for (let j = i + 1; j < B; j++) work[i * B + j] = 0;
  }
  for (let i = 0; i < B; i++)
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k <= j; k++) s += work[i * B + k] * work[j * B + k];
      out[i * B + j] = s;
      out[j * B + i] = s;
    }
}

interface SamplerState {
  config: RunConfig;
  K: number;
  /** Teacher units ΣM (every teacher's). */
  M: number;
  Q: Float64Array;
  R: Float64Array;
  T: Float64Array;
  vTeacher: Float64Array;
  heads: Float64Array[];
  rng: Rng;
  step: number;
  total: number;
  progress?: (step: number) => void;
}

/**
 * The exact order-parameter chain as a stepping engine (src/model/stepping.ts), from `init`
 * (over every teacher's units). The fields of all K + ΣM units are drawn jointly, because R to
 * a teacher not being trained moves with that teacher's field; the label is the active
 * teacher's.
 */
export function samplerEngine(init: OrderParams, options: SamplerOptions = {}): SteppingEngine<SamplerState> {
  return {
    label: 'sampler',
    init(config, hooks) {
      const { N, K, batchSize: B } = config;
      const L = K + init.M;
      if (N - L < B) throw new DivergenceError(0, `sampler needs N − (K+M) ≥ batchSize (N=${N}, K+M=${L}, B=${B})`);
      const state: SamplerState = {
        config,
        K,
        M: init.M,
        Q: init.Q.slice(),
        R: init.R.slice(),
        T: init.T,
        vTeacher: init.vTeacher,
        heads: Array.from({ length: headCount(config) }, () => init.v.slice()),
        rng: createRng(`${config.seed}:sampler`),
        step: 0,
        total: Math.round(config.tMax * N),
        progress: hooks.progress,
      };
      return { state, T: init.T, vTeacher: init.vTeacher };
    },
    advance(state, phase, recordAt, record) {
      const { config, K, M, Q, R, T, rng } = state;
      const { N, lr, sigma, batchSize: B, model } = config;
      const L = K + M;
      const trainV = model === 'two-layer' && config.trainSecondLayer;
      const v = state.heads[headOf(config, phase.teacher)];
      // The label's units: the active teacher's block of M_p = config.M units.
      const first = K + phase.teacher * config.M;
      const last = first + config.M;
      const vt = state.vTeacher;
      const { g, gPrime } = activationOf(config.activation);
      const G = new Float64Array(L * L);
      const A = new Float64Array(L * L);
      const perm = new Int32Array(L);
      const z = new Float64Array(B * L);
      const f = new Float64Array(B * L);
      const c = new Float64Array(B * K);
      const gl = new Float64Array(B * K);
      const delta = new Float64Array(B);
      const gram = new Float64Array(B * B);
      const omega = new Float64Array(B * B);
      const bart = new Float64Array(B * B);
      const rate = lr / (N * B);
      const rate2 = (lr * lr) / (N * B * B);
      const lr2 = secondLayerLr(config);
      const rateV = lr2 / (N * B);
      const wd = weightDecayOf(config);
      const dW = 1 - (lr * wd) / N;
      const dV = 1 - (lr2 * wd) / N;
      const progressEvery = Math.max(1, Math.floor(state.total / 200));
      let step = state.step;
      for (const target of recordAt) {
        while (step < target) {
          // G = [[Q, R], [Rᵀ, T]] and its square root A (pivoted Cholesky; overwrites G).
          for (let i = 0; i < K; i++) {
            for (let k = 0; k < K; k++) G[i * L + k] = Q[i * K + k];
            for (let n = 0; n < M; n++) G[i * L + K + n] = G[(K + n) * L + i] = R[i * M + n];
          }
          for (let n = 0; n < M; n++) for (let m = 0; m < M; m++) G[(K + n) * L + K + m] = T[n * M + m];
          if (!psdSqrtInto(G, L, A, perm)) {
            throw new GramMatrixError(step / N, `sampler: Gram matrix [[Q,R],[Rᵀ,T]] is not positive definite at t=${Number((step / N).toPrecision(6))} (lr=${lr})`);
          }
          rng.fillGaussian(z);
          for (let s = 0; s < B; s++) {
            for (let a = 0; a < L; a++) {
              let acc = 0;
              for (let b = 0; b < L; b++) acc += A[a * L + b] * z[s * L + b];
              f[s * L + a] = acc;
            }
            let d = sigma > 0 ? sigma * rng.nextGaussian() : 0;
            for (let n = first; n < last; n++) d += vt[n - K] * g(f[s * L + n]);
            for (let k = 0; k < K; k++) {
              const gk = g(f[s * L + k]);
              gl[s * K + k] = gk;
              d -= v[k] * gk;
            }
            delta[s] = d;
            for (let k = 0; k < K; k++) c[s * K + k] = v[k] * gPrime(f[s * L + k]) * d;
          }
          // Input Gram matrix x_s·x_s'/N.
          if (options.fixNormToOne) {
            gram.fill(0);
            for (let s = 0; s < B; s++) gram[s * B + s] = 1;
          } else {
            if (B === 1) omega[0] = sampleChiSquare(rng, N - L);
            else sampleWishartIdentity(rng, B, N - L, omega, bart);
            for (let s = 0; s < B; s++)
              for (let r = 0; r <= s; r++) {
                let zz = 0;
                for (let a = 0; a < L; a++) zz += z[s * L + a] * z[r * L + a];
                gram[s * B + r] = gram[r * B + s] = (zz + omega[s * B + r]) / N;
              }
          }
          // Updates (all right-hand sides use the pre-step state).
          for (let i = 0; i < K; i++) {
            for (let n = 0; n < M; n++) {
              let acc = 0;
              for (let s = 0; s < B; s++) acc += c[s * K + i] * f[s * L + K + n];
              if (dW === 1) R[i * M + n] += rate * acc;
              else R[i * M + n] = dW * R[i * M + n] + rate * acc;
            }
            for (let k = i; k < K; k++) {
              let lin = 0;
              for (let s = 0; s < B; s++) lin += c[s * K + i] * f[s * L + k] + f[s * L + i] * c[s * K + k];
              let quad = 0;
              for (let s = 0; s < B; s++) for (let r = 0; r < B; r++) quad += gram[s * B + r] * c[s * K + i] * c[r * K + k];
              if (dW === 1) Q[i * K + k] += rate * lin + rate2 * quad;
              else Q[i * K + k] = dW * dW * Q[i * K + k] + dW * rate * lin + rate2 * quad;
              if (k !== i) Q[k * K + i] = Q[i * K + k];
            }
          }
          if (trainV) {
            for (let k = 0; k < K; k++) {
              let acc = 0;
              for (let s = 0; s < B; s++) acc += gl[s * K + k] * delta[s];
              if (dV === 1) v[k] += rateV * acc;
              else v[k] = dV * v[k] + rateV * acc;
            }
          }
          step++;
          if (state.progress && step % progressEvery === 0) state.progress(step);
        }
        state.step = step;
        record(step);
      }
    },
    observe(state) {
      return { Q: state.Q.slice(), R: state.R.slice(), heads: state.heads.map((h) => h.slice()) };
    },
  };
}
