/**
 * Figure 3's runs: two-layer erf networks with large initial weights (student first layer
 * scale 2, v ~ N(0, 1), all v* = 1), K ∈ {2, 4, 6} against M = 4, η = 1, several
 * initializations (seeds) per K, each simulation paired with its ODE from the same start.
 */
import type { RunConfig } from '../../config.ts';
import { simOdePair } from '../common.ts';
import { atScale, replicationConfig, type Horizon, type PerScale } from '../study.ts';
import type { Preset, RunSpec } from '../types.ts';

export const LARGE_INIT_KS = [2, 4, 6];

const SEEDS: PerScale<number[]> = { published: [11, 12, 13, 14, 15], reduced: [11, 12] };
const HORIZON: PerScale<Horizon> = { published: { tMax: 2000, recordPoints: 150 }, reduced: { tMax: 300, recordPoints: 50 } };

export function largeInitSeeds(preset: Preset): number[] {
  return atScale(preset, SEEDS);
}

export function largeInitConfig(K: number, seed: number, preset: Preset): RunConfig {
  return replicationConfig(preset, HORIZON, {
    model: 'two-layer',
    K,
    lr: 1,
    seed,
    studentScale: 2,
    studentVScale: 1,
    vTeacher: 'ones',
    trainSecondLayer: true,
  });
}

export function largeInitRuns(preset: Preset): RunSpec[] {
  return LARGE_INIT_KS.flatMap((K) => largeInitSeeds(preset).flatMap((seed) => simOdePair({ K }, largeInitConfig(K, seed, preset))));
}
