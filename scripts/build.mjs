// Bundle the CLI into one JavaScript file, dist/cli.js, so `tsdyn` starts with a bare `node`
// (no TypeScript compile at every start, no launcher process). Run by `npm run build`, by
// npm's `prepare` (npm ci / npm install) and as a Makefile dependency.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
await build({
  absWorkingDir: root,
  entryPoints: ['src/bin.ts'],
  outfile: 'dist/cli.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Some bundled CommonJS dependencies call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __tsdynRequire } from 'node:module'; const require = __tsdynRequire(import.meta.url);" },
  legalComments: 'none',
  logLevel: 'warning',
});
