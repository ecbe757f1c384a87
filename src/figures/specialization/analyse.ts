/**
 * Figure 4's analysis: the times at which the order parameters are shown (early, on the
 * plateau, at the escape, specialized), the order of the students for display, and the
 * specialization index at those times.
 */
import { escapeTime } from '../../metrics/alignment.ts';
import type { RunResults } from '../../runs/key.ts';
import type { Trajectory } from '../../trajectory.ts';
import { getSimOdePair, panelMetrics, round } from '../common.ts';
import type { PanelMetrics, Preset } from '../types.ts';
import { K, specializationConfig } from './study.ts';

/** ε_g below which a run has left the symmetric plateau (the "escape" time). */
const ESCAPE_THRESHOLD = 1e-2;

/** Student order: by the teacher each student matches best at the end of the theory run. */
function studentOrder(ode: Trajectory): number[] {
  const R = ode.R[ode.R.length - 1];
  const best = R.map((row) => row.indexOf(Math.max(...row)));
  return [...best.keys()].sort((a, b) => best[a] - best[b] || a - b);
}

/** Mean over students of the best cosine between student i and a teacher: ~1/√M-ish on the plateau, → 1 when specialized. */
export function specializationIndex(traj: Trajectory, j: number): number {
  let s = 0;
  for (let i = 0; i < traj.K; i++) {
    let best = -Infinity;
    for (let n = 0; n < traj.M; n++) best = Math.max(best, traj.R[j][i][n] / Math.sqrt(traj.Q[j][i][i] * traj.T[n][n]));
    s += best;
  }
  return s / traj.K;
}

function nearestRecord(traj: Trajectory, t: number): number {
  let best = 0;
  for (let j = 0; j < traj.t.length; j++) if (Math.abs(Math.log(traj.t[j] + 1e-9) - Math.log(t)) < Math.abs(Math.log(traj.t[best] + 1e-9) - Math.log(t))) best = j;
  return best;
}

/** Snapshot times: early, mid-plateau, at the escape, converged (from the theory curve). */
function snapshotRecords(ode: Trajectory): { label: string; j: number }[] {
  const tEsc = escapeTime(ode.t, ode.eg, ESCAPE_THRESHOLD) ?? ode.t[ode.t.length - 1] / 2;
  const tPlateau = Math.sqrt(10 * tEsc); // geometric middle between t = 10 and the escape
  return [
    { label: 'early', j: nearestRecord(ode, 1) },
    { label: 'plateau', j: nearestRecord(ode, tPlateau) },
    { label: 'escape', j: nearestRecord(ode, tEsc) },
    { label: 'specialized', j: ode.t.length - 1 },
  ];
}

export interface SpecializationAnalysis {
  sim: Trajectory;
  ode: Trajectory;
  /** Students in display order. */
  order: number[];
  /** The marked times, as record indices. */
  snaps: { label: string; j: number }[];
  panels: PanelMetrics[];
  extra: Record<string, number>;
}

export function analyseSpecialization(results: RunResults, preset: Preset): SpecializationAnalysis {
  const cfg = specializationConfig(preset);
  const [sim, ode] = getSimOdePair(results, { K }, cfg);
  const snaps = snapshotRecords(ode);
  const extra: Record<string, number> = {};
  for (const { label, j } of snaps) {
    extra[`specialization/${label}/sim`] = round(specializationIndex(sim, j), 4);
    extra[`specialization/${label}/ode`] = round(specializationIndex(ode, j), 4);
  }
  const panels = [panelMetrics({ K }, sim, ode, cfg, { escapeThreshold: ESCAPE_THRESHOLD })];
  return { sim, ode, order: studentOrder(ode), snaps, panels, extra };
}
