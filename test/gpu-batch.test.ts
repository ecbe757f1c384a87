/**
 * `tsdyn batch` as the bundled single file: built by scripts/build-batch.mjs into a temp
 * directory that holds only tsdyn-batch.mjs and dawn.node (no node_modules), run there by
 * bare `node` on the software adapter; its results equal runSgdBatch's, also for jobs with the
 * optional fields (activation, weight decay, lr2, several teachers, a schedule, heads). The
 * remote-box round trip (export-jobs → tsdyn batch → import-batch) carries those fields into
 * the cache. Bad input: one line, exit 1, no output file. ≈ 20 s.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchFileError, exportJobs, importBatch } from '../pipeline/batch.ts';
import { validateConfig } from '../src/config.ts';
import type { FigureDefinition, RunSpec } from '../src/figures/types.ts';
import { batchResultChecksum } from '../src/runs/resultsFile.ts';
import { runSgdBatch } from '../src/gpu/engine.ts';
import { openGpu, type GpuHandle } from '../src/gpu/node.ts';
import { readCacheEntry } from '../src/runs/cache.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tsdyn-batch-'));
  execFileSync(process.execPath, ['scripts/build-batch.mjs', dir]);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const jobs = [
  { id: 'a', config: { model: 'two-layer', N: 60, K: 2, M: 2, tMax: 1, recordScale: 'linear', recordEvery: 0.5, sigma: 0.1, seed: 1 } },
  { id: 'b', config: { model: 'soft-committee', N: 60, K: 3, M: 2, tMax: 1, recordScale: 'linear', recordEvery: 0.5, seed: 's' } },
  { id: 'c', config: { model: 'two-layer', N: 60, K: 2, M: 2, tMax: 1, recordScale: 'linear', recordEvery: 0.5, seed: 2, lr: 0.1 } },
];
/** Jobs with every optional field: continual learning (two teachers, a schedule, a head per teacher), linear activation, weight decay, lr2. */
const scheduled = {
  model: 'two-layer', N: 60, K: 2, M: 2, tMax: 1, recordScale: 'linear', recordEvery: 0.5, studentVScale: 0.5, sigma: 0.1,
  activation: 'linear', weightDecay: 0.05, lr2: 0.3,
  teachers: [{}, { featureSimilarity: 0.5, vTeacher: [1, -1] }], schedule: [{ teacher: 0, until: 0.4 }, { teacher: 1, until: 1 }], heads: 'multi',
};
const fieldJobs = [
  { id: 'd', config: { ...scheduled, seed: 3 } },
  { id: 'e', config: { ...scheduled, seed: 4, teachers: [{}, { featureSimilarity: 0.9 }] } },
];
const run = (args: string[]) => spawnSync(process.execPath, [join(dir, 'tsdyn-batch.mjs'), ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, CI: 'true' } });

describe('bundled tsdyn batch', () => {
  it('runs with only dawn.node beside it and reproduces runSgdBatch', async () => {
    writeFileSync(join(dir, 'jobs.json'), JSON.stringify(jobs));
    const r = run(['--jobs', 'jobs.json', '--out', 'out.json', '--software']);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8'));
    expect(out.software).toBe(true);
    expect(out.results.map((x: { id: string }) => x.id)).toEqual(['a', 'b', 'c']);
    const gpu: GpuHandle = await openGpu({ allowSoftware: true });
    try {
      const configs = jobs.map((j) => validateConfig(j.config));
      const direct = [...(await runSgdBatch(gpu.device, [configs[0], configs[2]])), ...(await runSgdBatch(gpu.device, [configs[1]]))];
      const byId = { a: direct[0], c: direct[1], b: direct[2] };
      for (const res of out.results) expect(JSON.stringify(res.trajectory)).toBe(JSON.stringify(byId[res.id as 'a' | 'b' | 'c'].trajectory));
    } finally {
      gpu.close();
    }
  }, 120_000);

  it('carries the optional fields: teachers, schedule, heads, activation, weight decay, lr2', async () => {
    writeFileSync(join(dir, 'fields.json'), JSON.stringify(fieldJobs));
    const r = run(['--jobs', 'fields.json', '--out', 'fields-out.json', '--software']);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(readFileSync(join(dir, 'fields-out.json'), 'utf8'));
    const gpu: GpuHandle = await openGpu({ allowSoftware: true });
    try {
      const direct = await runSgdBatch(gpu.device, fieldJobs.map((j) => validateConfig(j.config)));
      out.results.forEach((res: { trajectory: unknown }, i: number) => expect(JSON.stringify(res.trajectory)).toBe(JSON.stringify(direct[i].trajectory)));
      expect(direct[0].trajectory.egTeachers).toHaveLength(2);
      expect(direct[0].trajectory.heads![0]).toHaveLength(2);
      expect(direct[0].trajectory.t).toEqual([0, 0.4, 0.5, 1]);
    } finally {
      gpu.close();
    }
  }, 120_000);

  it('bad input: one line naming the field, exit 1, no output', () => {
    writeFileSync(join(dir, 'bad.json'), JSON.stringify([{ id: 'x', config: { K: 0 } }]));
    const r = run(['--jobs', 'bad.json', '--out', 'bad-out.json', '--software']);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe('tsdyn batch: jobs[0].config.K: must be an integer ≥ 1, got 0');
    expect(existsSync(join(dir, 'bad-out.json'))).toBe(false);
    writeFileSync(join(dir, 'bad-cl.json'), JSON.stringify([{ id: 'y', config: { ...scheduled, teachers: [{}, { featureSimilarity: 2 }] } }]));
    const cl = run(['--jobs', 'bad-cl.json', '--out', 'bad-out.json', '--software']);
    expect(cl.status).toBe(1);
    expect(cl.stderr.trim()).toBe('tsdyn batch: jobs[0].config.teachers[1].featureSimilarity: must be in [0, 1], got 2');
    expect(existsSync(join(dir, 'bad-out.json'))).toBe(false);
    const u = run(['--jobs']);
    expect(u.status).toBe(1);
    expect(u.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('remote GPU box with the optional fields: export-jobs → tsdyn batch → import-batch', () => {
  const spec = (seed: number, o: Record<string, unknown>): RunSpec => ({ key: { params: {}, seed, engine: 'sgd' }, engine: 'sgd', config: validateConfig({ ...scheduled, seed, ...o }) });
  const runs = [spec(1, {}), spec(2, { heads: 'single', activation: 'erf', teachers: [{}, { featureSimilarity: 0.2 }] })];
  const plan = [{ preset: 'ci' as const, figures: [{ name: 'tiny-continual', runs: () => runs } as unknown as FigureDefinition] }];

  it('exports configs that validate to themselves, and imports the checked results with ε_g per teacher and the heads', () => {
    const cache = join(dir, 'cl-cache');
    expect(exportJobs(plan, join(dir, 'cl-jobs.json'), cache)).toBe(2);
    const exported = JSON.parse(readFileSync(join(dir, 'cl-jobs.json'), 'utf8')).jobs as { id: string; config: unknown }[];
    exported.forEach((j, i) => {
      expect(j.config).toEqual(JSON.parse(JSON.stringify(runs[i].config)));
      expect(validateConfig(j.config)).toEqual(runs[i].config);
    });
    const r = run(['--jobs', join(dir, 'cl-jobs.json'), '--out', join(dir, 'cl-results.json'), '--software']);
    expect(r.status, r.stderr).toBe(0);
    const good = JSON.parse(readFileSync(join(dir, 'cl-results.json'), 'utf8'));
    // a record that is not finite, or missing, in the per-teacher errors or the heads is refused as a whole
    // (each tampered entry is re-signed, so its content checks, not its checksum, refuse it)
    const resign = (r: { sha256?: string }) => Object.assign(r, { sha256: batchResultChecksum(r as never) });
    const badEg = structuredClone(good);
    badEg.results[0].trajectory.egTeachers[1][2] = null;
    resign(badEg.results[0]);
    expect(() => importBatch(file('cl-bad-eg.json', badEg), plan, cache)).toThrow(/results\[0\]\.trajectory\.egTeachers\[1\]\[2\]: not a finite number/);
    const shortHeads = structuredClone(good);
    shortHeads.results[0].trajectory.heads.pop();
    resign(shortHeads.results[0]);
    expect(() => importBatch(file('cl-short.json', shortHeads), plan, cache)).toThrow(BatchFileError);
    const noTeachers = structuredClone(good);
    delete noTeachers.results[1].trajectory.egTeachers;
    resign(noTeachers.results[1]);
    expect(() => importBatch(file('cl-none.json', noTeachers), plan, cache)).toThrow(/results\[1\]\.trajectory\.egTeachers: must be 2×/);
    expect(existsSync(join(cache, 'runs'))).toBe(false);

    expect(importBatch(join(dir, 'cl-results.json'), plan, cache)).toBe(2);
    good.results.forEach((res: { id: string; trajectory: unknown }) => {
      const entry = readCacheEntry(cache, res.id);
      expect(entry.status).toBe('hit');
      if (entry.status === 'hit') expect(JSON.stringify(entry.trajectory)).toBe(JSON.stringify(res.trajectory));
    });
    expect(exportJobs(plan, join(dir, 'cl-jobs.json'), cache)).toBe(0);
  });
});

function file(name: string, obj: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, JSON.stringify(obj));
  return p;
}
