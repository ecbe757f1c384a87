/**
 * What the page computes, and what "Download JSON" writes: the same engine calls with the same
 * options as `tsdyn ode` and `tsdyn sim` (src/cli.ts), so the same config gives the same
 * numbers, and the same printed JSON.
 */
import type { RunConfig } from '../config.ts';
import { runOde, runSimulation } from '../engines.ts';
import { provenance, runJson } from '../runJson.ts';
import { VERSION } from '../version.ts';
import type { Trajectory } from '../trajectory.ts';

export const EXPLORER_RUNS = {
  /** `tsdyn ode --config FILE` (dopri5 at the CLI's default tolerances). */
  ode: (config: RunConfig, onRecord?: (traj: Trajectory) => void) => runOde(config, { method: 'dopri5', onRecord }),
  /** `tsdyn sim --config FILE` (engine sgd). */
  sim: (config: RunConfig, onRecord?: (traj: Trajectory) => void, onProgress?: (fraction: number) => void) =>
    runSimulation(config, { engine: 'sgd', onRecord, onProgress }),
} as const;

export type ExplorerRun = keyof typeof EXPLORER_RUNS;

/**
 * The text `tsdyn ode|sim` prints for this run. The one place the page turns a run into JSON:
 * when the CLI's output gains fields (config, engine, version), change this line to match.
 */
export function cliOutputJson(command: ExplorerRun, config: RunConfig, traj: Trajectory): string {
  const engine = command === 'ode' ? 'ode' : 'sgd';
  // The page runs the CPU engines (it opens no GPU), as `tsdyn … --backend cpu`.
  return runJson({ provenance: provenance(VERSION, engine, 'cpu', config), config, trajectory: traj });
}
