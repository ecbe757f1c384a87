/**
 * An exact fact the ODE must reproduce: a linear soft committee machine with
 * K = M = 1 has order-parameter ODEs that are linear with constant coefficients, so ε_g(t) has
 * a closed form.
 *
 * Derivation. g(u) = u, v = v* = 1, fields (λ, ρ) with covariance C = [[Q, R], [R, T]], a = (−1, 1).
 * Every average is a covariance entry (docs/theory.md): I3(i, b, p) = C_bp, I4(i, k, p, q) = C_pq,
 * J2 = 1. The ODE (src/theory/rhs.ts) then reads
 *   dR/dt = η(T − R) − ηλR
 *   dQ/dt = 2η(R − Q) + (η²/B)(Q − 2R + T + σ²) − 2ηλQ,      ε_g = ½(Q − 2R + T).
 * With r = η(1 + λ), R(t) = R* + (R₀ − R*) e^{−rt}, R* = T/(1 + λ). Q obeys dQ/dt = aQ + βR(t) + γ with
 *   a = η²/B − 2η(1 + λ),  β = 2η − 2η²/B,  γ = (η²/B)(T + σ²),
 * so Q(t) = Q* + c e^{−rt} + (Q₀ − Q* − c) e^{at}, Q* = −(βR* + γ)/a, c = −β(R₀ − R*)/(a + r)
 * (a ≠ 0 and a ≠ −r for the parameters below). Without weight decay, e = Q − 2R + T closes on
 * itself, de/dt = −κe + η²σ²/B with κ = 2η − η²/B, so
 *   ε_g(t) = ε* + (ε₀ − ε*) e^{−κt},  ε* = ησ²/(2(2B − η)),
 * which at σ = 0, B = 1 is ε₀ e^{−(2η − η²)t}: the error decays for η < 2 and grows beyond.
 * The two forms must agree where both apply, which checks the algebra of the first.
 *
 * Tolerances are the integrators' own error, not statistics, measured relative to the state's
 * size (see maxRelError): dopri5 at rtol = 10⁻¹⁰ keeps each step's local error below that, and
 * the global error to t = 10 below 10⁻⁹ (10 × rtol; measured 7e-12 … 1e-10). RK4's global error
 * is O(h⁴): at h = 0.01 measured 4e-12 … 7e-10 against the bound 10⁻⁸, and doubling h must
 * multiply it by ≈ 16 (measured 16.1–16.3), which shows that the integrator converges to the
 * closed form and not to something near it. A wrong closed form or ODE (power checks below)
 * misses by 10⁻² or more.
 */
import { describe, expect, it } from 'vitest';
import { validateConfig, type RunConfig } from '../src/config.ts';
import { runOde } from '../src/engines.ts';
import { initialOrderParams } from '../src/sim/weights.ts';
import { integrateDopri5 } from '../src/theory/integrators.ts';
import { packState, twoLayerRhs, unpackState } from '../src/theory/rhs.ts';
import { odeParamsFor } from '../src/theory/solve.ts';
import { recordSteps } from '../src/recordTimes.ts';

interface Params {
  eta: number;
  lambda: number;
  sigma: number;
  B: number;
  Q0: number;
  R0: number;
  T: number;
}

/** Which deliberately wrong closed form (power checks). */
type Variant = 'exact' | 'no η² term' | 'Q decays at ηλ';

/** (Q, R, ε_g) at time t, from the closed form. */
function closedForm(p: Params, t: number, variant: Variant = 'exact'): { Q: number; R: number; eg: number } {
  const { eta, lambda, sigma, B, Q0, R0, T } = p;
  const e2 = variant === 'no η² term' ? 0 : (eta * eta) / B;
  const r = eta * (1 + lambda);
  const Rs = T / (1 + lambda);
  const R = Rs + (R0 - Rs) * Math.exp(-r * t);
  const a = e2 - 2 * eta - (variant === 'Q decays at ηλ' ? 1 : 2) * eta * lambda;
  const beta = 2 * eta - 2 * e2;
  const gamma = e2 * (T + sigma * sigma);
  const Qs = -(beta * Rs + gamma) / a;
  const c = (-beta * (R0 - Rs)) / (a + r);
  const Q = Qs + c * Math.exp(-r * t) + (Q0 - Qs - c) * Math.exp(a * t);
  return { Q, R, eg: 0.5 * (Q - 2 * R + T) };
}

/** ε_g from the one-variable form (λ = 0 only). */
function closedFormNoDecay(p: Params, t: number): number {
  const { eta, sigma, B, Q0, R0, T } = p;
  const kappa = 2 * eta - (eta * eta) / B;
  const eStar = (eta * sigma * sigma) / (2 * (2 * B - eta));
  const e0 = 0.5 * (Q0 - 2 * R0 + T);
  return eStar + (e0 - eStar) * Math.exp(-kappa * t);
}

const CASES: [string, Params][] = [
  ['η = 0.5, σ = 0', { eta: 0.5, lambda: 0, sigma: 0, B: 1, Q0: 0.5, R0: 0.1, T: 1 }],
  ['η = 1.5, σ = 0 (slow decay: κ = 0.75)', { eta: 1.5, lambda: 0, sigma: 0, B: 1, Q0: 0.2, R0: -0.1, T: 1.3 }],
  ['η = 2.2, σ = 0 (above the stability edge η = 2: ε_g grows)', { eta: 2.2, lambda: 0, sigma: 0, B: 1, Q0: 0.3, R0: 0.2, T: 1 }],
  ['η = 0.8, σ = 0.5, B = 2', { eta: 0.8, lambda: 0, sigma: 0.5, B: 2, Q0: 1.2, R0: 0.3, T: 1 }],
  ['η = 0.5, λ = 0.2, σ = 0.3', { eta: 0.5, lambda: 0.2, sigma: 0.3, B: 1, Q0: 0.5, R0: 0.1, T: 1 }],
  ['η = 1.2, λ = 0.1, σ = 0', { eta: 1.2, lambda: 0.1, sigma: 0, B: 1, Q0: 0.1, R0: 0, T: 0.8 }],
  ['η = 0.7, λ = 0.5, σ = 1, B = 3', { eta: 0.7, lambda: 0.5, sigma: 1, B: 3, Q0: 2, R0: -0.5, T: 1 }],
];

const T_MAX = 10;

function configOf(p: Params): RunConfig {
  return validateConfig({
    model: 'soft-committee', activation: 'linear', K: 1, M: 1, N: 1000, lr: p.eta, weightDecay: p.lambda, sigma: p.sigma, batchSize: p.B,
    tMax: T_MAX, recordEvery: 0.5, recordScale: 'linear', init: { Q: [[p.Q0]], R: [[p.R0]], T: [[p.T]] },
  });
}

interface Solution {
  t: number[];
  Q: number[];
  R: number[];
  eg: number[];
}

function solve(p: Params, options: Parameters<typeof runOde>[1]): Solution {
  const traj = runOde(configOf(p), options);
  return { t: traj.t, Q: traj.Q.map((q) => q[0][0]), R: traj.R.map((r) => r[0][0]), eg: traj.eg };
}

/**
 * The largest error of Q, R and ε_g against the closed form over the records, relative to the
 * state's size |Q| + 2|R| + |T|: the integrators control each component's error relative to its
 * own size, and ε_g = ½(Q − 2R + T) inherits it, whatever the cancellation (ε_g falls by 10³–10⁴
 * over the run when σ = 0); R may cross 0.
 */
function maxRelError(s: Solution, p: Params, variant: Variant = 'exact'): number {
  let worst = 0;
  s.t.forEach((t, j) => {
    const x = closedForm(p, t, variant);
    const scale = Math.abs(x.Q) + 2 * Math.abs(x.R) + p.T;
    for (const [got, want] of [[s.Q[j], x.Q], [s.R[j], x.R], [s.eg[j], x.eg]]) worst = Math.max(worst, Math.abs(got - want) / scale);
  });
  return worst;
}

const DOPRI5 = { method: 'dopri5', rtol: 1e-10, atol: 1e-14 } as const;
const DOPRI5_TOL = 1e-9;
const RK4_H = 0.01;
const RK4_TOL = 1e-8;

describe('linear soft committee, K = M = 1: the ODE against its closed-form solution', () => {
  it.each(CASES)('%s: the two closed forms agree where both apply (λ = 0)', (_name, p) => {
    if (p.lambda !== 0) return;
    for (let t = 0; t <= T_MAX; t += 0.5) expect(Math.abs(closedForm(p, t).eg / closedFormNoDecay(p, t) - 1)).toBeLessThan(1e-12);
  });

  it.each(CASES)('%s: dopri5 (rtol 1e-10) within 1e-9 of Q, R and ε_g', (_name, p) => {
    const s = solve(p, DOPRI5);
    expect(s.t.at(-1)).toBe(T_MAX);
    expect(maxRelError(s, p)).toBeLessThan(DOPRI5_TOL);
  });

  it.each(CASES)('%s: RK4 (h = 0.01) within 1e-8, converging at fourth order', (_name, p) => {
    const e1 = maxRelError(solve(p, { method: 'rk4', h: RK4_H }), p);
    const e2 = maxRelError(solve(p, { method: 'rk4', h: 2 * RK4_H }), p);
    expect(e1).toBeLessThan(RK4_TOL);
    // Error ∝ h⁴: doubling h multiplies it by 16 (12–20 allows the next order's term).
    expect(e2 / e1).toBeGreaterThan(12);
    expect(e2 / e1).toBeLessThan(20);
  });

  describe('power: the same check rejects a wrong closed form or a wrong ODE', () => {
    it.each(CASES)('%s: the closed form without the η² term misses the ODE', (_name, p) => {
      expect(maxRelError(solve(p, DOPRI5), p, 'no η² term')).toBeGreaterThan(DOPRI5_TOL * 1e3);
    });

    it.each(CASES.filter(([, p]) => p.lambda > 0))('%s: the closed form with Q decaying at ηλ (not 2ηλ) misses the ODE', (_name, p) => {
      expect(maxRelError(solve(p, DOPRI5), p, 'Q decays at ηλ')).toBeGreaterThan(DOPRI5_TOL * 1e3);
    });

    it.each(CASES)('%s: an ODE without its η²/B term (B → ∞) misses the exact closed form', (_name, p) => {
      const cfg = configOf(p);
      const init = initialOrderParams(cfg);
      const prm = { ...odeParamsFor(cfg, init), batchSize: Infinity };
      const s: Solution = { t: [], Q: [], R: [], eg: [] };
      const times = recordSteps(cfg).map((step) => step / cfg.N);
      integrateDopri5(twoLayerRhs(prm), packState(init), 0, times, (_j, t, y) => {
        const o = unpackState(y, prm);
        s.t.push(t);
        s.Q.push(o.Q[0]);
        s.R.push(o.R[0]);
        s.eg.push(0.5 * (o.Q[0] - 2 * o.R[0] + o.T[0]));
      }, { rtol: DOPRI5.rtol, atol: DOPRI5.atol });
      expect(maxRelError(s, p)).toBeGreaterThan(DOPRI5_TOL * 1e3);
    });
  });
});
