/** Run the bundled CLI (built by test/setup/build-cli.ts) the way a user's shell would. */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');
export const CLI = join(ROOT, 'dist', 'cli.js');

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  /** stderr split into non-empty lines. */
  stderr: string[];
  seconds: number;
}

export function runCli(args: string[], options: SpawnSyncOptions & { env?: NodeJS.ProcessEnv } = {}): CliRun {
  const started = performance.now();
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    ...options,
    env: { ...process.env, CI: 'true', ...options.env },
  });
  return {
    code: r.status,
    signal: r.signal,
    stdout: String(r.stdout ?? ''),
    stderr: String(r.stderr ?? '').split('\n').filter((l) => l !== ''),
    seconds: (performance.now() - started) / 1000,
  };
}
