/**
 * The results file of `tsdyn batch` (src/commands/batch.ts), checked against the runs it
 * should hold and imported into the run cache, all or nothing. One format and one check for
 * every way runs come back from another machine: `import-batch` (a GPU box, pipeline/batch.ts)
 * and the SLURM executor's shards (src/cluster/executor.ts).
 *
 * File: `{ tsdyn?: Provenance, adapter: string | null, results: [{ id, status, t?, reason?,
 * trajectory, sha256 }] }`. Each entry must be one of the expected runs (by id: the run's cache
 * key, once), carry its own checksum (batchResultChecksum: not edited, not moved to another
 * id), have a status the run allows (a divergence only where it may diverge, at a finite
 * time), and hold a result of that run (src/runs/integrity.ts: shapes, record steps and times,
 * finite values, and its starting point at t = 0). With `provenance`, the file must have been
 * written by the same tsdyn version and code (src/runs/provenance.ts); with `complete`, it must
 * hold every expected run.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { BACKENDS, computedBy, type Backend } from '../engineBackends.ts';
import { checkWritableFolder, StagedFiles } from '../outputFolder.ts';
import type { RunResult } from '../result.ts';
import type { Trajectory } from '../trajectory.ts';
import { cacheFileText, cacheRunPath, storedTrajectory } from './cache.ts';
import { sha256 } from './hash.ts';
import { initialStateProblem, trajectoryProblem } from './integrity.ts';
import type { EngineName } from '../model/engineNames.ts';
import { provenanceProblem, type Provenance } from './provenance.ts';
import type { RunConfig } from '../config.ts';

/**
 * One result as the file holds it. Each carries a sha256 of its own id and content, so an entry
 * edited, damaged or moved to another id (two runs' trajectories swapped) is refused on import
 * even when both runs start from the same point (src/runs/integrity.ts can tell runs apart
 * only by their start).
 */
export type BatchResultEntry = RunResult & { id: string; sha256?: string };

/** sha256 of an entry's id and result (status, t, reason, trajectory), without its own sha256. */
export function batchResultChecksum(entry: BatchResultEntry): string {
  const { sha256: _own, ...rest } = entry;
  return sha256(JSON.stringify(rest));
}

/** A results file that is refused: one line naming the entry and what is wrong. */
export class ResultsFileError extends Error {}

/** A run a results file may hold (a PlannedJob fits). */
export interface ExpectedRun {
  key: string;
  label: string;
  engine: EngineName;
  /** The backend the run's key names. */
  backend: Backend;
  config: RunConfig;
  allowDivergence?: boolean;
}

export interface CheckedEntry<J extends ExpectedRun = ExpectedRun> {
  job: J;
  result: RunResult;
  stored: Trajectory;
  /** The cache entry's backend label: 'cpu', or 'webgpu: <adapter>'. */
  backendLabel: string;
}

export interface CheckOptions {
  /** The message for an id that is no expected run (after `results[i].id: <id> `). */
  unknownId: string;
  /** Require this provenance (the file's `tsdyn` field); without it, a file that has one is still checked. */
  provenance?: Provenance;
  /** Every expected run must be in the file. */
  complete?: boolean;
}

/** Check a parsed results file entry by entry; throws ResultsFileError (one line) at the first problem. */
export function checkResults<J extends ExpectedRun>(raw: unknown, jobs: readonly J[], opts: CheckOptions): { adapter: string | null; entries: CheckedEntry<J>[] } {
  const file = raw as { tsdyn?: unknown; adapter?: unknown; results?: unknown };
  if (typeof file !== 'object' || file === null || (typeof file.adapter !== 'string' && file.adapter !== null) || !Array.isArray(file.results)) {
    throw new ResultsFileError('results: not a tsdyn batch results file ({adapter, results: [...]})');
  }
  if (opts.provenance || file.tsdyn !== undefined) {
    const p = provenanceProblem(file.tsdyn, opts.provenance);
    if (p) throw new ResultsFileError(`results: ${p}; refused (rebuild where the runs ran: make build)`);
  }
  const adapter = file.adapter;
  const byKey = new Map(jobs.map((j) => [j.key, j]));
  const seen = new Set<string>();
  const entries = (file.results as BatchResultEntry[]).map((r, i) => {
    const where = `results[${i}]`;
    if (typeof r !== 'object' || r === null || typeof r.id !== 'string') throw new ResultsFileError(`${where}.id: missing`);
    const job = byKey.get(r.id);
    if (!job) throw new ResultsFileError(`${where}.id: ${r.id} ${opts.unknownId}`);
    if (seen.has(r.id)) throw new ResultsFileError(`${where}.id: duplicate ${r.id}`);
    seen.add(r.id);
    if (r.status !== 'completed' && r.status !== 'diverged') throw new ResultsFileError(`${where}.status: must be completed or diverged`);
    if (typeof r.sha256 !== 'string') throw new ResultsFileError(`${where}.sha256: missing (a results file of an older tsdyn batch? run the jobs again with this version)`);
    if (r.sha256 !== batchResultChecksum(r)) throw new ResultsFileError(`${where}: checksum mismatch (the entry was edited, damaged, or moved from another id)`);
    if (typeof r.trajectory !== 'object' || r.trajectory === null) throw new ResultsFileError(`${where}.trajectory: missing or not a trajectory`);
    if (r.status === 'diverged') {
      if (typeof r.t !== 'number' || !Number.isFinite(r.t) || r.t < 0) throw new ResultsFileError(`${where}.t: the divergence time must be a finite number, got ${JSON.stringify(r.t)}`);
      if (!job.allowDivergence) throw new ResultsFileError(`${where}: ${job.label} diverged at t = ${r.t} (${r.reason})`);
    }
    if (BACKENDS[job.backend].gpu && typeof adapter !== 'string') throw new ResultsFileError(`${where}: a ${job.backend} run, but the file names no adapter`);
    const stored = storedTrajectory(r as RunResult);
    const problem = trajectoryProblem(stored, job) ?? initialStateProblem(stored, job.config);
    if (problem) throw new ResultsFileError(`${where}.trajectory.${problem}`);
    const backendLabel = computedBy(job.backend, { adapterName: adapter as string });
    return { job, result: r as RunResult, stored, backendLabel };
  });
  if (opts.complete) {
    const missing = jobs.filter((j) => !seen.has(j.key));
    if (missing.length) throw new ResultsFileError(`results: no result for ${missing.length} of its ${jobs.length} runs (first: ${missing[0].label})`);
  }
  return { adapter, entries };
}

/**
 * Write checked entries into the cache, one verified file per run, all or nothing: the cache
 * folder is probed for room (`bytes`, about the results file's size), the entries are staged
 * as temp files and renamed together, so a full disk leaves the cache as it was.
 */
export function importEntries(entries: readonly CheckedEntry[], cacheDir: string, bytes: number): number {
  const folder = join(cacheDir, 'runs');
  try {
    mkdirSync(folder, { recursive: true });
  } catch (e) {
    throw new ResultsFileError(`cache: cannot create ${folder} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  checkWritableFolder(folder, 'cache', bytes);
  const staged = new StagedFiles('cache');
  try {
    for (const { job, stored, backendLabel } of entries) {
      // Checksummed like every cache write; a later read verifies it.
      staged.write(cacheRunPath(cacheDir, job.key), cacheFileText(job.key, { label: job.label, engine: job.engine, backend: backendLabel }, stored));
    }
    staged.commit();
  } finally {
    staged.abort();
  }
  return entries.length;
}
