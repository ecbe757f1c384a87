/**
 * Digest of the source files that determine a run's output, part of every cache key: a
 * changed formula, integrator or sampler recomputes, an unchanged one never does.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sha256 } from './hash.ts';

/** The repository root (this file is src/runs/digest.ts). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Source files whose change must invalidate cached runs. */
const ENGINE_SOURCES = ['src/theory', 'src/sim', 'src/config.ts', 'src/recordTimes.ts', 'src/engines.ts', 'src/trajectory.ts'];

export function engineDigest(): string {
  const files: string[] = [];
  for (const entry of ENGINE_SOURCES) {
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
