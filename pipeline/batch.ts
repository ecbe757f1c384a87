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
import { readFileSync } from 'node:fs';
import { gpuLabel } from '../src/backends.ts';
import { storedTrajectory } from '../src/figures/execute.ts';
import type { FigureDefinition, Preset } from '../src/figures/types.ts';
import { toJson, writeFileAtomic } from '../src/io.ts';
import { headCount, teacherCount } from '../src/model/schedule.ts';
import { recordSteps } from '../src/recordTimes.ts';
import type { RunResult } from '../src/result.ts';
import { writeCacheEntry } from '../src/runs/cache.ts';
import { defaultCacheDir, engineDigest } from '../src/runs/digest.ts';
import { formatRunKey } from '../src/runs/key.ts';
import { planJobs, runBackend, type PlannedJob } from '../src/runs/scheduler.ts';

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
  results: (RunResult & { id: string })[];
}

/** Path of the first leaf that is not a finite number (null stands for NaN in JSON). */
function notFinite(value: unknown, path: string): string | null {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const p = notFinite(value[i], `${path}[${i}]`);
      if (p) return p;
    }
    return null;
  }
  return typeof value === 'number' && Number.isFinite(value) ? null : path;
}

/** Check a results file entry by entry against the planned jobs; one line naming the entry on error. */
export function checkBatchResults(raw: unknown, jobs: PlannedJob[]): { adapter: string; entries: { job: PlannedJob; result: RunResult }[] } {
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
    const traj = r.trajectory;
    if (typeof traj !== 'object' || traj === null || !Array.isArray(traj.t)) throw new BatchFileError(`${where}.trajectory: missing or not a trajectory`);
    if (r.status === 'diverged' && !job.allowDivergence) throw new BatchFileError(`${where}: ${job.label} diverged at t = ${r.t} (${r.reason})`);
    // A diverged run's records stop at the divergence; a completed one has every record, all finite
    // (JSON writes NaN and ±∞ as null, so a leaf that is not a finite number is refused).
    const expected = recordSteps(job.config).length;
    const fields = traj as unknown as Record<string, unknown>;
    const checkSeries = (key: string, series: unknown) => {
      if (!Array.isArray(series)) throw new BatchFileError(`${where}.trajectory.${key}: missing`);
      if (r.status === 'completed' && series.length !== expected) throw new BatchFileError(`${where}.trajectory.${key}: ${series.length} records, the run has ${expected}`);
      if (r.status === 'completed') {
        const bad = notFinite(series, `${key}`);
        if (bad) throw new BatchFileError(`${where}.trajectory.${bad}: not a finite number`);
      }
    };
    for (const key of ['t', 'eg', 'Q', 'R', 'v'] as const) checkSeries(key, fields[key]);
    // Several teachers: ε_g on each teacher (one series per teacher); heads "multi": every head at every record.
    const teachers = teacherCount(job.config);
    if (teachers > 1) {
      const perTeacher = fields.egTeachers;
      if (!Array.isArray(perTeacher) || perTeacher.length !== teachers) throw new BatchFileError(`${where}.trajectory.egTeachers: missing (one series per teacher, ${teachers})`);
      perTeacher.forEach((series, p) => checkSeries(`egTeachers[${p}]`, series));
    }
    if (headCount(job.config) > 1) checkSeries('heads', fields.heads);
    return { job, result: r as RunResult };
  });
  return { adapter: file.adapter, entries };
}

/** Import a results file into the cache (all or nothing); returns how many runs were written. */
export function importBatch(path: string, plan: FigurePlan, cacheDir = defaultCacheDir()): number {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new BatchFileError(`${path}: cannot read as JSON (${(e as Error).message.split('\n')[0]})`);
  }
  const { adapter, entries } = checkBatchResults(raw, webgpuJobs(plan, cacheDir));
  for (const { job, result } of entries) {
    // Atomic and checksummed like every cache write; a later read verifies it.
    writeCacheEntry(cacheDir, job.key, { label: job.label, engine: job.engine, backend: gpuLabel({ adapterName: adapter }) }, storedTrajectory(result));
  }
  return entries.length;
}
