/**
 * `tsdyn batch --jobs FILE --out FILE [--workers N] [--software]`: the portable runner of a list
 * of runs, for a GPU box by hand (export-jobs / import-batch, pipeline/batch.ts) and for every
 * task of the SLURM executor's job arrays (src/cluster/executor.ts): the same jobs file, the
 * same results file, the same checks on import (src/runs/resultsFile.ts). Reads the jobs, runs
 * them with the engines (src/cluster/shardRunner.ts: webgpu jobs batched on the GPU, cpu jobs
 * in this process or in --workers worker processes) and writes their results (status,
 * trajectory), with the adapter's name and this tsdyn's version and code digests, as one JSON
 * file (atomically: nothing partial on disk). Also bundled by scripts/build-batch.mjs into
 * dist/tsdyn-batch.mjs, which bare `node` runs with only `dawn.node` beside it.
 *
 * Jobs file: `[{ "id": "a", "config": { …RunConfig… } }, …]` or `{ "tsdyn"?, "jobs": [...] }`;
 * a job may also name its `engine` (ode, sgd, sampler; default sgd), its `backend` (cpu or
 * webgpu; default the backend that batches its engine: webgpu for sgd, cpu for the others) and
 * a `label`. A jobs file that carries
 * `tsdyn` (version and code digests: a SLURM shard) is refused by a runner of another build.
 * Output: `{ "tsdyn", "adapter", "backend", "software", "seconds", "results": [{ "id",
 * "status", "t"?, "reason"?, "trajectory", "sha256" }] }` in the order of the jobs (adapter,
 * backend and software are null when no job needs the GPU, which is then not opened).
 * Each result carries a sha256 of its id and content (src/runs/resultsFile.ts) that the importer checks.
 * Without `--software` only a hardware GPU is accepted. Exit codes: 0 all runs done (diverged
 * runs are results, not failures), 1 bad input, a run over a limit (memory, samples, the GPU
 * engine's; all checked before the GPU is used), an unusable --out, or no adapter (one line on
 * stderr), 2 an engine that failed (one line naming the run). A stop signal ends it at once by
 * the signal's default action (the shell reports 128 + its number: 130 for SIGINT, 143 for
 * SIGTERM, 129 for SIGHUP); no output is written, and worker processes end with it.
 */
import { dirname } from 'node:path';
import { ConfigError, validateConfig, type RunConfig } from '../config.ts';
import { resourceLimits } from './args.ts';
import { UsageError } from '../errors.ts';
import { resolveOutTarget, toJson, writeOutTarget, type OutTarget } from '../io.ts';
import { JsonContentError, JsonReadError, readJson } from '../jsonFile.ts';
import { checkFreeSpace } from '../outputFolder.ts';
import { createProgress } from '../progress.ts';
import { estimateResources, type ResourceLimits } from '../resources.ts';
import { bytes, MAX_OUTPUT_BYTES } from '../sizes.ts';
import { runProblem } from '../runs/validate.ts';
import { ENGINE_NAMES, isEngineName } from '../engines.ts';
import { BACKEND_NAMES, BACKENDS, backendRuns, defaultBatchBackend, enginesOn, isBackend, onBackend } from '../engineBackends.ts';
import { runShard, type ShardJob } from '../cluster/shardRunner.ts';
import { parseWorkerCount, RunFailedError, workerProblem } from '../runs/scheduler.ts';
import { provenance, provenanceProblem } from '../runs/provenance.ts';
import { GpuUnavailableError, openGpu, type GpuHandle } from '../gpu/node.ts';

export type BatchJob = ShardJob;

/** `a`, `a or b`, `a, b or c`. */
function orList(names: readonly string[]): string {
  return names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
}

export class BatchUsageError extends Error {}

export const BATCH_USAGE = `usage: tsdyn batch --jobs FILE --out FILE [--workers N] [--software] [--max-memory SIZE] [--max-samples X]
  Runs a jobs file ([{id, config, engine?, backend?, label?}]: webgpu jobs batched on the GPU, cpu jobs
  in this process or in --workers N worker processes) and writes their results as one JSON file.
  What a GPU box runs for import-batch, and every task of --executor slurm.`;

interface BatchArgs {
  /** Print this runner's version and code digests as JSON and exit (the SLURM executor's check). */
  provenance?: boolean;
  jobs: string;
  out: string;
  software: boolean;
  workers?: string;
  'max-memory'?: string;
  'max-samples'?: string;
}

function parseArgs(argv: string[]): BatchArgs {
  const args: Partial<BatchArgs> = { software: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--jobs' || a === '--out' || a === '--max-memory' || a === '--max-samples' || a === '--workers') {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new BatchUsageError(`${a} needs a value (${BATCH_USAGE.split('\n')[0]})`);
      args[a.slice(2) as 'jobs' | 'out' | 'max-memory' | 'max-samples' | 'workers'] = v;
    } else if (a === '--software') args.software = true;
    else if (a === '--provenance') args.provenance = true;
    else throw new BatchUsageError(`unknown argument ${JSON.stringify(a)} (${BATCH_USAGE.split('\n')[0]})`);
  }
  if (args.provenance) return args as BatchArgs;
  if (!args.jobs || !args.out) throw new BatchUsageError(`--jobs and --out are required (${BATCH_USAGE.split('\n')[0]})`);
  return args as BatchArgs;
}

/**
 * Validate a parsed jobs file; errors name the job and field, e.g. `jobs[2].config.K: …`.
 * Every job is checked before any GPU work as `tsdyn sim` checks a run (memory, samples,
 * engine constraints; `limits`) and, for webgpu jobs, against what the WebGPU engine can hold
 * on any device (src/gpu/limits.ts: its 32-bit step counter, WGSL's array sizes). A jobs file
 * that names its tsdyn (`tsdyn`: a SLURM shard) must be this runner's build.
 */
export function parseJobs(raw: unknown, limits?: ResourceLimits): BatchJob[] {
  const list = Array.isArray(raw) ? raw : (raw as { jobs?: unknown })?.jobs;
  if (!Array.isArray(list) || list.length === 0) throw new BatchUsageError('jobs: must be a non-empty array of {id, config}');
  const made = Array.isArray(raw) ? undefined : (raw as { tsdyn?: unknown }).tsdyn;
  if (made !== undefined) {
    const p = provenanceProblem(made);
    if (p) throw new BatchUsageError(`jobs: ${p}: the runner is another build than the one that wrote the jobs (make build where both read it)`);
  }
  const seen = new Set<string>();
  const jobs = list.map((j, i): BatchJob => {
    if (typeof j !== 'object' || j === null) throw new BatchUsageError(`jobs[${i}]: must be an object {id, config}`);
    const { id, config, engine = 'sgd', backend, label } = j as { id?: unknown; config?: unknown; engine?: unknown; backend?: unknown; label?: unknown };
    if (typeof id !== 'string' || id === '') throw new BatchUsageError(`jobs[${i}].id: must be a non-empty string`);
    if (seen.has(id)) throw new BatchUsageError(`jobs[${i}].id: duplicate id ${JSON.stringify(id)}`);
    seen.add(id);
    if (!isEngineName(engine)) throw new BatchUsageError(`jobs[${i}].engine: must be ${orList(ENGINE_NAMES)}, got ${JSON.stringify(engine)}`);
    const b = backend ?? defaultBatchBackend(engine);
    if (!isBackend(b)) throw new BatchUsageError(`jobs[${i}].backend: must be ${orList(BACKEND_NAMES)}, got ${JSON.stringify(backend)}`);
    if (!backendRuns(b, engine)) throw new BatchUsageError(`jobs[${i}].backend: ${b} runs only engine ${orList(enginesOn(b))}, not ${engine}`);
    if (label !== undefined && typeof label !== 'string') throw new BatchUsageError(`jobs[${i}].label: must be a string`);
    let c: RunConfig;
    try {
      c = validateConfig(config);
    } catch (e) {
      if (e instanceof ConfigError) throw new BatchUsageError(`jobs[${i}].${e.message}`);
      throw e;
    }
    const p = runProblem({ engine, config: c, label: id, backend: b }, limits ?? resourceLimits({}));
    if (p) throw new BatchUsageError(`jobs[${i}].config.${p.field}: ${p.reason}`);
    return { id, label: label ?? id, engine, backend: b, config: c };
  });
  // The results are written, and read back by the importer, as one JSON text.
  const text = resultsBytes(jobs);
  if (text > MAX_OUTPUT_BYTES) {
    throw new BatchUsageError(`jobs: the results of these ${jobs.length} runs would be about ${bytes(text)} of JSON, over the ${bytes(MAX_OUTPUT_BYTES)} one file can hold; split the jobs file`);
  }
  return jobs;
}

/** The expected size of the results file (for the free-space check). */
function resultsBytes(jobs: BatchJob[]): number {
  return jobs.reduce((a, j) => a + estimateResources(j.engine, j.config).outputBytes + 256, 0);
}

export async function batchCommand(argv: string[]): Promise<number> {
  // No signal handlers on purpose (as `tsdyn sim`): a stop keeps its default action and ends the
  // process at once. A JS handler would run only between GPU submissions, and one submission
  // (hundreds of dispatches on a software adapter) holds the main thread for tens of seconds.
  // Nothing is on disk until the one synchronous write at the end, so a stop leaves no file.
  try {
    const args = parseArgs(argv);
    if (args.provenance) {
      process.stdout.write(toJson(provenance()));
      return 0;
    }
    let limits: ResourceLimits;
    try {
      limits = resourceLimits({ ...args });
    } catch (e) {
      throw new BatchUsageError((e as Error).message);
    }
    let raw: unknown;
    try {
      raw = readJson(args.jobs, 'jobs');
    } catch (e) {
      if (e instanceof JsonReadError || e instanceof JsonContentError) throw new BatchUsageError(`--jobs: ${e.message}`);
      throw e;
    }
    const jobs = parseJobs(raw, limits);
    // The output target, before any GPU work: usable, and with room for the results.
    let target: OutTarget;
    try {
      target = resolveOutTarget(args.out, args.jobs);
      if (target.kind === 'file') checkFreeSpace(dirname(target.path), '--out', resultsBytes(jobs));
    } catch (e) {
      if (e instanceof UsageError) throw new BatchUsageError(e.message);
      throw e;
    }
    const workers = parseWorkerCount(args.workers, '--workers') ?? 1;
    // Jobs that do not batch run in worker processes (or here, with one worker).
    const single = jobs.filter((j) => !onBackend(j.engine, j.backend).batches);
    const noWorkers = workers > 1 && single.length ? workerProblem() : null;
    if (noWorkers) throw new BatchUsageError(`--workers ${workers}: ${noWorkers}`);
    // The GPU only when a job needs it: a shard of cpu runs runs where there is none.
    const gpu: GpuHandle | null = jobs.some((j) => BACKENDS[j.backend].gpu) ? await openGpu({ allowSoftware: args.software }) : null;
    try {
      // This device's own limits, before the first dispatch.
      if (gpu)
        jobs.forEach((j, i) => {
          const p = onBackend(j.engine, j.backend).deviceProblem?.(j.config, gpu);
          if (p) throw new BatchUsageError(`jobs[${i}].config.${p.field}: ${p.message} (adapter ${gpu.adapterName})`);
        });
      process.stderr.write(`tsdyn batch: ${jobs.length} runs${gpu ? ` on ${gpu.adapterName}` : ''}${single.length ? ` (cpu runs on ${workers} worker${workers === 1 ? '' : 's'})` : ''}\n`);
      const progress = createProgress('tsdyn batch');
      const started = performance.now();
      const results = await runShard(jobs, { workers, gpu: gpu ?? undefined, onProgress: progress.update });
      progress.done();
      const out = {
        tsdyn: provenance(),
        adapter: gpu?.adapterName ?? null,
        backend: gpu?.backend ?? null,
        software: gpu?.isSoftware ?? null,
        seconds: Math.round((performance.now() - started) / 10) / 100,
        results,
      };
      try {
        writeOutTarget(target, toJson(out));
      } catch (e) {
        if (e instanceof UsageError) throw new BatchUsageError(e.message);
        throw e;
      }
      return 0;
    } finally {
      gpu?.close();
    }
  } catch (e) {
    if (e instanceof BatchUsageError || e instanceof GpuUnavailableError || e instanceof UsageError) {
      process.stderr.write(`tsdyn batch: ${e.message}\n`);
      return 1;
    }
    if (e instanceof RunFailedError) {
      process.stderr.write(`tsdyn batch: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

/** Entry point of the bundle (and `tsx src/commands/batch.ts …`). */
const isMain = typeof process !== 'undefined' && process.argv[1] !== undefined && /(commands\/batch\.ts|tsdyn-batch\.mjs)$/.test(process.argv[1]);
if (isMain) {
  batchCommand(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      // Expected problems were answered (exit 1) inside batchCommand: this is a bug.
      process.stderr.write(`tsdyn batch: internal error: ${(e as Error).message.split('\n')[0]}\n`);
      process.exit(2);
    },
  );
}
