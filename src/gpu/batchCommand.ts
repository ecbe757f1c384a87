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
 * Without `--software` only a hardware GPU is accepted. Exit codes: 0 all runs done (diverged
 * runs are results, not failures), 1 bad input or no adapter (one line on stderr),
 * 130 interrupted (SIGINT/SIGTERM; no output written).
 */
import { readFileSync } from 'node:fs';
import { ConfigError, validateConfig, type RunConfig } from '../config.ts';
import { toJson, writeFileAtomic } from '../io.ts';
import { createProgress } from '../progress.ts';
import { gpuConfigProblem, runSgdBatches } from './engine.ts';
import { GpuUnavailableError, openGpu } from './node.ts';

export interface BatchJob {
  id: string;
  config: RunConfig;
}

export class BatchUsageError extends Error {}

export const BATCH_USAGE = 'usage: tsdyn batch --jobs FILE --out FILE [--software]';

function parseArgs(argv: string[]): { jobs: string; out: string; software: boolean } {
  let jobs: string | undefined, out: string | undefined, software = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--jobs' || a === '--out') {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new BatchUsageError(`${a} needs a file name (${BATCH_USAGE})`);
      if (a === '--jobs') jobs = v;
      else out = v;
    } else if (a === '--software') software = true;
    else throw new BatchUsageError(`unknown argument ${JSON.stringify(a)} (${BATCH_USAGE})`);
  }
  if (!jobs || !out) throw new BatchUsageError(`--jobs and --out are required (${BATCH_USAGE})`);
  return { jobs, out, software };
}

/** Validate a parsed jobs file; errors name the job and field, e.g. `jobs[2].config.K: …`. */
export function parseJobs(raw: unknown): BatchJob[] {
  const list = Array.isArray(raw) ? raw : (raw as { jobs?: unknown })?.jobs;
  if (!Array.isArray(list) || list.length === 0) throw new BatchUsageError('jobs: must be a non-empty array of {id, config}');
  const seen = new Set<string>();
  return list.map((j, i) => {
    if (typeof j !== 'object' || j === null) throw new BatchUsageError(`jobs[${i}]: must be an object {id, config}`);
    const { id, config } = j as { id?: unknown; config?: unknown };
    if (typeof id !== 'string' || id === '') throw new BatchUsageError(`jobs[${i}].id: must be a non-empty string`);
    if (seen.has(id)) throw new BatchUsageError(`jobs[${i}].id: duplicate id ${JSON.stringify(id)}`);
    seen.add(id);
    try {
      const c = validateConfig(config);
      const problem = gpuConfigProblem(c);
      if (problem) throw new BatchUsageError(`jobs[${i}].config.${problem}`);
      return { id, config: c };
    } catch (e) {
      if (e instanceof ConfigError) throw new BatchUsageError(`jobs[${i}].${e.message}`);
      throw e;
    }
  });
}

export async function batchCommand(argv: string[]): Promise<number> {
  const controller = new AbortController();
  const stop = () => controller.abort(new Error('interrupted'));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const args = parseArgs(argv);
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(args.jobs, 'utf8'));
    } catch (e) {
      throw new BatchUsageError(`--jobs: cannot read ${args.jobs} as JSON (${(e as Error).message.split('\n')[0]})`);
    }
    const jobs = parseJobs(raw);
    const gpu = await openGpu({ allowSoftware: args.software });
    process.stderr.write(`tsdyn batch: ${jobs.length} runs on ${gpu.adapterName}\n`);
    try {
      const progress = createProgress('tsdyn batch');
      const results = await runSgdBatches(gpu.device, jobs.map((j) => j.config), { signal: controller.signal, onProgress: progress.update });
      progress.done();
      const out = {
        adapter: gpu.adapterName,
        backend: gpu.backend,
        software: gpu.isSoftware,
        results: jobs.map((j, i) => ({ id: j.id, ...results[i] })),
      };
      writeFileAtomic(args.out, toJson(out));
      return 0;
    } finally {
      gpu.close();
    }
  } catch (e) {
    if (controller.signal.aborted) {
      process.stderr.write('tsdyn batch: interrupted; no output written\n');
      return 130;
    }
    if (e instanceof BatchUsageError || e instanceof GpuUnavailableError) {
      process.stderr.write(`tsdyn batch: ${e.message}\n`);
      return 1;
    }
    throw e;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
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
