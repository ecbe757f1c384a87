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
import type { Observation, SteppingEngine } from './model/stepping.ts';
import { recordSteps } from './recordTimes.ts';
import { generalizationError } from './theory/generalizationError.ts';
import { DivergenceError } from './model/divergence.ts';
import type { OrderParams } from './model/orderParams.ts';
import { assertBounded } from './model/divergence.ts';
import { appendRecord, emptyTrajectory, toMatrix, type Trajectory } from './trajectory.ts';

export interface DriveOptions {
  /** Fraction done, 0…1, now and then. */
  onProgress?: (fraction: number) => void;
  /** The trajectory so far, after each record (the explorer streams its plots). */
  onRecord?: (traj: Trajectory) => void;
}

/**
 * Turns an engine's observations into trajectory records: ε_g on the active teacher (and on
 * each teacher with several), the divergence check, the heads and the test error. The driver
 * uses one per run; the batched GPU engine, which walks the schedule itself, one per run of
 * its batch.
 */
export class Recorder {
  readonly traj: Trajectory;
  private readonly readouts: Float64Array[];

  constructor(
    private readonly engine: { label: string },
    name: EngineName,
    private readonly config: RunConfig,
    private readonly T: Float64Array,
    vTeacher: Float64Array,
  ) {
    const { K, N } = config;
    const MT = teacherUnits(config);
    const P = teacherCount(config);
    this.traj = emptyTrajectory(name, { model: config.model, K, M: MT, N }, toMatrix(T, MT, MT), vTeacher);
    if (P > 1) this.traj.egTeachers = Array.from({ length: P }, () => []);
    if (headCount(config) > 1) this.traj.heads = [];
    this.readouts = Array.from({ length: P }, (_, p) => (P === 1 ? vTeacher : activeReadout(vTeacher, config.M, p)));
  }

  /** Append the record at `step` (in `phase`); throws DivergenceError when it shows a divergence. */
  record(step: number, phase: Phase, o: Observation): void {
    const { config, traj, readouts, T } = this;
    const { K, N, lr } = config;
    const t = step / N;
    const p: OrderParams = { K, M: traj.M, Q: o.Q, R: o.R, T, v: o.heads[headOf(config, phase.teacher)], vTeacher: readouts[phase.teacher] };
    const eg = generalizationError(p, config.activation);
    try {
      assertBounded(p.Q, K, t);
      if (!Number.isFinite(eg)) throw new DivergenceError(t, 'ε_g became non-finite');
    } catch (e) {
      if (!(e instanceof DivergenceError)) throw e;
      throw new DivergenceError(t, `${this.engine.label} diverged at t=${Number(t.toPrecision(6))} with lr=${lr}: ${e.message}`);
    }
    appendRecord(traj, step, eg, p);
    if (traj.egTeachers) {
      for (let q = 0; q < traj.egTeachers.length; q++) {
        const v = o.heads[headOf(config, q)];
        traj.egTeachers[q].push(q === phase.teacher ? eg : generalizationError({ ...p, v, vTeacher: readouts[q] }, config.activation));
      }
    }
    if (traj.heads) traj.heads.push(o.heads.map((h) => Array.from(h)));
    if (o.egTest !== undefined) (traj.egTest ??= []).push(o.egTest);
  }
}

/** The record steps of each phase: recordSteps within (fromStep, toStep], in phase order. */
export function recordsByPhase(config: RunConfig): { phase: Phase; recordAt: number[] }[] {
  const all = recordSteps(config);
  let j = 1;
  return schedulePhases(config).map((phase) => {
    const recordAt: number[] = [];
    while (j < all.length && all[j] <= phase.toStep) recordAt.push(all[j++]);
    return { phase, recordAt };
  });
}

export function drive<S>(engine: SteppingEngine<S>, name: EngineName, config: RunConfig, options: DriveOptions = {}): Trajectory {
  const plan = recordsByPhase(config);
  const total = plan[plan.length - 1].phase.toStep;
  const onProgress = options.onProgress;
  const { state, T, vTeacher } = engine.init(config, { progress: onProgress ? (step) => onProgress(step / total) : undefined });
  const recorder = new Recorder(engine, name, config, T, vTeacher);
  const record = (step: number, phase: Phase) => {
    recorder.record(step, phase, engine.observe(state, phase));
    options.onRecord?.(recorder.traj);
  };
  record(0, plan[0].phase);
  for (const { phase, recordAt } of plan) engine.advance(state, phase, recordAt, (step) => record(step, phase));
  return recorder.traj;
}
