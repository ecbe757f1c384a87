// Bundles `tsdyn batch` (src/gpu/batchCommand.ts) into one ES module, dist/tsdyn-batch.mjs,
// that bare `node` runs with only Dawn's `dawn.node` beside it (no npm install where it runs):
// the `webgpu` package is replaced by src/gpu/dawnBeside.ts, which loads ./dawn.node.
// Usage: node scripts/build-batch.mjs [OUTDIR]  (default dist/; then copy tsdyn-batch.mjs and dawn.node)
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = process.argv[2] ?? join(root, 'dist');
mkdirSync(outdir, { recursive: true });
await build({
  entryPoints: [join(root, 'src/gpu/batchCommand.ts')],
  outfile: join(outdir, 'tsdyn-batch.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  plugins: [
    {
      name: 'dawn-beside',
      setup(b) {
        b.onResolve({ filter: /^webgpu$/ }, () => ({ path: join(root, 'src/gpu/dawnBeside.ts') }));
      },
    },
  ],
  logLevel: 'warning',
});
const require = createRequire(import.meta.url);
const pkgDir = dirname(require.resolve('webgpu/package.json'));
const arch = process.platform === 'darwin' ? 'universal' : process.arch;
copyFileSync(join(pkgDir, 'dist', `${process.platform}-${arch}`, 'dawn.node'), join(outdir, 'dawn.node'));
console.log(`built ${join(outdir, 'tsdyn-batch.mjs')} and ${join(outdir, 'dawn.node')}`);
