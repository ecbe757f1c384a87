/**
 * Choosing the backend: `--backend cpu|webgpu|auto` on the CLI, the sweep and
 * pipeline path that batches SGD runs on the GPU (software adapter, forced), cache keys with
 * the backend, the export → tsdyn batch → import round trip, and the backend in snapshots.
 * No hardware GPU is assumed: webgpu runs use Mesa's llvmpipe through Dawn's OpenGL ES backend.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { backendSentence, snapshotPath } from '../pipeline/figureFiles.ts';
import { BatchFileError, exportJobs, importBatch, webgpuJobs } from '../pipeline/batch.ts';
import { mayHaveHardwareGpu } from '../src/backends.ts';
import { batchResultChecksum } from '../src/runs/resultsFile.ts';
import { validateConfig } from '../src/config.ts';
import { FIGURES } from '../src/figures/registry.ts';
import { cacheKey } from '../src/runs/hash.ts';
import type { FigureDefinition, RunSpec } from '../src/figures/types.ts';
import { readCacheEntry } from '../src/runs/cache.ts';
import { codeDigest } from '../src/runs/digest.ts';
import { runCacheKey } from '../src/runs/scheduler.ts';
import { runCli } from './helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'tsdyn-backend-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, obj: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, JSON.stringify(obj));
  return p;
}

/** Dawn's own C++ warnings about the GL backend's limits ("Warning: … artificially reduced …"): not ours to silence. */
const ours = (lines: string[]) => lines.filter((l) => !/^Warning: max\w+ artificially reduced/.test(l));

const small = { model: 'two-layer', N: 100, K: 2, M: 2, lr: 0.5, tMax: 2, recordEvery: 0.5, recordScale: 'linear', seed: 3, studentScale: 0.3, studentVScale: 0.5, sigma: 0.1 };

describe('tsdyn sim/compare --backend', () => {
  const c = file('c.json', small);

  it('--backend cpu, auto and no flag give the same bytes with nothing on stderr (no hardware GPU here)', () => {
    const cpu = runCli(['sim', '--config', c, '--backend', 'cpu']);
    expect(cpu.code).toBe(0);
    expect(cpu.stderr).toEqual([]);
    expect(JSON.parse(cpu.stdout).provenance.backend).toBe('cpu');
    const plain = runCli(['sim', '--config', c]);
    expect(plain.stdout).toBe(cpu.stdout);
    if (!mayHaveHardwareGpu()) {
      const auto = runCli(['sim', '--config', c, '--backend', 'auto']);
      expect(auto.stdout).toBe(cpu.stdout);
      expect(auto.stderr).toEqual([]); // Dawn is not even loaded: no "Couldn't load Vulkan"
    }
  });

  it('--backend webgpu runs on the software adapter, names it in one line and records webgpu', () => {
    const r = runCli(['sim', '--config', c, '--backend', 'webgpu']);
    expect(r.code).toBe(0);
    expect(ours(r.stderr)).toHaveLength(1);
    expect(ours(r.stderr)[0]).toMatch(/^tsdyn: webgpu adapter: .+/);
    const j = JSON.parse(r.stdout);
    expect(j.provenance).toMatchObject({ engine: 'sgd', backend: 'webgpu' });
    expect(j.t).toEqual([0, 0.5, 1, 1.5, 2]);
    // Same law, another random stream: close to the CPU run at t = 0 (same initial weights), not equal later.
    const cpu = JSON.parse(runCli(['sim', '--config', c, '--backend', 'cpu']).stdout);
    expect(j.Q[0][0][0]).toBeCloseTo(cpu.Q[0][0][0], 5);
    expect(j.Q[4]).not.toEqual(cpu.Q[4]);
    const cmp = runCli(['compare', '--config', c, '--backend', 'webgpu', '--json']);
    expect(cmp.code).toBe(0);
    expect(JSON.parse(cmp.stdout).provenance.map((p: { backend: string }) => p.backend)).toEqual(['webgpu', 'cpu']);
  });

  it.each([
    ['no adapter (TSDYN_NO_GPU)', ['sim', '--backend', 'webgpu'], { TSDYN_NO_GPU: '1' }, /^tsdyn: --backend webgpu: no WebGPU adapter found/],
    ['sampler on webgpu', ['sim', '--engine', 'sampler', '--backend', 'webgpu'], {}, /^tsdyn: --backend webgpu: does not run engine sampler \(use --backend cpu\)$/],
    ['unknown backend', ['compare', '--backend', 'cuda'], {}, /^tsdyn: --backend: must be auto, cpu, webgpu, got "cuda"$/],
  ])('%s: one line, exit 1, nothing on stdout', (_name, args, env, message) => {
    const r = runCli([...args, '--config', c], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toHaveLength(1);
    expect(r.stderr[0]).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('auto with TSDYN_NO_GPU is cpu', () => {
    const r = runCli(['sim', '--config', c, '--backend', 'auto'], { env: { TSDYN_NO_GPU: '1' } });
    expect(r.code).toBe(0);
    expect(r.stderr).toEqual([]);
    expect(JSON.parse(r.stdout).provenance.backend).toBe('cpu');
  });
});

describe('cache keys', () => {
  const run = { engine: 'sgd' as const, config: validateConfig(small) };
  it('the key format is pinned (a changed format shows here, not as a silent full recompute); webgpu keys differ and carry the GPU code digest', () => {
    // The key of this config under a fixed digest, as computed when the backend registry landed.
    expect(cacheKey(run, 'cpu', '0123456789abcdef')).toBe('22286d4f8bf87f69bdac6867');
    const [cpu, gpu] = [codeDigest('sgd', 'cpu'), codeDigest('sgd', 'webgpu')];
    expect(gpu).not.toBe(cpu);
    expect(runCacheKey(run, 'cpu')).toBe(cacheKey(run, 'cpu', cpu));
    expect(runCacheKey(run, 'webgpu')).toBe(cacheKey(run, 'webgpu', gpu));
    // ode and sampler runs stay on the CPU (and keep their cpu keys) when the study's backend is webgpu.
    const ode = { engine: 'ode' as const, config: run.config };
    expect(runCacheKey(ode, 'webgpu')).toBe(cacheKey(ode, 'cpu', codeDigest('ode', 'cpu')));
    // a config the GPU engine cannot run (test-set ε_g) also stays on the CPU
    const withTest = { engine: 'sgd' as const, config: validateConfig({ ...small, testSamples: 100 }) };
    expect(runCacheKey(withTest, 'webgpu')).toBe(cacheKey(withTest, 'cpu', cpu));
  });
});

describe('tsdyn sweep --backend webgpu (software adapter)', () => {
  it('sgd runs batched on the GPU, one cache file per run with webgpu in the key; a rerun is all cache hits', () => {
    const cache = join(dir, 'sweep-cache');
    const sweep = file('tiny-sweep.json', {
      base: { model: 'soft-committee', N: 50, K: 2, M: 2, tMax: 2, recordPoints: 5, studentScale: 0.5 },
      grid: { lr: [0.5, 1] },
      seeds: 2,
      engines: ['ode', 'sgd'],
    });
    const env = { TSDYN_CACHE_DIR: cache };
    const first = runCli(['sweep', '--config', sweep, '--out', join(dir, 'sweep-out'), '--backend', 'webgpu'], { env });
    expect(first.code).toBe(0);
    expect(ours(first.stderr).at(-1)).toMatch(/\(8 computed, 0 from the cache\)/);
    expect(ours(first.stderr)[0]).toMatch(/^sweep: webgpu adapter: /);
    const entries = readdirSync(join(cache, 'runs')).map((f) => JSON.parse(readFileSync(join(cache, 'runs', f), 'utf8')));
    expect(entries).toHaveLength(8);
    const sgd = entries.filter((e) => e.engine === 'sgd');
    expect(sgd).toHaveLength(4);
    for (const e of sgd) expect(e.backend).toMatch(/^webgpu: /);
    for (const e of entries.filter((x) => x.engine === 'ode')) expect(e.backend).toBe('cpu');
    // the keys are the webgpu keys of these configs
    const lrs = sgd.map((e) => e.label as string).sort();
    expect(lrs).toEqual(['lr=0.5 seed=1 sgd', 'lr=0.5 seed=2 sgd', 'lr=1 seed=1 sgd', 'lr=1 seed=2 sgd'].sort());
    const base = { model: 'soft-committee', N: 50, K: 2, M: 2, tMax: 2, recordPoints: 5, studentScale: 0.5 };
    // The bundled CLI keys with the digests inlined when it was built; these are the sources'.
    for (const e of entries) {
      const [, lr, seed, engine] = /^lr=([\d.]+) seed=(\d+) (sgd|ode)$/.exec(e.label)!;
      const config = validateConfig({ ...base, lr: Number(lr), seed: Number(seed) });
      expect(e.key).toBe(runCacheKey({ engine: engine as 'sgd' | 'ode', config }, 'webgpu'));
    }
    for (const e of sgd) expect(readCacheEntry(cache, e.key).status).toBe('hit');
    expect(new Set(sgd.map((e) => e.key)).size).toBe(4);
    expect(codeDigest('sgd', 'webgpu')).toMatch(/^[0-9a-f]{16}$/);
    const again = runCli(['sweep', '--config', sweep, '--out', join(dir, 'sweep-out'), '--backend', 'webgpu'], { env });
    expect(again.code).toBe(0);
    expect(ours(again.stderr).at(-1)).toMatch(/\(0 computed, 8 from the cache\)/);
    expect(again.stderr.join('\n')).not.toMatch(/adapter|Warning/); // all cached: the GPU is not even opened
    expect(readFileSync(join(dir, 'sweep-out', 'table.csv'), 'utf8')).toContain('lr');
  });
});

describe('remote GPU box: export-jobs → tsdyn batch → import-batch', () => {
  const spec = (seed: number, lr: number): RunSpec => ({
    key: { params: { lr }, seed, engine: 'sgd' },
    engine: 'sgd',
    config: validateConfig({ model: 'soft-committee', N: 40, K: 2, M: 2, lr, tMax: 1, recordPoints: 4, studentScale: 0.5, seed }),
  });
  const ode: RunSpec = { key: { params: {}, seed: null, engine: 'ode' }, engine: 'ode', config: spec(1, 1).config };
  const fig = { name: 'tiny', runs: () => [spec(1, 0.5), spec(2, 1), ode] } as unknown as FigureDefinition;
  const plan = [{ preset: 'ci' as const, figures: [fig] }];

  it('exports the uncached sgd runs, and imports the results verified into the webgpu cache keys', () => {
    const cache = join(dir, 'rt-cache');
    const jobs = join(dir, 'jobs.json');
    expect(exportJobs(plan, jobs, cache)).toBe(2); // the ODE stays on the CPU
    const results = join(dir, 'results.json');
    const r = runCli(['batch', '--jobs', jobs, '--out', results, '--software']);
    expect(r.code).toBe(0);
    // A tampered file is refused as a whole: nothing written. An edit shows in the entry's
    // checksum; one written wrong with a matching checksum (resigned) in its content checks.
    const good = JSON.parse(readFileSync(results, 'utf8'));
    const resign = (r: { sha256?: string }) => Object.assign(r, { sha256: batchResultChecksum(r as never) });
    const edited = structuredClone(good);
    edited.results[1].trajectory.eg[1] = 0.5;
    expect(() => importBatch(file('edited.json', edited), plan, cache)).toThrow(/^results\[1\]: checksum mismatch/);
    const bad = structuredClone(good);
    bad.results[1].trajectory.eg[1] = null;
    resign(bad.results[1]);
    expect(() => importBatch(file('bad.json', bad), plan, cache)).toThrow(/results\[1\]\.trajectory\.eg\[1\]: not a finite number/);
    const short = structuredClone(good);
    short.results[0].trajectory.Q.pop();
    resign(short.results[0]);
    expect(() => importBatch(file('short.json', short), plan, cache)).toThrow(BatchFileError);
    const stale = structuredClone(good);
    stale.results[0].id = 'ffffffffffffffffffffffff';
    resign(stale.results[0]);
    expect(() => importBatch(file('stale.json', stale), plan, cache)).toThrow(/stale jobs file/);
    expect(existsSync(join(cache, 'runs'))).toBe(false);

    expect(importBatch(results, plan, cache)).toBe(2);
    const planned = webgpuJobs(plan, cache);
    expect(planned.map((j) => j.cachedBackend)).toEqual([`webgpu: ${good.adapter}`, `webgpu: ${good.adapter}`]);
    expect(exportJobs(plan, jobs, cache)).toBe(0); // nothing left to export
  });
});

describe('snapshots and captions record the backend', () => {
  it.each(FIGURES.map((f) => [f.name]))('%s: both snapshots carry a backend, and the gallery caption names it', (name) => {
    for (const preset of ['full', 'ci'] as const) {
      const s = JSON.parse(readFileSync(snapshotPath(name, preset), 'utf8'));
      expect(typeof s.backend).toBe('string');
      expect(s.backend).toMatch(/^(cpu|webgpu: .+)$/);
    }
  });
  it('caption sentences', () => {
    expect(backendSentence('cpu')).toBe(' Computed on the CPU (TypeScript engines).');
    expect(backendSentence('webgpu: NVIDIA H100 (vulkan)')).toContain('WebGPU (NVIDIA H100 (vulkan)');
    expect(backendSentence(undefined)).toBe('');
  });
});
