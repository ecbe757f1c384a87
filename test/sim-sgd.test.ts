/**
 * The fast SGD engine (interleaved weights, generated kernels, deferred fused update) against a
 * deliberately simple reference step written here from the update rule in theory-notes.md:
 *
 *   W_k ← W_k + (η/√N)(1/B) Σ_s v_k g'(λ_k^s) Δ^s x^s,   v_k ← v_k + (η/N)(1/B) Σ_s g(λ_k^s) Δ^s
 *
 * with g from @stdlib's erf (not the engine's approximation). Both consume the same random
 * stream in the same order (per sample: x^s, then ξ^s when σ > 0), so they see the same inputs
 * and must agree to rounding: we require 1e-9 relative after hundreds of steps (observed
 * ~1e-14). Cases cover both models, B = 1 and B = 3, σ > 0, a frozen second layer, K = 1, and
 * K large enough to need several kernel passes.
 */
import erf from '@stdlib/math-base-special-erf';
import { describe, expect, it } from 'vitest';
import { validateConfig, type RunConfig } from '../src/config.ts';
import { recordSteps } from '../src/recordTimes.ts';
import { planPasses } from '../src/sim/kernels.ts';
import { createRng, type Rng } from '../src/sim/random.ts';
import { drive } from '../src/drive.ts';
import { sgdEngine, SgdStepper } from '../src/sim/sgd.ts';
import { drawInitialWeights } from '../src/sim/weights.ts';
import { generalizationError } from '../src/theory/generalizationError.ts';
import { DivergenceError } from '../src/model/divergence.ts';
import { orderParamsFromWeights } from '../src/model/orderParams.ts';

const gRef = (u: number) => erf(u / Math.SQRT2);
const gPrimeRef = (u: number) => Math.sqrt(2 / Math.PI) * Math.exp(-0.5 * u * u);

/** Reference SGD state: plain row-major arrays, one obviously-correct step at a time. */
class ReferenceSgd {
  readonly W: Float64Array;
  readonly v: Float64Array;
  constructor(
    readonly cfg: RunConfig,
    W: Float64Array,
    readonly Wt: Float64Array,
    v: Float64Array,
    readonly vt: Float64Array,
    readonly rng: Rng,
  ) {
    this.W = W.slice();
    this.v = v.slice();
  }

  fields(x: Float64Array): { lam: number[]; rho: number[] } {
    const { N, K, M } = this.cfg;
    const lam: number[] = [];
    const rho: number[] = [];
    for (let k = 0; k < K; k++) {
      let s = 0;
      for (let j = 0; j < N; j++) s += this.W[k * N + j] * x[j];
      lam.push(s / Math.sqrt(N));
    }
    for (let m = 0; m < M; m++) {
      let s = 0;
      for (let j = 0; j < N; j++) s += this.Wt[m * N + j] * x[j];
      rho.push(s / Math.sqrt(N));
    }
    return { lam, rho };
  }

  step(): void {
    const { N, K, M, lr, sigma, batchSize: B } = this.cfg;
    const trainV = this.cfg.model === 'two-layer' && this.cfg.trainSecondLayer;
    const gradW = new Float64Array(K * N);
    const gradV = new Float64Array(K);
    for (let s = 0; s < B; s++) {
      const x = new Float64Array(N);
      this.rng.fillGaussian(x);
      const xi = sigma > 0 ? this.rng.nextGaussian() : 0;
      const { lam, rho } = this.fields(x);
      let y = sigma * xi;
      for (let m = 0; m < M; m++) y += this.vt[m] * gRef(rho[m]);
      let yHat = 0;
      for (let k = 0; k < K; k++) yHat += this.v[k] * gRef(lam[k]);
      const delta = y - yHat;
      for (let k = 0; k < K; k++) {
        const a = this.v[k] * gPrimeRef(lam[k]) * delta;
        for (let j = 0; j < N; j++) gradW[k * N + j] += a * x[j];
        gradV[k] += gRef(lam[k]) * delta;
      }
    }
    for (let i = 0; i < K * N; i++) this.W[i] += (lr / Math.sqrt(N) / B) * gradW[i];
    if (trainV) for (let k = 0; k < K; k++) this.v[k] += (lr / N / B) * gradV[k];
  }

  testError(rng: Rng, n: number): number {
    const { N, K, M } = this.cfg;
    let sum = 0;
    const x = new Float64Array(N);
    for (let s = 0; s < n; s++) {
      rng.fillGaussian(x);
      const { lam, rho } = this.fields(x);
      let d = 0;
      for (let m = 0; m < M; m++) d += this.vt[m] * gRef(rho[m]);
      for (let k = 0; k < K; k++) d -= this.v[k] * gRef(lam[k]);
      sum += d * d;
    }
    return (0.5 * sum) / n;
  }
}

function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 0;
  let diff = 0;
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]));
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
  }
  return diff / Math.max(scale, 1e-300);
}

interface Case {
  name: string;
  cfg: Partial<RunConfig>;
}

const cases: Case[] = [
  { name: 'soft committee K=3 M=2, B=1, σ=0.3', cfg: { model: 'soft-committee', K: 3, M: 2, sigma: 0.3 } },
  { name: 'soft committee K=4 M=4, B=3, σ=0.5', cfg: { model: 'soft-committee', K: 4, M: 4, sigma: 0.5, batchSize: 3 } },
  { name: 'two-layer K=4 M=3, B=1, σ=0.5', cfg: { model: 'two-layer', K: 4, M: 3, sigma: 0.5, studentVScale: 1 } },
  { name: 'two-layer K=6 M=4, B=3, σ=0.2', cfg: { model: 'two-layer', K: 6, M: 4, sigma: 0.2, batchSize: 3, studentVScale: 0.5 } },
  { name: 'two-layer K=2 M=2, B=1, σ=0, frozen v', cfg: { model: 'two-layer', K: 2, M: 2, studentVScale: 1, trainSecondLayer: false } },
  { name: 'two-layer K=1 M=1, B=1, σ=0.1', cfg: { model: 'two-layer', K: 1, M: 1, sigma: 0.1, studentVScale: 1 } },
  { name: 'two-layer K=13 M=3 (three kernel passes), B=2, σ=0.1', cfg: { model: 'two-layer', K: 13, M: 3, sigma: 0.1, batchSize: 2, studentVScale: 1 } },
];

function configFor(c: Case, extra: Partial<RunConfig> = {}): RunConfig {
  return validateConfig({ N: 97, lr: 0.8, tMax: 4, recordEvery: 1, recordScale: 'linear', seed: 11, studentScale: 0.5, ...c.cfg, ...extra });
}

describe('kernel pass plan', () => {
  it('covers every student and teacher row exactly once', () => {
    for (let K = 1; K <= 20; K++)
      for (let M = 0; M <= 12; M++) {
        const passes = planPasses(K, M);
        const ks = passes.reduce((a, p) => a + p.ks, 0);
        const qs = passes.reduce((a, p) => a + p.qs, 0);
        expect([ks, qs]).toEqual([K, M]);
        let k0 = 0;
        let q0 = 0;
        for (const p of passes) {
          expect([p.k0, p.q0]).toEqual([k0, q0]);
          expect(p.ks).toBeLessThanOrEqual(6);
          expect(p.ks + p.qs).toBeLessThanOrEqual(10);
          k0 += p.ks;
          q0 += p.qs;
        }
      }
  });
});

describe.each(cases.map((c) => [c.name, c] as const))('fast SGD = reference SGD: %s', (_name, c) => {
  it('same weights and inputs: W and v agree to 1e-9 relative after 400 steps (flushed every 97)', () => {
    const cfg = configFor(c);
    const w = drawInitialWeights(cfg);
    const trainV = cfg.model === 'two-layer' && cfg.trainSecondLayer;
    const fast = new SgdStepper(
      { N: cfg.N, K: cfg.K, M: cfg.M, lr: cfg.lr, sigma: cfg.sigma, batchSize: cfg.batchSize, trainV },
      { W: w.W.slice(), Wt: w.Wt, v: w.v.slice(), vTeacher: w.vTeacher },
      createRng('stream'),
    );
    const ref = new ReferenceSgd(cfg, w.W, w.Wt, w.v, w.vTeacher, createRng('stream'));
    let worst = 0;
    for (let t = 1; t <= 400; t++) {
      fast.step();
      ref.step();
      if (t % 97 === 0 || t === 400) {
        fast.flush();
        worst = Math.max(worst, maxRelDiff(fast.W, ref.W), maxRelDiff(fast.v, ref.v));
      }
    }
    expect(worst).toBeLessThan(1e-9);
    // the weights really moved (so agreement is not trivial)
    expect(maxRelDiff(ref.W, w.W)).toBeGreaterThan(1e-3);
    if (trainV) expect(maxRelDiff(ref.v, w.v)).toBeGreaterThan(1e-4);
    else expect(Array.from(ref.v)).toEqual(Array.from(w.v));
  });

  it('the SGD engine’s trajectory (Q, R, v, ε_g, test error) matches the reference run recorded at the same steps', () => {
    const cfg = configFor(c, { testSamples: 50 });
    const traj = drive(sgdEngine(), 'sgd', cfg);
    const w = drawInitialWeights(cfg);
    const ref = new ReferenceSgd(cfg, w.W, w.Wt, w.v, w.vTeacher, createRng(`${cfg.seed}:data`));
    const testRng = createRng(`${cfg.seed}:test`);
    const steps = recordSteps(cfg);
    expect(traj.steps).toEqual(steps);
    let step = 0;
    for (let r = 0; r < steps.length; r++) {
      while (step < steps[r]) {
        ref.step();
        step++;
      }
      const p = orderParamsFromWeights(cfg.N, cfg.K, cfg.M, ref.W, ref.Wt, ref.v, ref.vt);
      expect(maxRelDiff(traj.Q[r].flat(), p.Q)).toBeLessThan(1e-9);
      expect(maxRelDiff(traj.R[r].flat(), p.R)).toBeLessThan(1e-9);
      expect(maxRelDiff(traj.v[r], p.v)).toBeLessThan(1e-9);
      expect(Math.abs(traj.eg[r] - generalizationError(p, cfg.activation))).toBeLessThan(1e-9 * Math.max(1e-3, generalizationError(p, cfg.activation)));
      const et = ref.testError(testRng, cfg.testSamples);
      expect(Math.abs(traj.egTest![r] - et)).toBeLessThan(1e-9 * Math.max(1e-3, et));
    }
    expect(traj.t).toEqual(steps.map((s) => s / cfg.N));
  });
});

describe('SGD engine through the driver', () => {
  it('is deterministic per seed and differs across seeds', () => {
    const cfg = configFor(cases[2]);
    expect(drive(sgdEngine(), 'sgd', cfg)).toEqual(drive(sgdEngine(), 'sgd', cfg));
    expect(drive(sgdEngine(), 'sgd', { ...cfg, seed: 12 }).eg.at(-1)).not.toBe(drive(sgdEngine(), 'sgd', cfg).eg.at(-1));
  });

  it('works with any Rng (generic fill path), giving the same result as the built-in generator', () => {
    const cfg = configFor(cases[3]);
    const w = drawInitialWeights(cfg);
    const setup = { N: cfg.N, K: cfg.K, M: cfg.M, lr: cfg.lr, sigma: cfg.sigma, batchSize: cfg.batchSize, trainV: true };
    const inner = createRng('generic');
    const wrapped: Rng = {
      nextUint32: () => inner.nextUint32(),
      nextDouble: () => inner.nextDouble(),
      nextGaussian: () => inner.nextGaussian(),
      fillGaussian: (out) => inner.fillGaussian(out),
    };
    const a = new SgdStepper(setup, { W: w.W.slice(), Wt: w.Wt, v: w.v.slice(), vTeacher: w.vTeacher }, wrapped);
    const b = new SgdStepper(setup, { W: w.W.slice(), Wt: w.Wt, v: w.v.slice(), vTeacher: w.vTeacher }, createRng('generic'));
    for (let t = 0; t < 100; t++) {
      a.step();
      b.step();
    }
    a.flush();
    b.flush();
    expect(Array.from(a.W)).toEqual(Array.from(b.W));
    expect(Array.from(a.v)).toEqual(Array.from(b.v));
  });

  it('accepts explicit starting weights', () => {
    const cfg = configFor(cases[0]);
    const w = drawInitialWeights({ ...cfg, seed: 99 });
    const traj = drive(sgdEngine(w), 'sgd', cfg);
    const p0 = orderParamsFromWeights(cfg.N, cfg.K, cfg.M, w.W, w.Wt, w.v, w.vTeacher);
    expect(traj.Q[0].flat()).toEqual(Array.from(p0.Q));
    expect(Array.from(w.W)).toEqual(Array.from(drawInitialWeights({ ...cfg, seed: 99 }).W)); // input not modified
  });

  it('reports progress up to 1', () => {
    const cfg = configFor(cases[0]);
    const seen: number[] = [];
    drive(sgdEngine(), 'sgd', cfg, { onProgress: (f) => seen.push(f) });
    expect(seen.length).toBeGreaterThan(10);
    expect(seen.at(-1)).toBe(1);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThan(seen[i - 1]);
  });

  it('stops with a DivergenceError when the learning rate is far too large', () => {
    const cfg = validateConfig({ model: 'two-layer', N: 100, K: 2, M: 2, lr: 500, tMax: 50, recordEvery: 10, recordScale: 'linear', seed: 3, studentVScale: 1 });
    expect(() => drive(sgdEngine(), 'sgd', cfg)).toThrow(DivergenceError);
  });
});
