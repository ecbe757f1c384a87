/**
 * The pipeline side of a remote GPU box (README "GPU backend"):
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
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gpuLabel } from '../src/backends.ts';
import { storedTrajectory } from '../src/figures/execute.ts';
import type { FigureDefinition, Preset } from '../src/figures/types.ts';
import { batchResultChecksum, type BatchResultEntry } from '../src/gpu/batchFile.ts';
import { toJson, writeFileAtomic } from '../src/io.ts';
import { JsonContentError, JsonReadError, readJson } from '../src/jsonFile.ts';
import { checkWritableFolder, StagedFiles } from '../src/outputFolder.ts';
import type { RunResult } from '../src/result.ts';
import { cacheFileText, cacheRunPath } from '../src/runs/cache.ts';
import { defaultCacheDir, engineDigest } from '../src/runs/digest.ts';
import { initialStateProblem, trajectoryProblem } from '../src/runs/integrity.ts';
import { formatRunKey } from '../src/runs/key.ts';
import { planJobs, runBackend, type PlannedJob } from '../src/runs/scheduler.ts';
import type { Trajectory } from '../src/trajectory.ts';

export class BatchFileError extends Error {}

/** Which figures of which presets (pipeline/figures.ts figurePlan). */
export type FigurePlan = { preset: Preset; figures: FigureDefinition[] }[];

/** The webgpu jobs the plan has (cached or not). */
export function webgpuJobs(plan: FigurePlan, cacheDir = defaultCacheDir()): PlannedJob[] {
  // Only the runs that go to the GPU are planned (and so only their cache files read and checked).
  const runs = plan.flatMap(({ preset, figures }) =>
    figures.flatMap((fig) => fig.runs(preset).filter((r) => runBackend(r, 'webgpu') === 'webgpu').map((r) => ({ ...r, label: `${fig.name} ${formatRunKey(r.key)}` }))),
  );
  return planJobs(runs, { cacheDir, backend: 'webgpu', engineDigest: engineDigest() }).jobs;
}

/** A `tsdyn batch` jobs file of the runs not yet cached; returns how many. */
export function exportJobs(plan: FigurePlan, out: string, cacheDir = defaultCacheDir()): number {
  const todo = webgpuJobs(plan, cacheDir).filter((j) => !j.cached);
  writeFileAtomic(out, toJson({ jobs: todo.map((j) => ({ id: j.key, label: j.label, config: j.config })) }, 2));
  return todo.length;
}

interface BatchResultsFile {
  adapter: string;
  results: BatchResultEntry[];
}

/**
 * Check a results file entry by entry against the planned jobs, before anything is written;
 * one line naming the entry on error. Each entry must be a planned run (by id, once), carry
 * its own checksum (src/gpu/batchFile.ts: not edited, not moved to another id), and hold a
 * result of that run (src/runs/integrity.ts: shapes, record steps and times, finite values,
 * and its starting point: T, Q, R, v at t = 0 those of the run's seed or init).
 */
export function checkBatchResults(raw: unknown, jobs: PlannedJob[]): { adapter: string; entries: { job: PlannedJob; result: RunResult; stored: Trajectory }[] } {
  const file = raw as Partial<BatchResultsFile>;
  if (typeof file !== 'object' || file === null || typeof file.adapter !== 'string' || !Array.isArray(file.results)) {
    throw new BatchFileError('results: not a tsdyn batch results file ({adapter, results: [...]})');
  }
  const byKey = new Map(jobs.map((j) => [j.key, j]));
  const seen = new Set<string>();
  const entries = file.results.map((r, i) => {
    const where = `results[${i}]`;
    if (typeof r !== 'object' || r === null || typeof r.id !== 'string') throw new BatchFileError(`${where}.id: missing`);
    const job = byKey.get(r.id);
    if (!job) throw new BatchFileError(`${where}.id: ${r.id} is no sgd run of these figures and presets with the current engine and GPU code (stale jobs file?)`);
    if (seen.has(r.id)) throw new BatchFileError(`${where}.id: duplicate ${r.id}`);
    seen.add(r.id);
    if (r.status !== 'completed' && r.status !== 'diverged') throw new BatchFileError(`${where}.status: must be completed or diverged`);
    if (typeof r.sha256 !== 'string') throw new BatchFileError(`${where}.sha256: missing (a results file of an older tsdyn batch? run the jobs again with this version)`);
    if (r.sha256 !== batchResultChecksum(r)) throw new BatchFileError(`${where}: checksum mismatch (the entry was edited, damaged, or moved from another id)`);
    if (typeof r.trajectory !== 'object' || r.trajectory === null) throw new BatchFileError(`${where}.trajectory: missing or not a trajectory`);
    if (r.status === 'diverged') {
      if (typeof r.t !== 'number' || !Number.isFinite(r.t) || r.t < 0) throw new BatchFileError(`${where}.t: the divergence time must be a finite number, got ${JSON.stringify(r.t)}`);
      if (!job.allowDivergence) throw new BatchFileError(`${where}: ${job.label} diverged at t = ${r.t} (${r.reason})`);
    }
    const stored = storedTrajectory(r as RunResult);
    const problem = trajectoryProblem(stored, job) ?? initialStateProblem(stored, job.config);
    if (problem) throw new BatchFileError(`${where}.trajectory.${problem}`);
    return { job, result: r as RunResult, stored };
  });
  return { adapter: file.adapter, entries };
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
    if (e instanceof JsonReadError || e instanceof JsonContentError) throw new BatchFileError(e.message);
    throw e;
  }
  const { adapter, entries } = checkBatchResults(raw, webgpuJobs(plan, cacheDir));
  const folder = join(cacheDir, 'runs');
  try {
    mkdirSync(folder, { recursive: true });
  } catch (e) {
    throw new BatchFileError(`cache: cannot create ${folder} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  // The cache entries hold what the results file holds: its size is their size.
  checkWritableFolder(folder, 'cache', statSync(path).size);
  const staged = new StagedFiles('cache');
  try {
    for (const { job, stored } of entries) {
      // Checksummed like every cache write; a later read verifies it.
      staged.write(cacheRunPath(cacheDir, job.key), cacheFileText(job.key, { label: job.label, engine: job.engine, backend: gpuLabel({ adapterName: adapter }) }, stored));
    }
    staged.commit();
  } finally {
    staged.abort();
  }
  return entries.length;
}
