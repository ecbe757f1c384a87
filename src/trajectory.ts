/**
 * A recorded run, in the JSON shape the CLI prints: parallel arrays over record times.
 */
import type { EngineName } from './model/engineNames.ts';
import type { OrderParams } from './model/orderParams.ts';

/** The engine that made a trajectory (the registry in src/engines.ts lists them). */
export type Engine = EngineName;

export interface Trajectory {
  engine: Engine;
  model: 'soft-committee' | 'two-layer';
  K: number;
  /** Teacher units: M, or ΣM over all teachers with several (R is K×M, T is M×M). */
  M: number;
  N: number;
  /** Record times t = steps/N. */
  t: number[];
  /** Step counts at the record times (iterations in the blog's figures). */
  steps: number[];
  /** Noise-free generalization error ε_g (closed form from the order parameters) on the teacher being trained. */
  eg: number[];
  /** With several teachers: per teacher, ε_g on that teacher (with its head) at every record. */
  egTeachers?: number[][];
  /** With heads "multi": every head (teachers × K) at every record; `v` is the active head. */
  heads?: number[][][];
  /** SGD only, when testSamples > 0: ½ mean squared error on fresh noise-free test samples. */
  egTest?: number[];
  Q: number[][][];
  R: number[][][];
  v: number[][];
  /** Set when the run diverged (figure runs that map stability record this instead of failing). */
  divergedAt?: number;
  /** Teacher overlaps and second layer (constant; every teacher's units in teacher order). */
  T: number[][];
  vTeacher: number[];
}

/** A trajectory with no records yet; `appendRecord` fills it. `run.M` counts every teacher's units. */
export function emptyTrajectory(
  engine: Engine,
  run: Pick<Trajectory, 'model' | 'K' | 'M' | 'N'>,
  T: number[][],
  vTeacher: ArrayLike<number>,
): Trajectory {
  const { model, K, M, N } = run;
  return { engine, model, K, M, N, t: [], steps: [], eg: [], Q: [], R: [], v: [], T, vTeacher: Array.from(vTeacher) };
}

/** Append the record at `step` (t = step/N): ε_g and the order parameters Q, R, v. */
export function appendRecord(traj: Trajectory, step: number, eg: number, p: Pick<OrderParams, 'Q' | 'R' | 'v'>): void {
  const { K, M, N } = traj;
  traj.t.push(step / N);
  traj.steps.push(step);
  traj.eg.push(eg);
  traj.Q.push(toMatrix(p.Q, K, K));
  traj.R.push(toMatrix(p.R, K, M));
  traj.v.push(Array.from(p.v));
}

export function toMatrix(a: ArrayLike<number>, rows: number, cols: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < rows; i++) {
    const row: number[] = [];
    for (let j = 0; j < cols; j++) row.push(a[i * cols + j]);
    out.push(row);
  }
  return out;
}

export function fromMatrix(m: number[][]): Float64Array {
  return Float64Array.from(m.flat());
}
