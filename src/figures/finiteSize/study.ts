/**
 * Figure 6's runs: soft committee K = M = 2, η = 0.5, σ = 0.5, every run from the same
 * explicit initial order parameters (so only SGD noise differs between seeds), the exact
 * sampler per (N, seed) and one ODE per N, all to t = 5.
 */
import type { RunConfig } from '../../config.ts';
import type { RunKey } from '../../runs/key.ts';
import { config } from '../common.ts';
import { atScale, type PerScale } from '../study.ts';
import type { Preset, RunSpec } from '../types.ts';

const INIT = { Q: [[0.25, 0.02], [0.02, 0.3]], R: [[0.05, 0.01], [0.02, 0.04]], T: [[1, 0], [0, 1]] };
/** The time at which the spread across seeds is measured. */
export const T_MEASURE = 5;

/** The N of the fit and the seeds per N, per preset scale. */
const GRID: PerScale<{ Ns: number[]; seeds: number }> = {
  published: { Ns: [100, 316, 1000, 3162, 10000, 31623, 100000], seeds: 40 },
  reduced: { Ns: [100, 400, 1600], seeds: 12 },
};

export function finiteSizeGrid(preset: Preset): { Ns: number[]; seeds: number } {
  return atScale(preset, GRID);
}

export function finiteSizeConfig(N: number, seed: number): RunConfig {
  return config({
    model: 'soft-committee',
    N,
    K: 2,
    M: 2,
    lr: 0.5,
    sigma: 0.5,
    batchSize: 1,
    tMax: T_MEASURE,
    recordEvery: T_MEASURE,
    recordScale: 'linear',
    seed,
    init: INIT,
  });
}

export const samplerKey = (N: number, seed: number): RunKey => ({ params: { N }, seed, engine: 'sampler' });
/** Every seed starts from the same INIT, so one ODE serves them all (its seed does not enter). */
export const odeKey = (N: number): RunKey => ({ params: { N }, seed: null, engine: 'ode' });

export function finiteSizeRuns(preset: Preset): RunSpec[] {
  const g = finiteSizeGrid(preset);
  return g.Ns.flatMap((N) => [
    ...Array.from({ length: g.seeds }, (_, s) => ({ key: samplerKey(N, s), engine: 'sampler' as const, config: finiteSizeConfig(N, s) })),
    { key: odeKey(N), engine: 'ode' as const, config: finiteSizeConfig(N, 0) },
  ]);
}
