/**
 * `tsdyn batch` as the bundled single file: built by scripts/build-batch.mjs into a temp
 * directory that holds only tsdyn-batch.mjs and dawn.node (no node_modules), run there by
 * bare `node` on the software adapter; its results equal runSgdBatch's. Bad input: one line,
 * exit 1, no output file. ≈ 10 s.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../src/config.ts';
import { runSgdBatch } from '../src/gpu/engine.ts';
import { openGpu, type GpuHandle } from '../src/gpu/node.ts';

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

  it('bad input: one line naming the field, exit 1, no output', () => {
    writeFileSync(join(dir, 'bad.json'), JSON.stringify([{ id: 'x', config: { K: 0 } }]));
    const r = run(['--jobs', 'bad.json', '--out', 'bad-out.json', '--software']);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe('tsdyn batch: jobs[0].config.K: must be an integer ≥ 1, got 0');
    expect(existsSync(join(dir, 'bad-out.json'))).toBe(false);
    const u = run(['--jobs']);
    expect(u.status).toBe(1);
    expect(u.stderr.trim().split('\n')).toHaveLength(1);
  });
});
