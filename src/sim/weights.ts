/**
 * Seeded initial weights of teacher and student, shared by every engine so that `ode`
 * without `init` starts from exactly the order parameters `sim` starts from.
 *
 * Draw order from the stream '<seed>:init': teacher W* (M×N), student W (K×N), then the
 * student's v (two-layer with studentVScale > 0). The data stream is separate
 * ('<seed>:data'), so changing tMax or the record grid never changes the weights.
 */
import { teacherSecondLayer, type RunConfig } from '../config.ts';
import { fromMatrix } from '../trajectory.ts';
import { orderParamsFromWeights, type OrderParams } from '../theory/orderParams.ts';
import { createRng } from './random.ts';

export interface Weights {
  N: number;
  K: number;
  M: number;
  /** Student first layer, K×N row-major. */
  W: Float64Array;
  /** Teacher first layer, M×N row-major. */
  Wt: Float64Array;
  /** Student second layer. */
  v: Float64Array;
  /** Teacher second layer. */
  vTeacher: Float64Array;
}

export function drawInitialWeights(config: RunConfig): Weights {
  const { N, K, M } = config;
  const rng = createRng(`${config.seed}:init`);
  const Wt = new Float64Array(M * N);
  rng.fillGaussian(Wt);
  for (let j = 0; j < Wt.length; j++) Wt[j] *= config.teacherScale;
  const W = new Float64Array(K * N);
  rng.fillGaussian(W);
  for (let j = 0; j < W.length; j++) W[j] *= config.studentScale;
  const v = new Float64Array(K);
  if (config.model === 'soft-committee') v.fill(1);
  else if (config.studentVScale > 0) {
    rng.fillGaussian(v);
    for (let k = 0; k < K; k++) v[k] *= config.studentVScale;
  }
  return { N, K, M, W, Wt, v, vTeacher: teacherSecondLayer(config) };
}

/** Initial order parameters: explicit `init` when given, otherwise from the seeded weights. */
export function initialOrderParams(config: RunConfig): OrderParams {
  const { K, M } = config;
  if (config.init) {
    const ones = (n: number) => new Float64Array(n).fill(1);
    const soft = config.model === 'soft-committee';
    return {
      K,
      M,
      Q: fromMatrix(config.init.Q),
      R: fromMatrix(config.init.R),
      T: fromMatrix(config.init.T),
      v: soft ? ones(K) : config.init.v ? Float64Array.from(config.init.v) : new Float64Array(K),
      vTeacher: soft ? ones(M) : config.init.vTeacher ? Float64Array.from(config.init.vTeacher) : teacherSecondLayer(config),
    };
  }
  const w = drawInitialWeights(config);
  return orderParamsFromWeights(w.N, K, M, w.W, w.Wt, w.v, w.vTeacher);
}
