/// <reference types="@webgpu/types" />
/**
 * The engine table keyed by (engine, backend): what each engine is on each backend that runs
 * it, as a kernel registry holds one implementation per (op, backend). Everything that
 * depends on where a run is computed reads it: the run's cache key (its code), the scheduler's
 * order and ETAs and the cluster's shard plan (its cost), the sweep and pipeline checks (what
 * the backend can hold), and the dispatch itself (`dispatch`: one way to run a list of configs
 * on a backend, for the CLI, the scheduler, its worker processes and the shard runner).
 *
 * The table is a Record over the engine names (src/model/engineNames.ts) and every engine has a
 * cpu entry, so an engine added to the names does not compile until it has one; a backend
 * added to the names has entries only where it runs something. What an engine is regardless
 * of backend (its cost in work units, its buffers, the fields it ignores, its CPU
 * implementation) is the engine registry, src/engines.ts.
 */
import type { RunConfig } from './config.ts';
import { runCost, runEngine } from './engines.ts';
import { batchKey, gpuConfigProblem, runSgdBatches } from './gpu/engine.ts';
import { gpuDeviceProblem, gpuRunProblem } from './gpu/limits.ts';
import { BACKEND_NAMES, ENGINE_NAMES, type Backend, type EngineName } from './model/engineNames.ts';
import type { RunResult } from './result.ts';
import type { SolveOptions } from './theory/solve.ts';

export { BACKEND_NAMES, ENGINE_NAMES, type Backend, type EngineName };

/** An opened GPU, as the dispatch of a GPU backend needs it. */
export interface GpuSession {
  device: GPUDevice;
  adapterName: string;
  isSoftware: boolean;
  /** Dawn's backend ('vulkan', 'opengles', …) when known: some limits are that backend's. */
  backend?: string;
  close(): void;
}

/** A config field a backend cannot take, and why (one phrase). */
export interface FieldProblem {
  field: keyof RunConfig;
  message: string;
}

export interface DispatchContext {
  /** The opened GPU: required by a backend that needs one (BACKENDS[b].gpu). */
  gpu?: GpuSession;
  /** Fraction of the configs' work done, now and then. */
  onProgress?: (fraction: number) => void;
  /** Each group of results as soon as it is done (`indices` into the configs). */
  onDone?: (indices: number[], results: RunResult[]) => void;
  /** The ODE's integrator and tolerance (tsdyn ode --method, --rtol). */
  ode?: SolveOptions;
}

/** What one engine is on one backend. */
export interface EngineOnBackend {
  /**
   * Seconds per unit of the engine's cost (ENGINES[e].cost) for one run, for the order of runs,
   * the SLURM shard plan and ETAs. runCost alone puts an ODE far above a short sampler run
   * that takes as long; this puts them on one scale.
   */
  secondsPerCost: number;
  /**
   * Runs many configs at once, in compatible batches, in the process that holds the device;
   * otherwise one config at a time, in worker processes (or in this process: a task with one CPU).
   */
  batches: boolean;
  /**
   * The modules whose import closure decides this pair's results: its cache keys carry their
   * digest (src/runs/digest.ts), so an edit there recomputes exactly the runs it can change.
   */
  code: readonly string[];
  /** Why this backend does not compute this config at all (the run then goes to the cpu), or null. */
  unsupported(config: RunConfig): string | null;
  /** Why no device of this backend can hold this config (the run is refused before any work), or null. */
  limitProblem(config: RunConfig): FieldProblem | null;
  /** Why the opened device cannot hold this config (checked before its first dispatch), or null. */
  deviceProblem?(config: RunConfig, gpu: GpuSession): FieldProblem | null;
  /** A batching pair: runs with equal groups can share a batch (the SLURM executor keeps them in one shard). */
  batchGroup?(config: RunConfig): string;
  /** Run the configs: results in input order, each group also reported through `onDone` as it completes. */
  run(configs: readonly RunConfig[], ctx: DispatchContext): Promise<RunResult[]>;
}

/** Backends: where runs are computed. */
export const BACKENDS = {
  cpu: { summary: 'the TypeScript engines on the CPU, one run per worker process', gpu: false },
  webgpu: { summary: 'online SGD on WebGPU, compatible runs batched, in the orchestrating process', gpu: true },
} as const satisfies Record<Backend, { summary: string; /** Needs an opened GPU (a device in this process, a GPU slot on a cluster). */ gpu: boolean }>;

/** An engine's cpu entry: its CPU implementation (src/engines.ts), one config after another. */
function onCpu(engine: EngineName, secondsPerCost: number): EngineOnBackend {
  return {
    secondsPerCost,
    batches: false,
    // What decides a cpu result: runEngine and every engine it dispatches to.
    code: ['src/engines.ts'],
    unsupported: () => null,
    limitProblem: () => null,
    async run(configs, ctx) {
      const n = configs.length;
      return configs.map((config, i) => {
        const onProgress = ctx.onProgress && ((f: number) => ctx.onProgress!((i + f) / n));
        const result = runEngine(engine, config, { ode: ctx.ode, onProgress });
        ctx.onDone?.([i], [result]);
        return result;
      });
    },
  };
}

/** The GPU of a dispatch that needs one. */
function gpuOf(ctx: DispatchContext): GpuSession {
  if (!ctx.gpu) throw new Error('dispatch: this backend needs an opened GPU');
  return ctx.gpu;
}

/**
 * The table. Seconds per cost unit, on one core of this project's 2-core machine (docs/testing.md,
 * "Benchmarks"): ~7 µs per SGD step at N = 784, K = M = 4; the sampler's unit is cheaper per step
 * but slower per unit; the ODE K = 6 to t = 1000 in ~0.3 s. The webgpu entry keeps the CPU's
 * figure: a batch's wall time is shared by its runs and has not been measured per unit, so
 * plans and ETAs rank GPU runs as the CPU's.
 */
export const ENGINE_BACKENDS = {
  ode: { cpu: onCpu('ode', 4e-7) },
  sgd: {
    cpu: onCpu('sgd', 7e-6),
    webgpu: {
      secondsPerCost: 7e-6,
      batches: true,
      // What decides a webgpu result: the host engine and what it imports (its shader, its random
      // stream), not the adapter loader or the test reference.
      code: ['src/gpu/engine.ts'],
      unsupported: gpuConfigProblem,
      limitProblem: gpuRunProblem,
      deviceProblem: (config, gpu) => gpuDeviceProblem(config, gpu.device.limits, gpu.backend ?? ''),
      batchGroup: batchKey,
      run: (configs, ctx) => runSgdBatches(gpuOf(ctx).device, [...configs], { onProgress: ctx.onProgress, onBatchDone: ctx.onDone }),
    },
  },
  sampler: { cpu: onCpu('sampler', 4e-5) },
} as const satisfies { [E in EngineName]: { cpu: EngineOnBackend } & { [B in Backend]?: EngineOnBackend } };

export function isBackend(x: unknown): x is Backend {
  return typeof x === 'string' && Object.hasOwn(BACKENDS, x);
}

/** Whether `backend` runs `engine` at all. */
export function backendRuns(backend: Backend, engine: EngineName): boolean {
  return Object.hasOwn(ENGINE_BACKENDS[engine], backend);
}

/** The engines `backend` runs, in the names' order. */
export function enginesOn(backend: Backend): EngineName[] {
  return ENGINE_NAMES.filter((e) => backendRuns(backend, e));
}

/** The entry of (engine, backend); throws for a pair the table lacks (check backendRuns first). */
export function onBackend(engine: EngineName, backend: Backend): EngineOnBackend {
  const entry = (ENGINE_BACKENDS[engine] as Partial<Record<Backend, EngineOnBackend>>)[backend];
  if (!entry) throw new Error(`engine ${engine} does not run on backend ${backend}`);
  return entry;
}

/** Every (engine, backend) the table holds, engines in the names' order, then backends in theirs. */
export function enginePairs(): { engine: EngineName; backend: Backend }[] {
  return ENGINE_NAMES.flatMap((engine) => BACKEND_NAMES.filter((b) => backendRuns(b, engine)).map((backend) => ({ engine, backend })));
}

/**
 * The backend a run goes to when its study's backend is `backend`: that backend when it runs
 * the engine and supports the config, else the cpu (webgpu runs only sgd, and no test-set ε_g).
 */
export function runBackend(run: { engine: EngineName; config: RunConfig }, backend: Backend): Backend {
  return backendRuns(backend, run.engine) && onBackend(run.engine, backend).unsupported(run.config) === null ? backend : 'cpu';
}

/** The backend a jobs file gives a job that names none: the one that batches its engine, else the cpu. */
export function defaultBatchBackend(engine: EngineName): Backend {
  return BACKEND_NAMES.find((b) => backendRuns(b, engine) && onBackend(engine, b).batches) ?? 'cpu';
}

/** Expected seconds of a run on its backend (default cpu), for the order, the plan and the ETA. */
export function expectedSeconds(run: { engine: EngineName; backend?: Backend; config: RunConfig }): number {
  return runCost(run) * onBackend(run.engine, run.backend ?? 'cpu').secondsPerCost;
}

/** A run's label for who computed it, as cache entries and snapshots record it: 'cpu' or 'webgpu: <adapter>'. */
export function computedBy(backend: Backend, gpu?: Pick<GpuSession, 'adapterName'>): string {
  return BACKENDS[backend].gpu ? `${backend}: ${gpu?.adapterName ?? 'unknown adapter'}` : backend;
}

/** Run `configs` with `engine` on `backend`: the one way every caller runs engines outside the browser. */
export function dispatch(engine: EngineName, backend: Backend, configs: readonly RunConfig[], ctx: DispatchContext = {}): Promise<RunResult[]> {
  return onBackend(engine, backend).run(configs, ctx);
}

