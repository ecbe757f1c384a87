// Worker-process bootstrap for src/runs/scheduler.ts: load the TypeScript worker through tsx's
// scoped loader (as src/sim/pool-worker.mjs does), so it starts the same under node, tsx or vitest.
import { tsImport } from 'tsx/esm/api';

const { serveJobs } = await tsImport('./worker.ts', import.meta.url);
await serveJobs(process.argv[2]);
