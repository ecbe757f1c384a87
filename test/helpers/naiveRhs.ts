/**
 * An obviously-correct (slow) ODE right-hand side written directly from the printed sums
 * with the activation's scalar averages, to check the regrouped, symmetry-exploiting
 * production RHS. `blogTypo` reproduces the blog's printed dQ/dt, which repeats I3(i,k,·) in
 * the second term instead of I3(k,i,·): the SGD comparison must reject it.
 */
import { activationOf } from '../../src/activations/registry.ts';
import { fieldCovariance, signedOutputWeights } from '../../src/model/orderParams.ts';
import type { OdeParams, Rhs } from '../../src/theory/rhs.ts';

export function naiveRhs(p: OdeParams, opts: { blogTypo?: boolean } = {}): Rhs {
  const { K, M, lr, lr2, weightDecay: wd, sigma, batchSize } = p;
  const { i2, i3, i4, j2 } = activationOf(p.activation).averages;
  const L = K + M;
  return (_t, y, dy) => {
    const Q = y.subarray(0, K * K);
    const R = y.subarray(K * K, K * K + K * M);
    const v = y.subarray(K * K + K * M);
    const C = fieldCovariance(K, M, Q, R, p.T);
    const a = signedOutputWeights(v, p.vTeacher);
    const drift = (i: number, b: number) => {
      let s = 0;
      for (let q = 0; q < L; q++) s += a[q] * i3(C, L, i, b, q);
      return s;
    };
    for (let i = 0; i < K; i++)
      for (let n = 0; n < M; n++) dy[K * K + i * M + n] = lr * v[i] * drift(i, K + n) - lr * wd * R[i * M + n];
    for (let i = 0; i < K; i++)
      for (let k = 0; k < K; k++) {
        let s4 = 0;
        for (let q = 0; q < L; q++) for (let r = 0; r < L; r++) s4 += a[q] * a[r] * i4(C, L, i, k, q, r);
        const second = opts.blogTypo ? drift(i, k) : drift(k, i);
        dy[i * K + k] =
          lr * v[i] * drift(i, k) + lr * v[k] * second + ((lr * lr) / batchSize) * v[i] * v[k] * (s4 + sigma * sigma * j2(C, L, i, k)) - 2 * lr * wd * Q[i * K + k];
      }
    for (let i = 0; i < K; i++) {
      let s = 0;
      if (p.trainSecondLayer) {
        for (let q = 0; q < L; q++) s += a[q] * i2(C, L, i, q);
        s = lr2 * s - lr2 * wd * v[i];
      }
      dy[K * K + K * M + i] = s;
    }
  };
}
