/**
 * What an engine run returns: a status and the records it made, in the spirit of scipy's
 * `solve_ivp` result or diffrax's `Solution`. A diverged run is a result, not an exception:
 * its trajectory holds the records made before the divergence, and `t` says when it
 * happened. Callers decide what a divergence means (the CLI exits 1 naming η and t; a
 * stability map records it as a data point).
 */
import type { Trajectory } from './trajectory.ts';

export type RunResult =
  | { status: 'completed'; trajectory: Trajectory }
  | {
      status: 'diverged';
      /** Time t = steps/N at which the divergence was detected. */
      t: number;
      /** One line saying what diverged, e.g. "SGD diverged at t=12.5 with lr=4: Q[0][0] = 1.2e4 exceeds …". */
      reason: string;
      /** The records made before the divergence (possibly none). */
      trajectory: Trajectory;
    };

export function completed(trajectory: Trajectory): RunResult {
  return { status: 'completed', trajectory };
}

export function diverged(trajectory: Trajectory, t: number, reason: string): RunResult {
  return { status: 'diverged', t, reason, trajectory };
}
