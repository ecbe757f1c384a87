/**
 * Online minibatch SGD of a two-layer student on a teacher of the same activation g with
 * Gaussian inputs — the simulation the ODEs are compared with.
 *
 * Update (one step = B fresh samples, t advances by 1/N; Saad & Solla 1995 eq. (3),
 * Goldt et al. 2019 eq. (4)), with weight decay λ (docs/theory.md, "nn2pp's conventions", compares it with nn2pp):
 *   W_k ← (1 − ηλ/N) W_k + (η/√N)(1/B) Σ_s v_k g'(λ_k^s) Δ^s x^s
 *   v_k ← (1 − η₂λ/N) v_k + (η₂/N)(1/B) Σ_s g(λ_k^s) Δ^s            (two-layer, trained)
 * with λ = Wx/√N, ρ = W*x/√N, Δ = Σ_m v*_m g(ρ_m) + σξ − Σ_k v_k g(λ_k).
 * Both layers' gradients use the parameters before the step. The activation's g and g' come
 * from the registry (src/activations).
 *
 * Random draws, from the stream '<seed>:data', per sample s of a step: x^s (N deviates,
 * `fillGaussian`), then ξ^s (`nextGaussian`, only when σ > 0). Test samples for `testSamples`
 * come from the separate stream '<seed>:test'.
 *
 * Speed (see bench/): the step allocates nothing; W and W* are stored interleaved and all
 * K + M fields come from one sweep (more for K > 6 or K + M > 10) of straight-line code
 * generated and compiled for each run (`kernels.ts`; the inputs come from a filler compiled
 * the same way, `createFiller`); for B = 1 the weight update of step t is deferred and fused
 * into the field sweep of step t+1 (W_k += c_k x_t and λ_k = W_k·x_{t+1} together). The
 * deferred update is applied before W is read (records, `flush`). The arithmetic is the naive
 * loops', operation for operation, so results do not depend on the fusion or the layout;
 * test/sim-sgd.test.ts checks the engine against a plain reference step.
 */
import type { RunConfig } from '../config.ts';
import { DivergenceError } from '../model/divergence.ts';
import { activationOf, type Activation, type ActivationName } from '../activations/registry.ts';
import { secondLayerLr, weightDecayOf } from '../config.ts';
import { headCount, headOf, schedulePhases } from '../model/schedule.ts';
import type { Observation, SteppingEngine } from '../model/stepping.ts';
import { gram } from '../model/orderParams.ts';
import { compileStepKernels, deinterleaveStudent, interleave, type StepKernels } from './kernels.ts';
import { createFiller, createRng, XoshiroRng, type Rng } from './random.ts';
import { drawInitialWeights, type Weights } from './weights.ts';

export interface SgdSetup {
  N: number;
  K: number;
  M: number;
  lr: number;
  /** Second layer's learning rate η₂ (default lr). */
  lr2?: number;
  /** Weight decay λ (default 0). */
  weightDecay?: number;
  sigma: number;
  batchSize: number;
  /** Train the second layer v (two-layer model with trainSecondLayer). */
  trainV: boolean;
  /** Activation of teacher and student (undefined: erf). */
  activation?: ActivationName;
}

/**
 * The SGD state machine: steps W and v with draws from `rng`. The first layers are kept
 * interleaved (see kernels.ts); after `step()` the last update may still be pending (B = 1).
 * `flush()` applies it and copies the student's first layer into `W` (row-major K×N); `v` is
 * always current.
 */
export class SgdStepper {
  /** Student first layer, row-major K×N; current after `flush()`. */
  readonly W: Float64Array;
  /** Student second layer (updated in place). */
  readonly v: Float64Array;
  private readonly vTeacher: Float64Array;
  private readonly N: number;
  private readonly K: number;
  private readonly M: number;
  private readonly B: number;
  private readonly sigma: number;
  private readonly trainV: boolean;
  private readonly rng: Rng;
  /** W and W* interleaved: N blocks of (W_{0j} … W_{K−1,j}, W*_{0j} … W*_{M−1,j}). */
  private readonly m: Float64Array;
  /** The two input slots: B = 1 alternates between them (current, previous); B > 1 uses x0. */
  private readonly x0: Float64Array;
  private readonly x1: Float64Array;
  /** B > 1: the batch's inputs, kept for the update after the batch. */
  private readonly xBatch: Float64Array[];
  private readonly act: Activation;
  /** Per-step decay factors 1 − ηλ/N of W and 1 − η₂λ/N of v (1: no weight decay). */
  private readonly wDecay: number;
  private readonly vDecay: number;
  /** Update coefficients the kernels read: (η/√N)(1/B) v_k g'(λ_k) Δ for one sample. */
  private readonly c: Float64Array;
  /** B > 1: the coefficients of every sample of the batch. */
  private readonly cBatch: Float64Array;
  private readonly lam: Float64Array;
  private readonly rho: Float64Array;
  /** g'(λ_k) of the current sample. */
  private readonly gp: Float64Array;
  private readonly gl: Float64Array;
  private readonly vGrad: Float64Array;
  private readonly kernels: StepKernels;
  private readonly fill0: () => void;
  private readonly fill1: () => void;
  private readonly wScale: number;
  private readonly vScale: number;
  /** B = 1: the slot (0 or 1) of the next input; the other holds the previous one. */
  private slot = 0;
  private pending = false;
  /** Sum of the last step's Δ (a cheap finiteness probe). */
  private lastDelta = 0;

  constructor(setup: SgdSetup, weights: { W: Float64Array; Wt: Float64Array; v: Float64Array; vTeacher: Float64Array }, rng: Rng) {
    const { N, K, M, batchSize: B } = setup;
    this.N = N;
    this.K = K;
    this.M = M;
    this.B = B;
    this.sigma = setup.sigma;
    this.trainV = setup.trainV;
    this.W = weights.W;
    this.v = weights.v;
    this.vTeacher = weights.vTeacher;
    this.rng = rng;
    this.m = new Float64Array(N * (K + M));
    interleave(weights.W, weights.Wt, N, K, M, this.m);
    this.x0 = new Float64Array(N);
    this.x1 = new Float64Array(N);
    this.xBatch = Array.from({ length: B > 1 ? B : 0 }, () => new Float64Array(N));
    this.c = new Float64Array(K);
    this.cBatch = new Float64Array(B * K);
    this.lam = new Float64Array(K);
    this.rho = new Float64Array(M);
    this.gp = new Float64Array(K);
    this.gl = new Float64Array(K);
    this.vGrad = new Float64Array(K);
    this.act = activationOf(setup.activation);
    const invSqrtN = 1 / Math.sqrt(N);
    const lr2 = setup.lr2 ?? setup.lr;
    const wd = setup.weightDecay ?? 0;
    this.wScale = (setup.lr * invSqrtN) / B;
    this.vScale = lr2 / N / B;
    this.wDecay = 1 - (setup.lr * wd) / N;
    this.vDecay = 1 - (lr2 * wd) / N;
    this.kernels = compileStepKernels(N, K, M, invSqrtN, { m: this.m, x0: this.x0, x1: this.x1, c: this.c, lam: this.lam, rho: this.rho }, { decay: this.wDecay, fuseDecay: B === 1 });
    const { x0, x1 } = this;
    this.fill0 = rng instanceof XoshiroRng ? createFiller(rng, x0) : () => rng.fillGaussian(x0);
    this.fill1 = rng instanceof XoshiroRng ? createFiller(rng, x1) : () => rng.fillGaussian(x1);
  }

  /** One SGD step (one minibatch). */
  step(): void {
    if (this.B === 1) this.stepSingle();
    else this.stepBatch();
  }

  /** Apply the pending (deferred) weight update and copy the student's first layer into `W`. */
  flush(): void {
    if (this.pending) {
      // the last input is in the slot before `slot`
      if (this.slot === 1) this.kernels.update0();
      else this.kernels.update1();
      this.pending = false;
    }
    deinterleaveStudent(this.m, this.N, this.K, this.M, this.W);
  }

  /** True when the last step's error signal, its update coefficients and v are finite. */
  isFinite(): boolean {
    return Number.isFinite(this.lastDelta + this.v[0] + this.c[0]);
  }

  /** ½ mean squared noise-free error on `n` fresh inputs from `rng`, with the current weights. */
  testError(rng: Rng, n: number): number {
    this.flush(); // both input slots are free afterwards
    const { K, M, v, vTeacher, lam, rho } = this;
    const g = this.act.g;
    let sum = 0;
    for (let s = 0; s < n; s++) {
      rng.fillGaussian(this.x0);
      this.kernels.fields0();
      let d = 0;
      for (let q = 0; q < M; q++) d += vTeacher[q] * g(rho[q]);
      for (let k = 0; k < K; k++) d -= v[k] * g(lam[k]);
      sum += d * d;
    }
    return (0.5 * sum) / n;
  }

  private stepSingle(): void {
    const { K, v, gp, gl, c, kernels } = this;
    if (this.slot === 0) {
      this.fill0();
      if (this.pending) kernels.updateFields0();
      else kernels.fields0();
    } else {
      this.fill1();
      if (this.pending) kernels.updateFields1();
      else kernels.fields1();
    }
    // ξ after x, as in the batch path (the update of the previous step commutes with this draw)
    const xi = this.sigma > 0 ? this.rng.nextGaussian() : 0;
    const delta = this.outputError(xi);
    const wScale = this.wScale;
    for (let k = 0; k < K; k++) c[k] = wScale * v[k] * gp[k] * delta;
    if (this.trainV) {
      const vScale = this.vScale;
      if (this.vDecay === 1) for (let k = 0; k < K; k++) v[k] += vScale * (gl[k] * delta);
      else for (let k = 0; k < K; k++) v[k] = this.vDecay * v[k] + vScale * (gl[k] * delta);
    }
    this.lastDelta = delta;
    this.slot ^= 1;
    this.pending = true;
  }

  private stepBatch(): void {
    const { K, B, v, gp, gl, c, cBatch, vGrad, wScale, kernels, x0 } = this;
    vGrad.fill(0);
    let sumDelta = 0;
    for (let s = 0; s < B; s++) {
      this.fill0();
      const xi = this.sigma > 0 ? this.rng.nextGaussian() : 0;
      kernels.fields0();
      this.xBatch[s].set(x0);
      const delta = this.outputError(xi);
      for (let k = 0; k < K; k++) {
        cBatch[s * K + k] = wScale * v[k] * gp[k] * delta;
        vGrad[k] += gl[k] * delta;
      }
      sumDelta += delta;
    }
    if (this.wDecay !== 1) kernels.decayStudent();
    for (let s = 0; s < B; s++) {
      x0.set(this.xBatch[s]);
      for (let k = 0; k < K; k++) c[k] = cBatch[s * K + k];
      kernels.update0();
    }
    if (this.trainV) {
      if (this.vDecay === 1) for (let k = 0; k < K; k++) v[k] += this.vScale * vGrad[k];
      else for (let k = 0; k < K; k++) v[k] = this.vDecay * v[k] + this.vScale * vGrad[k];
    }
    this.lastDelta = sumDelta;
  }

  /** Δ = σξ + Σ_m v*_m g(ρ_m) − Σ_k v_k g(λ_k); fills gp = g'(λ) and gl = g(λ). */
  private outputError(xi: number): number {
    const { K, M, v, vTeacher, lam, rho, gp, gl, act } = this;
    let delta = this.sigma > 0 ? this.sigma * xi : 0;
    for (let q = 0; q < M; q++) delta += vTeacher[q] * act.g(rho[q]);
    for (let k = 0; k < K; k++) {
      const gk = act.gWithPrime(lam[k], gp, k);
      gl[k] = gk;
      delta -= v[k] * gk;
    }
    return delta;
  }
}

interface SgdState {
  config: RunConfig;
  /** Student first layer (K×N), shared by the steppers of successive phases. */
  W: Float64Array;
  /** Every teacher's first layer ((ΣM)×N) and second layer (ΣM). */
  Wt: Float64Array;
  vTeacher: Float64Array;
  heads: Float64Array[];
  rng: Rng;
  testRng: Rng;
  /** The stepper of the current phase: its teacher's units and its head. */
  stepper: SgdStepper;
  teacher: number;
  step: number;
  total: number;
  progress?: (step: number) => void;
}

/** A stepper on teacher p's units and the head that serves p, continuing W and the data stream. */
function phaseStepper(state: Omit<SgdState, 'stepper' | 'teacher'>, p: number): SgdStepper {
  const { config } = state;
  const { N, M } = config;
  return new SgdStepper(
    {
      N,
      K: config.K,
      M,
      lr: config.lr,
      lr2: secondLayerLr(config),
      weightDecay: weightDecayOf(config),
      sigma: config.sigma,
      batchSize: config.batchSize,
      trainV: config.model === 'two-layer' && config.trainSecondLayer,
      activation: config.activation,
    },
    { W: state.W, Wt: state.Wt.subarray(p * M * N, (p + 1) * M * N), v: state.heads[headOf(config, p)], vTeacher: state.vTeacher.subarray(p * M, (p + 1) * M) },
    state.rng,
  );
}

/**
 * Online SGD as a stepping engine (src/model/stepping.ts). A phase trains on its teacher's
 * units with its head; the data stream runs on across phases. `weights`: start from these
 * instead of the seeded ones (with `init`, weights built to have its Gram matrix).
 */
export function sgdEngine(weights?: Weights): SteppingEngine<SgdState> {
  return {
    label: 'SGD',
    init(config, hooks) {
      const w = weights ?? drawInitialWeights(config);
      const base = {
        config,
        W: w.W.slice(),
        Wt: w.Wt,
        vTeacher: w.vTeacher,
        heads: Array.from({ length: headCount(config) }, () => w.v.slice()),
        rng: createRng(`${config.seed}:data`),
        testRng: createRng(`${config.seed}:test`),
        step: 0,
        total: Math.round(config.tMax * config.N),
        progress: hooks.progress,
      };
      const teacher = schedulePhases(config)[0].teacher;
      const state: SgdState = { ...base, stepper: phaseStepper(base, teacher), teacher };
      return { state, T: gram(w.Wt, w.Wt, w.M, w.M, config.N), vTeacher: w.vTeacher };
    },
    advance(state, phase, recordAt, record) {
      const { N, lr } = state.config;
      if (state.teacher !== phase.teacher) {
        state.stepper.flush();
        state.stepper = phaseStepper(state, phase.teacher);
        state.teacher = phase.teacher;
      }
      const stepper = state.stepper;
      const progress = state.progress;
      const progressEvery = Math.max(1, Math.floor(state.total / 200));
      let step = state.step;
      for (const target of recordAt) {
        while (step < target) {
          stepper.step();
          step++;
          if (progress && step % progressEvery === 0) progress(step);
          // Cheap divergence guard between records: weights explode long before the next record.
          if ((step & 1023) === 0 && !stepper.isFinite()) {
            throw new DivergenceError(step / N, `SGD diverged at t=${(step / N).toPrecision(6)} with lr=${lr}`);
          }
        }
        state.step = step;
        record(step);
      }
    },
    observe(state) {
      const { config, W, Wt, heads, stepper } = state;
      const { N, K } = config;
      stepper.flush();
      const o: Observation = { Q: gram(W, W, K, K, N), R: gram(W, Wt, K, state.vTeacher.length, N), heads: heads.map((h) => h.slice()) };
      if (config.testSamples > 0) o.egTest = stepper.testError(state.testRng, config.testSamples);
      return o;
    },
  };
}
