// Packs what a GPU box with no npm needs into .gpu/ (git-ignored through .git/info/exclude or
// .gitignore), for the device machine of a GPU-lent session (README "A GPU session in one call"):
//   .gpu/box/box.mjs         pipeline/box.ts bundled (figures, calibrate, bench-gpu, bench-gpu-drift),
//                            the `webgpu` package replaced by src/gpu/dawnBeside.ts
//   .gpu/dawn.node.xz        Dawn's addon (unpack beside box.mjs there)
//   .gpu/node.xz             this machine's node binary (the box has none)
//   .gpu/libvulkan1_*.deb    the Vulkan loader (Debian's; `dpkg -x` there)
// dist/ (the CLI, whose `worker` command the pipeline's CPU workers run) must travel too.
// Usage: node scripts/build-gpu-box.mjs
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, '.gpu');
mkdirSync(join(out, 'box'), { recursive: true });
await build({
  entryPoints: [join(root, 'pipeline/box.ts')],
  outfile: join(out, 'box', 'box.mjs'),
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
const dawn = join(dirname(require.resolve('webgpu/package.json')), 'dist', `${process.platform}-${process.arch}`, 'dawn.node');
const xz = (src, dst) => execFileSync('bash', ['-c', `xz -T0 -c "${src}" > "${dst}"`]);
xz(dawn, join(out, 'dawn.node.xz'));
if (!existsSync(join(out, 'node.xz'))) xz(realpathSync(process.execPath), join(out, 'node.xz'));
if (!readdirSync(out).some((f) => f.startsWith('libvulkan1_'))) execFileSync('apt-get', ['download', 'libvulkan1'], { cwd: out, stdio: 'ignore' });
console.log(`built ${join(out, 'box', 'box.mjs')}; .gpu/: ${readdirSync(out).join(', ')}`);
