/**
 * Figure 3 — large initial weights produce individual differences.
 *
 * Two-layer network, M = 4, K ∈ {2, 4, 6}, student first-layer weights ~ N(0, 2²) and
 * v ~ N(0, 1). Each of five initializations (seeds) is trained by SGD and predicted by its own
 * ODE from the same initial order parameters: the trajectories differ (plateau lengths and
 * final levels vary by initialization), and each is tracked individually. Thick lines: the
 * mean over initializations of simulation and of theory.
 */
import type { FigureDefinition } from '../types.ts';
import { analyseLargeInit } from './analyse.ts';
import { largeInitCaption, largeInitTolerances } from './claims.ts';
import { largeInitSpec } from './plot.ts';
import { LARGE_INIT_KS, largeInitConfig, largeInitRuns, largeInitSeeds } from './study.ts';

export { LARGE_INIT_KS, largeInitConfig, largeInitSeeds };

export const largeInitFigure: FigureDefinition = {
  name: 'large-init',
  title: 'Figure 3 — Large initial weights produce individual differences',
  caption: largeInitCaption,
  runs: largeInitRuns,
  build: (results, preset) => {
    const { columns, panels, extra } = analyseLargeInit(results, preset);
    return { spec: largeInitSpec(columns, preset), snapshot: { figure: 'large-init', preset, panels, extra } };
  },
  tolerances: largeInitTolerances,
  calibration: {
    settings: (preset) => LARGE_INIT_KS.map((K) => ({ K, config: (seed) => largeInitConfig(K, seed, preset) })),
    seedsPerK: largeInitSeeds('full').length,
  },
};
