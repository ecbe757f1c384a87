// Worker-thread bootstrap for src/sim/pool.ts: load the TypeScript worker module through tsx.
//
// A worker thread does not inherit the TypeScript loader of a parent run under vitest, and one
// started with `execArgv: []` has none at all, so we import the .ts module with tsx's scoped
// `tsImport` (tsx ≥ 4.8; this project pins 4.23): it registers tsx's ESM hooks under a private
// namespace, so it also works when the parent's `--import tsx` loader is present.
import { tsImport } from 'tsx/esm/api';

const { serveJobs } = await tsImport('./poolWorker.ts', import.meta.url);
serveJobs();
