/**
 * The engines behind `tsdyn ode|sim`: each takes a validated RunConfig and returns a
 * Trajectory recorded at the same times.
 */
import type { RunConfig } from './config.ts';
import { recordSteps } from './recordTimes.ts';
import { runSgd, type SgdOptions } from './sim/sgd.ts';
import { initialOrderParams } from './sim/weights.ts';
import { solveOrderParameterOde, type SolveOptions } from './theory/solve.ts';
import type { Trajectory } from './trajectory.ts';

export function runOde(config: RunConfig, options: SolveOptions = {}): Trajectory {
  const traj = solveOrderParameterOde(config, initialOrderParams(config), recordSteps(config), options);
  delete traj.stats;
  return traj;
}

export function runSimulation(config: RunConfig, options: SgdOptions = {}): Trajectory {
  if (config.init) {
    throw new Error('config.init: full SGD starts from seeded weights; remove init (or use the ode engine)');
  }
  return runSgd(config, options);
}
