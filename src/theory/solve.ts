/**
 * Integrate the order-parameter ODEs from given initial order parameters and record them at
 * the requested times, in the same Trajectory shape as the simulations.
 */
import { secondLayerLr, weightDecayOf, type RunConfig } from '../config.ts';
import { generalizationError } from './generalizationError.ts';
import { integrateDopri5, integrateRk4, type Dopri5Stats } from './integrators.ts';
import { assertBounded, DivergenceError } from '../model/divergence.ts';
import type { OrderParams } from '../model/orderParams.ts';
import { packState, twoLayerRhs, unpackState, type OdeParams } from './rhs.ts';
import { appendRecord, emptyTrajectory, toMatrix, type Trajectory } from '../trajectory.ts';

export interface SolveOptions {
  method?: 'dopri5' | 'rk4';
  rtol?: number;
  atol?: number;
  /** RK4 step (in t). */
  h?: number;
  /** Called after each record is appended (the explorer page streams records as they come). */
  onRecord?: (traj: Trajectory) => void;
}

/** What the ODE takes from a run config. */
export type OdeSetup = Pick<RunConfig, 'model' | 'N' | 'lr' | 'lr2' | 'weightDecay' | 'sigma' | 'batchSize' | 'trainSecondLayer' | 'activation'>;

export function odeParamsFor(setup: OdeSetup, init: OrderParams): OdeParams {
  return {
    K: init.K,
    M: init.M,
    T: init.T,
    vTeacher: init.vTeacher,
    lr: setup.lr,
    lr2: secondLayerLr(setup),
    weightDecay: weightDecayOf(setup),
    sigma: setup.sigma,
    batchSize: setup.batchSize,
    trainSecondLayer: setup.model === 'two-layer' && setup.trainSecondLayer,
    activation: setup.activation,
  };
}

/** Solve from `init` and record at `steps` (t = step/N). */
export function solveOrderParameterOde(
  setup: OdeSetup,
  init: OrderParams,
  steps: number[],
  options: SolveOptions = {},
): Trajectory & { stats?: Dopri5Stats } {
  const { K, M } = init;
  const params = odeParamsFor(setup, init);
  const f = twoLayerRhs(params);
  const times = steps.map((s) => s / setup.N);
  const traj: Trajectory & { stats?: Dopri5Stats } = emptyTrajectory('ode', { model: setup.model, K, M, N: setup.N }, toMatrix(init.T, M, M), init.vTeacher);
  const onOutput = (j: number, t: number, y: Float64Array) => {
    const p = unpackState(y, params);
    const eg = generalizationError(p, setup.activation);
    assertBounded(p.Q, K, t);
    if (!Number.isFinite(eg)) throw new DivergenceError(t, `ODE became non-finite at t=${t}`);
    appendRecord(traj, steps[j], eg, p);
    options.onRecord?.(traj);
  };
  const y0 = packState(init);
  try {
    if (options.method === 'rk4') {
      integrateRk4(f, y0, 0, times, options.h ?? 0.01, onOutput);
    } else {
      const { stats } = integrateDopri5(f, y0, 0, times, onOutput, { rtol: options.rtol ?? 1e-8, atol: options.atol ?? 1e-10 });
      traj.stats = stats;
    }
  } catch (e) {
    if (e instanceof DivergenceError) {
      throw new DivergenceError(e.t, `ODE diverged at t=${Number(e.t.toPrecision(6))} with lr=${setup.lr}: ${e.message}`);
    }
    throw e;
  }
  return traj;
}
