/**
 * Cache keys for runs: sha256 of the engine, the backend it runs on, the full validated config,
 * and a digest of the engine's source files, so a changed formula or sampler (or another
 * backend) never reuses a result while an unchanged run is never recomputed.
 */
import { createHash } from 'node:crypto';
import type { RunSpec } from './types.ts';

export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Hash of what determines a run's output, except the engine source digest. */
export function configHash(run: Pick<RunSpec, 'engine' | 'config'>): string {
  return sha256(stableStringify({ engine: run.engine, config: run.config })).slice(0, 16);
}

/** The cache key of a run: what it computes (configHash), where (backend) and with which code (engineDigest). */
export function cacheKey(run: Pick<RunSpec, 'engine' | 'config'>, backend: string, engineDigest: string): string {
  return sha256(`${configHash(run)}:${backend}:${engineDigest}`).slice(0, 24);
}
