/**
 * A worker process ends itself within a poll interval of its parent's death, whatever killed
 * the parent (SIGKILL and SIGHUP run no handler there) and whatever the worker is doing (issue
 * 18, class 5). The worker's main thread may be inside a minutes-long synchronous run and
 * cannot notice its stdin closing, so the check runs on its own thread: a worker_thread that
 * polls process.ppid, which changes when the parent dies (the orphan is re-parented to init or
 * a subreaper), and then SIGKILLs its own process. Nothing is half-written by that: workers
 * write no files (the scheduler owns the cache).
 */
import { Worker } from 'node:worker_threads';

/** How often the watchdog looks (ms): a worker outlives its parent by at most this. */
export const WATCHDOG_INTERVAL_MS = 200;

// Plain JS evaluated as the thread's script: no module loading, so it starts the same from
// the sources (tsx), the bundle (dist/cli.js) and tests.
const WATCHDOG_SOURCE = `
const { workerData } = require('node:worker_threads');
setInterval(() => {
  if (process.ppid !== workerData.ppid) process.kill(process.pid, 'SIGKILL');
}, workerData.ms);
`;

/** Start the watchdog (once per process); it never keeps the process alive by itself. */
export function watchParent(ms = WATCHDOG_INTERVAL_MS): void {
  if (started) return;
  started = true;
  const thread = new Worker(WATCHDOG_SOURCE, { eval: true, workerData: { ppid: process.ppid, ms } });
  thread.unref();
}
let started = false;
