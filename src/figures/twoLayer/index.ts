/**
 * Figure 2 — two-layer network (Goldt et al. 2019: second layer trained).
 *
 * Columns K ∈ {2, 4, 6}, M = 4, N = 784, several seeds per column. Rows: ε_g(t) (simulation
 * and the ODE from the same initial order parameters), then the cosine alignment between
 * simulated and theoretical Q, R and v over time, which stays close to 1 with small dips
 * where the error drops steeply (finite-N fluctuations near the transitions).
 */
import type { FigureDefinition } from '../types.ts';
import { analyseTwoLayer } from './analyse.ts';
import { twoLayerCaption, twoLayerTolerances } from './claims.ts';
import { twoLayerSpec } from './plot.ts';
import { TWO_LAYER_KS, TWO_LAYER_V_TEACHER, twoLayerConfig, twoLayerRuns, twoLayerSeeds } from './study.ts';

export { TWO_LAYER_KS, TWO_LAYER_V_TEACHER, twoLayerConfig, twoLayerSeeds };

export const twoLayerFigure: FigureDefinition = {
  name: 'two-layer',
  title: 'Figure 2 — Two-layer network: theory–simulation overlap of Q, R and v',
  caption: twoLayerCaption,
  runs: twoLayerRuns,
  build: (results, preset) => {
    const panels = analyseTwoLayer(results, preset);
    return { spec: twoLayerSpec(panels, preset), snapshot: { figure: 'two-layer', preset, panels: panels.map((p) => p.metrics) } };
  },
  tolerances: twoLayerTolerances,
  calibration: {
    settings: (preset) => TWO_LAYER_KS.map((K) => ({ K, config: (seed) => twoLayerConfig(K, seed, preset) })),
    seedsPerK: twoLayerSeeds('full').length,
  },
};
