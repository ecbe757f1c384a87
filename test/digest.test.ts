/**
 * The run cache's code digest follows the engines' import closure: an edit in a file an engine
 * imports (directly or through a helper anywhere in the tree) changes that engine's digest, an
 * edit elsewhere changes none. The edits are made on a copy of the sources in a temp folder,
 * never on the repository's.
 */
import { appendFileSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { BACKEND_NAMES, ENGINE_BACKENDS, enginePairs, onBackend } from '../src/engineBackends.ts';
import { ROOT } from '../src/root.ts';
import { backendCode, closureDigestAt, codeDigest, digestEntrySets, importClosure } from '../src/runs/digest.ts';

const tmp = mkdtempSync(join(tmpdir(), 'tsdyn-digest-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const ENGINE_ENTRIES = ENGINE_BACKENDS.sgd.cpu.code;
const GPU_ENTRIES = ENGINE_BACKENDS.sgd.webgpu.code;
/** Files in src/ that no engine imports: their edits must change no digest. */
const UNRELATED = ['src/metrics/alignment.ts', 'src/runs/scheduler.ts'];

/** A fresh copy of the sources (packages linked, not copied) for each test. */
let tree = '';
let copies = 0;
beforeEach(() => {
  tree = join(tmp, `tree-${copies++}`);
  cpSync(join(ROOT, 'src'), join(tree, 'src'), { recursive: true });
  for (const f of ['package.json', 'tsconfig.json']) cpSync(join(ROOT, f), join(tree, f));
  symlinkSync(join(ROOT, 'node_modules'), join(tree, 'node_modules'), 'dir');
});

const cpu = () => closureDigestAt(ENGINE_ENTRIES, tree);
const gpu = () => closureDigestAt(GPU_ENTRIES, tree);
/** An edit that changes no behaviour but every byte-level digest of the file. */
const touch = (file: string) => appendFileSync(join(tree, file), '\n// edited\n');

describe('the engine digest is the digest of the engines’ import closure', () => {
  it('the closures hold the engine code and not bench code, figures or CLI; the repository digest is the same computation', () => {
    const cpuFiles = importClosure(ENGINE_ENTRIES, ROOT).map((f) => f.name);
    const gpuFiles = importClosure(GPU_ENTRIES, ROOT).map((f) => f.name);
    for (const f of ['src/engines.ts', 'src/sim/sgd.ts', 'src/sim/sampler.ts', 'src/theory/rhs.ts', 'src/config.ts', 'src/result.ts']) expect(cpuFiles).toContain(f);
    for (const f of ['src/gpu/engine.ts', 'src/gpu/wgsl.ts', 'src/gpu/philox.ts']) expect(gpuFiles).toContain(f);
    for (const files of [cpuFiles, gpuFiles]) {
      expect(files.filter((f) => f.startsWith('bench/'))).toEqual([]);
      expect(files.filter((f) => /^src\/(figures|render|commands|sweep|explorer)\//.test(f) || f === 'src/cli.ts')).toEqual([]);
    }
    // A package's files are named from node_modules/ on, wherever the packages are linked from.
    expect(cpuFiles.some((f) => f.startsWith('node_modules/seedrandom/'))).toBe(true);
    expect(codeDigest('sgd', 'cpu')).toBe(closureDigestAt(ENGINE_ENTRIES, ROOT));
    expect(cpu()).toBe(codeDigest('sgd', 'cpu')); // the copy is byte-identical, so is its digest
  });

  it('an edit in a file the cpu engines import changes the cpu and webgpu digests', () => {
    const [c, g] = [cpu(), gpu()];
    touch('src/sim/random.ts');
    expect(cpu()).not.toBe(c);
    expect(gpu()).not.toBe(g);
  });

  it('an edit in the GPU shader changes the webgpu digest only', () => {
    const [c, g] = [cpu(), gpu()];
    touch('src/gpu/wgsl.ts');
    expect(cpu()).toBe(c);
    expect(gpu()).not.toBe(g);
  });

  it('edits in files no engine imports (metrics, the scheduler, figures, rendering, the CLI, the GPU loader) change no digest', () => {
    const [c, g] = [cpu(), gpu()];
    for (const f of [...UNRELATED, 'src/figures/common.ts', 'src/render/svg.ts', 'src/cli.ts', 'src/gpu/node.ts', 'src/theory/stability.ts']) touch(f);
    expect(cpu()).toBe(c);
    expect(gpu()).toBe(g);
  });

  it('a helper moved out of the engine folders stays covered: editing it changes the digest', () => {
    // The bug a hand-written path list had: a helper outside the listed folders was not hashed.
    writeFileSync(join(tree, 'src/helper.ts'), 'export const HALF = 0.5;\n');
    const sgd = join(tree, 'src/sim/sgd.ts');
    writeFileSync(sgd, `import { HALF } from '../helper.ts';\nexport const UNUSED_HALF = HALF;\n${readFileSync(sgd, 'utf8')}`);
    const c = cpu();
    expect(importClosure(ENGINE_ENTRIES, tree).map((f) => f.name)).toContain('src/helper.ts');
    writeFileSync(join(tree, 'src/helper.ts'), 'export const HALF = 0.25;\n');
    expect(cpu()).not.toBe(c);
  });
});

describe('every (engine, backend) of the engine table has its code digest', () => {
  it('each pair names existing files, and a bundle inlines the digest of every set a key or a provenance asks for', () => {
    const sets = digestEntrySets().map((s) => s.join('\n'));
    for (const { engine, backend } of enginePairs()) {
      const code = onBackend(engine, backend).code;
      expect(code.length).toBeGreaterThan(0);
      for (const f of code) expect(existsSync(join(ROOT, f)), `${engine}/${backend}: ${f}`).toBe(true);
      expect(sets).toContain(code.join('\n'));
    }
    for (const b of BACKEND_NAMES) expect(sets).toContain(backendCode(b).join('\n'));
    expect(new Set(sets).size).toBe(sets.length);
  });
});
