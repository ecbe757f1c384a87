/** Figure 1's panels: each K's simulation and ODE, and their replication metrics. */
import type { RunResults } from '../../runs/key.ts';
import type { Trajectory } from '../../trajectory.ts';
import { getSimOdePair, panelMetrics } from '../common.ts';
import type { PanelMetrics, Preset } from '../types.ts';
import { SOFT_COMMITTEE_KS, softCommitteeConfig } from './study.ts';

/** ε_g below which a run has left the symmetric plateau. */
const ESCAPE_THRESHOLD = 1e-2;

export interface SoftCommitteePanel {
  K: number;
  sim: Trajectory;
  ode: Trajectory;
  metrics: PanelMetrics;
}

export function analyseSoftCommittee(results: RunResults, preset: Preset): SoftCommitteePanel[] {
  return SOFT_COMMITTEE_KS.map((K) => {
    const cfg = softCommitteeConfig(K, preset);
    const [sim, ode] = getSimOdePair(results, { K }, cfg);
    return { K, sim, ode, metrics: panelMetrics({ K }, sim, ode, cfg, { escapeThreshold: ESCAPE_THRESHOLD }) };
  });
}
