/**
 * The run scheduler shared by `make figures` and `tsdyn sweep`: plan (which runs are not in the
 * cache, verified), then compute those in long-lived worker processes, one per core, fed the
 * costliest runs first and the next one as soon as a worker reports its last done, so every
 * core stays busy whatever the runs cost.
 *
 * Stopping: `installStopHandlers` makes SIGINT/SIGTERM/SIGHUP kill every worker at once and
 * exit (130/143/129) without writing anything more; results already renamed into the cache stay
 * valid and a rerun resumes from them. A parent killed without a handler (SIGKILL) leaves no
 * worker either: each worker ends itself when its parent is gone (src/runs/watchdog.mjs).
 *
 * Every result is checked against its run before it is stored (src/runs/integrity.ts), and
 * every cache entry when it is read, so a wrong result never reaches a figure or a table.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunConfig } from '../config.ts';
import { BACKENDS, computedBy, dispatch, expectedSeconds, onBackend, runBackend, type Backend, type EngineName, type GpuSession } from '../engineBackends.ts';
import { ROOT } from '../root.ts';
import { UsageError } from '../errors.ts';
import { cacheRunPath, readCacheEntry, storedTrajectory, writeCacheEntry, type CacheExpectation } from './cache.ts';
import { codeDigest } from './digest.ts';
import { cacheKey } from './hash.ts';
import { trajectoryProblem } from './integrity.ts';
import type { ExpectedRun } from './resultsFile.ts';
import { LineSplitter } from './lines.ts';
import { estimateResources } from '../resources.ts';
import { MAX_OUTPUT_BYTES } from '../sizes.ts';
import { abortStagedFiles, checkWritableFolder } from '../outputFolder.ts';
import type { RunResult } from '../result.ts';
import type { Trajectory } from '../trajectory.ts';

/** A run to compute: what the cache key and the stored entry record about it (the fields a results file's run holds). */
export type WorkerJob = ExpectedRun;

export interface PlannedJob extends WorkerJob {
  /** Expected seconds on one core (expectedSeconds), for the order, the plan and the ETA. */
  cost: number;
  /** The verified cached result, when there is one. */
  cached?: Trajectory;
  /** Who computed the cached result (the cache entry's backend label). */
  cachedBackend?: string;
}

/** A cache file that failed verification; it is recomputed. */
export interface CacheProblem {
  path: string;
  reason: string;
}

/** A run's cache key on its study's backend: the backend it goes to, and that pair's code digest. */
export function runCacheKey(run: { engine: EngineName; config: RunConfig }, backend: Backend): string {
  const b = runBackend(run, backend);
  return cacheKey(run, b, codeDigest(run.engine, b));
}

/**
 * Key every run, look it up in the cache, and say which cache files were bad. Runs with equal
 * keys (shared between figures) appear once. `backend` is the resolved backend of the study;
 * each job records the backend its run goes to (runBackend).
 */
export function planJobs(
  runs: { label: string; engine: EngineName; config: RunConfig; allowDivergence?: boolean }[],
  opts: { cacheDir: string; backend: Backend },
): { jobs: PlannedJob[]; problems: CacheProblem[]; jobOf: PlannedJob[] } {
  const jobs: PlannedJob[] = [];
  const problems: CacheProblem[] = [];
  const byKey = new Map<string, PlannedJob>();
  /** The job of each input run, in input order (runs with equal keys share one). */
  const jobOf: PlannedJob[] = [];
  for (const run of runs) {
    const key = runCacheKey(run, opts.backend);
    const known = byKey.get(key);
    if (known) {
      jobOf.push(known);
      continue;
    }
    const backend = runBackend(run, opts.backend);
    const lookup = readCacheEntry(opts.cacheDir, key, { engine: run.engine, config: run.config, backend });
    if (lookup.status === 'corrupt') problems.push({ path: lookup.path, reason: lookup.reason });
    const job: PlannedJob = {
      key,
      label: run.label,
      engine: run.engine,
      backend,
      config: run.config,
      ...(run.allowDivergence ? { allowDivergence: true } : {}),
      cost: expectedSeconds({ ...run, backend }),
      ...(lookup.status === 'hit' ? { cached: lookup.trajectory, cachedBackend: lookup.backend } : {}),
    };
    byKey.set(key, job);
    jobs.push(job);
    jobOf.push(job);
  }
  return { jobs, problems, jobOf };
}

/**
 * A run that failed: one line naming it. `internal`: the engine threw (a bug, or a limit no
 * check caught), which the commands report as an internal error (exit 2), not a user error.
 */
export class RunFailedError extends Error {
  constructor(
    message: string,
    readonly internal = false,
  ) {
    super(message);
    this.name = 'RunFailedError';
  }
}

/** What a job's cache entry must hold (readCacheEntry's expectation). */
export function expectationOf(job: WorkerJob): CacheExpectation {
  return { engine: job.engine, config: job.config, backend: job.backend };
}

/** A planned job's verified result: the plan's cache hit, or the entry read back after computing it. */
export function plannedResult(job: PlannedJob, cacheDir: string): { trajectory: Trajectory; backend: string } {
  if (job.cached) return { trajectory: job.cached, backend: job.cachedBackend! };
  const lookup = readCacheEntry(cacheDir, job.key, expectationOf(job));
  if (lookup.status !== 'hit') throw new RunFailedError(`run ${job.label} is not in the cache after computing it (${lookup.status === 'corrupt' ? `${lookup.path}: ${lookup.reason}` : 'missing'})`);
  return lookup;
}

/**
 * The worker process is `tsdyn worker` (src/commands/worker.ts): one job per stdin line,
 * `{"id", "engine", "backend", "config"}`, one `{"id", "result": RunResult}` or `{"id", "error"}` line back.
 * From the sources it starts through a tsx bootstrap beside this module; from the compiled CLI
 * it is `dist/cli.js worker`. The worker only computes: this process decides what a divergence
 * means and writes the cache, for CPU and GPU runs alike.
 */
const WORKER_SOURCE = fileURLToPath(new URL('../commands/worker.mjs', import.meta.url));
const WORKER_ARGS = existsSync(WORKER_SOURCE) ? [WORKER_SOURCE] : [join(ROOT, 'dist', 'cli.js'), 'worker'];

/** Why no worker process can start here (a single-file bundle copied alone has no dist/cli.js), or null. */
export function workerProblem(): string | null {
  return existsSync(WORKER_ARGS[0]) ? null : `no worker entry ${WORKER_ARGS[0]} (a bundle copied alone runs its cpu runs in one process)`;
}

/**
 * Record a computed result: the divergence policy, the check that it is this run's result,
 * and the cache write, whatever the backend. A failed write names the cache file.
 */
function storeResult(job: PlannedJob, result: RunResult, backendLabel: string, cacheDir: string): void {
  if (result?.status !== 'completed' && result?.status !== 'diverged') throw new RunFailedError(`${job.label}: internal error: the worker's reply holds no run result`, true);
  if (result.status === 'diverged' && !job.allowDivergence) throw new RunFailedError(`${job.label}: ${result.reason}`);
  const stored = storedTrajectory(result);
  const problem = trajectoryProblem(stored, job);
  if (problem) throw new RunFailedError(`${job.label}: internal error: its result does not fit the run (${problem})`, true);
  try {
    writeCacheEntry(cacheDir, job.key, { label: job.label, engine: job.engine, backend: backendLabel }, stored);
  } catch (e) {
    throw new RunFailedError(`cache: cannot write ${cacheRunPath(cacheDir, job.key)} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

function storeWith(options: RunJobsOptions): (job: PlannedJob, result: RunResult, backendLabel: string) => void {
  return options.store ?? ((job, result, label) => storeResult(job, result, label, options.cacheDir));
}

/**
 * `--jobs N` of the sweep, the pipeline and calibrate: an integer from 1 to twice the cores
 * (runs are CPU-bound: more workers than cores only share them, each costing a process and
 * its start-up), never more than 256. Without it, the number of cores.
 */
export function maxWorkers(): number {
  return Math.min(256, Math.max(2, 2 * availableParallelism()));
}

export function parseWorkerCount(raw: string | undefined, option = '--jobs'): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  const max = maxWorkers();
  if (!(raw.trim() !== '' && Number.isInteger(n) && n >= 1 && n <= max)) {
    throw new UsageError(`${option}: must be an integer 1 … ${max} (twice the ${availableParallelism()} cores), got ${JSON.stringify(raw)}`);
  }
  return n;
}

const live = new Set<ChildProcess>();

/** Kill every worker process this scheduler started. */
export function stopAllWorkers(): void {
  for (const child of live) child.kill('SIGKILL');
  live.clear();
}

let handlersInstalled = false;
const stopHandlers = new Map<NodeJS.Signals, () => void>();
const stopHooks = new Set<() => void>();

/**
 * Work to do, synchronously, when a stop signal arrives, before the process exits (the SLURM
 * executor cancels its job arrays: src/cluster/executor.ts). Returns the function that removes it.
 */
export function addStopHook(hook: () => void): () => void {
  stopHooks.add(hook);
  return () => stopHooks.delete(hook);
}

/**
 * On SIGINT/SIGTERM/SIGHUP (a closed terminal): kill the workers and exit at once (128 +
 * signal number), so nothing is written after the stop. Writes are synchronous and atomic, so
 * none is left half-done. (SIGKILL runs no handler: the workers' watchdog covers it.)
 */
export function installStopHandlers(onStop?: (signal: NodeJS.Signals) => void): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    const handler = () => {
      stopAllWorkers();
      abortStagedFiles();
      for (const hook of stopHooks) {
        try {
          hook();
        } catch {
          /* a failing hook must not keep the process from stopping */
        }
      }
      onStop?.(signal);
      process.exit(code);
    };
    stopHandlers.set(signal, handler);
    process.on(signal, handler);
  }
}

/**
 * Run GPU work with the signals' default action: a JS handler runs only between GPU
 * submissions, and one submission can hold the main thread for tens of seconds (a software
 * adapter), so during GPU work a stop ends this process at once instead; its CPU workers
 * follow within their watchdog's interval, and nothing is written (outputs come after).
 */
async function withDefaultStop<T>(work: () => Promise<T>): Promise<T> {
  for (const [signal, handler] of stopHandlers) process.off(signal, handler);
  try {
    return await work();
  } finally {
    for (const [signal, handler] of stopHandlers) process.on(signal, handler);
  }
}

export interface RunJobsOptions {
  cacheDir: string;
  /**
   * Where each computed result goes instead of the cache (the shard runner collects them into
   * a results file, src/cluster/shardRunner.ts): called with the raw result, diverged or not,
   * and who computed it ('cpu' or 'webgpu: <adapter>'). Default: checked and written to cacheDir.
   */
  store?: (job: PlannedJob, result: RunResult, backendLabel: string) => void;
  /** Worker processes (default: the number of cores, at most the number of jobs). */
  workers?: number;
  /**
   * Run the jobs that do not batch in this process, one after another, instead of in worker
   * processes (a SLURM task with one CPU: no process to start). Only when no job batches: a
   * synchronous run here would hold up the device's submissions.
   */
  inProcess?: boolean;
  onStart?: (job: PlannedJob) => void;
  onDone?: (job: PlannedJob, seconds: number) => void;
  /** The open GPU, required when some job's backend needs one. */
  gpu?: GpuSession;
}

/**
 * Compute `jobs` into the cache (or `store`). Jobs whose (engine, backend) batches run in this
 * process, in compatible batches on the device, while the others run in worker processes,
 * costliest first (src/engineBackends.ts says which is which and dispatches both). Resolves
 * when all are done; rejects with RunFailedError naming the run when one throws (the other
 * workers are stopped).
 */
export async function runJobs(jobs: PlannedJob[], options: RunJobsOptions): Promise<void> {
  if (jobs.length && !options.store) checkCacheFolder(jobs, options.cacheDir);
  const batched = jobs.filter((j) => onBackend(j.engine, j.backend).batches);
  const single = jobs.filter((j) => !onBackend(j.engine, j.backend).batches);
  // A batch failure stops the workers too (a worker failure already stops them in runInWorkers).
  const batchedDone = runBatched(batched, options).catch((e: unknown) => {
    stopAllWorkers();
    throw e;
  });
  const singleDone = options.inProcess && !batched.length ? runHere(single, options) : runInWorkers(single, options);
  await Promise.all([singleDone, batchedDone]);
}

/**
 * Before the first run: the cache folder can take files, and has room for the results (each
 * about its output text, src/resources.ts), so a read-only or full cache fails in a second,
 * not at the first result after minutes of work.
 */
export function checkCacheFolder(jobs: PlannedJob[], cacheDir: string): void {
  const folder = join(cacheDir, 'runs');
  try {
    mkdirSync(folder, { recursive: true });
  } catch (e) {
    throw new UsageError(`cache: cannot create ${folder} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const need = jobs.reduce((a, j) => a + estimateResources(j.engine, j.config).outputBytes + 512, 0);
  checkWritableFolder(folder, 'cache', need);
}

/**
 * The jobs of batching pairs, one dispatch per (engine, backend): the pair splits them into
 * compatible batches, and each result is stored as soon as its batch is done, so a stop loses
 * at most the batch running.
 */
async function runBatched(jobs: PlannedJob[], options: RunJobsOptions): Promise<void> {
  if (!jobs.length) return;
  // The opened device's limits, for every job before the first dispatch (src/gpu/limits.ts).
  for (const j of jobs) {
    if (BACKENDS[j.backend].gpu && !options.gpu) throw new RunFailedError(`${j.label}: backend ${j.backend} but no GPU was opened`);
    const p = options.gpu ? onBackend(j.engine, j.backend).deviceProblem?.(j.config, options.gpu) : null;
    if (p) throw new RunFailedError(`${j.label}: config.${p.field}: ${p.message}`);
  }
  const groups = new Map<string, PlannedJob[]>();
  for (const j of jobs) groups.set(`${j.engine}/${j.backend}`, [...(groups.get(`${j.engine}/${j.backend}`) ?? []), j]);
  for (const group of groups.values()) {
    const { engine, backend } = group[0];
    const label = computedBy(backend, options.gpu);
    let batchStarted = performance.now();
    for (const j of group) options.onStart?.(j);
    try {
      await withDefaultStop(() =>
        dispatch(engine, backend, group.map((j) => j.config), {
          gpu: options.gpu,
          onDone: (indices, results) => {
            // A batch's wall time, shared among its runs (they ran together).
            const seconds = (performance.now() - batchStarted) / 1000 / indices.length;
            batchStarted = performance.now();
            indices.forEach((idx, k) => {
              storeWith(options)(group[idx], results[k], label);
              options.onDone?.(group[idx], seconds);
            });
          },
        }),
      );
    } catch (e) {
      throw e instanceof RunFailedError ? e : new RunFailedError(`${backend}: ${(e as Error)?.message ?? e}`);
    }
  }
}

/** The jobs that do not batch, in this process, one after another (an engine that throws is an internal error naming the run). */
async function runHere(jobs: PlannedJob[], options: RunJobsOptions): Promise<void> {
  for (const job of [...jobs].sort((a, b) => b.cost - a.cost)) {
    options.onStart?.(job);
    const started = performance.now();
    let result: RunResult;
    try {
      [result] = await dispatch(job.engine, job.backend, [job.config]);
    } catch (e) {
      throw new RunFailedError(`${job.label}: internal error: ${String((e as Error)?.message ?? e).split('\n')[0]}`, true);
    }
    storeWith(options)(job, result, computedBy(job.backend));
    options.onDone?.(job, (performance.now() - started) / 1000);
  }
}

/** The jobs that do not batch, in worker processes, costliest first, each worker fed its next job as it reports one done. */
async function runInWorkers(jobs: PlannedJob[], options: RunJobsOptions): Promise<void> {
  const queue = [...jobs].sort((a, b) => b.cost - a.cost);
  if (!queue.length) return;
  const nWorkers = Math.max(1, Math.min(options.workers ?? availableParallelism(), queue.length));
  const children: ChildProcess[] = [];
  try {
    await Promise.all(
      Array.from({ length: nWorkers }, () =>
        new Promise<void>((resolve, reject) => {
          // The worker's watchdog compares its parent with this pid (src/runs/watchdog.mjs).
          const child = spawn(process.execPath, WORKER_ARGS, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, TSDYN_PARENT_PID: String(process.pid) } });
          children.push(child);
          live.add(child);
          let current: PlannedJob | null = null;
          let sentAt = 0;
          let stderr = '';
          let failed = false;
          const fail = (message: string, internal = false) => {
            if (failed) return;
            failed = true;
            reject(new RunFailedError(message, internal));
          };
          const feed = () => {
            current = queue.shift() ?? null;
            if (!current) {
              child.stdin!.end();
              return;
            }
            options.onStart?.(current);
            sentAt = performance.now();
            child.stdin!.write(`${JSON.stringify({ id: current.key, engine: current.engine, backend: current.backend, config: current.config })}\n`);
          };
          // One reply per line; a reply is at most one run's output text (checkResources).
          const lines = new LineSplitter(MAX_OUTPUT_BYTES);
          child.stdout!.setEncoding('utf8');
          child.stdout!.on('data', (chunk: string) => {
            if (failed) return;
            let replies: string[];
            try {
              replies = lines.push(chunk);
            } catch {
              return fail(`${current?.label ?? 'worker'}: internal error: the worker's reply is longer than ${MAX_OUTPUT_BYTES} characters`, true);
            }
            for (const line of replies) {
              let reply: { id: string; result?: RunResult; error?: string; internal?: boolean };
              try {
                reply = JSON.parse(line);
              } catch (e) {
                return fail(`${current?.label ?? 'worker'}: internal error: the worker's reply is not JSON (${(e as Error).message.split('\n')[0]})`, true);
              }
              if (!current || reply.id !== current.key) continue;
              if (reply.error !== undefined || !reply.result) return fail(`${current.label}: ${reply.error ?? 'no result'}`, Boolean(reply.internal) || reply.error === undefined);
              try {
                storeWith(options)(current, reply.result, computedBy(current.backend));
              } catch (e) {
                return fail((e as Error).message, e instanceof RunFailedError && e.internal);
              }
              options.onDone?.(current, (performance.now() - sentAt) / 1000);
              feed();
            }
          });
          child.stderr!.setEncoding('utf8');
          child.stderr!.on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
          child.on('error', (e) => fail(`worker: ${e.message}`, true));
          child.on('exit', (code, signal) => {
            live.delete(child);
            // The last line of its stderr says why (e.g. V8's "heap out of memory").
            const why = stderr.trim().split('\n').filter(Boolean).at(-1);
            if (current) fail(`${current.label}: internal error: the worker stopped (${signal ?? `exit ${code}`})${why ? `: ${why}` : ''}`, true);
            else resolve();
          });
          feed();
        }),
      ),
    );
  } finally {
    for (const child of children) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      live.delete(child);
    }
  }
}

/**
 * ETA of a batch from the compute seconds the workers reported for the jobs done so far (not
 * the wall time, which includes starting the workers), scaled to the expected cost left.
 */
export function etaSeconds(computeSeconds: number, doneCost: number, totalCost: number, workers: number): number {
  return doneCost > 0 ? (computeSeconds * (totalCost - doneCost)) / doneCost / Math.max(1, workers) : NaN;
}
