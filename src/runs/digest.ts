/**
 * Digest of the code that decides a run's output, part of every cache key: a changed formula,
 * integrator or sampler recomputes, an unchanged one never does.
 *
 * Each (engine, backend) names its code in the engine table (src/engineBackends.ts, `code`);
 * the files are the import closure of that code as esbuild resolves it (its metafile), not a
 * list kept by hand: a helper moved to another folder stays covered, and code the engines do
 * not import (the bench's worker pool, figures, rendering, the CLI) can change without
 * invalidating the cache. Imports used only as types are not followed (they decide nothing at
 * run time); the files of bundled packages are included, so a changed dependency recomputes
 * too. Running from the sources (tsx, vitest) a closure is resolved at the first key that
 * needs it, once per process (~0.1 s); a bundle carries the digests computed when it was built.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { BACKEND_NAMES, enginePairs, onBackend, type Backend, type EngineName } from '../engineBackends.ts';
import { ROOT } from '../root.ts';
import { sha256 } from './hash.ts';

/** The digest of the code that computes `engine` on `backend` (its cache keys carry it). */
export function codeDigest(engine: EngineName, backend: Backend): string {
  return closureDigest(onBackend(engine, backend).code);
}

/** The code of every engine on `backend`, together (sorted, each file once). */
export function backendCode(backend: Backend): string[] {
  return [...new Set(enginePairs().filter((p) => p.backend === backend).flatMap((p) => onBackend(p.engine, p.backend).code))].sort();
}

/** The digest of every engine's code on `backend`: what a build's provenance names per backend. */
export function backendCodeDigest(backend: Backend): string {
  return closureDigest(backendCode(backend));
}

/** Every set of entries a digest is asked for: each pair's code and each backend's (a bundle inlines them all). */
export function digestEntrySets(): string[][] {
  const sets = [...enginePairs().map((p) => [...onBackend(p.engine, p.backend).code]), ...BACKEND_NAMES.map(backendCode)];
  const seen = new Set<string>();
  return sets.filter((s) => !seen.has(entriesId(s)) && seen.add(entriesId(s)));
}

/**
 * In a bundle (dist/cli.js, the GPU box's box.mjs): the digests of the code it was built from,
 * computed by codeDigestTable when it was bundled (scripts/code-digests.mjs) and inlined by
 * esbuild's `define`. The code that runs is the bundle's, and where it runs there may be no
 * esbuild (the GPU box has no npm install). Running from the sources it is undefined.
 */
declare const __TSDYN_CODE_DIGESTS__: Record<string, string> | undefined;
const BUNDLED: Record<string, string> | undefined = typeof __TSDYN_CODE_DIGESTS__ === 'undefined' ? undefined : __TSDYN_CODE_DIGESTS__;

const entriesId = (entries: readonly string[]) => entries.join('\n');
const cached = new Map<string, string>();

/** closureDigestAt(entries, ROOT), computed once per process for each set of entries (or the bundle's). */
export function closureDigest(entries: readonly string[]): string {
  const id = entriesId(entries);
  let digest = cached.get(id) ?? BUNDLED?.[id];
  if (digest === undefined) digest = closureDigestAt(entries, ROOT);
  cached.set(id, digest);
  return digest;
}

/** The digests a bundle inlines: one per set of entries, keyed as closureDigest looks them up. */
export function codeDigestTable(entrySets: readonly (readonly string[])[]): Record<string, string> {
  return Object.fromEntries(entrySets.map((entries) => [entriesId(entries), closureDigestAt(entries, ROOT)]));
}

/** Digest of the files in the import closure of `entries` (paths relative to `root`). */
export function closureDigestAt(entries: readonly string[], root: string): string {
  const files = importClosure(entries, root);
  return sha256(files.map((f) => `${f.name}\n${readFileSync(f.path, 'utf8')}`).join('\n')).slice(0, 16);
}

/**
 * The files `entries` import, transitively, with the names the digest gives them: the path
 * relative to `root`, or from `node_modules/` on for a package's file (the same wherever the
 * packages are installed or linked from). Sorted by name.
 */
export function importClosure(entries: readonly string[], root: string): { name: string; path: string }[] {
  const result = esbuild().buildSync({
    absWorkingDir: root,
    entryPoints: [...entries],
    bundle: true,
    write: false,
    metafile: true,
    outdir: 'closure',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Dawn's optional native package, loaded at run time by src/gpu/node.ts (as in scripts/build.mjs).
    external: ['webgpu'],
    logLevel: 'silent',
  });
  return Object.keys(result.metafile!.inputs)
    .map((input) => {
      const at = input.lastIndexOf('node_modules/');
      return { name: at >= 0 ? input.slice(at) : input, path: join(root, input) };
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

type Esbuild = typeof import('esbuild');
let loaded: Esbuild | undefined;

/**
 * esbuild, loaded on first use (a devDependency, which every checkout has: it also builds
 * dist/). Commands that key no run, and bundles, which carry their digests, never load it.
 */
function esbuild(): Esbuild {
  if (loaded) return loaded;
  try {
    loaded = createRequire(import.meta.url)('esbuild') as Esbuild;
  } catch (e) {
    throw new Error(`the run cache's code digest needs esbuild (a devDependency): run npm ci (${(e as Error).message.split('\n')[0]})`);
  }
  return loaded;
}

/** The run cache's folder: TSDYN_CACHE_DIR, or .cache/ in the repository. */
export function defaultCacheDir(): string {
  return process.env.TSDYN_CACHE_DIR || join(ROOT, '.cache');
}
