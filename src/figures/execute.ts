/** Run one figure job with the engine it names (see the registry in src/engines.ts). */
import { engineCost, runEngine } from '../engines.ts';
import type { RunResult } from '../result.ts';
import { DivergenceError } from '../model/divergence.ts';
import type { Trajectory } from '../trajectory.ts';
import type { RunSpec } from './types.ts';

/**
 * The run's result. A divergence is an error unless the figure maps stability
 * (`allowDivergence`): then the diverged result, with its time, is returned like any other.
 */
export function executeRun(run: Pick<RunSpec, 'engine' | 'config' | 'allowDivergence'>, onProgress?: (f: number) => void): RunResult {
  const result = runEngine(run.engine, run.config, { onProgress });
  if (result.status === 'diverged' && !run.allowDivergence) throw new DivergenceError(result.t, result.reason);
  return result;
}

/**
 * What the run cache stores and figures read: the trajectory, with `divergedAt` set when the
 * run diverged (its records stop there; stability maps read the field).
 */
export function storedTrajectory(result: RunResult): Trajectory {
  return result.status === 'completed' ? result.trajectory : { ...result.trajectory, divergedAt: result.t };
}

/** Rough cost of a run in SGD-step units, for scheduling (longest first) and ETAs. */
export function runCost(run: Pick<RunSpec, 'engine' | 'config'>): number {
  return engineCost(run.engine, run.config);
}
