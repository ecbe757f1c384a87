/**
 * The ODE against the mean of S simulations that all start from the same order parameters
 * (config `init`), so one ODE serves every seed and d_s = X_s(t) − X_ode(t) is SGD noise plus
 * the O(1/N) bias of a mean of a nonlinear function of O(1/√N) fluctuations.
 *
 * Compared quantities, at every record t > 0: ε_g, each Q_ik (i ≤ k), each R_in and, when v is
 * trained, each v_i. A quantity passes when |mean_s d_s| ≤ t_crit · sd_s/√S + A/N.
 */
import type { Trajectory } from '../../src/trajectory.ts';

export interface Quantity {
  name: string;
  /** The quantity at record j. */
  at(traj: Trajectory, j: number): number;
}

/** ε_g, Q_ik (i ≤ k), R_in and (trainV) v_i. */
export function quantitiesOf(K: number, M: number, trainV: boolean): Quantity[] {
  const out: Quantity[] = [{ name: 'ε_g', at: (t, j) => t.eg[j] }];
  for (let i = 0; i < K; i++) for (let k = i; k < K; k++) out.push({ name: `Q${i}${k}`, at: (t, j) => t.Q[j][i][k] });
  for (let i = 0; i < K; i++) for (let n = 0; n < M; n++) out.push({ name: `R${i}${n}`, at: (t, j) => t.R[j][i][n] });
  if (trainV) for (let i = 0; i < K; i++) out.push({ name: `v${i}`, at: (t, j) => t.v[j][i] });
  return out;
}

export interface Deviation {
  name: string;
  t: number;
  /** mean_s d_s. */
  mean: number;
  /** sd_s/√S. */
  se: number;
  /** |mean| / (t_crit·se + A/N): ≤ 1 passes. */
  ratio: number;
}

/** Every comparison (records t > 0 × quantities), for the check and for reports. */
export function deviations(sims: Trajectory[], ode: Trajectory, quantities: Quantity[], tCrit: number, allowance: number): Deviation[] {
  const S = sims.length;
  const N = sims[0].N;
  const out: Deviation[] = [];
  for (let j = 1; j < ode.t.length; j++) {
    for (const q of quantities) {
      const x = q.at(ode, j);
      const d = sims.map((s) => {
        if (s.t[j] !== ode.t[j]) throw new Error(`record ${j}: simulation at t = ${s.t[j]}, ODE at t = ${ode.t[j]}`);
        return q.at(s, j) - x;
      });
      const mean = d.reduce((a, b) => a + b, 0) / S;
      const se = Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / (S - 1) / S);
      out.push({ name: q.name, t: ode.t[j], mean, se, ratio: Math.abs(mean) / (tCrit * se + allowance / N) });
    }
  }
  return out;
}

/** The comparison with the largest ratio, as one line for a failure message. */
export function worst(devs: Deviation[]): Deviation & { where: string } {
  const w = devs.reduce((a, b) => (b.ratio > a.ratio ? b : a));
  return { ...w, where: `${w.name} at t = ${w.t}: mean d = ${w.mean.toExponential(3)}, SE = ${w.se.toExponential(3)}, ratio ${w.ratio.toFixed(2)}` };
}
