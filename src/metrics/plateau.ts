/**
 * The plateau of an ε_g(t) curve, as a number: where the curve is flattest on a log–log plot
 * before it escapes. On the symmetric plateau (Saad & Solla 1995, Sec. IV) ε_g self-averages
 * (fluctuations O(1/√N)), so the simulation's ε_g at the theory's flattest record is a sharp
 * test of the theory's plateau height, sharper than anything after it: the escape is driven by
 * O(1/√N) symmetry breaking, so single runs leave the plateau at scattered times.
 */
import type { Trajectory } from '../trajectory.ts';

/** Where a curve is flattest, before it escapes: the record, ε_g there and the log–log slope. */
export interface Flattest {
  /** Index of the record. */
  j: number;
  t: number;
  eg: number;
  /** |d ln ε_g / d ln t| there (central differences on the record grid). */
  slope: number;
}

/**
 * The flattest record of ε_g(t) on a log–log plot, between the first record where ε_g has fallen
 * to half its initial value (before that every curve is flat: ε_g(t) ≈ ε_g(0) − ct has log-slope
 * → 0 as t → 0) and the escape (the first record below `threshold`), or the end. A curve that
 * decays exponentially from the start, ε_g(0)e^{−ct}, has |slope| = ct ≥ ln 2 everywhere past its
 * half point, so a small minimum slope is a plateau and a minimum ≥ ln 2 is none. Null when the
 * window holds no record with neighbours on both sides.
 */
export function flattestPoint(traj: Pick<Trajectory, 't' | 'eg'>, threshold: number): Flattest | null {
  const { t, eg } = traj;
  const start = eg.findIndex((e, j) => t[j] > 0 && e <= eg[0] / 2);
  if (start < 0) return null;
  let end = eg.findIndex((e) => e < threshold);
  if (end < 0) end = eg.length;
  let best: Flattest | null = null;
  for (let j = Math.max(start, 1); j + 1 < end; j++) {
    if (!(t[j - 1] > 0)) continue;
    const slope = Math.abs((Math.log(eg[j + 1]) - Math.log(eg[j - 1])) / (Math.log(t[j + 1]) - Math.log(t[j - 1])));
    if (best === null || slope < best.slope) best = { j, t: t[j], eg: eg[j], slope };
  }
  return best;
}

/** The plateau of a simulation against its ODE: the ODE's flattest record and ln(ε_sim/ε_ode) there (null: no such record). */
export function plateauComparison(sim: Pick<Trajectory, 't' | 'eg'>, ode: Pick<Trajectory, 't' | 'eg'>, threshold: number): (Flattest & { logRatio: number }) | null {
  const flat = flattestPoint(ode, threshold);
  if (!flat || !(flat.j < sim.eg.length) || sim.t[flat.j] !== flat.t) return null;
  return { ...flat, logRatio: Math.log(sim.eg[flat.j] / flat.eg) };
}
