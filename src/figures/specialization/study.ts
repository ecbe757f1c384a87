/**
 * Figure 4's runs: Figure 1's K = M = 4 panel, the same configs, so one computation (and one
 * cache entry) serves both figures.
 */
import type { RunConfig } from '../../config.ts';
import { simOdePair } from '../common.ts';
import { softCommitteeConfig } from '../softCommittee/study.ts';
import type { Preset, RunSpec } from '../types.ts';

export const K = 4;

export function specializationConfig(preset: Preset): RunConfig {
  return softCommitteeConfig(K, preset);
}

export function specializationRuns(preset: Preset): RunSpec[] {
  return simOdePair({ K }, specializationConfig(preset));
}
