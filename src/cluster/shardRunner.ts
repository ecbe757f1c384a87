/**
 * The one runner of a list of runs on a machine that is not the orchestrator's: what
 * `tsdyn batch` runs (src/commands/batch.ts), on a GPU box by hand and in every task of a
 * SLURM job array (src/cluster/executor.ts). It runs any engine on the backend each job names
 * and returns the results in job order, each with its checksum, for the results file that
 * src/runs/resultsFile.ts checks and imports:
 *
 * - webgpu jobs (sgd): batched on the opened GPU (splitIntoBatches), in this process;
 * - cpu jobs (ode, sgd, sampler): with one worker, in this process, one after another (no
 *   process to start: a task with one CPU); with more, in that many worker processes
 *   (`tsdyn worker`, the run scheduler's), costliest first, as `make figures` runs them. When
 *   the shard also has GPU work the CPU jobs always go to workers, so the GPU's submissions are
 *   never held up behind a synchronous run.
 *
 * The runner decides nothing about a result (a divergence is a result: the importer applies
 * each run's policy); an engine that throws fails the shard with one line naming the run.
 */
import type { GpuSession } from '../backends.ts';
import type { RunConfig } from '../config.ts';
import { runEngine } from '../engines.ts';
import { batchResultChecksum, type BatchResultEntry } from '../runs/resultsFile.ts';
import { runSgdBatches } from '../gpu/engine.ts';
import type { RunResult } from '../result.ts';
import type { EngineName } from '../runs/key.ts';
import { expectedSeconds, runJobs, RunFailedError, stopAllWorkers, type PlannedJob } from '../runs/scheduler.ts';

export interface ShardJob {
  id: string;
  /** For people (errors, progress); the id when the jobs file has none. */
  label: string;
  engine: EngineName;
  backend: 'cpu' | 'webgpu';
  config: RunConfig;
}

export interface ShardRunOptions {
  /** CPU worker processes (1: the cpu jobs run in this process). */
  workers: number;
  /** The opened GPU, required when some job has backend webgpu. */
  gpu?: GpuSession;
  /** Fraction of the shard's expected cost done so far. */
  onProgress?: (fraction: number) => void;
}

/** Run every job; resolves to one results entry per job, in job order, each with its sha256. */
export async function runShard(jobs: readonly ShardJob[], opts: ShardRunOptions): Promise<BatchResultEntry[]> {
  const results: (RunResult | undefined)[] = new Array(jobs.length);
  const index = new Map(jobs.map((j, i) => [j.id, i]));
  const cost = jobs.map((j) => expectedSeconds(j));
  const total = cost.reduce((a, c) => a + c, 0) || 1;
  let doneCost = 0;
  const done = (i: number, result: RunResult) => {
    results[i] = result;
    doneCost += cost[i];
    opts.onProgress?.(doneCost / total);
  };

  const gpuIdx = jobs.flatMap((j, i) => (j.backend === 'webgpu' ? [i] : []));
  const cpuIdx = jobs.flatMap((j, i) => (j.backend === 'webgpu' ? [] : [i]));
  if (gpuIdx.length && !opts.gpu) throw new RunFailedError(`${jobs[gpuIdx[0]].label}: backend webgpu but no GPU was opened`);

  const gpuWork = async () => {
    if (!gpuIdx.length) return;
    await runSgdBatches(opts.gpu!.device, gpuIdx.map((i) => jobs[i].config), {
      onBatchDone: (indices, res) => indices.forEach((k, n) => done(gpuIdx[k], res[n])),
    });
  };
  const cpuWork = async () => {
    if (!cpuIdx.length) return;
    if (opts.workers <= 1 && !gpuIdx.length) {
      for (const i of cpuIdx) {
        try {
          done(i, runEngine(jobs[i].engine, jobs[i].config));
        } catch (e) {
          throw new RunFailedError(`${jobs[i].label}: internal error: ${String((e as Error)?.message ?? e).split('\n')[0]}`, true);
        }
      }
      return;
    }
    const planned: PlannedJob[] = cpuIdx.map((i) => ({ key: jobs[i].id, label: jobs[i].label, engine: jobs[i].engine, backend: 'cpu', config: jobs[i].config, cost: cost[i] }));
    await runJobs(planned, { cacheDir: '', workers: Math.max(1, opts.workers), store: (job, result) => done(index.get(job.key)!, result) });
  };
  // A GPU failure stops the CPU workers too (a CPU failure stops its own workers in runJobs).
  await Promise.all([
    gpuWork().catch((e: unknown) => {
      stopAllWorkers();
      throw e;
    }),
    cpuWork(),
  ]);

  return jobs.map((j, i) => {
    const r = results[i];
    if (!r) throw new RunFailedError(`${j.label}: internal error: no result`, true);
    const entry: BatchResultEntry = { id: j.id, ...r };
    return { ...entry, sha256: batchResultChecksum(entry) };
  });
}
