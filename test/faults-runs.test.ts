/**
 * Fault injection: a hang, limits only `sim` applied, an unbounded --jobs, and the batch
 * runner's limits. Every multi-run entry checks every run before the
 * first starts (src/runs/validate.ts), with the limits `tsdyn sim` uses, and names the grid
 * point or job; a worker whose engine throws answers with one line instead of hanging.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { answerJob } from '../src/commands/worker.ts';
import { validateConfig } from '../src/config.ts';
import { gpuDeviceProblem, gpuRunProblem } from '../src/gpu/limits.ts';
import { maxWorkers, parseWorkerCount, runJobs, RunFailedError, type PlannedJob } from '../src/runs/scheduler.ts';
import { runCli } from './helpers/cli.ts';
import { alive, descendants, run, waitFor, ZX } from './helpers/processes.ts';

const tmp = mkdtempSync(join(tmpdir(), 'tsdyn-faults-runs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const base = { model: 'soft-committee', K: 2, M: 2, N: 100, tMax: 2, recordPoints: 5 };

function file(name: string, value: unknown): string {
  const p = join(tmp, name);
  writeFileSync(p, JSON.stringify(value));
  return p;
}

describe('a sweep checks every run before the first starts, naming the grid point', () => {
  const cases: [name: string, sweep: unknown, args: string[], env: Record<string, string>, line: RegExp][] = [
    ['28 GiB at the last grid point', { base, grid: { N: [100, 200, 9e8] }, engines: ['ode', 'sgd'] }, [], {}, /^tsdyn sweep: sweep\.grid\.N\[2\]: this run needs about \d+ GiB of memory .* over the limit 8\.0 GiB; raise it with --max-memory or TSDYN_MAX_MEMORY \(run N=900000000 seed=0 ode\)$/],
    ['20 hours of sampling at one point', { base, grid: { tMax: [2, 1e9] }, engines: ['sgd'] }, [], {}, /^tsdyn sweep: sweep\.grid\.tMax\[1\]: this run draws about 1\.0e11 samples .* over the limit 1\.0e10; raise it with --max-samples or TSDYN_MAX_SAMPLES \(run tMax=1000000000 seed=0 sgd\)$/],
    ['the sampler needs N ≥ K + M + B (zip group)', { base: { ...base, batchSize: 4 }, zip: [{ N: [100, 7], tMax: [2, 1] }], engines: ['ode', 'sampler'] }, [], {}, /^tsdyn sweep: sweep\.zip\[0\]\.N\[1\]: must be ≥ K \+ M \+ batchSize = 8 for the sampler, got 7 \(run N=7 tMax=1 seed=0 sampler\)$/],
    ['sgd from init needs N ≥ K + M (base)', { base: { ...base, N: 3, init: { Q: [[1, 0], [0, 1]], R: [[0, 0], [0, 0]], T: [[1, 0], [0, 1]] } }, engines: ['ode', 'sgd'] }, [], {}, /^tsdyn sweep: sweep\.base\.N: must be ≥ K \+ M = 4 to build weights from init, got 3 \(run seed=0 sgd\)$/],
    ['--max-memory 1K', { base, grid: { lr: [0.5, 1] }, engines: ['sgd'] }, ['--max-memory', '1K'], {}, /^tsdyn sweep: sweep\.base\.\w+: this run needs about .* over the limit 1\.0 KiB; raise it with --max-memory or TSDYN_MAX_MEMORY \(run lr=0\.5 seed=0 sgd\)$/],
    ['TSDYN_MAX_SAMPLES=100', { base, grid: { lr: [0.5, 1] }, engines: ['sgd'] }, [], { TSDYN_MAX_SAMPLES: '100' }, /^tsdyn sweep: sweep\.base\.tMax: this run draws about 200 samples .* over the limit 100/],
    ['their records together would not fit in memory', { base: { ...base, K: 4, M: 4, tMax: 700, recordEvery: 0.01, recordScale: 'linear' }, seeds: 300, engines: ['sgd'] }, [], {}, /^tsdyn sweep: sweep: its 300 runs' records take about \d+(\.\d)? GiB in memory together, over the .* of JavaScript heap available; record fewer times \(recordPoints, recordEvery\) or split it$/],
  ];
  it.each(cases)('%s: one line, exit 1, no run computed, nothing written', (_name, sweep, args, env, line) => {
    const cache = join(tmp, `cache-${_name.replace(/\W+/g, '_')}`);
    const out = join(tmp, `out-${_name.replace(/\W+/g, '_')}`);
    const r = runCli(['sweep', '--config', file('s.json', sweep), '--out', out, ...args], { env: { TSDYN_CACHE_DIR: cache, ...env } });
    expect(r.code, r.stderr.join('\n')).toBe(1);
    expect(r.stderr).toHaveLength(1);
    expect(r.stderr[0]).toMatch(line);
    // Refused before the plan: no cache folder, no output, in seconds.
    expect(existsSync(cache)).toBe(false);
    expect(existsSync(out)).toBe(false);
    expect(r.seconds).toBeLessThan(10);
  });
});

describe('the pipeline checks its whole plan before the first run', () => {
  it('TSDYN_MAX_MEMORY=1K: one line naming a run, no cache, no outputs', async () => {
    const cache = join(tmp, 'pipe-cache');
    const out = join(tmp, 'pipe-out');
    const r = await run([ZX, 'pipeline/figures.mjs', '--only=two-layer', '--preset', 'ci'], { TSDYN_CACHE_DIR: cache, TSDYN_OUTPUT_DIR: out, TSDYN_MAX_MEMORY: '1K' });
    expect(r.code).toBe(2); // the pipeline's code for a usage problem
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^pipeline: config\.\w+: this run needs about .* over the limit 1\.0 KiB; raise it with --max-memory or TSDYN_MAX_MEMORY \(run two-layer .* \(preset ci\)\)\n$/);
    expect(existsSync(cache)).toBe(false);
    expect(existsSync(out)).toBe(false);
  });

  it(`--jobs is bounded by twice the cores (${availableParallelism()} here), and so is the default`, async () => {
    expect(maxWorkers()).toBe(Math.min(256, Math.max(2, 2 * availableParallelism())));
    expect(parseWorkerCount(undefined)).toBeUndefined();
    expect(parseWorkerCount(String(maxWorkers()))).toBe(maxWorkers());
    for (const bad of ['0', String(maxWorkers() + 1), '135', '1.5', '', 'many']) expect(() => parseWorkerCount(bad)).toThrow(/^--jobs: must be an integer 1 … \d+ \(twice the \d+ cores\)/);
    const r = await run([ZX, 'pipeline/figures.mjs', '--only=two-layer', '--preset', 'ci', '--jobs', '135'], { TSDYN_CACHE_DIR: join(tmp, 'jobs-cache'), TSDYN_OUTPUT_DIR: join(tmp, 'jobs-out') });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^pipeline: --jobs: must be an integer 1 … \d+ \(twice the \d+ cores\), got "135"\n$/);
    const s = runCli(['sweep', '--config', file('j.json', { base, engines: ['ode'] }), '--jobs', '135', '--out', join(tmp, 'jobs-sweep')]);
    expect(s.code).toBe(1);
    expect(s.stderr[0]).toMatch(/^tsdyn sweep: --jobs: must be an integer 1 … \d+/);
  });
});

describe('tsdyn batch: limits before any GPU work', () => {
  // Without --software only a hardware GPU is accepted: a check made after opening the GPU
  // would print "no hardware WebGPU adapter found" here instead of the limit.
  const job = (config: Record<string, unknown>) => file('jobs.json', { jobs: [{ id: 'ok', config: base }, { id: 'x', config: { ...base, ...config } }] });
  it.each([
    ['tMax = 1e9', { N: 784, tMax: 1e9 }, /^tsdyn batch: jobs\[1\]\.config\.tMax: this run draws about 7\.8e11 samples/],
    ['N = 2e8', { N: 2e8, K: 4, M: 4 }, /^tsdyn batch: jobs\[1\]\.config\.N: this run needs about \d+ GiB of memory/],
    ['more steps than the 32-bit step counter', { N: 784, tMax: 6e6, recordPoints: 5 }, /^tsdyn batch: jobs\[1\]\.config\.tMax: tMax·N = 4\.70e\+9 steps, over the 4294967294 the WebGPU engine counts/],
    ['weights per thread over WGSL\'s array size', { N: 4e7, K: 1, M: 1, tMax: 1e-3, recordEvery: 1e-4 }, /^tsdyn batch: jobs\[1\]\.config\.N: the WebGPU shader would hold 78126 elements of weights \(w\) per thread, over WGSL's 65535/],
    ['test-set ε_g', { testSamples: 10 }, /^tsdyn batch: jobs\[1\]\.config\.testSamples: is not supported by the WebGPU backend/],
    ['--max-memory 10K', {}, /^tsdyn batch: jobs\[0\]\.config\.\w+: this run needs about .* over the limit 10 KiB/],
  ])('%s: one line, exit 1, no output', (name, config, line) => {
    const out = join(tmp, 'batch-out.json');
    const r = runCli(['batch', '--jobs', job(config), '--out', out, ...(name.startsWith('--max') ? ['--max-memory', '10K'] : [])]);
    expect(r.code).toBe(1);
    expect(r.stderr).toHaveLength(1);
    expect(r.stderr[0]).toMatch(line);
    expect(existsSync(out)).toBe(false);
    expect(r.seconds).toBeLessThan(10);
  });

  it('the limits of the opened device: the OpenGL ES backend caps a shader variable at 64 KiB', () => {
    const c = validateConfig({ ...base, N: 1e6, K: 4, M: 4, tMax: 1e-3, recordEvery: 1e-4 });
    expect(gpuRunProblem(c)).toBeNull(); // fine on Vulkan, Metal, D3D12
    const gl = gpuDeviceProblem(c, { maxComputeWorkgroupSizeX: 256, maxComputeInvocationsPerWorkgroup: 256, maxComputeWorkgroupStorageSize: 16384, maxStorageBufferBindingSize: 2 ** 27 }, 'opengles');
    expect(gl).toEqual({ field: 'N', message: expect.stringMatching(/^the WebGPU shader would hold 125056 bytes of weights \(w\) per thread, over the 65536/) });
    // Power check: the same config on a backend without that cap passes.
    expect(gpuDeviceProblem(c, { maxComputeWorkgroupSizeX: 256, maxComputeInvocationsPerWorkgroup: 256, maxComputeWorkgroupStorageSize: 16384, maxStorageBufferBindingSize: 2 ** 27 }, 'vulkan')).toBeNull();
    // And the figures' GPU configs pass everywhere (N = 784, K = M = 4; K = 6).
    for (const K of [4, 6]) expect(gpuDeviceProblem(validateConfig({ ...base, N: 784, K, M: 4 }), { maxComputeWorkgroupSizeX: 128, maxComputeInvocationsPerWorkgroup: 128, maxComputeWorkgroupStorageSize: 16384, maxStorageBufferBindingSize: 2 ** 27 }, 'opengles')).toBeNull();
  });

  it('on the software adapter, after opening it and before the first dispatch', () => {
    const out = join(tmp, 'batch-gl.json');
    const r = runCli(['batch', '--jobs', job({ N: 1e6, K: 4, M: 4, tMax: 1e-3, recordEvery: 1e-4 }), '--out', out, '--software']);
    const ours = r.stderr.filter((l) => l.startsWith('tsdyn'));
    expect(r.code).toBe(1);
    expect(ours).toHaveLength(1);
    expect(ours[0]).toMatch(/^tsdyn batch: jobs\[1\]\.config\.N: the WebGPU shader would hold 125056 bytes .* \(adapter .*opengles\)\)?$/);
    expect(existsSync(out)).toBe(false);
  });
});

describe('a worker whose engine throws answers; the run fails with one line, no hang', () => {
  // N = 10¹²: the allocation fails inside the engine (RangeError), a bug-class error that no
  // config check caught (the sweep's own check would refuse this run; here it is bypassed).
  const huge = validateConfig({ ...base, N: 1e12, tMax: 1e-9, recordEvery: 1e-9, recordScale: 'linear' });

  it('tsdyn worker answers the job with an internal error and serves the next one', async () => {
    const reply = JSON.parse(await answerJob(JSON.stringify({ id: 'a', engine: 'sgd', config: huge })));
    expect(reply).toEqual({ id: 'a', error: expect.stringMatching(/^internal error: Invalid typed array length/), internal: true });
    expect(JSON.parse(await answerJob(JSON.stringify({ id: 'b', engine: 'ode', config: base }))).result.status).toBe('completed');
  });

  it('the scheduler rejects at once naming the run, and leaves no worker', async () => {
    const job: PlannedJob = { key: 'k'.repeat(24), label: 'N=1e12 seed=0 sgd', engine: 'sgd', backend: 'cpu', config: huge, cost: 1 };
    const started = performance.now();
    const err = await runJobs([job], { cacheDir: join(tmp, 'hang-cache'), workers: 1 }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RunFailedError);
    expect((err as RunFailedError).internal).toBe(true);
    expect((err as Error).message).toMatch(/^N=1e12 seed=0 sgd: internal error: Invalid typed array length/);
    expect((performance.now() - started) / 1000).toBeLessThan(20);
    expect(await waitFor(() => descendants(process.pid).filter(alive).length === 0, 2000)).toBe(true);
  });
});
