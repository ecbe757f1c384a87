/**
 * The one runner of a list of runs on a machine that is not the orchestrator's: what
 * `tsdyn batch` runs (src/commands/batch.ts), on a GPU box by hand and in every task of a
 * SLURM job array (src/cluster/executor.ts). It runs any engine on the backend each job names
 * and returns the results in job order, each with its checksum, for the results file that
 * src/runs/resultsFile.ts checks and imports:
 *
 * - jobs whose (engine, backend) batches (webgpu sgd): batched on the opened GPU, in this process;
 * - the others (cpu: ode, sgd, sampler): with one worker, in this process, one after another
 *   (no process to start: a task with one CPU); with more, in that many worker processes
 *   (`tsdyn worker`), costliest first, as `make figures` runs them. When the shard also has
 *   batched work they always go to workers, so the GPU's submissions are never held up behind
 *   a synchronous run.
 *
 * It is the run scheduler's runJobs (src/runs/scheduler.ts) with the results collected here
 * instead of written to the cache.
 *
 * The runner decides nothing about a result (a divergence is a result: the importer applies
 * each run's policy); an engine that throws fails the shard with one line naming the run.
 */
import type { RunConfig } from '../config.ts';
import { expectedSeconds, type Backend, type EngineName, type GpuSession } from '../engineBackends.ts';
import type { RunResult } from '../result.ts';
import { batchResultChecksum, type BatchResultEntry } from '../runs/resultsFile.ts';
import { runJobs, RunFailedError, type PlannedJob } from '../runs/scheduler.ts';

export interface ShardJob {
  id: string;
  /** For people (errors, progress); the id when the jobs file has none. */
  label: string;
  engine: EngineName;
  backend: Backend;
  config: RunConfig;
}

export interface ShardRunOptions {
  /** CPU worker processes (1: the cpu jobs run in this process when the shard has no batched work). */
  workers: number;
  /** The opened GPU, required when some job's backend needs one. */
  gpu?: GpuSession;
  /** Fraction of the shard's expected cost done so far. */
  onProgress?: (fraction: number) => void;
}

/** Run every job; resolves to one results entry per job, in job order, each with its sha256. */
export async function runShard(jobs: readonly ShardJob[], opts: ShardRunOptions): Promise<BatchResultEntry[]> {
  const results: (RunResult | undefined)[] = new Array(jobs.length);
  const index = new Map(jobs.map((j, i) => [j.id, i]));
  const planned: PlannedJob[] = jobs.map((j) => ({ key: j.id, label: j.label, engine: j.engine, backend: j.backend, config: j.config, cost: expectedSeconds(j) }));
  const total = planned.reduce((a, j) => a + j.cost, 0) || 1;
  let doneCost = 0;
  // The scheduler's one path: batched pairs on the device here, the others in worker processes,
  // or in this process with one worker (no process to start: a task with one CPU).
  await runJobs(planned, {
    cacheDir: '',
    workers: Math.max(1, opts.workers),
    inProcess: opts.workers <= 1,
    gpu: opts.gpu,
    store: (job, result) => {
      results[index.get(job.key)!] = result;
      doneCost += job.cost;
      opts.onProgress?.(doneCost / total);
    },
  });
  return jobs.map((j, i) => {
    const r = results[i];
    if (!r) throw new RunFailedError(`${j.label}: internal error: no result`, true);
    const entry: BatchResultEntry = { id: j.id, ...r };
    return { ...entry, sha256: batchResultChecksum(entry) };
  });
}
