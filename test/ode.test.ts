/**
 * ODE right-hand side and integrators: agreement with the naive RHS, invariants, fixed
 * points, and RK4 vs Dormand–Prince.
 */
import { describe, expect, it } from 'vitest';
import { generalizationError } from '../src/theory/generalizationError.ts';
import { integrateDopri5, integrateRk4 } from '../src/theory/integrators.ts';
import type { OrderParams } from '../src/model/orderParams.ts';
import { packState, stateSize, twoLayerRhs, unpackState, type OdeParams } from '../src/theory/rhs.ts';
import { solveOrderParameterOde } from '../src/theory/solve.ts';
import { createRng } from '../src/sim/random.ts';
import { naiveRhs } from './helpers/naiveRhs.ts';

function randomState(K: number, M: number, seed: string, qScale = 0.5): OrderParams {
  // Overlaps of actual random vectors, so (Q, R, T) is a valid Gram matrix.
  const rng = createRng(seed);
  const N = 50;
  const W = new Float64Array((K + M) * N);
  rng.fillGaussian(W);
  const dot = (a: number, b: number) => {
    let s = 0;
    for (let x = 0; x < N; x++) s += W[a * N + x] * W[b * N + x];
    return s / N;
  };
  const sc = (a: number) => (a < K ? Math.sqrt(qScale) : 1);
  const Q = new Float64Array(K * K), R = new Float64Array(K * M), T = new Float64Array(M * M);
  for (let i = 0; i < K; i++) for (let k = 0; k < K; k++) Q[i * K + k] = sc(i) * sc(k) * dot(i, k);
  for (let i = 0; i < K; i++) for (let n = 0; n < M; n++) R[i * M + n] = sc(i) * dot(i, K + n);
  for (let n = 0; n < M; n++) for (let m = 0; m < M; m++) T[n * M + m] = dot(K + n, K + m);
  const v = new Float64Array(K), vTeacher = new Float64Array(M);
  rng.fillGaussian(v);
  rng.fillGaussian(vTeacher);
  return { K, M, Q, R, T, v, vTeacher };
}

function params(p: OrderParams, over: Partial<OdeParams> = {}): OdeParams {
  return { K: p.K, M: p.M, T: p.T, vTeacher: p.vTeacher, lr: 0.7, lr2: 0.7, weightDecay: 0, sigma: 0.3, batchSize: 2, trainSecondLayer: true, ...over };
}

describe('ODE right-hand side', () => {
  it.each([[2, 3], [4, 4], [6, 4], [3, 1]])('matches the naive RHS built from scalar integrals (K=%i, M=%i)', (K, M) => {
    const p = randomState(K, M, `rhs:${K}:${M}`);
    const prm = params(p);
    const y = packState(p);
    const fast = new Float64Array(y.length), slow = new Float64Array(y.length);
    twoLayerRhs(prm)(0, y, fast);
    naiveRhs(prm)(0, y, slow);
    for (let j = 0; j < y.length; j++) expect(fast[j]).toBeCloseTo(slow[j], 12);
  });

  it('keeps Q symmetric and leaves v untouched when the second layer is frozen', () => {
    const p = randomState(4, 3, 'sym');
    const dy = new Float64Array(stateSize(4, 3));
    twoLayerRhs(params(p, { trainSecondLayer: false }))(0, packState(p), dy);
    for (let i = 0; i < 4; i++) for (let k = 0; k < 4; k++) expect(dy[i * 4 + k]).toBe(dy[k * 4 + i]);
    expect(Array.from(dy.subarray(4 * 4 + 4 * 3))).toEqual([0, 0, 0, 0]);
  });

  it('has the perfect student as a fixed point without noise, and not with noise', () => {
    const t = randomState(3, 3, 'teacher');
    const perfect: OrderParams = { ...t, Q: t.T.slice(), R: t.T.slice(), v: t.vTeacher.slice() };
    expect(generalizationError(perfect, 'erf')).toBeCloseTo(0, 14);
    const dy = new Float64Array(stateSize(3, 3));
    twoLayerRhs(params(perfect, { sigma: 0 }))(0, packState(perfect), dy);
    for (const x of dy) expect(Math.abs(x)).toBeLessThan(1e-13);
    twoLayerRhs(params(perfect, { sigma: 0.5 }))(0, packState(perfect), dy);
    // noise pumps the norms: dQ_ii = η²/B v_i² σ² J2(i,i) > 0
    for (let i = 0; i < 3; i++) expect(dy[i * 3 + i]).toBeGreaterThan(0);
  });

  it('ε_g of a zero student equals the teacher output variance: ½ Σ_nm I2(n,m) = M/6 for T = I', () => {
    const M = 4, K = 2;
    const T = new Float64Array(M * M);
    for (let n = 0; n < M; n++) T[n * M + n] = 1;
    const p: OrderParams = { K, M, Q: new Float64Array(K * K), R: new Float64Array(K * M), T, v: new Float64Array(K).fill(1), vTeacher: new Float64Array(M).fill(1) };
    // (2/π) asin(1/2) = 1/3 per unit
    expect(generalizationError(p, 'erf')).toBeCloseTo(M / 6, 14);
  });

  it('the η² term scales as 1/B', () => {
    const p = randomState(3, 2, 'batch');
    const y = packState(p);
    const dQ = (lr: number, B: number) => {
      const dy = new Float64Array(y.length);
      twoLayerRhs(params(p, { lr, batchSize: B }))(0, y, dy);
      return dy[0];
    };
    // dQ = η A + η² S/B  ⇒  S/B from two learning rates
    const second = (B: number) => (dQ(1, B) - 2 * dQ(0.5, B)) / 0.5;
    expect(second(4)).toBeCloseTo(second(1) / 4, 12);
  });
});

describe('integrators', () => {
  const p = randomState(4, 4, 'integrate', 0.2);
  const prm = params(p, { lr: 0.8, sigma: 0.1, batchSize: 1 });
  const times = [0.5, 1, 2, 5, 10, 20];

  it('RK4 (h = 0.005) and Dormand–Prince (rtol 1e-10) agree to 1e-6', () => {
    const f = twoLayerRhs(prm);
    const a: Float64Array[] = [], b: Float64Array[] = [];
    integrateRk4(f, packState(p), 0, times, 0.005, (_j, _t, y) => a.push(y.slice()));
    const { stats } = integrateDopri5(f, packState(p), 0, times, (_j, _t, y) => b.push(y.slice()), { rtol: 1e-10, atol: 1e-12 });
    for (let j = 0; j < times.length; j++) for (let i = 0; i < a[j].length; i++) expect(Math.abs(a[j][i] - b[j][i])).toBeLessThan(1e-6);
    expect(stats.accepted).toBeGreaterThan(5);
  });

  it('Dormand–Prince converges at 5th order on dy/dt = -y (error ratio ≈ 2⁵ when h halves)', () => {
    const f = (_t: number, y: Float64Array, dy: Float64Array) => { dy[0] = -y[0]; };
    const err = (h: number) => {
      let out = 0;
      // hMax forces the step; rtol huge so no step is rejected
      integrateDopri5(f, Float64Array.of(1), 0, [2], (_j, _t, y) => (out = y[0]), { h0: h, hMax: h, rtol: 1e3, atol: 1e3 });
      return Math.abs(out - Math.exp(-2));
    };
    const ratio = err(0.2) / err(0.1);
    expect(ratio).toBeGreaterThan(24);
    expect(ratio).toBeLessThan(40);
  });

  it('solve keeps T, symmetry of Q, and v ≡ 1 for the soft committee', () => {
    const K = 3, M = 3;
    const s = randomState(K, M, 'sc', 0.1);
    const init = { ...s, v: new Float64Array(K).fill(1), vTeacher: new Float64Array(M).fill(1) };
    const traj = solveOrderParameterOde({ model: 'soft-committee', N: 100, lr: 0.5, sigma: 0.2, batchSize: 1, trainSecondLayer: true }, init, [0, 100, 1000, 5000]);
    for (let j = 0; j < traj.t.length; j++) {
      expect(traj.v[j]).toEqual([1, 1, 1]);
      for (let i = 0; i < K; i++) for (let k = 0; k < K; k++) expect(traj.Q[j][i][k]).toBe(traj.Q[j][k][i]);
    }
    expect(traj.T.flat()).toEqual(Array.from(init.T));
    expect(traj.eg[3]).toBeLessThan(traj.eg[0]);
  });

  it('unpackState inverts packState', () => {
    const s = randomState(3, 2, 'pack');
    const u = unpackState(packState(s), s);
    expect(Array.from(u.Q)).toEqual(Array.from(s.Q));
    expect(Array.from(u.R)).toEqual(Array.from(s.R));
    expect(Array.from(u.v)).toEqual(Array.from(s.v));
  });
});
