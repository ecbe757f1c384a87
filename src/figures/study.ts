/**
 * The settings the theory-vs-simulation figures share (Figures 1–3 and 7), and how a figure's
 * settings follow its preset: each preset has a scale (PRESETS in types.ts), and a figure
 * lists its values per scale instead of switching on the preset's name. A figure states only
 * what differs from the shared base: its model, K, η, horizon and initial scales.
 */
import type { RunConfig } from '../config.ts';
import { config } from './common.ts';
import { PRESETS, type Preset } from './types.ts';

export type PresetScale = (typeof PRESETS)[Preset]['scale'];

/** One value per preset scale: the published one and the reduced one CI repeats. */
export type PerScale<T> = Record<PresetScale, T>;

/** A figure's value at a preset's scale. */
export function atScale<T>(preset: Preset, table: PerScale<T>): T {
  return table[PRESETS[preset].scale];
}

/** How long a figure's runs go and how many records they keep, per scale. */
export interface Horizon {
  tMax: number;
  recordPoints: number;
}

/** The blog's N = 784 (MNIST's input size), and N = 300 where CI repeats the figures in seconds. */
const N: PerScale<number> = { published: 784, reduced: 300 };

/**
 * The shared base: an M = 4 teacher of unit scale, online SGD (B = 1) without output noise,
 * student weights of scale 0.5, seed 1, ε_g recorded on a log grid from t = 0.1; N and the
 * horizon at the preset's scale. `fields` are what the figure changes.
 */
export function replicationConfig(preset: Preset, horizon: PerScale<Horizon>, fields: Partial<RunConfig>): RunConfig {
  const { tMax, recordPoints } = atScale(preset, horizon);
  return config({
    N: atScale(preset, N),
    M: 4,
    sigma: 0,
    batchSize: 1,
    tMax,
    recordEvery: 0.1,
    recordScale: 'log',
    recordPoints,
    seed: 1,
    teacherScale: 1,
    studentScale: 0.5,
    ...fields,
  });
}
