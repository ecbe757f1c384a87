// A worker process ends itself within a poll interval of its parent's death, whatever killed
// the parent (SIGKILL and SIGHUP run no handler there) and whatever the worker is doing (issue
// 18, class 5). The worker's main thread may be inside a minutes-long synchronous run and
// cannot notice its stdin closing, so the check runs on its own thread: a worker_thread that
// polls process.ppid, which changes when the parent dies (the orphan is re-parented to init or
// a subreaper), and then SIGKILLs its own process. Nothing is half-written by that: workers
// write no files (the scheduler owns the cache).
//
// The parent passes its pid in TSDYN_PARENT_PID, so a worker whose parent died while it was
// still loading (tsx compiles for seconds under load) sees it at once instead of taking init
// for its parent. Plain JavaScript (with watchdog.d.mts for TypeScript) so the tsx bootstrap
// (worker.mjs) starts it before loading anything; the bundled CLI starts it in `tsdyn worker`.
import { Worker } from 'node:worker_threads';

/** How often the watchdog looks (ms): a worker outlives its parent by at most about this. */
export const WATCHDOG_INTERVAL_MS = 200;

// Plain JS evaluated as the thread's script: no module loading.
const WATCHDOG_SOURCE = `
const { workerData } = require('node:worker_threads');
const check = () => { if (process.ppid !== workerData.parent) process.kill(process.pid, 'SIGKILL'); };
check();
setInterval(check, workerData.ms);
`;

let started = false;

/** Start the watchdog (once per process); it never keeps the process alive by itself. */
export function watchParent(ms = WATCHDOG_INTERVAL_MS) {
  if (started) return;
  started = true;
  const parent = Number(process.env.TSDYN_PARENT_PID) || process.ppid;
  const thread = new Worker(WATCHDOG_SOURCE, { eval: true, workerData: { parent, ms } });
  thread.unref();
}
