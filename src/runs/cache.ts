/**
 * The run cache shared by `make figures` and `tsdyn sweep`: one file per run,
 * `DIR/runs/KEY.json`, written atomically by the worker that computed it.
 *
 * Every file carries its cache key and a sha256 of its result, so a file that is missing,
 * empty, truncated, `{}`, unparsable, stored under another key, or whose result was edited is
 * reported by its path and treated as missing: the run is computed again and the file
 * replaced. A cache can therefore heal itself, and never feeds a wrong number to a figure.
 *
 * A checksum only proves the file unchanged since it was written. Given the run it should
 * hold (`expect`), a read also checks that the entry fits that run (src/runs/integrity.ts:
 * engine and backend, shapes, record times, finite values), so an entry written wrong (a
 * poisoned import from an older version) is named by its path too, and recomputed.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { RunConfig } from '../config.ts';
import type { RunResult } from '../result.ts';
import { JsonContentError, JsonReadError, parseJsonText, readJsonText } from '../jsonFile.ts';
import { sha256 } from './hash.ts';
import { trajectoryProblem } from './integrity.ts';
import { writeFileAtomic } from '../io.ts';
import type { Trajectory } from '../trajectory.ts';

/**
 * What the cache stores and figures read: the trajectory, with `divergedAt` set when the run
 * diverged (its records stop there; stability maps read the field).
 */
export function storedTrajectory(result: RunResult): Trajectory {
  return result.status === 'completed' ? result.trajectory : { ...result.trajectory, divergedAt: result.t };
}

/** Bumped when the file layout changes: an old file then reads as corrupt and is recomputed. */
export const CACHE_FORMAT = 'tsdyn-run-cache/1';

export interface CacheEntry {
  format: typeof CACHE_FORMAT;
  key: string;
  /** For people reading the cache: which run this is. */
  label: string;
  engine: string;
  backend: string;
  /** sha256 of JSON.stringify(result). */
  sha256: string;
  result: Trajectory;
}

export type CacheLookup =
  | { status: 'hit'; trajectory: Trajectory; /** Who computed it, as written (e.g. 'cpu', 'webgpu: <adapter>'). */ backend: string }
  | { status: 'missing' }
  | { status: 'corrupt'; path: string; reason: string };

export function cacheRunPath(dir: string, key: string): string {
  return join(dir, 'runs', `${key}.json`);
}

function checksum(result: unknown): string {
  return sha256(JSON.stringify(result));
}

/** Serialize a result into a cache file's text. */
export function cacheFileText(key: string, meta: { label: string; engine: string; backend: string }, result: Trajectory): string {
  const entry: CacheEntry = { format: CACHE_FORMAT, key, label: meta.label, engine: meta.engine, backend: meta.backend, sha256: checksum(result), result };
  return `${JSON.stringify(entry)}\n`;
}

export function writeCacheEntry(dir: string, key: string, meta: { label: string; engine: string; backend: string }, result: Trajectory): void {
  writeFileAtomic(cacheRunPath(dir, key), cacheFileText(key, meta, result));
}

/** What a cache entry must hold: the run's engine and config, and the kind of backend that computed it. */
export interface CacheExpectation {
  engine: string;
  config: RunConfig;
  /** 'cpu' or 'webgpu': the entry's backend label must be 'cpu' or 'webgpu: <adapter>'. */
  backend: string;
}

/** Read and verify one cache file (and, with `expect`, that it holds that run's result). */
export function readCacheEntry(dir: string, key: string, expect?: CacheExpectation): CacheLookup {
  const path = cacheRunPath(dir, key);
  if (!existsSync(path)) return { status: 'missing' };
  const corrupt = (reason: string): CacheLookup => ({ status: 'corrupt', path, reason });
  let parsed: unknown;
  try {
    const text = readJsonText(path, 'cache');
    if (text.trim() === '') return corrupt('empty file');
    parsed = parseJsonText(path, text, 'cache');
  } catch (e) {
    if (e instanceof JsonReadError) return corrupt(`unreadable (${e.code})`);
    if (e instanceof JsonContentError) return corrupt(e.reason.startsWith('is not valid JSON') ? 'not valid JSON (truncated?)' : e.reason.replace(/^is /, ''));
    throw e;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return corrupt('not a cache entry');
  const entry = parsed as Partial<CacheEntry>;
  if (entry.format !== CACHE_FORMAT) return corrupt(`not a ${CACHE_FORMAT} entry`);
  if (entry.key !== key) return corrupt(`holds the run ${JSON.stringify(entry.key)}, not ${key}`);
  if (typeof entry.result !== 'object' || entry.result === null) return corrupt('no result');
  if (entry.sha256 !== checksum(entry.result)) return corrupt('checksum mismatch (edited or damaged result)');
  if (expect) {
    if (entry.engine !== expect.engine) return corrupt(`made by engine ${JSON.stringify(entry.engine)}, but the run's engine is ${expect.engine}`);
    const backendOk = expect.backend === 'cpu' ? entry.backend === 'cpu' : typeof entry.backend === 'string' && entry.backend.startsWith(`${expect.backend}: `);
    if (!backendOk) return corrupt(`computed on ${JSON.stringify(entry.backend)}, but the run's backend is ${expect.backend}`);
    const problem = trajectoryProblem(entry.result, expect);
    if (problem) return corrupt(`result does not fit the run: ${problem}`);
  }
  return { status: 'hit', trajectory: entry.result, backend: String(entry.backend) };
}
