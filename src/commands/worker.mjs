// Worker-process bootstrap for src/runs/scheduler.ts when running from the sources: `tsdyn worker`
// (src/commands/worker.ts) loaded through tsx's scoped loader (as bench/pool/pool-worker.mjs does),
// so it starts the same under node, tsx or vitest. The compiled CLI runs `dist/cli.js worker`.
// The parent watchdog starts first: loading through tsx takes seconds under load, and a
// parent that dies meanwhile must not leave this process running.
import { watchParent } from '../runs/watchdog.mjs';

watchParent();
const { tsImport } = await import('tsx/esm/api');
const { workerCommand } = await tsImport('./worker.ts', import.meta.url);
process.exitCode = await workerCommand.run([]);
