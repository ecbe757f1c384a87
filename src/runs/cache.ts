/**
 * The run cache shared by `make figures` and `tsdyn sweep`: one file per run,
 * `DIR/runs/KEY.json`, written atomically by the worker that computed it.
 *
 * Every file carries its cache key and a sha256 of its result, so a file that is missing,
 * empty, truncated, `{}`, unparsable, stored under another key, or whose result was edited is
 * reported by its path and treated as missing: the run is computed again and the file
 * replaced. A cache can therefore heal itself, and never feeds a wrong number to a figure.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256 } from './hash.ts';
import { writeFileAtomic } from '../io.ts';
import type { Trajectory } from '../trajectory.ts';

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

/** Read and verify one cache file. */
export function readCacheEntry(dir: string, key: string): CacheLookup {
  const path = cacheRunPath(dir, key);
  if (!existsSync(path)) return { status: 'missing' };
  const corrupt = (reason: string): CacheLookup => ({ status: 'corrupt', path, reason });
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return corrupt(`unreadable (${(e as Error).message})`);
  }
  if (text.trim() === '') return corrupt('empty file');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return corrupt('not valid JSON (truncated?)');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return corrupt('not a cache entry');
  const entry = parsed as Partial<CacheEntry>;
  if (entry.format !== CACHE_FORMAT) return corrupt(`not a ${CACHE_FORMAT} entry`);
  if (entry.key !== key) return corrupt(`holds the run ${JSON.stringify(entry.key)}, not ${key}`);
  if (typeof entry.result !== 'object' || entry.result === null) return corrupt('no result');
  if (entry.sha256 !== checksum(entry.result)) return corrupt('checksum mismatch (edited or damaged result)');
  return { status: 'hit', trajectory: entry.result, backend: String(entry.backend) };
}
