/**
 * `tsdyn batch --jobs FILE --out FILE [--software]`: the portable batch runner for a GPU
 * box. Reads a list of run specs, runs them on WebGPU in compatible batches and writes their
 * results (status, trajectory) with the adapter's name as one JSON file (atomically: nothing
 * partial on disk). Also bundled by scripts/build-batch.mjs into dist/tsdyn-batch.mjs, which
 * bare `node` runs with only `dawn.node` beside it.
 *
 * Jobs file: `[{ "id": "a", "config": { …RunConfig… } }, …]` (or `{ "jobs": [...] }`).
 * Output: `{ "adapter", "backend", "software", "results": [{ "id", "status", "t"?, "reason"?,
 * "trajectory" }] }` in the order of the jobs.
 * Each result carries a sha256 of its id and content (src/gpu/batchFile.ts) that import-batch checks.
 * Without `--software` only a hardware GPU is accepted. Exit codes: 0 all runs done (diverged
 * runs are results, not failures), 1 bad input, a run over a limit (memory, samples, the GPU
 * engine's; all checked before the GPU is used), an unusable --out, or no adapter (one line on
 * stderr). A stop signal ends it at once by the signal's default action (the shell reports
 * 128 + its number: 130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP); no output is written.
 */
import { dirname } from 'node:path';
import { ConfigError, validateConfig, type RunConfig } from '../config.ts';
import { resourceLimits } from '../commands/args.ts';
import { UsageError } from '../errors.ts';
import { resolveOutTarget, toJson, writeOutTarget, type OutTarget } from '../io.ts';
import { JsonContentError, JsonReadError, readJson } from '../jsonFile.ts';
import { checkFreeSpace } from '../outputFolder.ts';
import { createProgress } from '../progress.ts';
import { bytes, estimateResources, MAX_OUTPUT_BYTES, type ResourceLimits } from '../resources.ts';
import { runProblem } from '../runs/validate.ts';
import { batchResultChecksum, type BatchResultEntry } from './batchFile.ts';
import { runSgdBatches } from './engine.ts';
import { gpuDeviceProblem } from './limits.ts';
import { GpuUnavailableError, openGpu } from './node.ts';

export interface BatchJob {
  id: string;
  config: RunConfig;
}

export class BatchUsageError extends Error {}

export const BATCH_USAGE = 'usage: tsdyn batch --jobs FILE --out FILE [--software] [--max-memory SIZE] [--max-samples X]';

interface BatchArgs {
  jobs: string;
  out: string;
  software: boolean;
  'max-memory'?: string;
  'max-samples'?: string;
}

function parseArgs(argv: string[]): BatchArgs {
  const args: Partial<BatchArgs> = { software: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--jobs' || a === '--out' || a === '--max-memory' || a === '--max-samples') {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new BatchUsageError(`${a} needs a value (${BATCH_USAGE})`);
      args[a.slice(2) as 'jobs' | 'out' | 'max-memory' | 'max-samples'] = v;
    } else if (a === '--software') args.software = true;
    else throw new BatchUsageError(`unknown argument ${JSON.stringify(a)} (${BATCH_USAGE})`);
  }
  if (!args.jobs || !args.out) throw new BatchUsageError(`--jobs and --out are required (${BATCH_USAGE})`);
  return args as BatchArgs;
}

/**
 * Validate a parsed jobs file; errors name the job and field, e.g. `jobs[2].config.K: …`.
 * Every job is checked before any GPU work as `tsdyn sim` checks a run (memory, samples,
 * engine constraints; `limits`) and against what the WebGPU engine can hold on any device
 * (src/gpu/limits.ts: its 32-bit step counter, WGSL's array sizes).
 */
export function parseJobs(raw: unknown, limits?: ResourceLimits): BatchJob[] {
  const list = Array.isArray(raw) ? raw : (raw as { jobs?: unknown })?.jobs;
  if (!Array.isArray(list) || list.length === 0) throw new BatchUsageError('jobs: must be a non-empty array of {id, config}');
  const seen = new Set<string>();
  const jobs = list.map((j, i) => {
    if (typeof j !== 'object' || j === null) throw new BatchUsageError(`jobs[${i}]: must be an object {id, config}`);
    const { id, config } = j as { id?: unknown; config?: unknown };
    if (typeof id !== 'string' || id === '') throw new BatchUsageError(`jobs[${i}].id: must be a non-empty string`);
    if (seen.has(id)) throw new BatchUsageError(`jobs[${i}].id: duplicate id ${JSON.stringify(id)}`);
    seen.add(id);
    let c: RunConfig;
    try {
      c = validateConfig(config);
    } catch (e) {
      if (e instanceof ConfigError) throw new BatchUsageError(`jobs[${i}].${e.message}`);
      throw e;
    }
    const p = runProblem({ engine: 'sgd', config: c, label: id, gpu: true }, limits ?? resourceLimits({}));
    if (p) throw new BatchUsageError(`jobs[${i}].config.${p.field}: ${p.reason}`);
    return { id, config: c };
  });
  // The results are written, and read back by import-batch, as one JSON text.
  const text = jobs.reduce((a, j) => a + estimateResources('sgd', j.config).outputBytes + 256, 0);
  if (text > MAX_OUTPUT_BYTES) {
    throw new BatchUsageError(`jobs: the results of these ${jobs.length} runs would be about ${bytes(text)} of JSON, over the ${bytes(MAX_OUTPUT_BYTES)} one file can hold; split the jobs file`);
  }
  return jobs;
}

/** The expected size of the results file (for the free-space check). */
function resultsBytes(jobs: BatchJob[]): number {
  return jobs.reduce((a, j) => a + estimateResources('sgd', j.config).outputBytes + 256, 0);
}

export async function batchCommand(argv: string[]): Promise<number> {
  // No signal handlers on purpose (as `tsdyn sim`): a stop keeps its default action and ends the
  // process at once. A JS handler would run only between GPU submissions, and one submission
  // (hundreds of dispatches on a software adapter) holds the main thread for tens of seconds.
  // Nothing is on disk until the one synchronous write at the end, so a stop leaves no file.
  try {
    const args = parseArgs(argv);
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
    const gpu = await openGpu({ allowSoftware: args.software });
    try {
      // This device's own limits, before the first dispatch.
      jobs.forEach((j, i) => {
        const p = gpuDeviceProblem(j.config, gpu.device.limits, gpu.backend);
        if (p) throw new BatchUsageError(`jobs[${i}].config.${p.field}: ${p.message} (adapter ${gpu.adapterName})`);
      });
      process.stderr.write(`tsdyn batch: ${jobs.length} runs on ${gpu.adapterName}\n`);
      const progress = createProgress('tsdyn batch');
      const results = await runSgdBatches(gpu.device, jobs.map((j) => j.config), { onProgress: progress.update });
      progress.done();
      const out = {
        adapter: gpu.adapterName,
        backend: gpu.backend,
        software: gpu.isSoftware,
        results: jobs.map((j, i) => {
          const entry: BatchResultEntry = { id: j.id, ...results[i] };
          return { ...entry, sha256: batchResultChecksum(entry) };
        }),
      };
      try {
        writeOutTarget(target, toJson(out));
      } catch (e) {
        if (e instanceof UsageError) throw new BatchUsageError(e.message);
        throw e;
      }
      return 0;
    } finally {
      gpu.close();
    }
  } catch (e) {
    if (e instanceof BatchUsageError || e instanceof GpuUnavailableError) {
      process.stderr.write(`tsdyn batch: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

/** Entry point of the bundle (and `tsx src/gpu/batchCommand.ts …`). */
const isMain = typeof process !== 'undefined' && process.argv[1] !== undefined && /(batchCommand\.ts|tsdyn-batch\.mjs)$/.test(process.argv[1]);
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
