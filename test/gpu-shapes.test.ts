/**
 * Every (K, M) with 1 ≤ K, M ≤ 8 generates WGSL that compiles (no compiler errors, pipeline
 * created) and runs: 8 steps at N = 18 match the f64 reference. So do the edge shapes of the
 * several-teacher shader (K or M = 1 or 8, up to 16 teachers, a head per teacher, every teacher
 * visited). Software adapter; ≈ 1–2 min on 2 cores, almost all of it shader compilation (its
 * own file so it runs beside the others).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../src/config.ts';
import { initialWeights, runSgdBatchDetailed } from '../src/gpu/engine.ts';
import { openGpu, type GpuHandle } from '../src/gpu/node.ts';
import { ReferenceSgd } from '../src/gpu/reference.ts';
import { relDiff, vsReference } from './helpers/gpuReference.ts';

let gpu: GpuHandle;
beforeAll(async () => {
  gpu = await openGpu({ allowSoftware: true });
}, 60_000);
afterAll(() => gpu?.close());

describe('every (K, M) with 1 ≤ K, M ≤ 8 compiles and runs', () => {
  it('compiles, creates the pipeline and matches the reference after 8 steps', async () => {
    for (let K = 1; K <= 8; K++)
      for (let M = 1; M <= 8; M++) {
        const c = validateConfig({ recordScale: 'linear', studentScale: 0.3, model: 'two-layer', N: 18, K, M, tMax: 8 / 18, recordEvery: 4 / 18, studentVScale: 0.5, sigma: 0.1, batchSize: 2, seed: K * 10 + M });
        const d = await runSgdBatchDetailed(gpu.device, [c]);
        expect(d.results[0].status, `K=${K} M=${M}`).toBe('completed');
        const ref = new ReferenceSgd(c, initialWeights(c));
        ref.runTo(8);
        const w = relDiff(d.weights[0], ref.state.W);
        const v = relDiff(d.results[0].trajectory.v.at(-1)!, ref.state.v);
        expect(w, `K=${K} M=${M}`).toBeLessThan(1e-5);
        expect(v, `K=${K} M=${M}`).toBeLessThan(1e-5);
      }
  }, 600_000);
});

describe('several teachers: edge shapes compile and run', () => {
  it('(K, M, teachers) from (1, 1, 2) to (8, 8, 2) and (2, 2, 16): 4 steps per teacher, each teacher once, match the reference', async () => {
    for (const [K, M, P] of [[1, 1, 2], [1, 8, 3], [8, 1, 3], [8, 8, 2], [2, 2, 16]]) {
      const schedule = Array.from({ length: P }, (_, p) => ({ teacher: P - 1 - p, until: (4 * (p + 1)) / 18 }));
      const teachers = Array.from({ length: P }, (_, p) => (p === 0 ? {} : { featureSimilarity: p / P }));
      const c = validateConfig({ recordScale: 'linear', recordEvery: 4 / 18, studentScale: 0.3, model: 'two-layer', N: 18, K, M, tMax: (4 * P) / 18, studentVScale: 0.5, sigma: 0.1, batchSize: 2, seed: K * 10 + M, teachers, schedule, heads: 'multi' });
      const r = await vsReference(gpu.device, [c]);
      const at = `K=${K} M=${M} P=${P}`;
      expect(r.statuses, at).toEqual(['completed']);
      expect(r.w, at).toBeLessThan(1e-5);
      expect(r.v, at).toBeLessThan(1e-5);
      expect(r.overlaps, at).toBeLessThan(1e-5);
    }
  }, 300_000);
});
