/**
 * Seeded initial weights of teacher and student, shared by every engine so that `ode`
 * without `init` starts from exactly the order parameters `sim` starts from.
 *
 * Draw order from the stream '<seed>:init': teacher W* (M×N), student W (K×N), then the
 * student's v (two-layer with studentVScale > 0). The data stream is separate
 * ('<seed>:data'), so changing tMax or the record grid never changes the weights.
 * Further teachers (config.teachers) come after teacher 0 in W*: teacher p's units are
 * α·w*_0,m + √(1−α²)·ξ_m with ξ (M×N, the teacher scale) from its own stream
 * '<seed>:teacher<p>', so adding a teacher never changes the others or the student.
 */
import { type RunConfig } from '../config.ts';
import { teacherCount, teacherReadouts } from '../model/schedule.ts';
import { fromMatrix } from '../trajectory.ts';
import { orderParamsFromWeights, type OrderParams } from '../model/orderParams.ts';
import { createRng } from './random.ts';
import { psdSqrtInto } from '../linalg/psd.ts';

export interface Weights {
  N: number;
  K: number;
  /** Teacher units: M, or ΣM over all teachers. */
  M: number;
  /** Student first layer, K×N row-major. */
  W: Float64Array;
  /** Teacher first layers, every teacher's M units in teacher order, (ΣM)×N row-major. */
  Wt: Float64Array;
  /** Student second layer. */
  v: Float64Array;
  /** Teachers' second layers (ΣM). */
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
  const P = teacherCount(config);
  if (P === 1) return { N, K, M, W, Wt, v, vTeacher: teacherReadouts(config) };
  const all = new Float64Array(P * M * N);
  all.set(Wt);
  const xi = new Float64Array(M * N);
  for (let p = 1; p < P; p++) {
    const alpha = config.teachers![p].featureSimilarity ?? 0;
    const beta = Math.sqrt(1 - alpha * alpha) * config.teacherScale;
    createRng(`${config.seed}:teacher${p}`).fillGaussian(xi);
    const o = p * M * N;
    for (let j = 0; j < M * N; j++) all[o + j] = alpha * Wt[j] + beta * xi[j];
  }
  return { N, K, M: P * M, W, Wt: all, v, vTeacher: teacherReadouts(config) };
}

/** Initial order parameters: explicit `init` when given, otherwise from the seeded weights. */
/** Initial order parameters over every teacher's units (M = ΣM): explicit `init` when given, otherwise from the seeded weights. */
export function initialOrderParams(config: RunConfig): OrderParams {
  const { K } = config;
  if (config.init) {
    const ones = (n: number) => new Float64Array(n).fill(1);
    const soft = config.model === 'soft-committee';
    const M = config.init.T.length;
    return {
      K,
      M,
      Q: fromMatrix(config.init.Q),
      R: fromMatrix(config.init.R),
      T: fromMatrix(config.init.T),
      v: soft ? ones(K) : config.init.v ? Float64Array.from(config.init.v) : new Float64Array(K),
      vTeacher: soft ? ones(M) : config.init.vTeacher ? Float64Array.from(config.init.vTeacher) : teacherReadouts(config),
    };
  }
  const w = drawInitialWeights(config);
  return orderParamsFromWeights(w.N, K, w.M, w.W, w.Wt, w.v, w.vTeacher);
}

/**
 * Weights (W, W*) whose Gram matrix is exactly the given order parameters:
 * (W; W*) = √N · A · U with A a square root (pivoted Cholesky, psdSqrtInto) of G = [[Q, R], [Rᵀ, T]] and U an L×N matrix
 * of random orthonormal rows (Gram–Schmidt on Gaussian rows from `rng`). Then
 * (W; W*)(W; W*)ᵀ/N = A U Uᵀ Aᵀ = G. Lets full SGD start from an explicit `init`.
 */
export function weightsFromOrderParams(p: OrderParams, N: number, seed: number | string): Weights {
  const { K, M } = p;
  const L = K + M;
  if (N < L) throw new Error(`config.N: must be ≥ K + M (${L}) to build weights from init`);
  const G = new Float64Array(L * L);
  for (let i = 0; i < K; i++) {
    for (let k = 0; k < K; k++) G[i * L + k] = p.Q[i * K + k];
    for (let n = 0; n < M; n++) G[i * L + K + n] = G[(K + n) * L + i] = p.R[i * M + n];
  }
  for (let n = 0; n < M; n++) for (let m = 0; m < M; m++) G[(K + n) * L + K + m] = p.T[n * M + m];
  const A = new Float64Array(L * L);
  if (!psdSqrtInto(G, L, A)) throw new Error('config.init: [[Q, R], [Rᵀ, T]] must be positive semi-definite');
  const rng = createRng(`${seed}:init-basis`);
  const U = new Float64Array(L * N);
  rng.fillGaussian(U);
  for (let a = 0; a < L; a++) {
    const row = U.subarray(a * N, (a + 1) * N);
    for (let b = 0; b < a; b++) {
      const prev = U.subarray(b * N, (b + 1) * N);
      let dot = 0;
      for (let x = 0; x < N; x++) dot += row[x] * prev[x];
      for (let x = 0; x < N; x++) row[x] -= dot * prev[x];
    }
    let norm = 0;
    for (let x = 0; x < N; x++) norm += row[x] * row[x];
    const inv = 1 / Math.sqrt(norm);
    for (let x = 0; x < N; x++) row[x] *= inv;
  }
  const all = new Float64Array(L * N);
  const sqrtN = Math.sqrt(N);
  for (let a = 0; a < L; a++)
    for (let b = 0; b < L; b++) {
      const coef = sqrtN * A[a * L + b];
      if (coef === 0) continue;
      for (let x = 0; x < N; x++) all[a * N + x] += coef * U[b * N + x];
    }
  return { N, K, M, W: all.slice(0, K * N), Wt: all.slice(K * N), v: p.v.slice(), vTeacher: p.vTeacher.slice() };
}
