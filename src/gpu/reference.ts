/**
 * Online minibatch SGD in float64 that consumes exactly the Philox stream of the WebGPU
 * engine (`philox.ts`): the reference the GPU batch is tested against, number for number.
 *
 * The update is the CPU engine's (src/sim/sgd.ts; Saad & Solla 1995 eq. (3), Goldt et al.
 * 2019 eq. (4)), one step = B samples, t advances by 1/N, weight decay λ:
 *   W_k ← W_k − (ηλ/N) W_k + (η/√N)(1/B) Σ_s v_k g'(λ_k^s) Δ^s x^s
 *   v_k ← v_k − (η₂λ/N) v_k + (η₂/N)(1/B)  Σ_s g(λ_k^s) Δ^s            (two-layer with trainSecondLayer)
 * with λ = Wx/√N, ρ = W*x/√N, Δ = Σ_m v*_m g(ρ_m) + σξ − Σ_k v_k g(λ_k), g the activation's,
 * both layers' gradients taken at the parameters before the step. The weight update adds the
 * samples' terms in sample order s = 0 … B−1, as the shader does.
 * Several teachers (src/model/schedule.ts): step n trains on the teacher of the phase that
 * holds it — ρ and v* are that teacher's units, v is the head that serves it (one per teacher
 * with heads "multi"); the data stream runs on across phases, as in the CPU engine.
 * Only the random numbers differ from the CPU engine: x^s and ξ^s of step n come from
 * `PhiloxStream` at counter (block, s, n) instead of xoshiro128** + ziggurat. So the two agree
 * in law (tested by KS in test/gpu-ks.test.ts), and this one agrees with the GPU run to
 * f32 rounding.
 */
import { activationOf } from '../activations/registry.ts';
import { secondLayerLr, weightDecayOf, type RunConfig } from '../config.ts';
import { headCount, headOf, schedulePhases, type Phase } from '../model/schedule.ts';
import type { Weights } from '../sim/weights.ts';
import { PhiloxStream } from './philox.ts';

export interface ReferenceState {
  /** Student first layer, K×N row-major (updated in place). */
  W: Float64Array;
  /** The student's heads (second layers; one unless heads is "multi"), updated in place. */
  heads: Float64Array[];
  /** Head 0: the second layer of a run with one head. */
  v: Float64Array;
  /** Steps taken so far. */
  step: number;
}

/** Deliberately wrong update rules, for the power checks of the statistical tests only. */
export type SgdVariant = 'exact' | 'noSecondLayerStep';

export class ReferenceSgd {
  readonly state: ReferenceState;
  private readonly stream: PhiloxStream;
  private readonly x: Float64Array[];
  private readonly c: Float64Array;
  private readonly vGrad: Float64Array;
  private readonly lam: Float64Array;
  private readonly phases: Phase[];
  /** Index of the phase of the next step. */
  private phase = 0;

  constructor(
    private readonly config: Pick<RunConfig, 'N' | 'K' | 'M' | 'lr' | 'lr2' | 'weightDecay' | 'sigma' | 'batchSize' | 'seed' | 'model' | 'trainSecondLayer' | 'activation' | 'teachers' | 'schedule' | 'heads' | 'tMax'>,
    private readonly weights: Weights,
    private readonly variant: SgdVariant = 'exact',
  ) {
    const { N, K, batchSize: B } = config;
    const heads = Array.from({ length: headCount(config) }, () => weights.v.slice());
    this.state = { W: weights.W.slice(), heads, v: heads[0], step: 0 };
    this.phases = schedulePhases(config);
    this.stream = new PhiloxStream(config.seed);
    this.x = Array.from({ length: B }, () => new Float64Array(N));
    this.c = new Float64Array(B * K);
    this.vGrad = new Float64Array(K);
    this.lam = new Float64Array(K);
  }

  /** Advance to step `target` (≥ the current step). */
  runTo(target: number): void {
    while (this.state.step < target) this.step();
  }

  step(): void {
    const { N, K, M, lr, sigma, batchSize: B } = this.config;
    const trainV = this.config.model === 'two-layer' && this.config.trainSecondLayer;
    const n = this.state.step;
    while (n >= this.phases[this.phase].toStep && this.phase < this.phases.length - 1) this.phase++;
    const p = this.phases[this.phase].teacher;
    const W = this.state.W;
    const v = this.state.heads[headOf(this.config, p)];
    const { Wt, vTeacher } = this.weights;
    const { x, c, vGrad, lam } = this;
    const { g, gPrime } = activationOf(this.config.activation);
    const invSqrtN = 1 / Math.sqrt(N);
    const lr2 = secondLayerLr(this.config);
    const wd = weightDecayOf(this.config);
    const wScale = (lr * invSqrtN) / B;
    const vScale = this.variant === 'noSecondLayerStep' ? 0 : lr2 / N / B;
    vGrad.fill(0);
    for (let s = 0; s < B; s++) {
      const xs = x[s];
      this.stream.inputs(n, s, xs);
      let delta = sigma > 0 ? sigma * this.stream.xi(n, s) : 0;
      for (let m = p * M; m < (p + 1) * M; m++) delta += vTeacher[m] * g(dotRow(Wt, m, xs, N) * invSqrtN);
      for (let k = 0; k < K; k++) {
        lam[k] = dotRow(W, k, xs, N) * invSqrtN;
        delta -= v[k] * g(lam[k]);
      }
      for (let k = 0; k < K; k++) {
        c[s * K + k] = wScale * v[k] * gPrime(lam[k]) * delta;
        vGrad[k] += g(lam[k]) * delta;
      }
    }
    if (wd > 0) {
      const rate = (lr * wd) / N;
      for (let i = 0; i < K * N; i++) W[i] -= rate * W[i];
    }
    for (let s = 0; s < B; s++)
      for (let k = 0; k < K; k++) {
        const ck = c[s * K + k];
        const xs = x[s];
        for (let i = 0; i < N; i++) W[k * N + i] += ck * xs[i];
      }
    if (trainV) {
      const vRate = (lr2 * wd) / N;
      for (let k = 0; k < K; k++) v[k] += vScale * vGrad[k] - vRate * v[k];
    }
    this.state.step = n + 1;
  }
}

function dotRow(A: Float64Array, row: number, x: Float64Array, N: number): number {
  let s = 0;
  const o = row * N;
  for (let i = 0; i < N; i++) s += A[o + i] * x[i];
  return s;
}
