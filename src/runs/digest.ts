/**
 * Digest of the source files that determine a run's output, part of every cache key: a
 * changed formula, integrator or sampler recomputes, an unchanged one never does.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256 } from './hash.ts';

import { ROOT } from '../root.ts';

export { ROOT };

/** Source files whose change must invalidate cached runs. */
const ENGINE_SOURCES = ['src/theory', 'src/sim', 'src/config.ts', 'src/recordTimes.ts', 'src/engines.ts', 'src/trajectory.ts'];

export function engineDigest(): string {
  return sourcesDigest(ENGINE_SOURCES);
}

/** Digest of source files and folders (a folder: its .ts files), relative to the repository. */
export function sourcesDigest(entries: readonly string[]): string {
  const files: string[] = [];
  for (const entry of entries) {
    const abs = join(ROOT, entry);
    if (entry.endsWith('.ts')) files.push(entry);
    else for (const f of readdirSync(abs).filter((x) => x.endsWith('.ts')).sort()) files.push(`${entry}/${f}`);
  }
  return sha256(files.map((f) => `${f}\n${readFileSync(join(ROOT, f), 'utf8')}`).join('\n')).slice(0, 16);
}

/** The run cache's folder: TSDYN_CACHE_DIR, or .cache/ in the repository. */
export function defaultCacheDir(): string {
  return process.env.TSDYN_CACHE_DIR || join(ROOT, '.cache');
}
