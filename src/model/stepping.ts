/**
 * The stepping contract every engine implements, in the spirit of scipy's `OdeSolver.step`
 * and diffrax's `init`/`step`: an engine says how to start and how to train through one phase;
 * the driver (src/drive.ts) walks the schedule, records, computes ε_g on every teacher and
 * checks for divergence, once for all engines. A new protocol (a changing η, noise switched on
 * mid-run) is then a phase field, not a change to each engine.
 */
import type { RunConfig } from '../config.ts';
import type { Phase } from './schedule.ts';

/** What an engine reports at a record. */
export interface Observation {
  /** Q = WWᵀ/N (K×K) and R = WW*ᵀ/N (K×ΣM, every teacher's units), row-major. */
  Q: Float64Array;
  R: Float64Array;
  /** The student's heads (second layers), one per headCount(config), K each. */
  heads: Float64Array[];
  /** SGD with testSamples: ½ mean squared error on fresh noise-free test samples of the active teacher. */
  egTest?: number;
}

export interface StepHooks {
  /** Called now and then with the number of steps done (the driver turns it into a fraction). */
  progress?: (step: number) => void;
}

export interface Started<S> {
  state: S;
  /** Teacher overlaps T (ΣM×ΣM) and every teacher's second layer (ΣM): constant during the run. */
  T: Float64Array;
  vTeacher: Float64Array;
}

export interface SteppingEngine<S> {
  /** Name in divergence messages: "ODE", "SGD", "sampler". */
  label: string;
  /** The state at step 0. */
  init(config: RunConfig, hooks: StepHooks): Started<S>;
  /**
   * Train through `phase` (steps fromStep … toStep − 1, on its teacher with its head) and call
   * `record(step)` at each step of `recordAt` (ascending, within (fromStep, toStep], ending at
   * toStep) with the state at that step. A divergence the engine detects itself is thrown as a
   * DivergenceError; the driver turns it into a result.
   */
  advance(state: S, phase: Phase, recordAt: readonly number[], record: (step: number) => void): void;
  /** The overlaps and heads now (called from inside `record`). */
  observe(state: S, phase: Phase): Observation;
}
