/**
 * ODE integrators with output at requested times.
 *
 * - `integrateRk4`: classical fixed-step 4th-order Runge–Kutta; the reference.
 * - `integrateDopri5`: Dormand & Prince (1980) embedded 5(4) pair with FSAL and a standard
 *   step-size controller (Hairer, Nørsett & Wanner, "Solving ODEs I", §II.4). Steps are
 *   shortened to land exactly on the requested output times, so outputs carry the full
 *   5th-order accuracy (no interpolation error); record times are sparse (log-spaced for
 *   figures), so this costs few extra steps.
 *
 * Both stop with a `DivergenceError` as soon as the state has a non-finite entry, so callers
 * never receive a trajectory full of NaN.
 */
import { DivergenceError } from '../model/divergence.ts';
import type { Rhs } from './rhs.ts';

export type OnOutput = (index: number, t: number, y: Float64Array) => void;

function assertFinite(y: Float64Array, t: number): void {
  for (let j = 0; j < y.length; j++) {
    if (!Number.isFinite(y[j])) throw new DivergenceError(t, `state became non-finite at t=${fmt(t)}`);
  }
}

function fmt(t: number): string {
  return Number(t.toPrecision(6)).toString();
}

function checkTimes(times: ArrayLike<number>, t0: number): void {
  let prev = t0;
  for (let j = 0; j < times.length; j++) {
    if (!(times[j] >= prev)) throw new Error(`output times must be non-decreasing and ≥ t0 (index ${j})`);
    prev = times[j];
  }
}

/** Fixed-step RK4 from t0 through each output time; the last step before an output is shortened. */
export function integrateRk4(
  f: Rhs,
  y0: Float64Array,
  t0: number,
  times: ArrayLike<number>,
  h: number,
  onOutput: OnOutput,
): Float64Array {
  if (!(h > 0)) throw new Error('RK4 step h must be > 0');
  checkTimes(times, t0);
  const n = y0.length;
  const y = y0.slice();
  const k1 = new Float64Array(n);
  const k2 = new Float64Array(n);
  const k3 = new Float64Array(n);
  const k4 = new Float64Array(n);
  const tmp = new Float64Array(n);
  let t = t0;
  for (let j = 0; j < times.length; j++) {
    const target = times[j];
    while (t < target) {
      const hh = Math.min(h, target - t);
      f(t, y, k1);
      for (let i = 0; i < n; i++) tmp[i] = y[i] + 0.5 * hh * k1[i];
      f(t + 0.5 * hh, tmp, k2);
      for (let i = 0; i < n; i++) tmp[i] = y[i] + 0.5 * hh * k2[i];
      f(t + 0.5 * hh, tmp, k3);
      for (let i = 0; i < n; i++) tmp[i] = y[i] + hh * k3[i];
      f(t + hh, tmp, k4);
      for (let i = 0; i < n; i++) y[i] += (hh / 6) * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
      // Land exactly on the target so output times match the caller's grid bit for bit.
      t = target - t - hh <= 1e-12 * Math.max(1, Math.abs(target)) ? target : t + hh;
      assertFinite(y, t);
    }
    onOutput(j, target, y);
  }
  return y;
}

export interface Dopri5Options {
  rtol?: number;
  atol?: number;
  /** Initial step; default estimated from ‖f(t0,y0)‖. */
  h0?: number;
  /** Maximum step; default unbounded. */
  hMax?: number;
  /** Safety bound on accepted+rejected steps. */
  maxSteps?: number;
}

export interface Dopri5Stats {
  accepted: number;
  rejected: number;
  rhsEvaluations: number;
}

// Dormand–Prince 5(4) tableau.
const A21 = 1 / 5;
const A31 = 3 / 40, A32 = 9 / 40;
const A41 = 44 / 45, A42 = -56 / 15, A43 = 32 / 9;
const A51 = 19372 / 6561, A52 = -25360 / 2187, A53 = 64448 / 6561, A54 = -212 / 729;
const A61 = 9017 / 3168, A62 = -355 / 33, A63 = 46732 / 5247, A64 = 49 / 176, A65 = -5103 / 18656;
const B1 = 35 / 384, B3 = 500 / 1113, B4 = 125 / 192, B5 = -2187 / 6784, B6 = 11 / 84;
// Error coefficients: 5th-order weights minus the embedded 4th-order weights.
const E1 = 71 / 57600, E3 = -71 / 16695, E4 = 71 / 1920, E5 = -17253 / 339200, E6 = 22 / 525, E7 = -1 / 40;

/** Adaptive Dormand–Prince 5(4) with exact output at `times`. Returns the final state and stats. */
export function integrateDopri5(
  f: Rhs,
  y0: Float64Array,
  t0: number,
  times: ArrayLike<number>,
  onOutput: OnOutput,
  options: Dopri5Options = {},
): { y: Float64Array; stats: Dopri5Stats } {
  const rtol = options.rtol ?? 1e-8;
  const atol = options.atol ?? 1e-10;
  const hMax = options.hMax ?? Infinity;
  const maxSteps = options.maxSteps ?? 10_000_000;
  checkTimes(times, t0);
  const n = y0.length;
  let y = y0.slice();
  let yNew = new Float64Array(n);
  const k1 = new Float64Array(n);
  const k2 = new Float64Array(n);
  const k3 = new Float64Array(n);
  const k4 = new Float64Array(n);
  const k5 = new Float64Array(n);
  const k6 = new Float64Array(n);
  const k7 = new Float64Array(n);
  const tmp = new Float64Array(n);
  const stats: Dopri5Stats = { accepted: 0, rejected: 0, rhsEvaluations: 0 };

  let t = t0;
  f(t, y, k1);
  stats.rhsEvaluations++;
  assertFinite(k1, t);
  let h = options.h0 ?? initialStep(y, k1, rtol, atol);
  h = Math.min(h, hMax);

  for (let j = 0; j < times.length; j++) {
    const target = times[j];
    while (t < target) {
      if (stats.accepted + stats.rejected >= maxSteps) {
        throw new DivergenceError(t, `integrator exceeded ${maxSteps} steps at t=${fmt(t)} (stiff or diverging)`);
      }
      let hh = Math.min(h, hMax);
      const landing = t + hh >= target;
      if (landing) hh = target - t;

      for (let i = 0; i < n; i++) tmp[i] = y[i] + hh * A21 * k1[i];
      f(t + hh / 5, tmp, k2);
      for (let i = 0; i < n; i++) tmp[i] = y[i] + hh * (A31 * k1[i] + A32 * k2[i]);
      f(t + (3 * hh) / 10, tmp, k3);
      for (let i = 0; i < n; i++) tmp[i] = y[i] + hh * (A41 * k1[i] + A42 * k2[i] + A43 * k3[i]);
      f(t + (4 * hh) / 5, tmp, k4);
      for (let i = 0; i < n; i++) tmp[i] = y[i] + hh * (A51 * k1[i] + A52 * k2[i] + A53 * k3[i] + A54 * k4[i]);
      f(t + (8 * hh) / 9, tmp, k5);
      for (let i = 0; i < n; i++)
        tmp[i] = y[i] + hh * (A61 * k1[i] + A62 * k2[i] + A63 * k3[i] + A64 * k4[i] + A65 * k5[i]);
      f(t + hh, tmp, k6);
      for (let i = 0; i < n; i++)
        yNew[i] = y[i] + hh * (B1 * k1[i] + B3 * k3[i] + B4 * k4[i] + B5 * k5[i] + B6 * k6[i]);
      f(t + hh, yNew, k7);
      stats.rhsEvaluations += 6;

      let errSq = 0;
      let finite = true;
      for (let i = 0; i < n; i++) {
        const e = hh * (E1 * k1[i] + E3 * k3[i] + E4 * k4[i] + E5 * k5[i] + E6 * k6[i] + E7 * k7[i]);
        const sc = atol + rtol * Math.max(Math.abs(y[i]), Math.abs(yNew[i]));
        const r = e / sc;
        errSq += r * r;
        if (!Number.isFinite(yNew[i]) || !Number.isFinite(k7[i])) finite = false;
      }
      const err = Math.sqrt(errSq / n);

      if (finite && err <= 1) {
        t = landing ? target : t + hh;
        const swap = y;
        y = yNew;
        yNew = swap;
        k1.set(k7); // FSAL
        stats.accepted++;
        const factor = err === 0 ? 5 : Math.min(5, Math.max(0.2, 0.9 * Math.pow(err, -0.2)));
        // A step shortened to land on an output time says nothing about the next step size.
        if (!landing) h = hh * factor;
        else h = Math.max(h, hh * factor);
      } else {
        stats.rejected++;
        h = hh * (finite ? Math.max(0.2, 0.9 * Math.pow(err, -0.2)) : 0.1);
        if (h < 1e-14 * Math.max(1, Math.abs(t))) {
          throw new DivergenceError(t, `step size underflow at t=${fmt(t)}: the ODE diverges`);
        }
      }
    }
    onOutput(j, target, y);
  }
  return { y, stats };
}

function initialStep(y: Float64Array, f0: Float64Array, rtol: number, atol: number): number {
  let d0 = 0;
  let d1 = 0;
  for (let i = 0; i < y.length; i++) {
    const sc = atol + rtol * Math.abs(y[i]);
    d0 += (y[i] / sc) ** 2;
    d1 += (f0[i] / sc) ** 2;
  }
  d0 = Math.sqrt(d0 / y.length);
  d1 = Math.sqrt(d1 / y.length);
  const h = d0 < 1e-5 || d1 < 1e-5 ? 1e-6 : 0.01 * (d0 / d1);
  return Math.max(h, 1e-8);
}
