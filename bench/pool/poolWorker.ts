/**
 * Worker side of the run pool (src/sim/pool.ts): receive jobs, run them, post results.
 * Loaded in a worker thread by pool-worker.mjs.
 */
import { parentPort } from 'node:worker_threads';
import { runEngine } from '../../src/engines.ts';
import type { RunResult } from '../../src/result.ts';
import type { PoolJob, WorkerReply, WorkerRequest } from './pool.ts';

export function runJob(job: PoolJob, onProgress?: (fraction: number) => void): RunResult {
  return runEngine(job.engine, job.config, { onProgress, ode: job.options });
}

export function serveJobs(): void {
  const port = parentPort;
  if (!port) throw new Error('poolWorker: not running in a worker thread');
  port.on('message', (msg: WorkerRequest) => {
    if (msg.type === 'stop') {
      port.close();
      return;
    }
    const { index, job } = msg;
    let last = -1;
    const onProgress = (fraction: number) => {
      // at most ~100 messages per job
      const f = Math.floor(fraction * 100);
      if (f !== last) {
        last = f;
        port.postMessage({ type: 'progress', index, fraction } satisfies WorkerReply);
      }
    };
    try {
      const result = runJob(job, onProgress);
      port.postMessage({ type: 'done', index, result } satisfies WorkerReply);
    } catch (e) {
      const err = e as Error & { t?: number };
      port.postMessage({
        type: 'error',
        index,
        error: { name: err?.name ?? 'Error', message: String(err?.message ?? e), stack: err?.stack, t: err?.t },
      } satisfies WorkerReply);
    }
  });
  port.postMessage({ type: 'ready' } satisfies WorkerReply);
}
