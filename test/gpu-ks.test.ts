/**
 * The WebGPU engine is equal in law to the CPU SGD engine (src/engines.ts runSimulation,
 * engine sgd): two-sample KS tests, 200 runs per side with disjoint seeds (independent samples:
 * a seed also fixes the initial weights). The GPU engine equals the f64 reference number for
 * number (test/gpu-engine.test.ts), so this is also the reference against the CPU engine.
 *
 * Three cases, six statistics each, two-layer, N = 50, K = M = 2, σ = 0.1, η = 1, t = 8
 * (400 steps per run):
 *  - one teacher: ε_g, Q_00 and R_00 at t = 2 and t = 8;
 *  - two teachers (teacher 1 at feature similarity α = 0.5), teacher 0 until t = 4, then
 *    teacher 1, with one head and with a head per teacher: at the switch ε_g on teacher 0 and
 *    R_00; at the end ε_g on each teacher, R between student unit 0 and teacher 1's unit 0,
 *    and Q_00.
 * 18 tests at α = 0.006/18 each: family-wise false-alarm rate ≤ 0.6% (Bonferroni).
 * Power: at the same sample size and level the same tests reject a deliberately wrong GPU
 * run: without the second layer's η/N step (one teacher), with the label kept on teacher 0
 * after the switch (one head), with head 0 trained in both phases (a head per teacher).
 * ≈ 30 s.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig, type RunConfig } from '../src/config.ts';
import { runSimulation } from '../src/engines.ts';
import { runSgdBatch, type GpuBatchOptions } from '../src/gpu/engine.ts';
import { openGpu, type GpuHandle } from '../src/gpu/node.ts';
import type { Trajectory } from '../src/trajectory.ts';
import { ksCritical, ksStatistic } from './helpers/ks.ts';

let gpu: GpuHandle;
beforeAll(async () => {
  gpu = await openGpu({ allowSoftware: true });
}, 60_000);
afterAll(() => gpu?.close());

const RUNS = 200;
const STATISTICS = 6;
const CASE_COUNT = 3;
const ALPHA = 0.006 / (STATISTICS * CASE_COUNT);

const base = { model: 'two-layer', N: 50, K: 2, M: 2, lr: 1, sigma: 0.1, tMax: 8, recordScale: 'linear', recordEvery: 2, studentScale: 0.5, studentVScale: 0.5 };
const scheduled = (heads: 'single' | 'multi') => ({ ...base, teachers: [{}, { featureSimilarity: 0.5 }], schedule: [{ teacher: 0, until: 4 }, { teacher: 1, until: 8 }], heads });

interface KsCase {
  config: Record<string, unknown>;
  /** The six statistics of a sample (records at t = 0, 2, 4, 6, 8). */
  statistics(trajs: Trajectory[]): number[][];
  /** The deliberately wrong GPU run of the power check. */
  wrong: GpuBatchOptions;
}

const CASES: Record<string, KsCase> = {
  'one teacher': {
    config: base,
    statistics: (trajs) => [1, 4].flatMap((i) => [trajs.map((t) => t.eg[i]), trajs.map((t) => t.Q[i][0][0]), trajs.map((t) => t.R[i][0][0])]),
    wrong: { variant: 'noSecondLayerStep' },
  },
  'two teachers (α = 0.5), one head': {
    config: scheduled('single'),
    statistics: scheduleStatistics,
    wrong: { scheduleVariant: 'firstTeacherOnly' },
  },
  'two teachers (α = 0.5), a head per teacher': {
    config: scheduled('multi'),
    statistics: scheduleStatistics,
    wrong: { scheduleVariant: 'firstHeadOnly' },
  },
};

/** At the switch (record 2, t = 4): ε_g on teacher 0, R_00. At the end (record 4): ε_g on teachers 0 and 1, R_02 (teacher 1's unit 0), Q_00. */
function scheduleStatistics(trajs: Trajectory[]): number[][] {
  return [
    trajs.map((t) => t.egTeachers![0][2]),
    trajs.map((t) => t.R[2][0][0]),
    trajs.map((t) => t.egTeachers![0][4]),
    trajs.map((t) => t.egTeachers![1][4]),
    trajs.map((t) => t.R[4][0][2]),
    trajs.map((t) => t.Q[4][0][0]),
  ];
}

const config = (c: KsCase, seed: number): RunConfig => validateConfig({ ...c.config, seed });

async function gpuSample(c: KsCase, seed0: number, opts: GpuBatchOptions = {}): Promise<Trajectory[]> {
  const res = await runSgdBatch(gpu.device, Array.from({ length: RUNS }, (_, i) => config(c, seed0 + i)), opts);
  for (const r of res) expect(r.status).toBe('completed');
  return res.map((r) => r.trajectory);
}

describe('WebGPU vs CPU SGD in distribution', () => {
  expect(Object.keys(CASES)).toHaveLength(CASE_COUNT);
  for (const [name, c] of Object.entries(CASES))
    it(`${name}: KS accepts the GPU engine and rejects the deliberately wrong variant`, async () => {
      const cpu = c.statistics(Array.from({ length: RUNS }, (_, i) => runSimulation(config(c, i))));
      const good = c.statistics(await gpuSample(c, 1000));
      const wrong = c.statistics(await gpuSample(c, 2000, c.wrong));
      expect(cpu).toHaveLength(STATISTICS);
      const crit = ksCritical(RUNS, RUNS, ALPHA);
      const dGood = good.map((s, j) => ksStatistic(s, cpu[j]));
      const dWrong = wrong.map((s, j) => ksStatistic(s, cpu[j]));
      console.log(`${name}: KS D (critical ${crit.toFixed(3)}): GPU ${dGood.map((d) => d.toFixed(3)).join(' ')}; wrong variant ${dWrong.map((d) => d.toFixed(3)).join(' ')}`);
      for (const d of dGood) expect(d).toBeLessThan(crit);
      expect(Math.max(...dWrong)).toBeGreaterThan(crit);
    }, 300_000);
});
