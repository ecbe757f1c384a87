/**
 * The figure pipeline as a process: SIGTERM stops it with no worker left and nothing written
 * after the stop; `make figure` without NAME is an error listing the figure names.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIGURES } from '../src/figures/registry.ts';
import { descendants, run, sleep, start, terminate, waitFor, ZX } from './helpers/processes.ts';

const tmp = mkdtempSync(join(tmpdir(), 'tsdyn-pipeline-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('pipeline (zx pipeline/figures.mjs)', () => {
  it('SIGTERM: workers stopped, process tree empty, nothing written after the stop', async () => {
    const cache = join(tmp, 'cache');
    const out = join(tmp, 'out');
    mkdirSync(join(cache, 'runs'), { recursive: true });
    const files = () => readdirSync(join(cache, 'runs')).length;
    // Figure 2's ci preset: three SGD runs of a few seconds each, so the stop lands mid-run.
    const { child, done } = start([ZX, 'pipeline/figures.mjs', '--only=two-layer', '--preset', 'ci', '--jobs', '2'], { TSDYN_CACHE_DIR: cache, TSDYN_OUTPUT_DIR: out });
    expect(await waitFor(() => descendants(child.pid!).length >= 2, 60_000)).toBe(true);
    await sleep(500);
    const stop = await terminate(child, done, files);
    expect(stop.result.code).toBe(143);
    expect(stop.result.stderr).toContain('pipeline: stopped');
    expect(stop.treeGone).toBe(true);
    expect(stop.later).toBe(stop.atStop); // nothing written after the stop
    expect(existsSync(out)).toBe(false);
  });

  it('make figure without NAME: an error listing the figure names, nothing built', async () => {
    const r = await run([ZX, 'pipeline/figures.mjs', '--only='], { TSDYN_CACHE_DIR: join(tmp, 'cache2'), TSDYN_OUTPUT_DIR: join(tmp, 'out2') });
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    for (const f of FIGURES) expect(r.stderr).toContain(f.name);
    expect(existsSync(join(tmp, 'out2'))).toBe(false);
    expect(existsSync(join(tmp, 'cache2'))).toBe(false);
  });
});

describe('make figures prints its plan before computing', () => {
  it('names the runs, the estimate from the cost model and, before a long build, the quick preset', async () => {
    const { planLine } = await import('../pipeline/figures.ts');
    const long = planLine('full', 4529, 4500, 900, 2);
    expect(long).toBe('[full] plan: 4529 runs, 4500 to compute (29 cached), about 7m30s on 2 workers (estimated from the cost model); for a quick first check, make figures PRESET=ci builds the reduced preset in seconds');
    expect(planLine('full', 6, 6, 24, 2)).not.toContain('PRESET=ci'); // a short build needs no hint
    expect(planLine('ci', 135, 135, 600, 2)).not.toContain('PRESET=ci');
  });
});
