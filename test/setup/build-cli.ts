/**
 * vitest globalSetup: build the bundled CLI (dist/cli.js) once before the CLI tests, so they
 * spawn a bare `node dist/cli.js` (~0.1 s a start) instead of compiling TypeScript each time,
 * and so they test the file `tsdyn` actually runs.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export default function setup(): void {
  const root = join(import.meta.dirname, '..', '..');
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
}
