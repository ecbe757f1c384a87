/**
 * Fault injection, poisoned cache: hostile `tsdyn batch` results files given
 * to import-batch, and poisoned cache entries met at read time. Nothing that does not fit its run
 * enters the cache; an import is all or nothing; a bad entry is named by its file and entry.
 *
 * Most edits are "resigned" (the entry's sha256 recomputed after the edit), as a buggy or older
 * batch runner would write them, so the content checks (src/runs/integrity.ts) are what refuses
 * them; unsigned edits are caught by the checksum first. The good file is made by the CPU
 * engine for the same configs (same starting point as the GPU's; the real GPU round trip is in
 * backend.test.ts), so these cases need no GPU.
 */
import { closeSync, existsSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BatchFileError, importBatch, webgpuJobs } from '../pipeline/batch.ts';
import { validateConfig } from '../src/config.ts';
import { runEngine } from '../src/engines.ts';
import type { FigureDefinition, RunSpec } from '../src/figures/types.ts';
import { batchResultChecksum, type BatchResultEntry } from '../src/runs/resultsFile.ts';
import { cacheFileText, cacheRunPath, readCacheEntry } from '../src/runs/cache.ts';
import { planJobs, plannedResult, runCacheKey, RunFailedError } from '../src/runs/scheduler.ts';
import { storedTrajectory } from '../src/runs/cache.ts';

const tmp = mkdtempSync(join(tmpdir(), 'tsdyn-faults-import-'));
const mounts: string[] = [];
afterAll(() => {
  for (const m of mounts) spawnSync('umount', [m]);
  rmSync(tmp, { recursive: true, force: true });
});

const cfg = (seed: number, lr: number, extra: Record<string, unknown> = {}) =>
  validateConfig({ model: 'soft-committee', N: 40, K: 2, M: 2, lr, tMax: 1, recordEvery: 0.05, recordPoints: 4, studentScale: 0.5, seed, ...extra });
const spec = (seed: number, lr: number): RunSpec => ({ key: { params: { lr }, seed, engine: 'sgd' }, engine: 'sgd', config: cfg(seed, lr) });
// Runs 0 and 1 start from different seeds; runs 1 and 2 share seed 2 (they differ only in η).
const fig = { name: 'tiny', runs: () => [spec(1, 0.5), spec(2, 1), spec(2, 0.7)] } as unknown as FigureDefinition;
const plan = [{ preset: 'ci' as const, figures: [fig] }];

type Results = { adapter: string; backend: string; software: boolean; results: (BatchResultEntry & Record<string, unknown>)[] };

/** A results file as `tsdyn batch` writes it, for the planned jobs (computed by the CPU engine). */
function goodResults(cache: string): Results {
  const jobs = webgpuJobs(plan, cache);
  return {
    adapter: 'test adapter',
    backend: 'test',
    software: true,
    results: jobs.map((j) => {
      const entry = { id: j.key, ...runEngine('sgd', j.config) } as BatchResultEntry;
      return { ...entry, sha256: batchResultChecksum(entry) };
    }),
  };
}

const resign = (r: BatchResultEntry) => Object.assign(r, { sha256: batchResultChecksum({ ...r, sha256: undefined }) });

let n = 0;
function writeResults(value: unknown): string {
  const p = join(tmp, `results-${n++}.json`);
  writeFileSync(p, typeof value === 'string' ? value : JSON.stringify(value));
  return p;
}

type Traj = { t: number[]; steps: number[]; eg: (number | null)[]; Q: number[][][]; R: number[][][]; T: (number | null)[][]; N: number; engine: string; egTest?: number[] };
const trajOf = (r: BatchResultEntry) => r.trajectory as unknown as Traj;

const HOSTILE: [name: string, edit: (f: Results) => unknown, message: RegExp][] = [
  ['Q of the wrong shape', (f) => ((trajOf(f.results[0]).Q[1] = [[1], [1]]), resign(f.results[0]), f), /^results\[0\]\.trajectory\.Q\[1\]\[0\]: must have 2 entries, got 1$/],
  ['all-null T', (f) => ((trajOf(f.results[1]).T = [[null, null], [null, null]]), resign(f.results[1]), f), /^results\[1\]\.trajectory\.T\[0\]\[0\]: not a finite number \(null\)$/],
  ['NaN written as null in ε_g', (f) => ((trajOf(f.results[0]).eg[2] = null), resign(f.results[0]), f), /^results\[0\]\.trajectory\.eg\[2\]: not a finite number \(null\)$/],
  ['two runs\' trajectories swapped (different seeds)', (f) => {
    const [a, b] = [f.results[0].trajectory, f.results[1].trajectory];
    f.results[0].trajectory = b;
    f.results[1].trajectory = a;
    resign(f.results[0]);
    resign(f.results[1]);
    return f;
  }, /^results\[0\]\.trajectory\.T\[0\]\[0\]: .*, but this run's teacher has .* \(another run's result\?\)$/],
  ['two runs\' trajectories swapped, same seed, checksums not redone', (f) => {
    const [a, b] = [f.results[1].trajectory, f.results[2].trajectory];
    f.results[1].trajectory = b;
    f.results[2].trajectory = a;
    return f;
  }, /^results\[1\]: checksum mismatch \(the entry was edited, damaged, or moved from another id\)$/],
  ['edited record times', (f) => ((trajOf(f.results[0]).t[1] *= 1.5), resign(f.results[0]), f), /^results\[0\]\.trajectory\.t\[1\]: .*, but the run's record 1 is at t = /],
  ['edited record steps', (f) => ((trajOf(f.results[0]).steps[2] += 1), resign(f.results[0]), f), /^results\[0\]\.trajectory\.steps\[2\]: \d+, but the run records at step \d+$/],
  ['a record missing', (f) => { const t = trajOf(f.results[2]); for (const k of ['t', 'steps', 'eg', 'Q', 'R', 'v'] as const) (t as unknown as Record<string, unknown[]>)[k].pop(); resign(f.results[2]); return f; }, /^results\[2\]\.trajectory\.t: 4 records, but the run records 5$/],
  ['another N', (f) => ((trajOf(f.results[0]).N = 41), resign(f.results[0]), f), /^results\[0\]\.trajectory\.N: 41, but the run's config has 40$/],
  ['another engine', (f) => ((trajOf(f.results[0]).engine = 'sampler'), resign(f.results[0]), f), /^results\[0\]\.trajectory\.engine: "sampler", but the run's engine is sgd$/],
  ['a test error the run does not estimate', (f) => ((trajOf(f.results[0]).egTest = [0, 0, 0, 0, 0]), resign(f.results[0]), f), /^results\[0\]\.trajectory\.egTest: present, but the run estimates no test error/],
  ['another student scale\'s start', (f) => { const Q = trajOf(f.results[0]).Q[0]; Q[0][0] *= 1.01; resign(f.results[0]); return f; }, /^results\[0\]\.trajectory\.Q\[0\]\[0\]\[0\]: .*, but this run starts at .* \(another run's result\?\)$/],
  ['a divergence at no time', (f) => { Object.assign(f.results[0], { status: 'diverged', t: null, reason: 'x' }); resign(f.results[0]); return f; }, /^results\[0\]\.t: the divergence time must be a finite number, got null$/],
  ['a divergence in a run that may not diverge', (f) => { Object.assign(f.results[0], { status: 'diverged', t: 0.5, reason: 'SGD diverged' }); resign(f.results[0]); return f; }, /^results\[0\]: tiny lr=0\.5 seed=1 sgd diverged at t = 0\.5 \(SGD diverged\)$/],
  ['an edited value, checksum not redone', (f) => ((trajOf(f.results[2]).eg[1] = 0.25), f), /^results\[2\]: checksum mismatch/],
  ['no checksum', (f) => (delete (f.results[0] as Record<string, unknown>).sha256, f), /^results\[0\]\.sha256: missing \(a results file of an older tsdyn batch\?/],
  ['an id of no planned run', (f) => ((f.results[1].id = 'f'.repeat(24)), resign(f.results[1]), f), /^results\[1\]\.id: f{24} is no sgd run of these figures .* \(stale jobs file\?\)$/],
  ['an id twice', (f) => ((f.results[1] = structuredClone(f.results[0])), f), /^results\[1\]\.id: duplicate /],
  ['a key twice in an entry', (f) => JSON.stringify(f).replace('"status":"completed"', '"status":"completed","status":"diverged"'), /has the key "status" twice in results\.results\[0\] /],
  ['nested 100 deep', () => `{"adapter": "x", "results": ${'['.repeat(100)}${']'.repeat(100)}}`, /is nested deeper than 32 levels/],
  ['not a results file', () => ({ results: 3 }), /^results: not a tsdyn batch results file/],
];

describe('import-batch refuses hostile results files, writing nothing', () => {
  it.each(HOSTILE)('%s', (_name, edit, message) => {
    const cache = join(tmp, `cache-${n}`);
    const file = writeResults(edit(goodResults(cache)));
    let err: unknown = null;
    try {
      importBatch(file, plan, cache);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BatchFileError);
    expect(String((err as Error).message).split('\n')).toHaveLength(1);
    expect((err as Error).message.replace(`${file} `, '')).toMatch(message);
    expect(existsSync(join(cache, 'runs')) ? readdirSync(join(cache, 'runs')) : []).toEqual([]);
  });

  it('power check: the unedited file imports every run, and the entries read back as hits', () => {
    const cache = join(tmp, 'cache-good');
    expect(importBatch(writeResults(goodResults(cache)), plan, cache)).toBe(3);
    for (const j of webgpuJobs(plan, cache)) expect(j.cachedBackend).toBe('webgpu: test adapter');
  });

  it('all or nothing: a bad last entry keeps the good first ones out too', () => {
    const cache = join(tmp, 'cache-all-or-nothing');
    const f = goodResults(cache);
    trajOf(f.results[2]).R[3] = [[0, 0]];
    resign(f.results[2]);
    expect(() => importBatch(writeResults(f), plan, cache)).toThrow(/^results\[2\]\.trajectory\.R\[3\]: must be 2×2, got 1 rows$/);
    expect(existsSync(join(cache, 'runs'))).toBe(false);
  });

  it('a results file over 512 MiB is refused from its size, before reading', () => {
    const file = join(tmp, 'huge-results.json');
    const fd = openSync(file, 'w');
    ftruncateSync(fd, 600 * 2 ** 20); // sparse: no disk used
    closeSync(fd);
    expect(() => importBatch(file, plan, join(tmp, 'cache-huge'))).toThrow(/is larger than 512 MiB, the most a results file may be \(600 MiB; refused before reading\)$/);
  });

  it.runIf(process.getuid?.() === 0 || Boolean(process.env.CI))('a cache on a disk too small for the import: refused before any entry is written', () => {
    const cache = join(tmp, 'small-disk');
    mkdirSync(cache);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', cache]);
    mounts.push(cache);
    spawnSync('dd', ['if=/dev/zero', `of=${join(cache, 'pad')}`, 'bs=4096', 'count=200'], { stdio: 'ignore' });
    expect(() => importBatch(writeResults(goodResults(cache)), plan, cache)).toThrow(/^cache: .*small-disk\/runs has \d+ KiB free, the outputs need about/);
    expect(readdirSync(join(cache, 'runs'))).toEqual([]);
  });
});

describe('a poisoned cache entry is named by its file at read time and recomputed', () => {
  const run = { label: 'K=2 seed=3 sgd', engine: 'sgd' as const, config: cfg(3, 0.5) };
  const key = runCacheKey(run, 'cpu');
  const good = () => storedTrajectory(runEngine('sgd', run.config));

  const poisons: [string, (t: ReturnType<typeof good>) => void, string, RegExp][] = [
    ['Q of the wrong shape, valid checksum', (t) => (t.Q[2] = [[1, 2, 3], [4, 5, 6]]), 'cpu', /result does not fit the run: Q\[2\]\[0\]: must have 2 entries, got 3$/],
    ['edited record times, valid checksum', (t) => (t.t[3] = 0.123), 'cpu', /result does not fit the run: t\[3\]: 0\.123, but the run's record 3 is at t = /],
    ['computed on another backend', () => undefined, 'webgpu: someone', /computed on "webgpu: someone", but the run's backend is cpu$/],
  ];
  it.each(poisons)('%s', (_name, poison, backend, reason) => {
    const cache = join(tmp, `poisoned-${_name.replace(/\W+/g, '_')}`);
    const t = good();
    poison(t);
    mkdirSync(join(cache, 'runs'), { recursive: true });
    writeFileSync(cacheRunPath(cache, key), cacheFileText(key, { label: run.label, engine: 'sgd', backend }, t));
    // The checksum alone accepts it; against the run it is refused, naming the file.
    expect(readCacheEntry(cache, key).status).toBe('hit');
    const { jobs, problems } = planJobs([run], { cacheDir: cache, backend: 'cpu' });
    expect(problems).toEqual([{ path: cacheRunPath(cache, key), reason: expect.stringMatching(reason) }]);
    expect(jobs[0].cached).toBeUndefined(); // recomputed, not used
    // Read back after computing (plannedResult): the same check, the file named in the error.
    expect(() => plannedResult(jobs[0], cache)).toThrow(RunFailedError);
    expect(() => plannedResult(jobs[0], cache)).toThrow(new RegExp(`not in the cache after computing it \\(${cacheRunPath(cache, key).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: `));
  });
});
