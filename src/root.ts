/**
 * The repository root, found by walking up from this module to the package.json named
 * "tsdyn". A fixed number of `..` would be wrong in one of the two layouts the code runs in:
 * the sources (src/…) and the esbuild bundle (dist/chunks/…).
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
    if (dirname(dir) === dir) throw new Error(`cannot find the tsdyn package root above ${start}`);
  }
}

export const ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));
