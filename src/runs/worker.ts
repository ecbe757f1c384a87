/**
 * A long-lived worker process of the run scheduler (src/runs/scheduler.ts). It reads jobs from
 * stdin, one JSON line each, computes them one after the other, writes each result into the
 * cache (atomically) and reports on stdout:
 *
 *   done KEY SECONDS          the result is in the cache
 *   fail KEY "message"        the run threw (a bug or bad input; divergence is a result)
 *
 * Loading tsx and the modules costs ~1 s, more than most sampler runs take, so one process
 * serves many runs. It exits when stdin closes (also when its parent dies).
 */
import { createInterface } from 'node:readline';
import { validateConfig } from '../config.ts';
import { executeRun } from '../figures/execute.ts';
import { writeCacheEntry } from './cache.ts';
import type { WorkerJob } from './scheduler.ts';

export async function serveJobs(cacheDir: string | undefined): Promise<void> {
  if (!cacheDir) throw new Error('worker: missing cache folder argument');
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    let key = '?';
    const started = performance.now();
    try {
      const job = JSON.parse(line) as WorkerJob;
      key = job.key;
      const config = validateConfig(job.config);
      const trajectory = executeRun({ engine: job.engine, config, allowDivergence: job.allowDivergence });
      writeCacheEntry(cacheDir, job.key, { label: job.label, engine: job.engine, backend: job.backend }, trajectory);
      process.stdout.write(`done ${key} ${((performance.now() - started) / 1000).toFixed(3)}\n`);
    } catch (e) {
      process.stdout.write(`fail ${key} ${JSON.stringify((e as Error)?.message ?? String(e))}\n`);
    }
  }
}
