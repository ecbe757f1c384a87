/**
 * The driver: runs any engine that implements the stepping contract (src/model/stepping.ts)
 * through a config's schedule and records it in the Trajectory shape every output shares.
 *
 * At each record step (recordSteps: the config's grid plus every phase boundary) it takes the
 * engine's overlaps and computes, with the activation's closed form, ε_g on the teacher being
 * trained (with its head), and with several teachers ε_g on each of them (`egTeachers`). It
 * checks the record for divergence (a self-overlap beyond Q_DIVERGENCE_BOUND, or a non-finite
 * ε_g), the same test for every engine. A record at a phase boundary belongs to the phase that
 * ends there.
 */
import type { RunConfig } from './config.ts';
import type { EngineName } from './model/engineNames.ts';
import { activeReadout, headCount, headOf, schedulePhases, teacherCount, teacherUnits, type Phase } from './model/schedule.ts';
import type { SteppingEngine } from './model/stepping.ts';
import { recordSteps } from './recordTimes.ts';
import { generalizationError } from './theory/generalizationError.ts';
import { DivergenceError } from './theory/integrators.ts';
import type { OrderParams } from './theory/orderParams.ts';
import { assertBounded } from './theory/solve.ts';
import { appendRecord, emptyTrajectory, toMatrix, type Trajectory } from './trajectory.ts';

export interface DriveOptions {
  /** Fraction done, 0…1, now and then. */
  onProgress?: (fraction: number) => void;
  /** The trajectory so far, after each record (the explorer streams its plots). */
  onRecord?: (traj: Trajectory) => void;
}

export function drive<S>(engine: SteppingEngine<S>, name: EngineName, config: RunConfig, options: DriveOptions = {}): Trajectory {
  const { N, K, lr } = config;
  const M = config.M;
  const MT = teacherUnits(config);
  const P = teacherCount(config);
  const multiHead = headCount(config) > 1;
  const phases = schedulePhases(config);
  const all = recordSteps(config);
  const total = phases[phases.length - 1].toStep;
  const onProgress = options.onProgress;
  const { state, T, vTeacher } = engine.init(config, { progress: onProgress ? (step) => onProgress(step / total) : undefined });
  const traj = emptyTrajectory(name, { model: config.model, K, M: MT, N }, toMatrix(T, MT, MT), vTeacher);
  if (P > 1) traj.egTeachers = Array.from({ length: P }, () => []);
  if (multiHead) traj.heads = [];
  const readouts = Array.from({ length: P }, (_, p) => (P === 1 ? vTeacher : activeReadout(vTeacher, M, p)));

  const record = (step: number, phase: Phase) => {
    const t = step / N;
    const o = engine.observe(state, phase);
    const p: OrderParams = { K, M: MT, Q: o.Q, R: o.R, T, v: o.heads[headOf(config, phase.teacher)], vTeacher: readouts[phase.teacher] };
    const eg = generalizationError(p, config.activation);
    try {
      assertBounded(p.Q, K, t);
      if (!Number.isFinite(eg)) throw new DivergenceError(t, 'ε_g became non-finite');
    } catch (e) {
      if (!(e instanceof DivergenceError)) throw e;
      throw new DivergenceError(t, `${engine.label} diverged at t=${Number(t.toPrecision(6))} with lr=${lr}: ${e.message}`);
    }
    appendRecord(traj, step, eg, p);
    if (traj.egTeachers) {
      for (let q = 0; q < P; q++) {
        const v = o.heads[headOf(config, q)];
        traj.egTeachers[q].push(q === phase.teacher ? eg : generalizationError({ ...p, v, vTeacher: readouts[q] }, config.activation));
      }
    }
    if (traj.heads) traj.heads.push(o.heads.map((h) => Array.from(h)));
    if (o.egTest !== undefined) (traj.egTest ??= []).push(o.egTest);
    options.onRecord?.(traj);
  };

  record(0, phases[0]);
  let j = 1;
  for (const phase of phases) {
    const at: number[] = [];
    while (j < all.length && all[j] <= phase.toStep) at.push(all[j++]);
    engine.advance(state, phase, at, (step) => record(step, phase));
  }
  return traj;
}
