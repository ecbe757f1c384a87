/** Entry of the bundled worker process (dist/worker.js, see scripts/build.mjs and scheduler.ts). */
import { serveJobs } from './worker.ts';

await serveJobs(process.argv[2]);
