// One esbuild recipe for the bundles that run with a bare `node` and Dawn's addon beside them
// (scripts/build-batch.mjs, scripts/build-gpu-box.mjs): the `webgpu` package is replaced by
// src/gpu/dawnBeside.ts, which loads ./dawn.node from the bundle's folder.
import { build } from 'esbuild';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { codeDigestDefine } from './code-digests.mjs';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Bundle `entry` (relative to the repository root) into `outfile` as one ES module for node 20. */
export async function bundleWithDawnBeside(entry, outfile) {
  await build({
    entryPoints: [join(ROOT, entry)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    // The run cache's code digests of these sources: where the bundle runs there is no esbuild.
    define: await codeDigestDefine(),
    plugins: [
      {
        name: 'dawn-beside',
        setup(b) {
          b.onResolve({ filter: /^webgpu$/ }, () => ({ path: join(ROOT, 'src/gpu/dawnBeside.ts') }));
        },
      },
    ],
    logLevel: 'warning',
  });
}

/** Path of this platform's dawn.node inside the installed `webgpu` package. */
export function dawnNodePath() {
  const require = createRequire(import.meta.url);
  const arch = process.platform === 'darwin' ? 'universal' : process.arch;
  return join(dirname(require.resolve('webgpu/package.json')), 'dist', `${process.platform}-${arch}`, 'dawn.node');
}
