/**
 * Figure 3's analysis: per K, every initialization's simulation and ODE with their replication
 * metrics, and the spread of the final ε_g across initializations (the "individual differences").
 */
import type { RunResults } from '../../runs/key.ts';
import type { Trajectory } from '../../trajectory.ts';
import { getSimOdePair, panelMetrics, PLOT_EG_FLOOR, round } from '../common.ts';
import type { PanelMetrics, Preset } from '../types.ts';
import { LARGE_INIT_KS, largeInitConfig, largeInitSeeds } from './study.ts';

/** ε_g below which a run has left the symmetric plateau. */
const ESCAPE_THRESHOLD = 1e-2;

/** One K: its initializations' simulations and ODEs, in seed order. */
export interface LargeInitColumn {
  K: number;
  sims: Trajectory[];
  odes: Trajectory[];
}

export interface LargeInitAnalysis {
  columns: LargeInitColumn[];
  panels: PanelMetrics[];
  extra: Record<string, number>;
}

/** Spread of log10 final ε_g across initializations: the "individual differences". */
function logSpread(values: number[]): number {
  const logs = values.map((v) => Math.log10(Math.max(v, PLOT_EG_FLOOR)));
  return Math.max(...logs) - Math.min(...logs);
}

export function analyseLargeInit(results: RunResults, preset: Preset): LargeInitAnalysis {
  const seeds = largeInitSeeds(preset);
  const columns: LargeInitColumn[] = [];
  const panels: PanelMetrics[] = [];
  const extra: Record<string, number> = {};
  for (const K of LARGE_INIT_KS) {
    const pairs = seeds.map((seed) => getSimOdePair(results, { K }, largeInitConfig(K, seed, preset)));
    const sims = pairs.map(([sim]) => sim);
    const odes = pairs.map(([, ode]) => ode);
    seeds.forEach((seed, s) => panels.push(panelMetrics({ K, seed }, sims[s], odes[s], largeInitConfig(K, seed, preset), { escapeThreshold: ESCAPE_THRESHOLD })));
    extra[`K=${K}/log10FinalEgSpreadSim`] = round(logSpread(sims.map((s) => s.eg[s.eg.length - 1])), 4);
    extra[`K=${K}/log10FinalEgSpreadOde`] = round(logSpread(odes.map((s) => s.eg[s.eg.length - 1])), 4);
    columns.push({ K, sims, odes });
  }
  return { columns, panels, extra };
}
