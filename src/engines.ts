/**
 * The engines behind `tsdyn ode|sim`: each takes a validated RunConfig and returns a
 * Trajectory recorded at the same times.
 */
import type { RunConfig } from './config.ts';
import { recordSteps } from './recordTimes.ts';
import { runSgd, type SgdOptions } from './sim/sgd.ts';
import { runSampler } from './sim/sampler.ts';
import { initialOrderParams, weightsFromOrderParams } from './sim/weights.ts';
import { solveOrderParameterOde, type SolveOptions } from './theory/solve.ts';
import type { Trajectory } from './trajectory.ts';

export function runOde(config: RunConfig, options: SolveOptions = {}): Trajectory {
  const traj = solveOrderParameterOde(config, initialOrderParams(config), recordSteps(config), options);
  delete traj.stats;
  return traj;
}

export type SimEngine = 'sgd' | 'sampler';

/**
 * Train by online SGD: 'sgd' moves the N-dimensional weights; 'sampler' moves the order
 * parameters by their exact finite-N Markov chain (same law, no weights). Both start from
 * `init` when given (full SGD then builds weights with exactly that Gram matrix), otherwise
 * from the seeded weights.
 */
export function runSimulation(config: RunConfig, options: SgdOptions & { engine?: SimEngine } = {}): Trajectory {
  if (options.engine === 'sampler') return runSampler(config, initialOrderParams(config), options);
  const weights = config.init ? weightsFromOrderParams(initialOrderParams(config), config.N, config.seed) : undefined;
  return runSgd(config, { ...options, weights });
}
