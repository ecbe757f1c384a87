/** Figure 2's panels: each (K, seed)'s simulation and ODE, and their replication metrics. */
import type { RunResults } from '../../runs/key.ts';
import type { Trajectory } from '../../trajectory.ts';
import { getSimOdePair, panelMetrics } from '../common.ts';
import type { PanelMetrics, Preset } from '../types.ts';
import { TWO_LAYER_KS, twoLayerConfig, twoLayerSeeds } from './study.ts';

/** ε_g below which a run has left the symmetric plateau. */
const ESCAPE_THRESHOLD = 1e-2;

export interface TwoLayerPanel {
  K: number;
  seed: number;
  sim: Trajectory;
  ode: Trajectory;
  metrics: PanelMetrics;
}

export function analyseTwoLayer(results: RunResults, preset: Preset): TwoLayerPanel[] {
  return TWO_LAYER_KS.flatMap((K) =>
    twoLayerSeeds(preset).map((seed) => {
      const cfg = twoLayerConfig(K, seed, preset);
      const [sim, ode] = getSimOdePair(results, { K }, cfg);
      return { K, seed, sim, ode, metrics: panelMetrics({ K, seed }, sim, ode, cfg, { escapeThreshold: ESCAPE_THRESHOLD }) };
    }),
  );
}
