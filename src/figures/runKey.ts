/**
 * Cache keys for runs: sha256 of the engine, the backend it runs on, the full validated config,
 * and a digest of the engine's source files, so a changed formula or sampler (or another
 * backend) never reuses a result while an unchanged run is never recomputed.
 */
import type { RunConfig } from '../config.ts';
import { sha256, stableStringify } from '../runs/hash.ts';

export { sha256, stableStringify };

/** What a run computes: its engine and its validated config. */
type RunInput = { engine: string; config: RunConfig };

/** Hash of what determines a run's output, except the engine source digest. */
export function configHash(run: RunInput): string {
  return sha256(stableStringify({ engine: run.engine, config: run.config })).slice(0, 16);
}

/** The cache key of a run: what it computes (configHash), where (backend) and with which code (engineDigest). */
export function cacheKey(run: RunInput, backend: string, engineDigest: string): string {
  return sha256(`${configHash(run)}:${backend}:${engineDigest}`).slice(0, 24);
}
