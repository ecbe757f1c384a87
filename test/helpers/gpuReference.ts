/**
 * The GPU-vs-f64-reference comparison the WebGPU tests share (test/gpu-engine, gpu-shapes and
 * the Vulkan child): the same configs on the same Philox stream, compared in W and v.
 */
import { validateConfig, type RunConfig } from '../../src/config.ts';
import { initialWeights, runSgdBatchDetailed, type GpuBatchOptions } from '../../src/gpu/engine.ts';
import { ReferenceSgd } from '../../src/gpu/reference.ts';

/** Relative 2-norm difference ‖a − b‖/‖b‖. */
export function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0, n = 0;
  for (let i = 0; i < a.length; i++) { d += (a[i] - b[i]) ** 2; n += b[i] ** 2; }
  return Math.sqrt(d / n);
}

/** A test config: linear records every t = 1 and a student scale of 0.3 unless overridden. */
export const gpuTestConfig = (o: Record<string, unknown>): RunConfig => validateConfig({ recordScale: 'linear', recordEvery: 1, studentScale: 0.3, ...o });

/** Max relative differences of W and v between each GPU run and the f64 reference at tMax, and the runs' statuses. */
export async function vsReference(device: GPUDevice, configs: RunConfig[], opts: GpuBatchOptions = {}): Promise<{ w: number; v: number; statuses: string[] }> {
  const d = await runSgdBatchDetailed(device, configs, opts);
  let w = 0, v = 0;
  configs.forEach((c, r) => {
    const ref = new ReferenceSgd(c, initialWeights(c));
    ref.runTo(Math.round(c.tMax * c.N));
    w = Math.max(w, relDiff(d.weights[r], ref.state.W));
    v = Math.max(v, relDiff(d.results[r].trajectory.v.at(-1)!, ref.state.v));
  });
  return { w, v, statuses: d.results.map((r) => r.status) };
}

/** The reference cases both adapters are checked on (t = 2): both models, σ > 0, B = 4 (N not a multiple of 4), frozen v. */
export const REFERENCE_CASES = {
  softCommittee: [0, 1, 2].map((seed) => gpuTestConfig({ model: 'soft-committee', N: 101, K: 3, M: 2, lr: 0.8, sigma: 0.3, batchSize: 4, tMax: 2, seed })),
  twoLayer: [0, 1, 2].map((seed) => gpuTestConfig({ model: 'two-layer', N: 100, K: 3, M: 2, lr: 0.5, sigma: 0.2, batchSize: 4, tMax: 2, studentVScale: 0.5, seed })),
  frozenV: [4, 5].map((seed) => gpuTestConfig({ model: 'two-layer', N: 100, K: 2, M: 3, lr: 1, sigma: 0.5, batchSize: 1, tMax: 2, studentVScale: 0.7, trainSecondLayer: false, seed })),
};

/** The loop zero-init trap case and the edit that removes the engine's explicit reset of dv. */
export const TRAP_CASE = [gpuTestConfig({ model: 'two-layer', N: 64, K: 2, M: 2, batchSize: 2, tMax: 1, studentVScale: 0.5, seed: 1 })];
export const withoutDvReset = (s: string) => s.replace('for (var k = 0u; k < K; k++) { dv[k] = 0.0; }', '');
