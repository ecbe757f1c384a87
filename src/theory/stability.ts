/**
 * The stability edge of the order-parameter ODE: the learning rate η_c at which the
 * specialized fixed point (the perfect student Q = R = T, v = v*, noise-free σ = 0) stops
 * attracting.
 *
 * At that point both the drift and the gradient-noise term of the ODE vanish (Δ ≡ 0), so the
 * linearisation there is J(η) = η·A + (η²/B)·G with A, G fixed matrices (A from the drift,
 * G from the η² term of dQ/dt, rhs.ts; Saad & Solla 1995, PRE 52, 4225, eqs. (9)–(10);
 * Goldt et al. 2019, eqs. (10)–(12)). The eigenvalues of J(η)/η = A + (η/B)·G move with η:
 * for small η the drift A makes the point attracting; the noise term G pushes the largest
 * real part up until it crosses zero at η_c. That is the "maximal learning rate" of the
 * asymptotic phase (Saad & Solla 1995, Sec. V), here for any K = M, T and either model.
 *
 * The Jacobian is taken by central differences on the independent coordinates
 * (Q_ik for i ≤ k, R_in, and v_i when the second layer is trained): the RHS is an analytic
 * function of the order parameters near the fixed point (every Λ in the closed forms keeps a
 * "1 +" margin, so perturbations slightly outside the PSD cone are still in its domain), and
 * the central-difference error is O(h²·f''') + O(ε_mach/h); h = 1e-5 ≈ ε_mach^{1/3} balances
 * the two at O(1e-10) relative to entries of order η (the test checks h against h/4).
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import type { ActivationName } from '../activations/registry.ts';
import type { ModelKind } from '../config.ts';
import { DivergenceError } from '../model/divergence.ts';
import type { OrderParams } from '../model/orderParams.ts';
import { packState, stateSize, twoLayerRhs, type OdeParams } from './rhs.ts';
import { solveOrderParameterOde, type OdeSetup } from './solve.ts';

export interface FixedPointSetup {
  model: ModelKind;
  /** K = M: hidden units of student and teacher. */
  K: number;
  /** Teacher overlaps T (K×K, row-major); the fixed point has Q = R = T. */
  T: Float64Array;
  /** Teacher second layer v* (K); the soft committee uses ones. */
  vTeacher: Float64Array;
  /** Minibatch size B (the η² term scales as 1/B). */
  batchSize: number;
  /** Activation of teacher and student (undefined: erf). */
  activation?: ActivationName;
}

/** Central-difference step on the order parameters (see the module comment). */
export const JACOBIAN_STEP = 1e-5;

/** T = I_K and v* = 1: the orthonormal teacher of Saad & Solla's asymptotic analysis. */
export function isotropicSetup(model: ModelKind, K: number, batchSize = 1): FixedPointSetup {
  const T = new Float64Array(K * K);
  for (let k = 0; k < K; k++) T[k * K + k] = 1;
  return { model, K, T, vTeacher: new Float64Array(K).fill(1), batchSize };
}

/** ODE parameters at the fixed point's setting (σ = 0; v trained for the two-layer net). */
export function fixedPointOdeParams(setup: FixedPointSetup, lr: number): OdeParams {
  return {
    K: setup.K,
    M: setup.K,
    T: setup.T,
    vTeacher: setup.vTeacher,
    lr,
    lr2: lr,
    weightDecay: 0,
    sigma: 0,
    batchSize: setup.batchSize,
    trainSecondLayer: setup.model === 'two-layer',
    activation: setup.activation,
  };
}

/** The perfect student as a packed ODE state (rhs.ts layout). */
export function specializedFixedPoint(setup: FixedPointSetup): Float64Array {
  const p: OrderParams = {
    K: setup.K,
    M: setup.K,
    Q: setup.T.slice(),
    R: setup.T.slice(),
    T: setup.T.slice(),
    v: setup.model === 'two-layer' ? setup.vTeacher.slice() : new Float64Array(setup.K).fill(1),
    vTeacher: setup.model === 'two-layer' ? setup.vTeacher.slice() : new Float64Array(setup.K).fill(1),
  };
  return packState(p);
}

/**
 * Independent coordinates of the packed state: each is a list of packed indices moved
 * together (Q_ik and Q_ki are one coordinate, since Q is symmetric).
 */
export function independentCoordinates(setup: FixedPointSetup): number[][] {
  const { K } = setup;
  const coords: number[][] = [];
  for (let i = 0; i < K; i++) for (let k = i; k < K; k++) coords.push(i === k ? [i * K + k] : [i * K + k, k * K + i]);
  for (let j = 0; j < K * K; j++) coords.push([K * K + j]);
  if (setup.model === 'two-layer') for (let i = 0; i < K; i++) coords.push([2 * K * K + i]);
  return coords;
}

/** Jacobian of the ODE right-hand side at the fixed point, in the independent coordinates. */
export function fixedPointJacobian(setup: FixedPointSetup, lr: number, h = JACOBIAN_STEP): Matrix {
  const f = twoLayerRhs(fixedPointOdeParams(setup, lr));
  const y0 = specializedFixedPoint(setup);
  const coords = independentCoordinates(setup);
  const n = coords.length;
  const J = new Matrix(n, n);
  const plus = new Float64Array(stateSize(setup.K, setup.K));
  const minus = new Float64Array(plus.length);
  const yp = new Float64Array(plus.length);
  const ym = new Float64Array(plus.length);
  for (let c = 0; c < n; c++) {
    yp.set(y0);
    ym.set(y0);
    for (const j of coords[c]) {
      yp[j] += h;
      ym[j] -= h;
    }
    f(0, yp, plus);
    f(0, ym, minus);
    // Row r: the derivative of the first packed index of coordinate r (Q_ik for i ≤ k).
    for (let r = 0; r < n; r++) {
      const j = coords[r][0];
      J.set(r, c, (plus[j] - minus[j]) / (2 * h));
    }
  }
  return J;
}

/** Largest real part of the eigenvalues of the fixed point's Jacobian at learning rate η. */
export function maxGrowthRate(setup: FixedPointSetup, lr: number, h = JACOBIAN_STEP): number {
  const evd = new EigenvalueDecomposition(fixedPointJacobian(setup, lr, h));
  return Math.max(...evd.realEigenvalues);
}

export interface EdgeOptions {
  /** Log-spaced scan from lrMin to lrMax finds the first sign change, then bisection refines it. */
  lrMin?: number;
  lrMax?: number;
  scanPoints?: number;
  /** Relative tolerance of the bisection in η. */
  rtol?: number;
}

/**
 * First η at which `unstable(η)` turns true: a log scan brackets the first change, bisection
 * (in log η) refines it to `rtol`. Returns Infinity when nothing in [lrMin, lrMax] is unstable.
 */
export function firstUnstableLr(unstable: (lr: number) => boolean, options: EdgeOptions = {}): number {
  const { lrMin = 0.05, lrMax = 100, scanPoints = 40, rtol = 1e-6 } = options;
  if (unstable(lrMin)) throw new Error(`already unstable at the scan's lower end η = ${lrMin}`);
  let lo = lrMin;
  let hi = Infinity;
  for (let j = 1; j < scanPoints; j++) {
    const lr = lrMin * Math.pow(lrMax / lrMin, j / (scanPoints - 1));
    if (unstable(lr)) {
      hi = lr;
      break;
    }
    lo = lr;
  }
  if (hi === Infinity) return Infinity;
  while (hi / lo - 1 > rtol) {
    const mid = Math.sqrt(lo * hi);
    if (unstable(mid)) hi = mid;
    else lo = mid;
  }
  return Math.sqrt(lo * hi);
}

/**
 * η_c: the learning rate at which the perfect student loses stability (max Re λ crosses 0).
 * The sign of max Re λ(J(η)) equals that of max Re λ(A + (η/B) G), so the scan is on the
 * former directly.
 */
export function stabilityEdge(setup: FixedPointSetup, options: EdgeOptions = {}): number {
  return firstUnstableLr((lr) => maxGrowthRate(setup, lr) > 0, options);
}

/**
 * Self-overlap beyond which a student unit counts as saturated (with T_kk ≈ 1): above the
 * stability edge the ODE from a random start does not blow up in finite time; its Q_kk grows
 * without bound (roughly as √t, erf units saturating) while ε_g stays stuck near its plateau,
 * and the engines' non-finite/Q > 1e4 checks fire only much later. Ten times the teacher's norm
 * is far outside anything a converging run visits (Q_kk ≤ 2 for η < η_c in every run of the
 * validity map) and is reached within t ≤ 200/η for η ≥ 1.5 η_c.
 */
export const Q_SATURATION = 10;

/** Whether any self-overlap of the records exceeds `bound`. */
export function saturated(Q: ArrayLike<number>[][] | number[][][], bound = Q_SATURATION): boolean {
  return Q.some((q) => q.some((row, k) => (row as ArrayLike<number>)[k] > bound));
}

/**
 * Whether the ODE run from `init` fails before `tMax`: diverges (non-finite, or the solver's
 * bound) or saturates (some Q_kk > Q_SATURATION at one of 60 log-spaced records). This is the
 * single place that turns the solver's divergence signal into a boolean, so that a change of
 * the solver's contract (exception → RunResult status) is adapted here only.
 */
export function odeFails(setup: OdeSetup, init: OrderParams, tMax: number, bound = Q_SATURATION): boolean {
  const last = Math.round(tMax * setup.N);
  const steps = Array.from({ length: 60 }, (_, j) => Math.max(1, Math.round(last * Math.pow(1e-3, 1 - j / 59))));
  try {
    return saturated(solveOrderParameterOde(setup, init, [...new Set(steps)]).Q, bound);
  } catch (e) {
    if (e instanceof DivergenceError) return true;
    throw e;
  }
}

/**
 * The η beyond which the ODE itself fails from `init` within `tMaxOf(η)` (through the plateau
 * and the specialization): the first η of a log scan at which `odeFails`, refined by bisection.
 */
export function odeDivergenceLr(
  setup: Omit<OdeSetup, 'lr'>,
  init: OrderParams,
  tMaxOf: (lr: number) => number,
  options: EdgeOptions = {},
): number {
  return firstUnstableLr((lr) => odeFails({ ...setup, lr }, init, tMaxOf(lr)), { rtol: 1e-3, scanPoints: 25, ...options });
}
