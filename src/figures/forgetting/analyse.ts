/**
 * Figure 8's analysis: forgetting (ε_g on task 1 at the end minus at the switch) of each ODE on
 * the fine α grid and where it peaks, and at the simulated α the seeds' mean, std and standard
 * error beside the ODE's value.
 */
import { mean, sampleStd } from '../../metrics/statistics.ts';
import type { RunResults } from '../../runs/key.ts';
import type { Trajectory } from '../../trajectory.ts';
import { round } from '../common.ts';
import type { FigureSnapshot, Preset, Snapshot } from '../types.ts';
import { FORGETTING, forgettingGrid, forgettingRunsHash, odeKey, SIMULATED, simKey, VARIANT_NAMES, type Variant } from './study.ts';

/** ε_g on task p (teacher p) at record j. */
export const egOn = (traj: Trajectory, p: number, j: number) => traj.egTeachers![p][j];
const switchRecord = (traj: Trajectory) => traj.t.indexOf(FORGETTING.switchAt);
/** ε_g on task 1 at the end minus at the switch. */
export function forgettingOf(traj: Trajectory): number {
  return egOn(traj, 0, traj.t.length - 1) - egOn(traj, 0, switchRecord(traj));
}

/** An α with SGD: the ODE's forgetting and ε_g at the switch and the end, and the seeds' statistics. */
export interface ForgettingPoint {
  variant: Variant;
  alpha: number;
  odeF: number;
  eg1SwitchOde: number;
  eg1EndOde: number;
  eg2EndOde: number;
  simMean: number;
  simSd: number;
  simSe: number;
}

/** A variant's ODE forgetting on the fine α grid, and where it peaks. */
export interface ForgettingCurve {
  variant: Variant;
  alphas: number[];
  F: number[];
  peakAlpha: number;
  peakF: number;
}

export interface ForgettingSnapshot extends Snapshot {
  N: number;
  seeds: number;
  runsHash: string;
  points: ForgettingPoint[];
  curves: ForgettingCurve[];
}

export const asForgetting = (s: FigureSnapshot) => s as ForgettingSnapshot;

/** The runs behind a simulated α: its ODE and its seeds' simulations. */
export interface ForgettingRuns {
  variant: Variant;
  alpha: number;
  ode: Trajectory;
  sims: Trajectory[];
}

export function analyseForgetting(results: RunResults, preset: Preset): { snapshot: ForgettingSnapshot; simulated: ForgettingRuns[] } {
  const g = forgettingGrid(preset);
  const points: ForgettingPoint[] = [];
  const curves: ForgettingCurve[] = [];
  for (const variant of VARIANT_NAMES) {
    const F = g.odeAlphas.map((a) => forgettingOf(results.get(odeKey(variant, a))));
    const peak = F.indexOf(Math.max(...F));
    curves.push({ variant, alphas: g.odeAlphas, F: F.map((x) => round(x, 6)), peakAlpha: g.odeAlphas[peak], peakF: round(F[peak], 6) });
  }
  const simulated: ForgettingRuns[] = [];
  for (const variant of SIMULATED) {
    for (const alpha of g.simAlphas) {
      const ode = results.get(odeKey(variant, alpha));
      const sims = g.seeds.map((s) => results.get(simKey(variant, alpha, s)));
      const Fs = sims.map(forgettingOf);
      const js = switchRecord(ode);
      const end = ode.t.length - 1;
      points.push({
        variant,
        alpha,
        odeF: round(forgettingOf(ode), 6),
        eg1SwitchOde: round(egOn(ode, 0, js), 6),
        eg1EndOde: round(egOn(ode, 0, end), 6),
        eg2EndOde: round(egOn(ode, 1, end), 6),
        simMean: round(mean(Fs), 6),
        simSd: round(sampleStd(Fs), 6),
        simSe: round(sampleStd(Fs) / Math.sqrt(Fs.length), 6),
      });
      simulated.push({ variant, alpha, ode, sims });
    }
  }
  const snapshot: ForgettingSnapshot = {
    figure: 'forgetting',
    preset,
    panels: [],
    N: g.N,
    seeds: g.seeds.length,
    runsHash: forgettingRunsHash(preset),
    points,
    curves,
  };
  return { snapshot, simulated };
}
