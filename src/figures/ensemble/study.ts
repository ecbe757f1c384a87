/**
 * The seed-ensemble figures' runs: the settings of one ensemble figure (Ks, seeds, the config
 * of each K and seed), and the 'ensemble' preset's two instances, Figures 1 and 2 at the
 * published horizon t = 10⁴ (7.84×10⁶ SGD steps at N = 784), 100 seeds per K, with every other
 * setting taken from the default figures' configs. Sized for a GPU; docs/figures.md, "Ensemble preset (GPU)".
 */
import { validateConfig, type RunConfig } from '../../config.ts';
import { simOdePair } from '../common.ts';
import { SOFT_COMMITTEE_KS, softCommitteeConfig } from '../softCommittee/study.ts';
import { TWO_LAYER_KS, twoLayerConfig } from '../twoLayer/study.ts';
import type { Preset, RunSpec } from '../types.ts';

export interface EnsembleSettings {
  name: string;
  title: string;
  /** What the figure shows, for the title: e.g. 'Soft committee machine'. */
  label: string;
  /** The ODE's source, for the caption: e.g. 'Saad & Solla (1995)'. */
  theory: string;
  Ks: readonly number[];
  seeds: readonly number[];
  /** The run config of one K and seed (the seed is the only difference between a K's runs). */
  config(K: number, seed: number): RunConfig;
  /** The presets that build it ('ensemble'; tests use their own instance). */
  presets: readonly Preset[];
}

/** The sgd and ode runs of every K and seed. */
export function ensembleRuns(s: EnsembleSettings): RunSpec[] {
  return s.Ks.flatMap((K) => s.seeds.flatMap((seed) => simOdePair({ K }, s.config(K, seed))));
}


/** The published horizon (Saad & Solla 1995, Fig. 1; the blog's figures run to ~10⁷ steps). */
export const ENSEMBLE_T_MAX = 10_000;
/** Seeds per K: enough that the spread across seeds is measured to ≈ 7% (1/√(2·99)). */
export const ENSEMBLE_SEEDS = Array.from({ length: 100 }, (_, i) => i + 1);

/** A default figure's config at the ensemble horizon; the record grid keeps its number of points. */
const atHorizon = (c: RunConfig): RunConfig => validateConfig({ ...c, tMax: ENSEMBLE_T_MAX });

export const ENSEMBLE_SOFT_COMMITTEE: EnsembleSettings = {
  name: 'ensemble-soft-committee',
  title: 'Figure 1 (ensemble) — Soft committee machine: seed mean and spread to t = 10⁴',
  label: 'Soft committee machine',
  theory: 'Saad & Solla (1995)',
  Ks: SOFT_COMMITTEE_KS,
  seeds: ENSEMBLE_SEEDS,
  config: (K, seed) => atHorizon({ ...softCommitteeConfig(K, 'full'), seed }),
  presets: ['ensemble'],
};

export const ENSEMBLE_TWO_LAYER: EnsembleSettings = {
  name: 'ensemble-two-layer',
  title: 'Figure 2 (ensemble) — Two-layer network: seed mean and spread to t = 10⁴',
  label: 'Two-layer network',
  theory: 'Goldt et al. (2019)',
  Ks: TWO_LAYER_KS,
  seeds: ENSEMBLE_SEEDS,
  config: (K, seed) => atHorizon(twoLayerConfig(K, seed, 'full')),
  presets: ['ensemble'],
};
