// Packs what a GPU box with no npm needs into .gpu/ (git-ignored through .git/info/exclude or
// .gitignore), for the device machine of a GPU-lent session (docs/gpu.md, "A GPU session in one call"):
//   .gpu/box/box.mjs         pipeline/box.ts bundled (figures, calibrate, bench-gpu, bench-gpu-drift),
//                            the `webgpu` package replaced by src/gpu/dawnBeside.ts
//   .gpu/dawn.node.xz        Dawn's addon (unpack beside box.mjs there)
//   .gpu/node.xz             this machine's node binary (the box has none)
//   .gpu/libvulkan1_*.deb    the Vulkan loader (Debian's; `dpkg -x` there)
// dist/ (the CLI, whose `worker` command the pipeline's CPU workers run) must travel too.
// Usage: node scripts/build-gpu-box.mjs
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWithDawnBeside, dawnNodePath, ROOT } from './dawn-bundle.mjs';

const out = join(ROOT, '.gpu');
mkdirSync(join(out, 'box'), { recursive: true });
await bundleWithDawnBeside('pipeline/box.ts', join(out, 'box', 'box.mjs'));
const dawn = dawnNodePath();
const xz = (src, dst) => execFileSync('bash', ['-c', `xz -T0 -c "${src}" > "${dst}"`]);
xz(dawn, join(out, 'dawn.node.xz'));
if (!existsSync(join(out, 'node.xz'))) xz(realpathSync(process.execPath), join(out, 'node.xz'));
if (!readdirSync(out).some((f) => f.startsWith('libvulkan1_'))) execFileSync('apt-get', ['download', 'libvulkan1'], { cwd: out, stdio: 'ignore' });
console.log(`built ${join(out, 'box', 'box.mjs')}; .gpu/: ${readdirSync(out).join(', ')}`);
