/**
 * A recorded run, in the JSON shape the CLI prints: parallel arrays over record times.
 */
export type Engine = 'ode' | 'sgd' | 'sampler';

export interface Trajectory {
  engine: Engine;
  model: 'soft-committee' | 'two-layer';
  K: number;
  M: number;
  N: number;
  /** Record times t = steps/N. */
  t: number[];
  /** Step counts at the record times (iterations in the blog's figures). */
  steps: number[];
  /** Noise-free generalization error ε_g (closed form from the order parameters). */
  eg: number[];
  /** SGD only, when testSamples > 0: ½ mean squared error on fresh noise-free test samples. */
  egTest?: number[];
  Q: number[][][];
  R: number[][][];
  v: number[][];
  /** Set when the run diverged (figure runs that map stability record this instead of failing). */
  divergedAt?: number;
  /** Teacher overlaps and second layer (constant). */
  T: number[][];
  vTeacher: number[];
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
