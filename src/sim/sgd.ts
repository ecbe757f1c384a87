/**
 * Online minibatch SGD of an erf student on an erf teacher with Gaussian inputs — the
 * simulation the ODEs are compared with.
 *
 * Update (one step = B fresh samples, t advances by 1/N; Saad & Solla 1995 eq. (3),
 * Goldt et al. 2019 eq. (4)):
 *   W_k ← W_k + (η/√N)(1/B) Σ_s v_k g'(λ_k^s) Δ^s x^s
 *   v_k ← v_k + (η/N)(1/B)  Σ_s g(λ_k^s) Δ^s            (two-layer, trained)
 * with λ = Wx/√N, ρ = W*x/√N, Δ = Σ_m v*_m g(ρ_m) + σξ − Σ_k v_k g(λ_k).
 * Both layers' gradients use the parameters before the step.
 */
import type { RunConfig } from '../config.ts';
import { DivergenceError } from '../theory/integrators.ts';
import { generalizationError } from '../theory/generalizationError.ts';
import { assertBounded } from '../theory/solve.ts';
import { orderParamsFromWeights } from '../theory/orderParams.ts';
import { recordSteps } from '../recordTimes.ts';
import { toMatrix, type Trajectory } from '../trajectory.ts';
import { g, gPrime } from './activation.ts';
import { createRng, type Rng } from './random.ts';
import { drawInitialWeights, type Weights } from './weights.ts';

export interface SgdOptions {
  /** Called now and then with the fraction done (for progress bars). */
  onProgress?: (fraction: number) => void;
  /** Start from these weights instead of the seeded ones. */
  weights?: Weights;
}

export function runSgd(config: RunConfig, options: SgdOptions = {}): Trajectory {
  const { N, K, M, lr, sigma, batchSize: B, model } = config;
  const w = options.weights ?? drawInitialWeights(config);
  const W = w.W.slice();
  const Wt = w.Wt;
  const v = w.v.slice();
  const vTeacher = w.vTeacher;
  const trainV = model === 'two-layer' && config.trainSecondLayer;
  const rng = createRng(`${config.seed}:data`);
  const testRng = createRng(`${config.seed}:test`);

  const steps = recordSteps(config);
  const traj: Trajectory = {
    engine: 'sgd',
    model,
    K,
    M,
    N,
    t: [],
    steps: [],
    eg: [],
    Q: [],
    R: [],
    v: [],
    T: [],
    vTeacher: Array.from(vTeacher),
  };
  if (config.testSamples > 0) traj.egTest = [];

  const sqrtN = Math.sqrt(N);
  const invSqrtN = 1 / sqrtN;
  const xs = new Float64Array(B * N);
  const coef = new Float64Array(B * K); // (η/√N)(1/B) v_k g'(λ_k) Δ per sample
  const vGrad = new Float64Array(K);
  const lam = new Float64Array(K);
  const rho = new Float64Array(M);
  const wScale = lr * invSqrtN / B;
  const vScale = lr / N / B;

  const record = (step: number) => {
    const p = orderParamsFromWeights(N, K, M, W, Wt, v, vTeacher);
    const eg = generalizationError(p);
    try {
      assertBounded(p.Q, K, step / N);
      if (!Number.isFinite(eg)) throw new DivergenceError(step / N, 'ε_g became non-finite');
    } catch (e) {
      if (!(e instanceof DivergenceError)) throw e;
      throw new DivergenceError(step / N, `SGD diverged at t=${Number((step / N).toPrecision(6))} with lr=${lr}: ${e.message}`);
    }
    traj.t.push(step / N);
    traj.steps.push(step);
    traj.eg.push(eg);
    traj.Q.push(toMatrix(p.Q, K, K));
    traj.R.push(toMatrix(p.R, K, M));
    traj.v.push(Array.from(v));
    if (traj.T.length === 0) traj.T = toMatrix(p.T, M, M);
    if (traj.egTest) traj.egTest.push(testError(testRng, config.testSamples, N, K, M, W, Wt, v, vTeacher));
  };

  let step = 0;
  const total = steps[steps.length - 1];
  const progressEvery = Math.max(1, Math.floor(total / 200));
  for (const target of steps) {
    while (step < target) {
      vGrad.fill(0);
      for (let s = 0; s < B; s++) {
        const x = xs.subarray(s * N, (s + 1) * N);
        rng.fillGaussian(x);
        fields(W, K, x, N, invSqrtN, lam);
        fields(Wt, M, x, N, invSqrtN, rho);
        let delta = sigma > 0 ? sigma * rng.nextGaussian() : 0;
        for (let m = 0; m < M; m++) delta += vTeacher[m] * g(rho[m]);
        for (let k = 0; k < K; k++) delta -= v[k] * g(lam[k]);
        for (let k = 0; k < K; k++) {
          coef[s * K + k] = wScale * v[k] * gPrime(lam[k]) * delta;
          if (trainV) vGrad[k] += g(lam[k]) * delta;
        }
      }
      for (let s = 0; s < B; s++) {
        const off = s * N;
        for (let k = 0; k < K; k++) {
          const c = coef[s * K + k];
          const row = k * N;
          for (let j = 0; j < N; j++) W[row + j] += c * xs[off + j];
        }
      }
      if (trainV) for (let k = 0; k < K; k++) v[k] += vScale * vGrad[k];
      step++;
      if (options.onProgress && step % progressEvery === 0) options.onProgress(step / total);
      // Cheap divergence guard between records: weights explode long before the next record.
      if ((step & 1023) === 0 && !Number.isFinite(W[0] + v[0] + coef[0])) {
        throw new DivergenceError(step / N, `SGD diverged at t=${(step / N).toPrecision(6)} with lr=${lr}`);
      }
    }
    record(step);
  }
  return traj;
}

/** out_r = A_r · x / √N for the `rows` rows of A (row-major, length N each). */
function fields(A: Float64Array, rows: number, x: Float64Array, N: number, invSqrtN: number, out: Float64Array): void {
  for (let r = 0; r < rows; r++) {
    let s = 0;
    const off = r * N;
    for (let j = 0; j < N; j++) s += A[off + j] * x[j];
    out[r] = s * invSqrtN;
  }
}

/** ½ mean squared (noise-free) error on `n` fresh samples: an estimate of ε_g independent of the closed form. */
function testError(
  rng: Rng,
  n: number,
  N: number,
  K: number,
  M: number,
  W: Float64Array,
  Wt: Float64Array,
  v: Float64Array,
  vTeacher: Float64Array,
): number {
  const x = new Float64Array(N);
  const lam = new Float64Array(K);
  const rho = new Float64Array(M);
  const invSqrtN = 1 / Math.sqrt(N);
  let sum = 0;
  for (let s = 0; s < n; s++) {
    rng.fillGaussian(x);
    fields(W, K, x, N, invSqrtN, lam);
    fields(Wt, M, x, N, invSqrtN, rho);
    let d = 0;
    for (let m = 0; m < M; m++) d += vTeacher[m] * g(rho[m]);
    for (let k = 0; k < K; k++) d -= v[k] * g(lam[k]);
    sum += d * d;
  }
  return (0.5 * sum) / n;
}
