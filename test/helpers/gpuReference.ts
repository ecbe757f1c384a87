/**
 * The GPU-vs-f64-reference comparison the WebGPU tests share (test/gpu-engine, gpu-shapes and
 * the Vulkan child): the same configs on the same Philox stream, compared in W, every head,
 * and the last record's overlaps (Q, and R over every teacher's units).
 */
import { ACTIVATION_NAMES, type ActivationName } from '../../src/activations/registry.ts';
import { validateConfig, type RunConfig } from '../../src/config.ts';
import { initialWeights, runSgdBatchDetailed, type GpuBatchOptions } from '../../src/gpu/engine.ts';
import { ReferenceSgd } from '../../src/gpu/reference.ts';
import { gram } from '../../src/model/orderParams.ts';

/** Relative 2-norm difference ‖a − b‖/‖b‖. */
export function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0, n = 0;
  for (let i = 0; i < a.length; i++) { d += (a[i] - b[i]) ** 2; n += b[i] ** 2; }
  return Math.sqrt(d / n);
}

/** A test config: linear records every t = 1 and a student scale of 0.3 unless overridden. */
export const gpuTestConfig = (o: Record<string, unknown>): RunConfig => validateConfig({ recordScale: 'linear', recordEvery: 1, studentScale: 0.3, ...o });

export interface VsReference {
  /** Max over runs of the relative difference of the final W. */
  w: number;
  /** … of every head at the last record (the one head, or all with heads "multi"). */
  v: number;
  /** … of the last record's Q and R (K × every teacher unit) against the Gram matrices of the reference's W. */
  overlaps: number;
  /** Max |GPU f32 ε_g − f64 ε_g| over runs and records (both on the active teacher). */
  eg32: number;
  statuses: string[];
}

/** Max relative differences between each GPU run and the f64 reference at tMax, and the runs' statuses. */
export async function vsReference(device: GPUDevice, configs: RunConfig[], opts: GpuBatchOptions = {}): Promise<VsReference> {
  const d = await runSgdBatchDetailed(device, configs, opts);
  let w = 0, v = 0, overlaps = 0, eg32 = 0;
  configs.forEach((c, r) => {
    const start = initialWeights(c);
    const ref = new ReferenceSgd(c, start);
    ref.runTo(Math.round(c.tMax * c.N));
    const traj = d.results[r].trajectory;
    w = Math.max(w, relDiff(d.weights[r], ref.state.W));
    const heads = traj.heads?.at(-1) ?? [traj.v.at(-1)!];
    v = Math.max(v, relDiff(heads.flat(), ref.state.heads.flatMap((h) => Array.from(h))));
    const { K, N } = c;
    const U = start.M;
    const gpuQR = [...traj.Q.at(-1)!.flat(), ...traj.R.at(-1)!.flat()];
    const refQR = [...gram(ref.state.W, ref.state.W, K, K, N), ...gram(ref.state.W, start.Wt, K, U, N)];
    overlaps = Math.max(overlaps, relDiff(gpuQR, refQR));
    traj.eg.forEach((e, i) => (eg32 = Math.max(eg32, Math.abs(d.egF32[r][i] - e))));
  });
  return { w, v, overlaps, eg32, statuses: d.results.map((r) => r.status) };
}

/** The reference cases both adapters are checked on (t = 2): both models, σ > 0, B = 4 (N not a multiple of 4), frozen v. */
export const REFERENCE_CASES = {
  softCommittee: [0, 1, 2].map((seed) => gpuTestConfig({ model: 'soft-committee', N: 101, K: 3, M: 2, lr: 0.8, sigma: 0.3, batchSize: 4, tMax: 2, seed })),
  frozenV: [4, 5].map((seed) => gpuTestConfig({ model: 'two-layer', N: 100, K: 2, M: 3, lr: 1, sigma: 0.5, batchSize: 1, tMax: 2, studentVScale: 0.7, trainSecondLayer: false, seed })),
};

/** The two-layer runs (N = 100, K = 3, M = 2, B = 4) of the activation and schedule cases. */
const twoLayer = (o: Record<string, unknown>) => gpuTestConfig({ model: 'two-layer', N: 100, K: 3, M: 2, lr: 0.5, batchSize: 4, studentVScale: 0.5, ...o });

/**
 * Per activation, one batch (one shader): two-layer with trained v, B = 4, σ > 0, and weight
 * decay and lr2 ≠ lr in some runs (λ = 0.05 with η₂ = η/5, λ = 0.1 with η₂ = 2η and σ = 0).
 */
export function activationCase(activation: ActivationName): RunConfig[] {
  return [
    twoLayer({ activation, sigma: 0.2, tMax: 2, seed: 0 }),
    twoLayer({ activation, sigma: 0.3, tMax: 2, weightDecay: 0.05, lr2: 0.1, seed: 1 }),
    twoLayer({ activation, sigma: 0, tMax: 2, weightDecay: 0.1, lr2: 1, seed: 2 }),
  ];
}
export const ACTIVATION_CASES = Object.fromEntries(ACTIVATION_NAMES.map((a) => [a, activationCase(a)])) as Record<ActivationName, RunConfig[]>;

/**
 * Continual learning: two teachers (teacher 1 at feature similarity α = 0.5, or 0.2 with its
 * own readout), the schedule 0 → 1 → 0 (back to the first teacher: with heads "multi" head 0
 * resumes where it stopped), σ > 0 and weight decay in every run, lr2 ≠ lr in one; erf.
 */
export function scheduleCase(heads: 'single' | 'multi'): RunConfig[] {
  const schedule = [{ teacher: 0, until: 0.8 }, { teacher: 1, until: 1.6 }, { teacher: 0, until: 2.4 }];
  const run = (seed: number, o: Record<string, unknown>) => twoLayer({ teachers: [{}, { featureSimilarity: 0.5 }], schedule, heads, tMax: 2.4, sigma: 0.2, weightDecay: 0.02, seed, ...o });
  return [run(0, {}), run(1, { lr2: 0.2 }), run(2, { teachers: [{}, { featureSimilarity: 0.2, vTeacher: [1.5, -0.5] }], sigma: 0.4 })];
}
export const SCHEDULE_CASES = { single: scheduleCase('single'), multi: scheduleCase('multi') };

/** The loop zero-init trap case and the edit that removes the engine's explicit reset of dv. */
export const TRAP_CASE = [gpuTestConfig({ model: 'two-layer', N: 64, K: 2, M: 2, batchSize: 2, tMax: 1, studentVScale: 0.5, seed: 1 })];
export const withoutDvReset = (s: string) => s.replace('for (var k = 0u; k < K; k++) { dv[k] = 0.0; }', '');
