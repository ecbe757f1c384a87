/**
 * Figure 1's runs: K ∈ {2, 4, 6} soft committee students against an M = 4 teacher, η = 0.5,
 * each simulation paired with its ODE from the same initial weights.
 */
import type { RunConfig } from '../../config.ts';
import { simOdePair } from '../common.ts';
import { replicationConfig, type Horizon, type PerScale } from '../study.ts';
import type { Preset, RunSpec } from '../types.ts';

export const SOFT_COMMITTEE_KS = [2, 4, 6];

const HORIZON: PerScale<Horizon> = { published: { tMax: 1500, recordPoints: 250 }, reduced: { tMax: 400, recordPoints: 80 } };

export function softCommitteeConfig(K: number, preset: Preset): RunConfig {
  return replicationConfig(preset, HORIZON, { model: 'soft-committee', K, lr: 0.5 });
}

export function softCommitteeRuns(preset: Preset): RunSpec[] {
  return SOFT_COMMITTEE_KS.flatMap((K) => simOdePair({ K }, softCommitteeConfig(K, preset)));
}
