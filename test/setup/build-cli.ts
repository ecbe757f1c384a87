/**
 * vitest globalSetup: build the bundled CLI (dist/cli.js) once before the CLI tests, so they
 * spawn a bare `node dist/cli.js` (~0.1 s a start) instead of compiling TypeScript each time,
 * and so they test the file `tsdyn` actually runs. Every tier that runs the CLI names this
 * file (vitest.config.ts); the build runs once per vitest process however many of them run.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const BUILT = Symbol.for('tsdyn.test.cliBuilt');

export default function setup(): void {
  const state = globalThis as { [BUILT]?: boolean };
  if (state[BUILT]) return;
  const root = join(import.meta.dirname, '..', '..');
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
  state[BUILT] = true;
}
