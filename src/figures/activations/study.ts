/**
 * Figure 7's runs: soft committee students against an M = 4 teacher with the same activation,
 * linear, erf and ReLU, K ∈ {2, 4}, each simulation paired with its ODE from the same weights.
 */
import type { ActivationName } from '../../activations/registry.ts';
import type { RunConfig } from '../../config.ts';
import { simOdePair } from '../common.ts';
import { replicationConfig, type Horizon, type PerScale } from '../study.ts';
import type { Preset, RunSpec } from '../types.ts';

/** The columns, in order: no plateau, the blog's sigmoid, the rectifier. */
export const FIGURE_ACTIVATIONS = ['linear', 'erf', 'relu'] as const satisfies readonly ActivationName[];
export type FigureActivation = (typeof FIGURE_ACTIVATIONS)[number];
export const ACTIVATION_KS = [2, 4];
/** Column titles. */
export const LABEL: Record<FigureActivation, string> = { linear: 'linear', erf: 'erf', relu: 'ReLU' };

const HORIZON: PerScale<Horizon> = { published: { tMax: 2000, recordPoints: 250 }, reduced: { tMax: 600, recordPoints: 80 } };

/**
 * η = 0.25 for every column: Figure 1's η = 0.5 puts the linear K = 4 network exactly on its
 * stability edge (its ODE is dε/dt = −Kη(2 − Kη)·c·ε, marginal at Kη = 2, where ε_g stays at its
 * initial value), and Kη = 1 is the linear network's fastest rate. The other settings are
 * Figure 1's; t ≤ 2000 leaves the erf K = 4 escape (t ≈ 600 at this η) room to scatter.
 */
export function activationsConfig(activation: FigureActivation, K: number, preset: Preset): RunConfig {
  return replicationConfig(preset, HORIZON, { model: 'soft-committee', K, lr: 0.25, activation });
}

export function activationsRuns(preset: Preset): RunSpec[] {
  return FIGURE_ACTIVATIONS.flatMap((activation) => ACTIVATION_KS.flatMap((K) => simOdePair({ activation, K }, activationsConfig(activation, K, preset))));
}
