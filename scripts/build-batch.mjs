// Bundles `tsdyn batch` (src/commands/batch.ts) into one ES module, dist/tsdyn-batch.mjs,
// that bare `node` runs with only Dawn's `dawn.node` beside it (no npm install where it runs):
// the `webgpu` package is replaced by src/gpu/dawnBeside.ts, which loads ./dawn.node.
// Usage: node scripts/build-batch.mjs [OUTDIR]  (default dist/; then copy tsdyn-batch.mjs and dawn.node)
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWithDawnBeside, dawnNodePath, ROOT } from './dawn-bundle.mjs';

const outdir = process.argv[2] ?? join(ROOT, 'dist');
mkdirSync(outdir, { recursive: true });
await bundleWithDawnBeside('src/commands/batch.ts', join(outdir, 'tsdyn-batch.mjs'));
copyFileSync(dawnNodePath(), join(outdir, 'dawn.node'));
console.log(`built ${join(outdir, 'tsdyn-batch.mjs')} and ${join(outdir, 'dawn.node')}`);
