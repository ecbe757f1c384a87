/**
 * Figure 7's analysis: per (activation, K) the replication metrics with the plateau comparison,
 * and as figure-level extras the initial ε_g and the error of a zero student, the scale on
 * which plateau heights of different activations compare.
 */
import type { ActivationName } from '../../activations/registry.ts';
import type { RunResults } from '../../runs/key.ts';
import { generalizationError } from '../../theory/generalizationError.ts';
import type { Trajectory } from '../../trajectory.ts';
import { getSimOdePair, panelMetrics, round } from '../common.ts';
import type { PanelMetrics, Preset } from '../types.ts';
import { ACTIVATION_KS, activationsConfig, FIGURE_ACTIVATIONS, type FigureActivation } from './study.ts';

/** ε_g below which a run has left the plateau (the escape time). */
const ESCAPE_THRESHOLD = 1e-2;

/**
 * ε_g of a student that outputs 0 (v = 0): ½⟨(Σ_m v*_m g(ρ_m))²⟩, the teacher's output power,
 * the scale on which plateau heights of different g compare.
 */
export function generalizationErrorOfZeroStudent(T: number[][], vTeacher: number[], activation: ActivationName): number {
  const Mt = T.length;
  return generalizationError(
    { K: 1, M: Mt, Q: new Float64Array(1), R: new Float64Array(Mt), T: Float64Array.from(T.flat()), v: new Float64Array(1), vTeacher: Float64Array.from(vTeacher) },
    activation,
  );
}

/** The figure-level numbers of one panel (snapshot extras, keyed `<activation>/K=<K>/<name>`). */
function panelExtras(activation: FigureActivation, K: number, ode: Trajectory, extra: Record<string, number>): void {
  extra[`${activation}/K=${K}/eg0`] = round(ode.eg[0], 6);
}

export interface ActivationsPanel {
  activation: FigureActivation;
  K: number;
  sim: Trajectory;
  ode: Trajectory;
}

export interface ActivationsAnalysis {
  runs: ActivationsPanel[];
  panels: PanelMetrics[];
  extra: Record<string, number>;
}

export function analyseActivations(results: RunResults, preset: Preset): ActivationsAnalysis {
  const runs: ActivationsPanel[] = [];
  const panels: PanelMetrics[] = [];
  const extra: Record<string, number> = {};
  for (const activation of FIGURE_ACTIVATIONS) {
    for (const K of ACTIVATION_KS) {
      const cfg = activationsConfig(activation, K, preset);
      const [sim, ode] = getSimOdePair(results, { activation, K }, cfg);
      runs.push({ activation, K, sim, ode });
      panels.push(panelMetrics({ K, activation }, sim, ode, cfg, { escapeThreshold: ESCAPE_THRESHOLD, plateau: true }));
      panelExtras(activation, K, ode, extra);
      if (K === ACTIVATION_KS[0]) extra[`${activation}/egZeroStudent`] = round(generalizationErrorOfZeroStudent(ode.T, ode.vTeacher, activation), 6);
    }
  }
  return { runs, panels, extra };
}
