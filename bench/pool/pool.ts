/**
 * Run independent SGD / sampler / ODE jobs in parallel on worker threads.
 *
 *   const trajs = await runInWorkers(jobs, { workers: 2, onProgress: (i, f) => … });
 *
 * Results come back in job order, and each equals — bit for bit — what the same call returns
 * in-process (`runEngine` from src/engines.ts): a job is a deterministic
 * function of its validated RunConfig, and trajectories cross threads by structured clone,
 * which copies doubles exactly. Scheduling (which worker runs which job, in which order) can
 * therefore not change any result.
 *
 * Workers run the TypeScript sources through tsx (see pool-worker.mjs); starting one costs
 * ~0.2–0.5 s (loading tsx and the modules), so use the pool for runs longer than that.
 * `runResultsInWorkers` returns each job's RunResult (a divergence is a status);
 * `runInWorkers` returns trajectories and rejects with a DivergenceError (its time `t` kept)
 * when a job diverges. A job that throws rejects the whole call (remaining workers are
 * terminated).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { validateConfig, type RunConfig } from '../../src/config.ts';
import { trajectoryOrThrow, type EngineName } from '../../src/engines.ts';
import type { RunResult } from '../../src/result.ts';
import { DivergenceError } from '../../src/model/divergence.ts';
import type { SolveOptions } from '../../src/theory/solve.ts';
import type { Trajectory } from '../../src/trajectory.ts';

/** One run: an engine of the registry, its config, and (ODE) integrator options. */
export interface PoolJob {
  engine: EngineName;
  config: RunConfig;
  options?: SolveOptions;
}

export interface PoolOptions {
  /** Worker threads (default: available parallelism, at most the number of jobs). */
  workers?: number;
  /** Fraction done of job `index` (0…1), forwarded from the workers (SGD and sampler jobs; ODE jobs report 1 when done). */
  onProgress?: (index: number, fraction: number) => void;
}

/** @internal messages between pool.ts and poolWorker.ts */
export type WorkerRequest = { type: 'run'; index: number; job: PoolJob } | { type: 'stop' };
/** @internal */
export type WorkerReply =
  | { type: 'ready' }
  | { type: 'progress'; index: number; fraction: number }
  | { type: 'done'; index: number; result: RunResult }
  | { type: 'error'; index: number; error: { name: string; message: string; stack?: string; t?: number } };

const WORKER_URL = new URL('./pool-worker.mjs', import.meta.url);

/** Trajectories in job order; rejects with a DivergenceError naming the job when one diverges. */
export async function runInWorkers(jobs: PoolJob[], options: PoolOptions = {}): Promise<Trajectory[]> {
  const results = await runResultsInWorkers(jobs, options);
  return results.map((r, index) => {
    if (r.status === 'diverged') throw new DivergenceError(r.t, `job ${index}: ${r.reason}`);
    return trajectoryOrThrow(r);
  });
}

export async function runResultsInWorkers(jobs: PoolJob[], options: PoolOptions = {}): Promise<RunResult[]> {
  // Validate up front (and turn the configs into plain data) so bad input fails here, not in a thread.
  const checked: PoolJob[] = jobs.map((job) => ({ ...job, config: validateConfig(stripUndefined(job.config)) }));
  if (checked.length === 0) return [];
  const nWorkers = Math.max(1, Math.min(options.workers ?? availableParallelism(), checked.length));
  const results: RunResult[] = new Array(checked.length);
  let next = 0;
  let done = 0;

  const workers: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let failed = false;
      const fail = (e: Error) => {
        if (failed) return;
        failed = true;
        reject(e);
      };
      const dispatch = (w: Worker) => {
        if (failed) return;
        if (next < checked.length) {
          const index = next++;
          w.postMessage({ type: 'run', index, job: checked[index] } satisfies WorkerRequest);
        }
      };
      for (let i = 0; i < nWorkers; i++) {
        // execArgv: [] — the bootstrap brings its own TypeScript loader (see pool-worker.mjs)
        const w = new Worker(WORKER_URL, { execArgv: [] });
        workers.push(w);
        w.on('message', (msg: WorkerReply) => {
          switch (msg.type) {
            case 'ready':
              dispatch(w);
              break;
            case 'progress':
              options.onProgress?.(msg.index, msg.fraction);
              break;
            case 'done':
              results[msg.index] = msg.result;
              options.onProgress?.(msg.index, 1);
              if (++done === checked.length) resolve();
              else dispatch(w);
              break;
            case 'error':
              fail(rebuildError(msg.index, msg.error));
              break;
          }
        });
        w.on('error', (e) => fail(e instanceof Error ? e : new Error(String(e))));
        w.on('exit', (code) => {
          if (done < checked.length && code !== 0) fail(new Error(`pool worker exited with code ${code}`));
        });
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}

function rebuildError(index: number, e: { name: string; message: string; stack?: string; t?: number }): Error {
  const message = `job ${index}: ${e.message}`;
  const err = e.name === 'DivergenceError' && typeof e.t === 'number' ? new DivergenceError(e.t, message) : new Error(message);
  if (e.name !== 'DivergenceError') err.name = e.name;
  if (e.stack) err.stack = `${err.name}: ${message}\n    (in worker) ${e.stack.split('\n').slice(1).join('\n')}`;
  return err;
}

/** validateConfig rejects unknown keys but not `init: undefined`; drop undefined-valued keys. */
function stripUndefined(config: RunConfig): Record<string, unknown> {
  return Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined));
}
