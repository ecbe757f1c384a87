/** Run one figure job with the engine it names. */
import { runOde, runSimulation } from '../engines.ts';
import { GramMatrixError } from '../sim/sampler.ts';
import { DivergenceError } from '../theory/integrators.ts';
import type { Trajectory } from '../trajectory.ts';
import type { RunSpec } from './types.ts';

export function executeRun(run: Pick<RunSpec, 'engine' | 'config' | 'allowDivergence'>, onProgress?: (f: number) => void): Trajectory {
  try {
    if (run.engine === 'ode') return runOde(run.config);
    return runSimulation(run.config, { onProgress, engine: run.engine === 'sampler' ? 'sampler' : 'sgd' });
  } catch (e) {
    if (!run.allowDivergence || !(e instanceof DivergenceError || e instanceof GramMatrixError)) throw e;
    const c = run.config;
    const t = e instanceof DivergenceError ? e.t : NaN;
    return { engine: run.engine, model: c.model, K: c.K, M: c.M, N: c.N, t: [], steps: [], eg: [], Q: [], R: [], v: [], T: [], vTeacher: [], divergedAt: Number.isFinite(t) ? t : 0 };
  }
}

/** Rough cost of a run in SGD-step units, for scheduling (longest first) and ETAs. */
export function runCost(run: Pick<RunSpec, 'engine' | 'config'>): number {
  const c = run.config;
  const L = c.K + c.M;
  if (run.engine === 'ode') return 2e4 * c.K * c.K;
  if (run.engine === 'sampler') return (c.tMax * c.N * c.batchSize * (L * L * L + 30 * L)) / 1e4;
  return (c.tMax * c.N * c.batchSize * ((2 * c.K + c.M) * c.N + 30 * L)) / 1e4;
}
