/**
 * The WebGPU SGD engine on the software adapter (CI has no GPU; these tests never skip: no
 * adapter is a failure). Runtime 8–18 s on 2 shared cores with Mesa's shader cache off, most of
 * it compiling about ten shaders (cases share a batch, and so a shader, where the batch key
 * allows; single- and multi-head schedules share one).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIVATION_NAMES } from '../src/activations/registry.ts';
import type { RunConfig } from '../src/config.ts';
import { runEngine } from '../src/engines.ts';
import type { RunResult } from '../src/result.ts';
import { initialWeights, maxRunsPerBatch, planDispatches, runSgdBatch, runSgdBatchDetailed, runSgdBatches, splitIntoBatches, type GpuBatchOptions } from '../src/gpu/engine.ts';
import { GpuUnavailableError, hasHardwareGpu, openGpu, type GpuHandle } from '../src/gpu/node.ts';
import { ReferenceSgd } from '../src/gpu/reference.ts';
import { defaultThreadsPerRun, shaderLayout } from '../src/gpu/wgsl.ts';
import { ACTIVATION_CASES, gpuTestConfig as cfg, REFERENCE_CASES, SCHEDULE_CASES, TRAP_CASE, vsReference, withoutDvReset, type VsReference } from './helpers/gpuReference.ts';

let gpu: GpuHandle;
beforeAll(async () => {
  gpu = await openGpu({ allowSoftware: true });
}, 60_000);
afterAll(() => gpu?.close());

/** Max relative (2-norm) differences between each GPU run and the f64 reference on the same stream; every run must complete. */
async function gpuVsReference(configs: RunConfig[], opts: GpuBatchOptions = {}): Promise<VsReference> {
  const r = await vsReference(gpu.device, configs, opts);
  for (const s of r.statuses) expect(s).toBe('completed');
  return r;
}

/**
 * ≤ 1e-5 relative: f32 rounding (6e-8 per operation) accumulated over ~10³ updates stays far
 * below. W, every head, and the last record's Q and R (R over every teacher's units); the
 * GPU's f32 ε_g within 1e-5 of the f64 closed form on the read-back overlaps.
 */
function expectMatch(r: VsReference, what: string): void {
  expect(r.w, `${what}: W`).toBeLessThan(1e-5);
  expect(r.v, `${what}: v`).toBeLessThan(1e-5);
  expect(r.overlaps, `${what}: Q, R`).toBeLessThan(1e-5);
  expect(r.eg32, `${what}: f32 ε_g`).toBeLessThan(1e-5);
}

describe('WebGPU batch vs the f64 reference on the same random numbers (t = 2)', () => {
  it('soft committee, σ > 0, B = 4, N not a multiple of 4', async () => {
    expectMatch(await gpuVsReference(REFERENCE_CASES.softCommittee, { maxStepsPerDispatch: 50 }), 'soft committee');
  });
  for (const activation of ACTIVATION_NAMES)
    it(`two-layer, ${activation}: trained v, σ > 0, B = 4, weight decay and lr2 ≠ lr in some runs`, async () => {
      expectMatch(await gpuVsReference(ACTIVATION_CASES[activation]), activation);
    });
  it('two-layer with frozen v, B = 1, σ > 0', async () => {
    const configs = REFERENCE_CASES.frozenV;
    expectMatch(await gpuVsReference(configs), 'frozen v');
    const [res] = await runSgdBatch(gpu.device, configs.slice(0, 1));
    const v0 = Array.from(initialWeights(configs[0]).v, Math.fround);
    for (const v of res.trajectory.v) expect(v).toEqual(v0);
  });
});

describe('WebGPU continual learning: two teachers (α = 0.5), schedule 0 → 1 → 0', () => {
  for (const heads of ['single', 'multi'] as const)
    it(`heads ${heads}: matches the f64 reference; every phase boundary is a record`, async () => {
      const configs = SCHEDULE_CASES[heads];
      expectMatch(await gpuVsReference(configs, { maxStepsPerDispatch: 30 }), `schedule, ${heads}`);
      const [res] = await runSgdBatch(gpu.device, configs.slice(0, 1));
      const traj = res.trajectory;
      expect(traj.t).toEqual([0, 0.8, 1, 1.6, 2, 2.4]);
      expect(traj.M).toBe(4);
      expect(traj.R[0][0]).toHaveLength(4);
      expect(traj.egTeachers).toHaveLength(2);
      // the active teacher's error is `eg`: teacher 0, 0 (a boundary record belongs to the phase that ends there), 1, 1, 0, 0
      [0, 0, 1, 1, 0, 0].forEach((p, i) => expect(traj.egTeachers![p][i]).toBe(traj.eg[i]));
      expect(traj.heads === undefined).toBe(heads === 'single');
    });

  it('the trajectory has the form of the CPU engine: keys in order, record times, T and vTeacher over both teachers, shapes', async () => {
    for (const heads of ['single', 'multi'] as const) {
      const c = SCHEDULE_CASES[heads][2];
      const [gpuRun] = await runSgdBatch(gpu.device, [c]);
      const cpuRun = runEngine('sgd', c);
      const shape = (x: unknown): unknown => (Array.isArray(x) ? [x.length, shape(x[0])] : typeof x);
      const form = (r: RunResult) => Object.entries(r.trajectory).map(([k, x]) => [k, shape(x)]);
      expect(form(gpuRun)).toEqual(form(cpuRun));
      for (const k of ['engine', 'model', 'K', 'M', 'N', 't', 'steps', 'T', 'vTeacher'] as const) expect(gpuRun.trajectory[k], `${heads}: ${k}`).toEqual(cpuRun.trajectory[k]);
    }
  });

  it('power: the same comparison fails when the schedule is walked wrongly', async () => {
    // the label stays teacher 0's after the switch; head 0 keeps training in every phase
    const teacher = await vsReference(gpu.device, SCHEDULE_CASES.single, { scheduleVariant: 'firstTeacherOnly' });
    expect(teacher.w).toBeGreaterThan(1e-3);
    const head = await vsReference(gpu.device, SCHEDULE_CASES.multi, { scheduleVariant: 'firstHeadOnly' });
    expect(head.v).toBeGreaterThan(1e-3);
  });

  it('heads multi: a head trains only while its teacher is active; v is the active head', async () => {
    const [res] = await runSgdBatch(gpu.device, SCHEDULE_CASES.multi.slice(0, 1));
    const { heads, v } = res.trajectory;
    const v0 = Array.from(initialWeights(SCHEDULE_CASES.multi[0]).v, Math.fround);
    // heads[record][head], records at t = 0, 0.8, 1, 1.6, 2, 2.4: head 1 untouched until 0.8 and after 1.6, head 0 frozen from 0.8 to 1.6
    const head = (h: number, i: number) => heads![i][h];
    expect(head(1, 0)).toEqual(v0);
    expect(head(1, 1)).toEqual(v0);
    expect(head(1, 2)).not.toEqual(v0);
    expect(head(1, 4)).toEqual(head(1, 3));
    expect(head(1, 5)).toEqual(head(1, 3));
    expect(head(0, 0)).toEqual(v0);
    expect(head(0, 1)).not.toEqual(v0);
    expect(head(0, 2)).toEqual(head(0, 1));
    expect(head(0, 3)).toEqual(head(0, 1));
    expect(head(0, 4)).not.toEqual(head(0, 3));
    [0, 0, 1, 1, 0, 0].forEach((h, i) => expect(v[i]).toEqual(head(h, i)));
  });

  it('α = 1 with the same readout and one head: exactly the one-teacher run (GPU and f64 reference)', async () => {
    // Same shaders as the erf activation case and the single-head schedule case (same batch flags).
    const one = cfg({ model: 'two-layer', N: 100, K: 3, M: 2, lr: 0.5, batchSize: 4, studentVScale: 0.5, sigma: 0.2, weightDecay: 0.02, tMax: 2, seed: 7 });
    const two = cfg({ ...one, recordScale: 'linear', teachers: [{}, { featureSimilarity: 1 }], schedule: [{ teacher: 0, until: 1 }, { teacher: 1, until: 2 }] });
    const a = await runSgdBatchDetailed(gpu.device, [one]);
    const b = await runSgdBatchDetailed(gpu.device, [two]);
    expect(Buffer.from(b.weights[0].buffer).equals(Buffer.from(a.weights[0].buffer))).toBe(true);
    const ta = a.results[0].trajectory, tb = b.results[0].trajectory;
    expect(tb.t).toEqual(ta.t);
    expect(tb.eg).toEqual(ta.eg);
    expect(tb.Q).toEqual(ta.Q);
    expect(tb.v).toEqual(ta.v);
    expect(tb.R.map((R) => R.map((row) => row.slice(0, 2)))).toEqual(ta.R);
    expect(tb.R.map((R) => R.map((row) => row.slice(2)))).toEqual(ta.R);
    const refA = new ReferenceSgd(one, initialWeights(one));
    const refB = new ReferenceSgd(two, initialWeights(two));
    refA.runTo(200);
    refB.runTo(200);
    expect(Buffer.from(refB.state.W.buffer).equals(Buffer.from(refA.state.W.buffer))).toBe(true);
    expect(refB.state.v).toEqual(refA.state.v);
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
  it('a batch whose runs differ in α (and seed, lr, readout): each run equals the same run alone', async () => {
    // The multi-head schedule case's shader (σ > 0 and weight decay in every run).
    const runs = [0, 0.5, 1, 0.3].map((alpha, i) => cfg({ ...SCHEDULE_CASES.multi[0], seed: 20 + i, lr: 0.3 + 0.1 * i, teachers: [{}, { featureSimilarity: alpha, ...(i === 3 ? { vTeacher: [0.5, 2] } : {}) }] }));
    const together = await runSgdBatchDetailed(gpu.device, runs, { maxStepsPerDispatch: 25, recordsPerReadback: 2 });
    for (let i = 0; i < runs.length; i++) {
      const alone = await runSgdBatchDetailed(gpu.device, [runs[i]]);
      expect(JSON.stringify(together.results[i]), `α run ${i}`).toBe(JSON.stringify(alone.results[0]));
      expect(Buffer.from(together.weights[i].buffer).equals(Buffer.from(alone.weights[0].buffer))).toBe(true);
    }
  });
  it('splitIntoBatches groups compatible runs and keeps their indices', async () => {
    const list = [cfg({ ...base, seed: 1 }), cfg({ ...base, K: 3, seed: 2 }), cfg({ ...base, seed: 3, lr: 2 })];
    const batches = splitIntoBatches(list);
    expect(batches.map((b) => b.indices)).toEqual([[0, 2], [1]]);
    await expect(runSgdBatch(gpu.device, list)).rejects.toThrow(/not compatible/);
  });
  it('maxRunsPerBatch: the runs whose weights (K + P·M rows each) fit one storage binding; runSgdBatches splits by it', async () => {
    const limits = { maxComputeWorkgroupSizeX: 256, maxComputeInvocationsPerWorkgroup: 256, maxComputeWorkgroupsPerDimension: 65535, maxStorageBufferBindingSize: 2 ** 27 };
    const big = { model: 'two-layer', N: 784, K: 4, M: 4, tMax: 1, studentVScale: 0.5 };
    // N = 784: 196 blocks of 4 inputs, 64 threads × 4 blocks each = 256 padded blocks of 16 bytes per row
    expect(maxRunsPerBatch(limits, cfg(big))).toBe(Math.floor(2 ** 27 / (8 * 256 * 16)));
    expect(maxRunsPerBatch(limits, cfg({ ...big, teachers: [{}, { featureSimilarity: 0.5 }] }))).toBe(Math.floor(2 ** 27 / (12 * 256 * 16)));
    expect(maxRunsPerBatch({ ...limits, maxComputeWorkgroupsPerDimension: 100 }, cfg(big))).toBe(100);
    // A device that holds 2 runs of `base` per batch: 5 runs go in 3 batches, each result as in one batch of 5.
    const runs = [1, 2, 3, 4, 5].map((seed) => cfg({ ...base, seed }));
    const own = pick(gpu.device.limits);
    const tpr = defaultThreadsPerRun(60, 2, 2, Math.min(own.maxComputeWorkgroupSizeX, own.maxComputeInvocationsPerWorkgroup));
    const perRun = 4 * shaderLayout({ N: 60, K: 2, M: 2, threadsPerRun: tpr }).paddedBlocks * 16;
    const small = new Proxy(gpu.device, {
      get: (d, k) => (k === 'limits' ? { ...own, maxStorageBufferBindingSize: Math.ceil(2.5 * perRun) } : typeof Reflect.get(d, k) === 'function' ? Reflect.get(d, k).bind(d) : Reflect.get(d, k)),
    });
    expect(maxRunsPerBatch(small.limits, runs[0])).toBe(2);
    const sizes: number[] = [];
    const split = await runSgdBatches(small, runs, { onBatchDone: (idx) => sizes.push(idx.length) });
    expect(sizes).toEqual([2, 2, 1]);
    expect(JSON.stringify(split)).toBe(JSON.stringify(await runSgdBatch(gpu.device, runs)));
  });
  it('batchKey: runs differing in α or a teacher readout share a batch; teacher count, heads, schedule and activation split', () => {
    const sched = { ...base, teachers: [{}, { featureSimilarity: 0.5 }], schedule: [{ teacher: 0, until: 0.5 }, { teacher: 1, until: 1 }] };
    const list = [
      cfg(sched),
      cfg({ ...sched, teachers: [{}, { featureSimilarity: 0.9, vTeacher: [1, 2] }], seed: 2 }),
      cfg({ ...sched, heads: 'multi' }),
      cfg({ ...sched, schedule: [{ teacher: 1, until: 0.5 }, { teacher: 0, until: 1 }] }),
      cfg({ ...sched, teachers: [{}, {}, {}] }),
      cfg({ ...sched, activation: 'linear' }),
      cfg(base),
    ];
    expect(splitIntoBatches(list).map((b) => b.indices)).toEqual([[0, 1], [2], [3], [4], [5], [6]]);
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

/** A device's limits as a plain object (GPUSupportedLimits' fields are getters). */
function pick(l: GPUSupportedLimits): { maxComputeWorkgroupSizeX: number; maxComputeInvocationsPerWorkgroup: number; maxComputeWorkgroupsPerDimension: number; maxStorageBufferBindingSize: number } {
  return { maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX, maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup, maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension, maxStorageBufferBindingSize: l.maxStorageBufferBindingSize };
}
