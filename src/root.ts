/**
 * The repository root, found by walking up from this module to the package.json named
 * "tsdyn". A fixed number of `..` would be wrong in one of the two layouts the code runs in:
 * the sources (src/…) and the esbuild bundle (dist/chunks/…). Without such a package.json
 * above it (a single-file bundle copied alone), its own folder.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'tsdyn') return dir;
      } catch {
        /* not ours: keep walking */
      }
    }
    // A single-file bundle copied alone (dist/tsdyn-batch.mjs on a GPU box or a cluster node)
    // has no package.json above it. It reads and writes nothing under ROOT (its code digests are
    // inlined, its worker processes are never started there), so its own folder stands in.
    if (dirname(dir) === dir) return start;
  }
}

export const ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));
