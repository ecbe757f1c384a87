// Bundle the CLI into dist/cli.js (plus one chunk per command group, dist/chunks/), so
// `tsdyn` starts with a bare `node` (no TypeScript compile at every start, no launcher process). Run by `npm run build`, by
// npm's `prepare` (npm ci / npm install) and as a Makefile dependency.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { codeDigestDefine } from './code-digests.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
// Stale chunks from an earlier build would linger otherwise.
rmSync(`${root}dist`, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { cli: 'src/bin.ts' },
  outdir: 'dist',
  // Commands are dynamic imports (src/cli.ts): separate chunks, loaded when a command runs.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Some bundled CommonJS dependencies call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __tsdynRequire } from 'node:module'; const require = __tsdynRequire(import.meta.url);" },
  // The optional `webgpu` package loads Dawn's addon by a path relative to its own files:
  // resolve it from node_modules at run time (a missing package is then a one-line error).
  external: ['webgpu'],
  // The run cache's code digests of these sources (src/runs/digest.ts): computed here, not at each start.
  define: await codeDigestDefine(),
  legalComments: 'none',
  logLevel: 'warning',
});
