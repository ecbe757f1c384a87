/**
 * Which tsdyn made a file of runs: its version and, per backend, the digest of the code of every
 * engine on that backend (src/runs/digest.ts, src/engineBackends.ts). A SLURM shard file carries
 * the collector's, a results file the runner's, so results computed by another build (a stale
 * dist/ on the nodes, a checkout changed since the submission) are refused by name before any
 * of them is compared run by run.
 */
import { BACKEND_NAMES, type Backend } from '../engineBackends.ts';
import { VERSION } from '../version.ts';
import { backendCodeDigest } from './digest.ts';

export interface Provenance {
  version: string;
  /** Per backend: the digest of its engines' code (any change there changes a cache key). */
  code: Record<Backend, string>;
}

let own: Provenance | undefined;

/** This process's provenance (computed once: from the sources it resolves the import closures). */
export function provenance(): Provenance {
  if (own) return own;
  const code = Object.fromEntries(BACKEND_NAMES.map((b) => [b, backendCodeDigest(b)])) as Record<Backend, string>;
  own = { version: VERSION, code };
  return own;
}

/** For messages: `tsdyn 0.1.0 (cpu 0123abcd…, webgpu 4567ef01…)`. */
export function describeProvenance(p: Provenance): string {
  return `tsdyn ${p.version} (${Object.entries(p.code).map(([b, d]) => `${b} ${d}`).join(', ')})`;
}

/** Why `other` is not this provenance (a phrase), or null when it is the same build. */
export function provenanceProblem(other: unknown, mine: Provenance = provenance()): string | null {
  const p = other as Partial<Provenance> | undefined;
  if (typeof p !== 'object' || p === null || typeof p.version !== 'string' || typeof p.code !== 'object' || p.code === null) return 'no tsdyn version and code digest (made by an older tsdyn?)';
  const same = p.version === mine.version && (Object.keys(mine.code) as Backend[]).every((b) => (p.code as Record<string, unknown>)[b] === mine.code[b]);
  return same ? null : `made by ${describeProvenance(p as Provenance)}, not by this ${describeProvenance(mine)}`;
}
