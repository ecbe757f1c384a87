/**
 * The pipeline side of a remote GPU box (docs/gpu.md, "A remote GPU box"):
 *
 *   npx tsx pipeline/figures.ts export-jobs --preset full [--only NAME] --out jobs.json
 *   (copy jobs.json to the GPU box; there: node tsdyn-batch.mjs --jobs jobs.json --out results.json)
 *   npx tsx pipeline/figures.ts import-batch results.json [--preset full] [--only NAME]
 *   make figures BACKEND=webgpu      (every SGD run now a cache hit: no adapter needed)
 *
 * export-jobs writes the SGD runs of the preset that the webgpu backend would compute and the
 * cache lacks, as a `tsdyn batch` jobs file whose ids are the runs' cache keys (backend webgpu
 * in the key). import-batch checks every result against the runs the same preset plans now
 * (an id from an older engine or GPU code matches none and is refused), checks its status and
 * records, and only then writes one cache file per run; nothing is written when any is wrong.
 */
import { statSync } from 'node:fs';
import type { FigureDefinition, Preset } from '../src/figures/types.ts';
import { toJson, writeFileAtomic } from '../src/io.ts';
import { JsonContentError, JsonReadError, readJson } from '../src/jsonFile.ts';
import { defaultCacheDir } from '../src/runs/digest.ts';
import { formatRunKey } from '../src/runs/key.ts';
import { checkResults, importEntries, ResultsFileError, type CheckedEntry } from '../src/runs/resultsFile.ts';
import { runBackend } from '../src/engineBackends.ts';
import { planJobs, type PlannedJob } from '../src/runs/scheduler.ts';

/** A refused results file (one line); the same class as the SLURM executor's. */
export { ResultsFileError as BatchFileError };

/** Which figures of which presets (pipeline/figures.ts figurePlan). */
export type FigurePlan = { preset: Preset; figures: FigureDefinition[] }[];

/** The webgpu jobs the plan has (cached or not). */
export function webgpuJobs(plan: FigurePlan, cacheDir = defaultCacheDir()): PlannedJob[] {
  // Only the runs that go to the GPU are planned (and so only their cache files read and checked).
  const runs = plan.flatMap(({ preset, figures }) =>
    figures.flatMap((fig) => fig.runs(preset).filter((r) => runBackend(r, 'webgpu') === 'webgpu').map((r) => ({ ...r, label: `${fig.name} ${formatRunKey(r.key)}` }))),
  );
  return planJobs(runs, { cacheDir, backend: 'webgpu' }).jobs;
}

/** A `tsdyn batch` jobs file of the runs not yet cached; returns how many. */
export function exportJobs(plan: FigurePlan, out: string, cacheDir = defaultCacheDir()): number {
  const todo = webgpuJobs(plan, cacheDir).filter((j) => !j.cached);
  writeFileAtomic(out, toJson({ jobs: todo.map((j) => ({ id: j.key, label: j.label, config: j.config })) }, 2));
  return todo.length;
}

/**
 * Check a results file entry by entry against the planned jobs, before anything is written;
 * one line naming the entry on error (src/runs/resultsFile.ts: the check the SLURM executor's
 * shards pass too). Each entry must be a planned run (by id, once), carry its own checksum,
 * and hold a result of that run (shapes, record steps and times, finite values, and its
 * starting point: T, Q, R, v at t = 0 those of the run's seed or init).
 */
export function checkBatchResults(raw: unknown, jobs: PlannedJob[]): { adapter: string | null; entries: CheckedEntry<PlannedJob>[] } {
  return checkResults(raw, jobs, { unknownId: 'is no sgd run of these figures and presets with the current engine and GPU code (stale jobs file?)' });
}

/**
 * Import a results file into the cache, all or nothing; returns how many runs were written.
 * The file is read bounded and strict (src/jsonFile.ts), every entry checked, the cache
 * folder probed for room, and the entries staged as temp files before any is renamed into
 * the cache: a full disk leaves the cache as it was.
 */
export function importBatch(path: string, plan: FigurePlan, cacheDir = defaultCacheDir()): number {
  let raw: unknown;
  try {
    raw = readJson(path, 'results');
  } catch (e) {
    if (e instanceof JsonReadError || e instanceof JsonContentError) throw new ResultsFileError(e.message);
    throw e;
  }
  const { entries } = checkBatchResults(raw, webgpuJobs(plan, cacheDir));
  // The cache entries hold what the results file holds: its size is their size.
  return importEntries(entries, cacheDir, statSync(path).size);
}
