/**
 * The explorer's presets: one entry per published figure, each the full-preset settings of a
 * representative panel, taken from the figure's own config function so a preset can never
 * drift from what the figure runs. The figure modules also hold Node-only code (cache keys),
 * so this module runs at build time: the build script evaluates `presetTable()` and injects
 * the result into the page as JSON.
 */
import { validateConfig, type RunConfig } from '../config.ts';
import { activationsConfig } from '../figures/activations/index.ts';
import { finiteSizeConfig } from '../figures/finiteSize/index.ts';
import { forgettingConfig, forgettingGrid } from '../figures/forgetting/index.ts';
import { largeInitConfig, largeInitSeeds } from '../figures/largeInit/index.ts';
import { softCommitteeConfig } from '../figures/softCommittee/index.ts';
import { twoLayerConfig, twoLayerSeeds } from '../figures/twoLayer/index.ts';
import { validityCellConfig } from '../figures/validityMap/index.ts';

export interface Preset {
  label: string;
  config: () => RunConfig;
}

export const PRESETS = {
  default: { label: 'tsdyn defaults (soft committee, K = M = 4)', config: () => validateConfig({}) },
  'soft-committee': { label: 'Fig. 1 soft committee, K = 4', config: () => softCommitteeConfig(4, 'full') },
  'soft-committee-k2': { label: 'Fig. 1 soft committee, K = 2 < M', config: () => softCommitteeConfig(2, 'full') },
  'two-layer': { label: 'Fig. 2 two-layer, K = 4, distinct v*', config: () => twoLayerConfig(4, twoLayerSeeds('full')[0], 'full') },
  'two-layer-k6': { label: 'Fig. 2 two-layer, K = 6 > M', config: () => twoLayerConfig(6, twoLayerSeeds('full')[0], 'full') },
  'large-init': { label: 'Fig. 3 large initialization, K = 4', config: () => largeInitConfig(4, largeInitSeeds('full')[0], 'full') },
  specialization: { label: 'Fig. 4 specialization (Fig. 1, K = 4)', config: () => softCommitteeConfig(4, 'full') },
  'validity-map': { label: 'Fig. 5 validity map cell, soft committee, η = 1.1, σ = 0.5, N = 784', config: () => validityCellConfig('soft-committee', 784, 1.1, 0.5, 1) },
  'finite-size': { label: 'Fig. 6 finite size, N = 1000', config: () => finiteSizeConfig(1000, 0) },
  activations: { label: 'Fig. 7 ReLU soft committee, K = 4, η = 0.25', config: () => activationsConfig('relu', 4, 'full') },
  'activations-linear': { label: 'Fig. 7 linear soft committee, K = 4 (no plateau)', config: () => activationsConfig('linear', 4, 'full') },
  forgetting: { label: 'Fig. 8 continual learning, multi-head, α = 0.4', config: () => forgettingConfig(0.4, 'multi', forgettingGrid('full').N, 1) },
  'forgetting-single': { label: 'Fig. 8 continual learning, single head, α = 0.4', config: () => forgettingConfig(0.4, 'single', forgettingGrid('full').N, 1) },
} as const satisfies Record<string, Preset>;

export type PresetName = keyof typeof PRESETS;

export interface PresetEntry {
  name: PresetName;
  label: string;
  config: RunConfig;
}

/** Every preset evaluated, in registry order (what the page receives). */
export function presetTable(): PresetEntry[] {
  return (Object.entries(PRESETS) as [PresetName, Preset][]).map(([name, p]) => ({ name, label: p.label, config: p.config() }));
}
