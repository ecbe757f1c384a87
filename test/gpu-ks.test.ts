/**
 * The WebGPU engine is equal in law to the CPU SGD engine (src/engines.ts runSimulation,
 * engine sgd): two-sample KS tests on ε_g, Q_00 and R_00 at t = 2 and t = 8, 200 runs per
 * side with disjoint seeds (independent samples: a seed also fixes the initial weights).
 * Six tests at α = 0.001 each: family-wise false-alarm rate ≤ 0.6% (Bonferroni).
 * Power: at the same sample size the same tests reject a GPU run without the second layer's
 * η/N step. Two-layer, N = 50, K = M = 2, σ = 0.1, η = 1: 400 steps per run; ≈ 20 s.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig, type RunConfig } from '../src/config.ts';
import { runSimulation } from '../src/engines.ts';
import { runSgdBatch } from '../src/gpu/engine.ts';
import { openGpu, type GpuHandle } from '../src/gpu/node.ts';
import type { Trajectory } from '../src/trajectory.ts';
import { ksCritical, ksStatistic } from './helpers/ks.ts';

let gpu: GpuHandle;
beforeAll(async () => {
  gpu = await openGpu({ allowSoftware: true });
}, 60_000);
afterAll(() => gpu?.close());

const RUNS = 200;
const ALPHA = 0.001;
const config = (seed: number): RunConfig =>
  validateConfig({ model: 'two-layer', N: 50, K: 2, M: 2, lr: 1, sigma: 0.1, tMax: 8, recordScale: 'linear', recordEvery: 2, studentScale: 0.5, studentVScale: 0.5, seed });

/** The six statistics: (ε_g, Q_00, R_00) at record 1 (t = 2) and record 4 (t = 8). */
function statistics(trajs: Trajectory[]): number[][] {
  const out: number[][] = [];
  for (const i of [1, 4]) {
    out.push(trajs.map((t) => t.eg[i]));
    out.push(trajs.map((t) => t.Q[i][0][0]));
    out.push(trajs.map((t) => t.R[i][0][0]));
  }
  return out;
}

async function gpuSample(seed0: number, variant?: 'noSecondLayerStep'): Promise<Trajectory[]> {
  const res = await runSgdBatch(gpu.device, Array.from({ length: RUNS }, (_, i) => config(seed0 + i)), { variant });
  for (const r of res) expect(r.status).toBe('completed');
  return res.map((r) => r.trajectory);
}

describe('WebGPU vs CPU SGD in distribution', () => {
  it('KS accepts the GPU engine and rejects the variant without the η/N second-layer step', async () => {
    const cpu = statistics(Array.from({ length: RUNS }, (_, i) => runSimulation(config(i))));
    const good = statistics(await gpuSample(1000));
    const wrong = statistics(await gpuSample(2000, 'noSecondLayerStep'));
    const crit = ksCritical(RUNS, RUNS, ALPHA);
    const dGood = good.map((s, j) => ksStatistic(s, cpu[j]));
    const dWrong = wrong.map((s, j) => ksStatistic(s, cpu[j]));
    console.log(`KS D (critical ${crit.toFixed(3)}): GPU ${dGood.map((d) => d.toFixed(3)).join(' ')}; wrong variant ${dWrong.map((d) => d.toFixed(3)).join(' ')}`);
    for (const d of dGood) expect(d).toBeLessThan(crit);
    expect(Math.max(...dWrong)).toBeGreaterThan(crit);
  }, 300_000);
});
