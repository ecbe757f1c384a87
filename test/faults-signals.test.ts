/**
 * Fault injection: orphans and a worker that dies: a signal to any
 * process of a multi-run command leaves no process behind.
 *
 * - The parent (`tsdyn sweep` as dist/cli.js, the pipeline as `zx pipeline/figures.mjs`) gets
 *   SIGKILL, SIGHUP, SIGTERM or SIGINT while its workers are inside long synchronous runs:
 *   every worker is gone within a second of the parent's death. SIGKILL and an unhandled
 *   SIGHUP run no code in the parent; only the workers' own watchdog (src/runs/watchdog.mjs)
 *   can end them.
 * - A worker gets SIGKILL or SIGTERM: the sweep fails at once with one line naming the run
 *   (exit 2: not the user's fault), kills the other worker, writes no table.
 * - `tsdyn batch` gets SIGTERM or SIGHUP in the middle of a GPU submission: it ends within a
 *   second (by the signal's default action: no handler could run before the submission ends),
 *   no output file.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI } from './helpers/cli.ts';
import { alive, descendants, sleep, start, waitFor, ZX } from './helpers/processes.ts';

const tmp = mkdtempSync(join(tmpdir(), 'tsdyn-faults-signals-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Two SGD runs of about a minute each: both workers stay inside a synchronous run. */
const longSweep = {
  base: { model: 'soft-committee', N: 784, K: 4, M: 4, tMax: 20000, recordPoints: 20, studentScale: 0.5 },
  grid: { lr: [0.5, 0.6] },
  engines: ['sgd'],
};

function writeJson(name: string, value: unknown): string {
  const p = join(tmp, name);
  writeFileSync(p, JSON.stringify(value));
  return p;
}

/** Send `signal` to the parent only, then measure how long its workers outlive it. */
async function killParent(child: ReturnType<typeof start>, workers: number[], signal: NodeJS.Signals) {
  process.kill(child.child.pid!, signal);
  const result = await child.done;
  const died = performance.now();
  const gone = await waitFor(() => workers.every((pid) => !alive(pid)), 5_000);
  return { result, gone, seconds: (performance.now() - died) / 1000 };
}

describe('a signal to the parent leaves no worker (sweep and pipeline)', () => {
  for (const signal of ['SIGKILL', 'SIGHUP', 'SIGTERM', 'SIGINT'] as const) {
    it(`tsdyn sweep, ${signal}: both workers gone within a second of the parent's death`, async () => {
      const cache = join(tmp, `cache-sweep-${signal}`);
      const out = join(tmp, `out-sweep-${signal}`);
      const child = start([CLI, 'sweep', '--config', writeJson(`long-${signal}.json`, longSweep), '--out', out, '--jobs', '2'], { TSDYN_CACHE_DIR: cache });
      expect(await waitFor(() => descendants(child.child.pid!).length >= 2, 30_000)).toBe(true);
      await sleep(1500); // both workers inside their run
      const workers = descendants(child.child.pid!);
      const { result, gone, seconds } = await killParent(child, workers, signal);
      expect(result.signal ?? result.code).toBe(signal === 'SIGKILL' ? 'SIGKILL' : { SIGHUP: 129, SIGTERM: 143, SIGINT: 130 }[signal]);
      expect(gone).toBe(true);
      expect(seconds).toBeLessThan(1);
      expect(readdirSync(tmp)).not.toContain(`out-sweep-${signal}`);
    });
  }

  for (const signal of ['SIGKILL', 'SIGHUP', 'SIGTERM', 'SIGINT'] as const) {
    it(`pipeline, ${signal}: every worker gone within a second of the parent's death`, async () => {
      const cache = join(tmp, `cache-pipeline-${signal}`);
      const out = join(tmp, `out-pipeline-${signal}`);
      mkdirSync(cache, { recursive: true });
      // Figure 2's ci preset: SGD runs of several seconds each, two at a time.
      const child = start([ZX, 'pipeline/figures.mjs', '--only=two-layer', '--preset', 'ci', '--jobs', '2'], { TSDYN_CACHE_DIR: cache, TSDYN_OUTPUT_DIR: out });
      expect(await waitFor(() => descendants(child.child.pid!).length >= 2, 60_000)).toBe(true);
      await sleep(700);
      const workers = descendants(child.child.pid!);
      const { result, gone, seconds } = await killParent(child, workers, signal);
      expect(result.signal ?? result.code).toBe(signal === 'SIGKILL' ? 'SIGKILL' : { SIGHUP: 129, SIGTERM: 143, SIGINT: 130 }[signal]);
      expect(gone).toBe(true);
      expect(seconds).toBeLessThan(1);
      expect(readdirSync(tmp)).not.toContain(`out-pipeline-${signal}`);
    });
  }
});

describe('a signal to a worker fails the sweep at once, naming the run', () => {
  for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
    it(`${signal} to one worker: one line, exit 2, the other worker stopped, no table`, async () => {
      const out = join(tmp, `out-worker-${signal}`);
      const child = start([CLI, 'sweep', '--config', writeJson(`long-w-${signal}.json`, longSweep), '--out', out, '--jobs', '2'], { TSDYN_CACHE_DIR: join(tmp, `cache-w-${signal}`) });
      expect(await waitFor(() => descendants(child.child.pid!).length >= 2, 30_000)).toBe(true);
      await sleep(1000);
      const workers = descendants(child.child.pid!);
      const started = performance.now();
      process.kill(workers[0], signal);
      const result = await child.done;
      expect((performance.now() - started) / 1000).toBeLessThan(5);
      expect(result.code).toBe(2);
      const lines = result.stderr.trim().split('\n');
      expect(lines.at(-1)).toMatch(new RegExp(`^tsdyn sweep: lr=0\\.[56] seed=0 sgd: internal error: the worker stopped \\(${signal}\\)`));
      expect(lines.filter((l) => l.startsWith('tsdyn sweep:'))).toHaveLength(1);
      expect(await waitFor(() => workers.every((pid) => !alive(pid)), 2_000)).toBe(true);
      expect(readdirSync(tmp)).not.toContain(`out-worker-${signal}`);
    });
  }
});

describe('tsdyn batch: a stop signal ends it at once and writes nothing', () => {
  for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
    it(`${signal} during a GPU submission: ended within a second, no results file`, async () => {
      const jobs = writeJson(`jobs-${signal}.json`, {
        jobs: [{ id: 'long', config: { model: 'soft-committee', N: 784, K: 4, M: 4, tMax: 20000, recordPoints: 20, studentScale: 0.5, seed: 1 } }],
      });
      const out = join(tmp, `results-${signal}.json`);
      const child = start([CLI, 'batch', '--jobs', jobs, '--out', out, '--software'], {});
      // Running once it has named its adapter.
      const named = await new Promise<boolean>((resolve) => {
        const t = setTimeout(() => resolve(false), 60_000);
        child.child.stderr!.on('data', (c: Buffer) => String(c).includes('runs on') && (clearTimeout(t), resolve(true)));
      });
      expect(named).toBe(true);
      await sleep(500);
      const sent = performance.now();
      child.child.kill(signal);
      const result = await child.done;
      expect((performance.now() - sent) / 1000).toBeLessThan(1);
      expect(result.signal).toBe(signal);
      expect(readdirSync(tmp).filter((f) => f.startsWith(`results-${signal}`))).toEqual([]);
    });
  }
});
