/**
 * The worker-thread pool returns, in job order, exactly (bit for bit) what the in-process
 * engines return, whatever the number of workers; forwards progress; and rejects on a
 * diverging job with the DivergenceError class intact.
 */
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../src/config.ts';
import { runOde, runSimulation } from '../src/engines.ts';
import { runInWorkers, type PoolJob } from '../bench/pool/pool.ts';
import { DivergenceError } from '../src/model/divergence.ts';

/** Deep equality with numbers compared by Object.is (so 0 ≠ −0 and NaN = NaN): bit-for-bit for doubles. */
function bitEqual(a: unknown, b: unknown, path = '$'): string | null {
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b) ? null : `${path}: ${a} ≠ ${b}`;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${path}: length ${a.length} ≠ ${b.length}`;
    for (let i = 0; i < a.length; i++) {
      const d = bitEqual(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    if (ka.join() !== kb.join()) return `${path}: keys ${ka} ≠ ${kb}`;
    for (const k of ka) {
      const d = bitEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
      if (d) return d;
    }
    return null;
  }
  return Object.is(a, b) ? null : `${path}: ${String(a)} ≠ ${String(b)}`;
}

const base = { N: 200, tMax: 3, recordEvery: 0.5, recordScale: 'linear' as const, lr: 0.7, studentScale: 0.5 };
const jobs: PoolJob[] = [
  { engine: 'sgd', config: validateConfig({ ...base, model: 'soft-committee', K: 3, M: 2, seed: 1, sigma: 0.2 }) },
  { engine: 'sgd', config: validateConfig({ ...base, model: 'two-layer', K: 4, M: 4, seed: 2, studentVScale: 1, batchSize: 2, testSamples: 20 }) },
  { engine: 'ode', config: validateConfig({ ...base, model: 'two-layer', K: 3, M: 2, seed: 3, studentVScale: 1 }) },
  { engine: 'sampler', config: validateConfig({ ...base, model: 'soft-committee', K: 2, M: 2, seed: 4 }) },
  { engine: 'sgd', config: validateConfig({ ...base, model: 'two-layer', K: 6, M: 4, seed: 5, studentVScale: 1, sigma: 0.1 }) },
];

function inProcess(job: PoolJob) {
  return job.engine === 'ode' ? runOde(job.config, job.options) : runSimulation(job.config, { engine: job.engine });
}

describe('runInWorkers', () => {
  const direct = jobs.map(inProcess);

  it('returns, in job order, bit-for-bit the in-process trajectories (2 workers), with progress per job', async () => {
    const progress = jobs.map(() => [] as number[]);
    const out = await runInWorkers(jobs, { workers: 2, onProgress: (i, f) => progress[i].push(f) });
    expect(out.length).toBe(jobs.length);
    for (let i = 0; i < jobs.length; i++) expect(bitEqual(out[i], direct[i])).toBeNull();
    for (let i = 0; i < jobs.length; i++) {
      expect(progress[i].at(-1)).toBe(1);
      for (let k = 1; k < progress[i].length; k++) expect(progress[i][k]).toBeGreaterThanOrEqual(progress[i][k - 1]);
      if (jobs[i].engine !== 'ode') expect(progress[i].length).toBeGreaterThan(5);
    }
  });

  it('does not depend on the number of workers or the scheduling (1 and 3 workers, reversed job list)', async () => {
    const one = await runInWorkers(jobs, { workers: 1 });
    const rev = await runInWorkers([...jobs].reverse(), { workers: 3 });
    for (let i = 0; i < jobs.length; i++) {
      expect(bitEqual(one[i], direct[i])).toBeNull();
      expect(bitEqual(rev[jobs.length - 1 - i], direct[i])).toBeNull();
    }
  });

  it('rejects with a DivergenceError when a job diverges', async () => {
    const bad: PoolJob = {
      engine: 'sgd',
      config: validateConfig({ model: 'two-layer', N: 100, K: 2, M: 2, lr: 500, tMax: 50, recordEvery: 10, recordScale: 'linear', seed: 3, studentVScale: 1 }),
    };
    const err = await runInWorkers([jobs[0], bad], { workers: 2 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DivergenceError);
    expect((err as Error).message).toMatch(/^job 1: SGD diverged/);
  });

  it('validates configs before starting threads', async () => {
    const bad = { engine: 'sgd', config: { ...jobs[0].config, K: 0 } } as PoolJob;
    await expect(runInWorkers([bad])).rejects.toThrow(/config\.K/);
    expect(await runInWorkers([])).toEqual([]);
  });
});
