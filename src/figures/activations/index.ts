/**
 * Figure 7 — the same question across activations: linear, erf and ReLU soft committees.
 *
 * Rows K ∈ {2, 4} students, columns the activation g of teacher and student (the registry's
 * linear, erf and ReLU), against an M = 4 teacher at the blog's N = 784: ε_g(t) of online SGD
 * and of the ODE from the same initial weights, log–log, as Figure 1. A linear network is one
 * linear map, so any K represents the teacher and its error decays exponentially from the
 * start (no plateau); erf and ReLU students first sit on the symmetric plateau, and K < M
 * stays above the teacher. The snapshot records, per panel, the replication metrics of
 * Figures 1–3 (calibrated the same way) and, as figure-level extras, what the caption states:
 * plateau heights, escape times, final levels.
 */
import { validateConfig } from '../../config.ts';
import type { FigureDefinition, Snapshot } from '../types.ts';
import { analyseActivations } from './analyse.ts';
import { activationsCaption, activationsTolerances } from './claims.ts';
import { activationsSpec } from './plot.ts';
import { ACTIVATION_KS, activationsConfig, activationsRuns, FIGURE_ACTIVATIONS } from './study.ts';

export { generalizationErrorOfZeroStudent } from './analyse.ts';
export { ACTIVATIONS_ANSWER } from './claims.ts';
export { ACTIVATION_KS, activationsConfig, FIGURE_ACTIVATIONS, type FigureActivation } from './study.ts';

export const activationsFigure: FigureDefinition = {
  name: 'activations',
  title: 'Figure 7 — The same question across activations: linear, erf and ReLU',
  caption: activationsCaption,
  runs: activationsRuns,
  build: (results, preset) => {
    const { runs, panels, extra } = analyseActivations(results, preset);
    const snapshot: Snapshot = { figure: 'activations', preset, panels, extra };
    return { spec: activationsSpec(runs, preset), snapshot };
  },
  tolerances: activationsTolerances,
  calibration: {
    settings: (preset) =>
      FIGURE_ACTIVATIONS.flatMap((activation) =>
        ACTIVATION_KS.map((K) => ({ K, activation, config: (seed: number) => validateConfig({ ...activationsConfig(activation, K, preset), seed }) })),
      ),
    seedsPerK: 1,
    plateau: true,
  },
};
