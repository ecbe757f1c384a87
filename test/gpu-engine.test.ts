/**
 * The WebGPU SGD engine on the software adapter (CI has no GPU; these tests never skip: no
 * adapter is a failure). Runtime ≈ 1 min on 2 cores, most of it the 64 shader compilations.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunConfig } from '../src/config.ts';
import { initialWeights, planDispatches, runSgdBatch, runSgdBatchDetailed, splitIntoBatches, type GpuBatchOptions } from '../src/gpu/engine.ts';
import { GpuUnavailableError, hasHardwareGpu, openGpu, type GpuHandle } from '../src/gpu/node.ts';
import { gpuTestConfig as cfg, REFERENCE_CASES, TRAP_CASE, vsReference, withoutDvReset } from './helpers/gpuReference.ts';

let gpu: GpuHandle;
beforeAll(async () => {
  gpu = await openGpu({ allowSoftware: true });
}, 60_000);
afterAll(() => gpu?.close());

/** Max relative (2-norm) differences of W and v between each GPU run and the f64 reference on the same stream; every run must complete. */
async function gpuVsReference(configs: RunConfig[], opts: GpuBatchOptions = {}): Promise<{ w: number; v: number }> {
  const { w, v, statuses } = await vsReference(gpu.device, configs, opts);
  for (const s of statuses) expect(s).toBe('completed');
  return { w, v };
}

describe('WebGPU batch vs the f64 reference on the same random numbers (t = 2)', () => {
  // ≤ 1e-5 relative: f32 rounding (6e-8 per operation) accumulated over ~10³ updates stays far below.
  it('soft committee, σ > 0, B = 4, N not a multiple of 4', async () => {
    const { w } = await gpuVsReference(REFERENCE_CASES.softCommittee, { maxStepsPerDispatch: 50 });
    expect(w).toBeLessThan(1e-5);
  });
  it('two-layer with trained v, σ > 0, B = 4', async () => {
    const { w, v } = await gpuVsReference(REFERENCE_CASES.twoLayer);
    expect(w).toBeLessThan(1e-5);
    expect(v).toBeLessThan(1e-5);
  });
  it('two-layer with frozen v, B = 1, σ > 0', async () => {
    const configs = REFERENCE_CASES.frozenV;
    const { w } = await gpuVsReference(configs);
    expect(w).toBeLessThan(1e-5);
    const [res] = await runSgdBatch(gpu.device, configs.slice(0, 1));
    const v0 = Array.from(initialWeights(configs[0]).v, Math.fround);
    for (const v of res.trajectory.v) expect(v).toEqual(v0);
  });
  it('the GPU ε_g (f32) agrees with the f64 closed form on the read-back Q, R, v', async () => {
    const c = cfg({ model: 'two-layer', N: 100, K: 3, M: 2, tMax: 2, studentVScale: 0.5, seed: 9 });
    const d = await runSgdBatchDetailed(gpu.device, [c]);
    const eg = d.results[0].trajectory.eg;
    eg.forEach((e, i) => expect(Math.abs(d.egF32[0][i] - e)).toBeLessThan(1e-5));
  });
});

describe('WebGPU loop variables', () => {
  it('zero-init trap: the reference check fails once an accumulator is not reset in the loop body', async () => {
    // Emulates Dawn-Vulkan's once-only zeroing of loop-body vars: dv carries over between steps.
    const broken = await gpuVsReference(TRAP_CASE, { shaderTransform: withoutDvReset });
    expect(broken.v).toBeGreaterThan(1e-3);
    const fine = await gpuVsReference(TRAP_CASE);
    expect(fine.v).toBeLessThan(1e-5);
  });
});

describe('WebGPU determinism', () => {
  const base = { model: 'two-layer', N: 60, K: 2, M: 2, batchSize: 2, sigma: 0.1, tMax: 1, recordEvery: 0.25, studentVScale: 0.5 };
  it('same seed → byte-identical results, for any steps per dispatch and any batch composition', async () => {
    const alone = cfg({ ...base, seed: 'x' });
    const others = [cfg({ ...base, seed: 1, lr: 0.3 }), alone, cfg({ ...base, seed: 2, sigma: 0 })];
    const a = await runSgdBatchDetailed(gpu.device, [alone]);
    const b = await runSgdBatchDetailed(gpu.device, [alone]);
    const c = await runSgdBatchDetailed(gpu.device, others, { maxStepsPerDispatch: 7, recordsPerReadback: 2 });
    expect(JSON.stringify(b.results)).toBe(JSON.stringify(a.results));
    expect(JSON.stringify(c.results[1])).toBe(JSON.stringify(a.results[0]));
    expect(Buffer.from(c.weights[1].buffer).equals(Buffer.from(a.weights[0].buffer))).toBe(true);
    expect(a.results[0].trajectory.t).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(a.results[0].trajectory.engine).toBe('sgd') // the law is online SGD; the backend is recorded in provenance and cache keys;
    // one step per dispatch: most submissions carry no record
    const d = await runSgdBatchDetailed(gpu.device, [alone], { maxStepsPerDispatch: 1, dispatchesPerSubmit: 4 });
    expect(JSON.stringify(d.results[0])).toBe(JSON.stringify(a.results[0]));
  });
  it('splitIntoBatches groups compatible runs and keeps their indices', async () => {
    const list = [cfg({ ...base, seed: 1 }), cfg({ ...base, K: 3, seed: 2 }), cfg({ ...base, seed: 3, lr: 2 })];
    const batches = splitIntoBatches(list);
    expect(batches.map((b) => b.indices)).toEqual([[0, 2], [1]]);
    await expect(runSgdBatch(gpu.device, list)).rejects.toThrow(/not compatible/);
  });
});

describe('dispatch plan', () => {
  it('covers every step once, records exactly at the record steps, bounds group sizes', () => {
    const steps = [0, 5, 6, 3000, 10000];
    const groups = planDispatches(steps, 1024, 2, 4);
    const all = groups.flatMap((g) => g.dispatches);
    all.forEach((d, i) => {
      expect(d.from).toBe(i === 0 ? 0 : all[i - 1].to);
      expect(d.to - d.from).toBeLessThanOrEqual(1024);
    });
    expect(all.at(-1)!.to).toBe(10000);
    expect(groups.flatMap((g) => g.recordSteps)).toEqual(steps);
    for (const g of groups) {
      expect(g.recordSteps.length).toBeLessThanOrEqual(2);
      expect(g.dispatches.length).toBeLessThanOrEqual(4);
      expect(g.dispatches.filter((d) => d.slot >= 0).map((d) => g.recordSteps[d.slot])).toEqual(g.recordSteps);
      g.dispatches.filter((d) => d.slot >= 0).forEach((d) => expect(d.to).toBe(g.recordSteps[d.slot]));
    }
  });
});

describe('WebGPU divergence', () => {
  it('a run beyond the stability limit is reported diverged at t, its batch-mates complete', async () => {
    const run = { model: 'two-layer', N: 50, K: 2, M: 2, tMax: 4, studentVScale: 1, seed: 1 };
    const [r0, r1] = await runSgdBatch(gpu.device, [cfg({ ...run, lr: 0.5 }), cfg({ ...run, lr: 200 })]);
    expect(r0.status).toBe('completed');
    expect(r1.status).toBe('diverged');
    if (r1.status === 'diverged') {
      expect(r1.t).toBeLessThanOrEqual(4);
      expect(r1.reason).toMatch(/^SGD diverged at t=[0-9.e+-]+ with lr=200: /);
      expect(r1.reason).not.toContain('\n');
    }
  });
});

describe('no adapter', () => {
  it('is a one-line GpuUnavailableError, and hasHardwareGpu is false', async () => {
    const factory = { create: () => ({ requestAdapter: async () => null }) as unknown as GPU };
    const err = await openGpu({ allowSoftware: true, factory }).catch((e) => e);
    expect(err).toBeInstanceOf(GpuUnavailableError);
    expect(err.message).toMatch(/^no WebGPU adapter found/);
    expect(err.message).not.toContain('\n');
    expect(await hasHardwareGpu(factory)).toBe(false);
  });
});
