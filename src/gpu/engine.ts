/// <reference types="@webgpu/types" />
/**
 * Host side of the WebGPU online-SGD engine: runs a batch of compatible runs in one set of
 * GPU buffers with the shader of `wgsl.ts`, and returns one RunResult per run.
 *
 * Uses only the standard WebGPU API on a `GPUDevice` passed in (no Node imports), so the
 * same code runs in a browser; `node.ts` opens a device under Node.
 *
 * Runs in a batch share model, N, K, M, B, trainV, the activation, the number of teachers, the
 * heads mode, the schedule and the record grid (`batchKey`); they may differ in seed, lr, lr2,
 * weight decay, sigma, scales, vTeacher, the teachers' featureSimilarity and readouts, and init.
 * Each run starts from the weights the CPU engine would use (`drawInitialWeights`, or
 * `weightsFromOrderParams` with `init`) and draws its data from the Philox stream keyed by its
 * seed (`philox.ts`), so a run's result does not depend on the other runs of its batch.
 *
 * Schedule (src/model/schedule.ts): the host walks the phases as the driver (src/drive.ts)
 * does. Every phase boundary is a record step, so a dispatch lies within one phase; its control
 * block names the phase's teacher (whose label the student learns) and head (the one trained).
 *
 * Records: Q, R over every teacher's units, every head and an f32 ε_g are reduced on the GPU
 * and read back in bulk. The host turns them into the trajectory with the driver's `Recorder`,
 * so ε_g (on the active teacher, and on each teacher with several), the heads and the
 * divergence check (Q_kk > 10⁴ or a non-finite ε_g) are the CPU engines' own: ε_g is the
 * closed form evaluated in f64 on the read-back Q, R, v, a sum of O(1) terms that cancel down
 * to 10⁻⁵ and below, where an f32 evaluation loses digits. The GPU's f32 ε_g (active teacher)
 * is kept for tests. Specific to the GPU: the shader freezes a run whose error signal blew up
 * (|ΣΔ| ≥ 10¹⁵ or NaN) and the host reports it diverged at that step.
 */
import { DEFAULT_ACTIVATION } from '../activations/registry.ts';
import { secondLayerLr, weightDecayOf, type RunConfig } from '../config.ts';
import { Recorder, recordsByPhase } from '../drive.ts';
import { headCount, headOf, schedulePhases, teacherCount, type Phase } from '../model/schedule.ts';
import { recordSteps } from '../recordTimes.ts';
import { completed, diverged, type RunResult } from '../result.ts';
import { drawInitialWeights, initialOrderParams, weightsFromOrderParams, type Weights } from '../sim/weights.ts';
import { DivergenceError } from '../model/divergence.ts';
import { gram } from '../model/orderParams.ts';
import { CONTROL_STRIDE, defaultThreadsPerRun, generateSgdShader, PARAM_HEAD, qIndex, rIndex, shaderLayout, type ShaderLayout, type ShaderSpec } from './wgsl.ts';
import { philoxKey } from './philox.ts';

// WebGPU flag values (spec constants; the GPUBufferUsage/GPUMapMode globals may be absent under Node).
const MAP_READ = 0x1;
const COPY_SRC = 0x4;
const COPY_DST = 0x8;
const UNIFORM = 0x40;
const STORAGE = 0x80;


export interface GpuBatchOptions {
  /** Threads per run (workgroup size); default `defaultThreadsPerRun`. */
  threadsPerRun?: number;
  /** Most SGD steps one dispatch runs (bounds a dispatch's duration for watchdogs). */
  maxStepsPerDispatch?: number;
  /** Records buffered on the GPU before a bulk readback. */
  recordsPerReadback?: number;
  /** Most dispatches per submission (progress and abort are checked between submissions). */
  dispatchesPerSubmit?: number;
  /** Called after each readback with the fraction of steps done. */
  onProgress?: (fraction: number) => void;
  /** Stops the batch between submissions (the promise rejects with the signal's reason). */
  signal?: AbortSignal;
  /** Testing only: deliberately wrong update (power checks). */
  variant?: ShaderSpec['variant'];
  /**
   * Testing only: deliberately wrong schedule (power checks): 'firstTeacherOnly' keeps the
   * label on teacher 0 in every phase, 'firstHeadOnly' trains head 0 in every phase.
   */
  scheduleVariant?: 'firstTeacherOnly' | 'firstHeadOnly';
  /** Testing only: rewrite the generated WGSL (e.g. to emulate an accumulator that is not reset). */
  shaderTransform?: (code: string) => string;
}

export interface GpuBatchDetail {
  results: RunResult[];
  /** Final student first layers (K×N row-major, f32 values), per run. */
  weights: Float64Array[];
  /** ε_g as computed in f32 on the GPU, per run and record. */
  egF32: number[][];
  /** The WGSL the batch ran. */
  shader: string;
}

/**
 * What runs must share to go into one batch: what the shader is compiled for, and the
 * schedule (teacher and end step of each phase) that the batch's dispatches walk.
 */
export function batchKey(c: RunConfig): string {
  const trainV = c.model === 'two-layer' && c.trainSecondLayer;
  const protocol = teacherCount(c) === 1 && !c.schedule ? [] : [teacherCount(c), headCount(c), schedulePhases(c).map((p) => [p.teacher, p.toStep])];
  return JSON.stringify([c.model, c.N, c.K, c.M, c.batchSize, trainV, c.activation ?? DEFAULT_ACTIVATION, recordSteps(c), ...protocol]);
}

/** Split any list of runs into batches of compatible runs (at most `maxRuns` each), keeping input indices. */
export function splitIntoBatches(configs: RunConfig[], maxRuns = 4096): { indices: number[]; configs: RunConfig[] }[] {
  const groups = new Map<string, number[]>();
  configs.forEach((c, i) => {
    const k = batchKey(c);
    const g = groups.get(k);
    if (g) g.push(i);
    else groups.set(k, [i]);
  });
  const out: { indices: number[]; configs: RunConfig[] }[] = [];
  for (const idx of groups.values())
    for (let a = 0; a < idx.length; a += maxRuns) {
      const indices = idx.slice(a, a + maxRuns);
      out.push({ indices, configs: indices.map((i) => configs[i]) });
    }
  return out;
}

/** Initial weights of a run, exactly those of the CPU engine (src/engines.ts runSimulation). */
export function initialWeights(config: RunConfig): Weights {
  return config.init ? weightsFromOrderParams(initialOrderParams(config), config.N, config.seed) : drawInitialWeights(config);
}

const pipelines = new WeakMap<GPUDevice, Map<string, { pipeline: GPUComputePipeline; layout: GPUBindGroupLayout }>>();

/** Compile (once per device and shader) the batch pipeline; rejects with the compiler's messages. */
export async function sgdPipeline(device: GPUDevice, code: string): Promise<{ pipeline: GPUComputePipeline; layout: GPUBindGroupLayout }> {
  let cache = pipelines.get(device);
  if (!cache) pipelines.set(device, (cache = new Map()));
  const hit = cache.get(code);
  if (hit) return hit;
  const module = device.createShaderModule({ code });
  const info = await module.getCompilationInfo();
  const errors = info.messages.filter((m) => m.type === 'error');
  if (errors.length) throw new Error(`WGSL compilation failed: ${errors.map((m) => `${m.lineNum}:${m.linePos} ${m.message}`).join('; ')}`);
  const storage = (binding: number, type: GPUBufferBindingType): GPUBindGroupLayoutEntry => ({ binding, visibility: 4 /* COMPUTE */, buffer: { type } });
  const layout = device.createBindGroupLayout({
    entries: [
      storage(0, 'read-only-storage'),
      storage(1, 'storage'),
      storage(2, 'storage'),
      storage(3, 'storage'),
      { binding: 4, visibility: 4, buffer: { type: 'uniform', hasDynamicOffset: true } },
    ],
  });
  device.pushErrorScope('validation');

  const pipeline = device.createComputePipeline({
    layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }),
    compute: { module, entryPoint: 'main' },
  });
  const err = await device.popErrorScope();
  if (err) throw new Error(`WebGPU pipeline creation failed: ${err.message}`);
  const out = { pipeline, layout };
  cache.set(code, out);
  return out;
}

interface Dispatch {
  from: number;
  to: number;
  /** Record slot (within the readback group) written at the end, or −1. */
  slot: number;
}

/**
 * The batch's dispatches, grouped per submission + readback: steps in chunks of at most
 * `maxStepsPerDispatch`, a record at each record step; a group closes after
 * `recordsPerReadback` records or `maxDispatches` dispatches (so long record gaps still
 * report progress and the abort signal is checked).
 */
export function planDispatches(steps: number[], maxStepsPerDispatch: number, recordsPerReadback: number, maxDispatches = 256): { dispatches: Dispatch[]; recordSteps: number[] }[] {
  const groups: { dispatches: Dispatch[]; recordSteps: number[] }[] = [];
  let cur: { dispatches: Dispatch[]; recordSteps: number[] } = { dispatches: [], recordSteps: [] };
  let at = 0;
  for (const target of steps) {
    while (true) {
      const to = Math.min(target, at + maxStepsPerDispatch);
      const rec = to === target;
      if (cur.dispatches.length >= maxDispatches) {
        groups.push(cur);
        cur = { dispatches: [], recordSteps: [] };
      }
      cur.dispatches.push({ from: at, to, slot: rec ? cur.recordSteps.length : -1 });
      if (rec) cur.recordSteps.push(target);
      at = to;
      if (rec) break;
    }
    if (cur.recordSteps.length >= recordsPerReadback) {
      groups.push(cur);
      cur = { dispatches: [], recordSteps: [] };
    }
  }
  if (cur.dispatches.length) groups.push(cur);
  return groups;
}

/** A batch's results (the final weights stay on the GPU: reading them back is tests' business). */
export async function runSgdBatch(device: GPUDevice, configs: RunConfig[], opts: GpuBatchOptions = {}): Promise<RunResult[]> {
  return (await runBatch(device, configs, opts, false)).results;
}

/** A batch's results with the final weights read back (tests, drift measurements). */
export async function runSgdBatchDetailed(device: GPUDevice, configs: RunConfig[], opts: GpuBatchOptions = {}): Promise<GpuBatchDetail> {
  return runBatch(device, configs, opts, true);
}

async function runBatch(device: GPUDevice, configs: RunConfig[], opts: GpuBatchOptions, withWeights: boolean): Promise<GpuBatchDetail> {
  if (configs.length === 0) return { results: [], weights: [], egF32: [], shader: '' };
  const c0 = configs[0];
  const key0 = batchKey(c0);
  configs.forEach((c, i) => {
    if (batchKey(c) !== key0) throw new Error(`runSgdBatch: run ${i} is not compatible with run 0 (model, N, K, M, batchSize, trainSecondLayer, activation, teachers, heads, schedule and record grid must match); use splitIntoBatches`);
  });
  const R = configs.length;
  const { N, K, M } = c0;
  const limits = device.limits;
  if (R > limits.maxComputeWorkgroupsPerDimension) throw new Error(`runSgdBatch: ${R} runs exceed the device's ${limits.maxComputeWorkgroupsPerDimension} workgroups per dimension`);
  const steps = recordSteps(c0);
  if (steps[steps.length - 1] >= 2 ** 32 - 1) throw new Error('runSgdBatch: more than 2^32 − 2 steps');
  const maxThreads = Math.min(limits.maxComputeWorkgroupSizeX, limits.maxComputeInvocationsPerWorkgroup);
  const tpr = opts.threadsPerRun ?? defaultThreadsPerRun(N, K, M, maxThreads);
  const spec: ShaderSpec = {
    N, K, M,
    B: c0.batchSize,
    trainV: c0.model === 'two-layer' && c0.trainSecondLayer,
    noise: configs.some((c) => c.sigma > 0),
    decay: configs.some((c) => weightDecayOf(c) > 0),
    activation: c0.activation,
    teachers: teacherCount(c0),
    threadsPerRun: tpr,
    variant: opts.variant,
  };
  const L = shaderLayout(spec);
  const rows = L.rows;
  const U = L.units;
  const shader = (opts.shaderTransform ?? ((c: string) => c))(generateSgdShader(spec));
  const { pipeline, layout } = await sgdPipeline(device, shader);

  // Initial state on the host (f64 weights → f32 buffers); teacher rows: every teacher's units (U = P·M).
  const weights = configs.map(initialWeights);
  const Ts = weights.map((w) => gram(w.Wt, w.Wt, U, U, N));
  const params = new Uint32Array(R * L.paramWords);
  const pf = new Float32Array(params.buffer);
  const wInit = new Float32Array(R * rows * L.paddedBlocks * 4);
  const vInit = new Uint32Array(R * L.vWords);
  const vf = new Float32Array(vInit.buffer);
  configs.forEach((c, r) => {
    const [k0, k1] = philoxKey(c.seed);
    const o = r * L.paramWords;
    params[o] = k0;
    params[o + 1] = k1;
    pf[o + 2] = c.lr;
    pf[o + 3] = c.sigma;
    pf[o + 4] = secondLayerLr(c);
    pf[o + 5] = weightDecayOf(c);
    const w = weights[r];
    for (let u = 0; u < U; u++) pf[o + PARAM_HEAD + u] = w.vTeacher[u];
    // each teacher's M×M block of T (the f32 ε_g is on the active teacher)
    for (let p = 0; p < U / M; p++)
      for (let a = 0; a < M; a++) for (let b = 0; b < M; b++) pf[o + PARAM_HEAD + U + p * M * M + a * M + b] = Ts[r][(p * M + a) * U + p * M + b];
    for (let f = 0; f < rows; f++) {
      const src = f < K ? w.W : w.Wt;
      const row = f < K ? f : f - K;
      wInit.set(src.subarray(row * N, (row + 1) * N), (r * rows + f) * L.paddedBlocks * 4);
    }
    // every head slot starts from the student's initial second layer
    for (let h = 0; h < L.heads; h++) for (let k = 0; k < K; k++) vf[r * L.vWords + h * K + k] = w.v[k];
  });

  const maxStepsPerDispatch = opts.maxStepsPerDispatch ?? 1024;
  const recordsPerReadback = Math.max(1, Math.min(opts.recordsPerReadback ?? 64, Math.floor(limits.maxStorageBufferBindingSize / (R * L.recordWords * 4))));
  const groups = planDispatches(steps, maxStepsPerDispatch, recordsPerReadback, opts.dispatchesPerSubmit);
  const maxGroupDispatches = Math.max(...groups.map((g) => g.dispatches.length));
  const maxGroupRecords = Math.max(...groups.map((g) => g.recordSteps.length));

  const buffers: GPUBuffer[] = [];
  const make = (size: number, usage: number, data?: ArrayBufferView): GPUBuffer => {
    const b = device.createBuffer({ size: Math.max(16, Math.ceil(size / 4) * 4), usage });
    buffers.push(b);
    if (data) device.queue.writeBuffer(b, 0, data.buffer, data.byteOffset, data.byteLength);
    return b;
  };
  const wBytes = wInit.byteLength;
  if (wBytes > limits.maxStorageBufferBindingSize) throw new Error(`runSgdBatch: ${R} runs need ${wBytes} bytes of weights, above the device's storage binding limit ${limits.maxStorageBufferBindingSize}; split the batch`);
  try {
    const paramBuf = make(params.byteLength, STORAGE | COPY_DST, params);
    const wBuf = make(wBytes, STORAGE | COPY_DST | COPY_SRC, wInit);
    const vBuf = make(vInit.byteLength, STORAGE | COPY_DST, vInit);
    const recBytes = maxGroupRecords * R * L.recordWords * 4;
    const recBuf = make(recBytes, STORAGE | COPY_SRC);
    const readBuf = make(recBytes, MAP_READ | COPY_DST);
    const ctlBuf = make(maxGroupDispatches * CONTROL_STRIDE, UNIFORM | COPY_DST);
    const bindGroup = device.createBindGroup({
      layout,
      entries: [
        { binding: 0, resource: { buffer: paramBuf } },
        { binding: 1, resource: { buffer: wBuf } },
        { binding: 2, resource: { buffer: vBuf } },
        { binding: 3, resource: { buffer: recBuf, size: recBytes } },
        { binding: 4, resource: { buffer: ctlBuf, size: CONTROL_BYTES } },
      ],
    });

    // engine 'sgd': the same law as the CPU engine; which backend ran it is recorded by the
    // caller (output provenance, cache key), not in the trajectory.
    const recorders = configs.map((c, r) => new Recorder(GPU_LABEL, 'sgd', c, Ts[r], weights[r].vTeacher));
    const status: ({ t: number; reason: string } | null)[] = configs.map(() => null);
    const egF32: number[][] = configs.map(() => []);
    const total = steps[steps.length - 1];
    const phases = schedulePhases(c0);
    const phaseAt = recordPhases(c0);
    const ctl = new Uint32Array((maxGroupDispatches * CONTROL_STRIDE) / 4);
    for (const group of groups) {
      opts.signal?.throwIfAborted();
      ctl.fill(0);
      group.dispatches.forEach((d, i) => {
        const o = (i * CONTROL_STRIDE) / 4;
        // the phase of steps from … to − 1 (a step-0 record dispatch: the first phase)
        const phase = phases.find((p) => d.from < p.toStep) ?? phases[phases.length - 1];
        ctl[o] = d.from;
        ctl[o + 1] = d.to;
        ctl[o + 2] = d.slot >= 0 ? 1 : 0;
        ctl[o + 3] = Math.max(0, d.slot);
        ctl[o + 4] = R;
        ctl[o + 5] = L.fields;
        ctl[o + 6] = L.recordRounds;
        ctl[o + 7] = opts.scheduleVariant === 'firstTeacherOnly' ? 0 : phase.teacher;
        ctl[o + 8] = opts.scheduleVariant ? 0 : headOf(c0, phase.teacher);
      });
      device.queue.writeBuffer(ctlBuf, 0, ctl.buffer, 0, group.dispatches.length * CONTROL_STRIDE);
      const enc = device.createCommandEncoder();
      const pass = enc.beginComputePass();
      pass.setPipeline(pipeline);
      group.dispatches.forEach((_, i) => {
        pass.setBindGroup(0, bindGroup, [i * CONTROL_STRIDE]);
        pass.dispatchWorkgroups(R);
      });
      pass.end();
      const bytes = group.recordSteps.length * R * L.recordWords * 4;
      if (bytes > 0) enc.copyBufferToBuffer(recBuf, 0, readBuf, 0, bytes);
      device.queue.submit([enc.finish()]);
      let rec = new Float32Array(0);
      if (bytes > 0) {
        await readBuf.mapAsync(1 /* READ */, 0, bytes);
        rec = new Float32Array(readBuf.getMappedRange(0, bytes).slice(0));
        readBuf.unmap();
      } else await device.queue.onSubmittedWorkDone(); // a group without records: wait, for progress and abort
      group.recordSteps.forEach((step, slot) => {
        const phase = phaseAt.get(step)!;
        for (let r = 0; r < R; r++) {
          if (status[r]) continue;
          status[r] = appendGpuRecord(recorders[r], configs[r], L, step, phase, rec, (slot * R + r) * L.recordWords, egF32[r]);
        }
      });
      opts.onProgress?.(group.dispatches[group.dispatches.length - 1].to / Math.max(1, total));
    }

    // Final weights (tests, drift measurements): one bulk copy, only when asked for (at R = 4096,
    // N = 784 it is ~100 MB that production batches never read).
    const finalW = withWeights ? await readWeights() : [];
    const results = recorders.map(({ traj }, r) => {
      const s = status[r];
      return s ? diverged(traj, s.t, s.reason) : completed(traj);
    });
    return { results, weights: finalW, egF32, shader };

    async function readWeights(): Promise<Float64Array[]> {
      const wRead = make(wBytes, MAP_READ | COPY_DST);
      const enc = device.createCommandEncoder();
      enc.copyBufferToBuffer(wBuf, 0, wRead, 0, wBytes);
      device.queue.submit([enc.finish()]);
      await wRead.mapAsync(1, 0, wBytes);
      const wAll = new Float32Array(wRead.getMappedRange(0, wBytes).slice(0));
      wRead.unmap();
      return configs.map((_, r) => {
        const out = new Float64Array(K * N);
        for (let k = 0; k < K; k++) {
          const o = (r * rows + k) * L.paddedBlocks * 4;
          for (let i = 0; i < N; i++) out[k * N + i] = wAll[o + i];
        }
        return out;
      });
    }
  } finally {
    for (const b of buffers) b.destroy();
  }
}

/**
 * The record at `step` of one run from its read-back words (at offset o): Q, R over every
 * teacher unit and its heads, handed to the run's Recorder. Returns the run's status: null
 * while it is healthy, or why and when it diverged (then no record is appended).
 */
function appendGpuRecord(recorder: Recorder, config: RunConfig, L: ShaderLayout, step: number, phase: Phase, rec: Float32Array, o: number, egF32: number[]): { t: number; reason: string } | null {
  const { N, K, lr } = config;
  const U = L.units;
  const dead = rec[o + L.pairs + L.heads * K + 1];
  if (dead > 0) {
    // frozen by the shader at step dead − 1: the error signal became non-finite or huge
    const t = (dead - 1) / N;
    return { t, reason: `SGD diverged at t=${Number(t.toPrecision(6))} with lr=${lr}: the error signal became non-finite or exceeded 1e15` };
  }
  const Q = new Float64Array(K * K);
  const Rm = new Float64Array(K * U);
  for (let k = 0; k < K; k++) {
    for (let l = 0; l < K; l++) Q[k * K + l] = rec[o + qIndex(k, l, K)];
    for (let u = 0; u < U; u++) Rm[k * U + u] = rec[o + rIndex(k, u, K, U)];
  }
  // the run's heads: the first headCount slots (one per teacher with heads "multi", else slot 0)
  const heads = Array.from({ length: headCount(config) }, (_, h) => Float64Array.from(rec.subarray(o + L.pairs + h * K, o + L.pairs + (h + 1) * K)));
  try {
    recorder.record(step, phase, { Q, R: Rm, heads });
  } catch (e) {
    if (e instanceof DivergenceError) return { t: e.t, reason: e.message };
    throw e;
  }
  egF32.push(rec[o + L.pairs + L.heads * K]);
  return null;
}

/** The engine's name in divergence messages (the CPU SGD engine's: the same law). */
const GPU_LABEL = { label: 'SGD' };

/** Bytes of the control block the shader reads (9 u32, rounded up to WGSL's 16-byte struct size). */
const CONTROL_BYTES = 48;

/** The phase each record step belongs to (a record at a boundary: the phase that ends there). */
function recordPhases(config: RunConfig): Map<number, Phase> {
  const plan = recordsByPhase(config);
  const out = new Map<number, Phase>([[0, plan[0].phase]]);
  for (const { phase, recordAt } of plan) for (const s of recordAt) out.set(s, phase);
  return out;
}

/** Why this engine cannot run a config, or null (it has no test-set ε_g). */
export function gpuConfigProblem(config: RunConfig): string | null {
  return config.testSamples > 0 ? 'testSamples: is not supported by the WebGPU backend (use 0)' : null;
}

/**
 * Most runs like `c` that one batch can hold on a device with these limits: one workgroup per
 * run, and the runs' weights (K + P·M rows each: several teachers multiply them) and parameters
 * within one storage binding.
 */
export function maxRunsPerBatch(limits: Pick<GPUSupportedLimits, 'maxComputeWorkgroupSizeX' | 'maxComputeInvocationsPerWorkgroup' | 'maxComputeWorkgroupsPerDimension' | 'maxStorageBufferBindingSize'>, c: RunConfig): number {
  const maxThreads = Math.min(limits.maxComputeWorkgroupSizeX, limits.maxComputeInvocationsPerWorkgroup);
  const L = shaderLayout({ N: c.N, K: c.K, M: c.M, threadsPerRun: defaultThreadsPerRun(c.N, c.K, c.M, maxThreads), teachers: teacherCount(c) });
  const perRun = Math.max(L.rows * L.paddedBlocks * 16, L.paramWords * 4);
  return Math.max(1, Math.min(limits.maxComputeWorkgroupsPerDimension, Math.floor(limits.maxStorageBufferBindingSize / perRun)));
}

/**
 * Run any list of SGD configs: split into compatible batches (splitIntoBatches) that fit the
 * device (maxRunsPerBatch), results in input order; `onBatchDone` sees each batch's results as
 * soon as it is done.
 */
export async function runSgdBatches(
  device: GPUDevice,
  configs: RunConfig[],
  opts: { signal?: AbortSignal; onProgress?: (fraction: number) => void; onBatchDone?: (indices: number[], results: RunResult[]) => void } = {},
): Promise<RunResult[]> {
  const results: RunResult[] = new Array(configs.length);
  let done = 0;
  const batches = splitIntoBatches(configs).flatMap((b) => {
    const most = maxRunsPerBatch(device.limits, b.configs[0]);
    const parts: typeof b[] = [];
    for (let a = 0; a < b.indices.length; a += most) parts.push({ indices: b.indices.slice(a, a + most), configs: b.configs.slice(a, a + most) });
    return parts;
  });
  for (const b of batches) {
    const res = await runSgdBatch(device, b.configs, {
      signal: opts.signal,
      onProgress: (f) => opts.onProgress?.((done + f * b.configs.length) / configs.length),
    });
    b.indices.forEach((idx, k) => (results[idx] = res[k]));
    opts.onBatchDone?.(b.indices, res);
    done += b.configs.length;
  }
  return results;
}
