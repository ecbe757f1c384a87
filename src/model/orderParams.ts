/**
 * Order parameters of the teacher–student setting and the covariance of the local fields.
 *
 * Q = W Wᵀ/N (K×K), R = W W*ᵀ/N (K×M), T = W* W*ᵀ/N (M×M), student second layer v (K),
 * teacher second layer v* (M). All matrices are row-major Float64Arrays.
 */

export interface OrderParams {
  K: number;
  M: number;
  Q: Float64Array;
  R: Float64Array;
  T: Float64Array;
  v: Float64Array;
  vTeacher: Float64Array;
}

/**
 * Covariance of the joint field vector u = (λ_1..λ_K, ρ_1..ρ_M): [[Q, R], [Rᵀ, T]].
 * Writes into `out` (length (K+M)²) so the ODE right-hand side allocates nothing.
 */
export function fieldCovariance(
  K: number,
  M: number,
  Q: ArrayLike<number>,
  R: ArrayLike<number>,
  T: ArrayLike<number>,
  out: Float64Array = new Float64Array((K + M) * (K + M)),
): Float64Array {
  const L = K + M;
  for (let i = 0; i < K; i++) {
    for (let k = 0; k < K; k++) out[i * L + k] = Q[i * K + k];
    for (let n = 0; n < M; n++) {
      const r = R[i * M + n];
      out[i * L + K + n] = r;
      out[(K + n) * L + i] = r;
    }
  }
  for (let n = 0; n < M; n++) for (let m = 0; m < M; m++) out[(K + n) * L + K + m] = T[n * M + m];
  return out;
}

/** Signed output weights a = (−v, v*): the error signal is Δ = Σ_p a_p g(u_p). */
export function signedOutputWeights(
  v: ArrayLike<number>,
  vTeacher: ArrayLike<number>,
  out: Float64Array = new Float64Array(v.length + vTeacher.length),
): Float64Array {
  const K = v.length;
  for (let i = 0; i < K; i++) out[i] = -v[i];
  for (let n = 0; n < vTeacher.length; n++) out[K + n] = vTeacher[n];
  return out;
}

/** Order parameters from explicit weights (W: K×N, W*: M×N row-major). */
export function orderParamsFromWeights(
  N: number,
  K: number,
  M: number,
  W: Float64Array,
  Wt: Float64Array,
  v: ArrayLike<number>,
  vTeacher: ArrayLike<number>,
): OrderParams {
  const Q = gram(W, W, K, K, N);
  const R = gram(W, Wt, K, M, N);
  const T = gram(Wt, Wt, M, M, N);
  return { K, M, Q, R, T, v: Float64Array.from(v), vTeacher: Float64Array.from(vTeacher) };
}

/** A Bᵀ / N for row-major A (rows×N), B (cols×N). */
export function gram(A: Float64Array, B: Float64Array, rows: number, cols: number, N: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      let s = 0;
      const ai = i * N;
      const bj = j * N;
      for (let x = 0; x < N; x++) s += A[ai + x] * B[bj + x];
      out[i * cols + j] = s / N;
    }
  }
  return out;
}

export function cloneOrderParams(p: OrderParams): OrderParams {
  return {
    K: p.K,
    M: p.M,
    Q: p.Q.slice(),
    R: p.R.slice(),
    T: p.T.slice(),
    v: p.v.slice(),
    vTeacher: p.vTeacher.slice(),
  };
}
