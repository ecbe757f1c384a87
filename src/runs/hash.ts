/**
 * Canonical JSON and sha256, and the hashes made of them: a run's config hash (what it
 * computes) and its cache key (what it computes, on which backend, with which code), so a
 * changed formula or sampler (or another backend) never reuses a result while an unchanged run
 * is never recomputed.
 */
import { createHash } from 'node:crypto';
import type { RunConfig } from '../config.ts';

/** JSON with object keys sorted (undefined-valued keys dropped), so equal values give equal text. */
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

/** What a run computes: its engine and its validated config. */
type RunInput = { engine: string; config: RunConfig };

/** Hash of what determines a run's output, except the code that computes it. */
export function configHash(run: RunInput): string {
  return sha256(stableStringify({ engine: run.engine, config: run.config })).slice(0, 16);
}

/** The cache key of a run: what it computes (configHash), where (backend) and with which code (its digest). */
export function cacheKey(run: RunInput, backend: string, codeDigest: string): string {
  return sha256(`${configHash(run)}:${backend}:${codeDigest}`).slice(0, 24);
}
