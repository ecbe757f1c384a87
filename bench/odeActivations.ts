/**
 * The ODE per activation (section 3 of `npm run bench`): how long the adaptive Dormand–Prince
 * integrator (rtol 1e-8, atol 1e-10: the engine's defaults) takes for K = M = 2 to t = 100 and
 * K = M = 4 to t = 1000, for each activation and both models, and its right-hand side's rate at
 * the start and at the end (a converged student makes the field covariance nearly singular, where
 * ReLU's four-field orthant needs its graded panels). Every ratio is against erf in the same run.
 * Then the cost of one ReLU I4 = E[g′g′gg] by the number |S| of distinct fields among its four
 * indices (|S| ≤ 3 is closed-form; |S| = 4 is Plackett's path integral), averaged over every index
 * tuple of that |S| among the K + M = 8 fields, at the generic start and the converged end of the
 * two-layer K = M = 4 run; erf's closed-form I4 alongside.
 *
 * Targets: the ReLU ODE K = M = 2 to t = 100 in ≤ 5 s and K = M = 4 to t = 1000 in
 * ≤ 60 s on one core (this runs in one thread).
 */
import { ACTIVATION_NAMES, activationOf, type ActivationName } from '../src/activations/registry.ts';
import { validateConfig, type RunConfig } from '../src/config.ts';
import { recordSteps } from '../src/recordTimes.ts';
import { initialOrderParams } from '../src/sim/weights.ts';
import { fieldCovariance } from '../src/model/orderParams.ts';
import { packState, twoLayerRhs, type OdeParams } from '../src/theory/rhs.ts';
import { odeParamsFor, solveOrderParameterOde } from '../src/theory/solve.ts';
import type { Trajectory } from '../src/trajectory.ts';

const N = 784;
const REPS = 3;
const SIZES = [
  { K: 2, tMax: 100, targetSeconds: 5 },
  { K: 4, tMax: 1000, targetSeconds: 60 },
] as const;
const MODELS = ['soft-committee', 'two-layer'] as const;

/** Figure 1's start (student scale 0.5, η = 0.5) with M = K; the two-layer student's v ~ N(0, 1) is trained. */
function odeConfig(model: RunConfig['model'], K: number, tMax: number, activation: ActivationName): RunConfig {
  return validateConfig({ model, N, K, M: K, lr: 0.5, tMax, studentScale: 0.5, studentVScale: model === 'two-layer' ? 1 : 0, seed: 1, activation });
}

/** Best-of-`reps` right-hand-side evaluations per second at state y. */
function rhsRate(params: OdeParams, y: Float64Array, reps: number): number {
  const f = twoLayerRhs(params);
  const dy = new Float64Array(y.length);
  const warm = performance.now();
  let n = 0;
  while (performance.now() - warm < 100) {
    f(0, y, dy);
    n++;
  }
  // about 0.3 s per repetition, whatever the activation
  const batch = Math.max(10, Math.round(n * 3));
  let best = 0;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) f(0, y, dy);
    best = Math.max(best, batch / ((performance.now() - t0) / 1000));
  }
  return best;
}

/** The packed ODE state of a trajectory's last record. */
function lastState(traj: Trajectory): Float64Array {
  const j = traj.t.length - 1;
  return Float64Array.from([...traj.Q[j].flat(), ...traj.R[j].flat(), ...traj.v[j]]);
}

export interface OdeCase {
  model: RunConfig['model'];
  activation: ActivationName;
  K: number;
  M: number;
  tMax: number;
  solveSeconds: number;
  accepted: number;
  rejected: number;
  rhsEvaluations: number;
  /** RHS evaluations/s at the initial state and at the final one. */
  rhsPerSecondStart: number;
  rhsPerSecondEnd: number;
  finalEg: number;
  /** solveSeconds / erf's solveSeconds for the same model, K and t. */
  vsErf: number;
  targetSeconds: number | null;
}

export interface I4Cost {
  state: 'start' | 'end';
  activation: ActivationName;
  /** |S| = distinct indices among (a, b, c, d). */
  distinct: number;
  tuples: number;
  microsPerCall: number;
}

/** Mean µs per call of `i4` over every index tuple of each |S| (best of REPS sweeps). */
function i4Costs(C: Float64Array, L: number, activation: ActivationName, state: I4Cost['state']): I4Cost[] {
  const { i4 } = activationOf(activation).averages;
  const groups: number[][][] = [[], [], [], [], []];
  for (let a = 0; a < L; a++)
    for (let b = 0; b < L; b++)
      for (let c = 0; c < L; c++)
        for (let d = 0; d < L; d++) groups[new Set([a, b, c, d]).size].push([a, b, c, d]);
  const out: I4Cost[] = [];
  let sink = 0;
  // JIT warm-up over every pattern before any is timed
  for (let w = 0; w < 3; w++) for (const g of groups) for (const [a, b, c, d] of g) sink += i4(C, L, a, b, c, d);
  for (let distinct = 1; distinct <= 4; distinct++) {
    const tuples = groups[distinct];
    // enough sweeps for ~0.2 s per repetition
    const t0 = performance.now();
    for (const [a, b, c, d] of tuples) sink += i4(C, L, a, b, c, d);
    const once = Math.max(performance.now() - t0, 1e-3);
    const sweeps = Math.max(1, Math.round(200 / once));
    let best = Infinity;
    for (let r = 0; r < REPS; r++) {
      const s0 = performance.now();
      for (let s = 0; s < sweeps; s++) for (const [a, b, c, d] of tuples) sink += i4(C, L, a, b, c, d);
      best = Math.min(best, ((performance.now() - s0) * 1000) / (sweeps * tuples.length));
    }
    out.push({ state, activation, distinct, tuples: tuples.length, microsPerCall: best });
  }
  if (!Number.isFinite(sink)) throw new Error('bench: a non-finite I4');
  return out;
}

export interface OdeActivationResults {
  cases: OdeCase[];
  i4: I4Cost[];
  /** The covariances the I4 costs were measured at (the two-layer K = M = 4 ReLU run's start and end), and 1 − max |ρ| of a student–teacher pair at the end. */
  i4States: { start: number[]; end: number[]; minOneMinusCorrelationEnd: number };
}

export function benchActivationOdes(log: (s: string) => void): OdeActivationResults {
  const cases: OdeCase[] = [];
  let i4States: OdeActivationResults['i4States'] | null = null;
  const i4: I4Cost[] = [];
  for (const model of MODELS)
    for (const size of SIZES) {
      let erfSeconds = NaN;
      // erf first: the others' ratio is against it
      for (const activation of ['erf', ...ACTIVATION_NAMES.filter((a) => a !== 'erf')] as ActivationName[]) {
        log(`ODE ${model} ${activation} K=M=${size.K} to t=${size.tMax}…`);
        const cfg = odeConfig(model, size.K, size.tMax, activation);
        const init = initialOrderParams(cfg);
        const steps = recordSteps(cfg);
        solveOrderParameterOde(cfg, init, steps); // JIT warm-up, untimed
        let best = Infinity;
        let traj: ReturnType<typeof solveOrderParameterOde> | null = null;
        for (let r = 0; r < REPS; r++) {
          const t0 = performance.now();
          const run = solveOrderParameterOde(cfg, init, steps);
          const dt = (performance.now() - t0) / 1000;
          if (dt < best) {
            best = dt;
            traj = run;
          }
        }
        const params = odeParamsFor(cfg, init);
        const end = lastState(traj!);
        if (activation === 'erf') erfSeconds = best;
        const st = traj!.stats!;
        cases.push({
          model,
          activation,
          K: size.K,
          M: size.K,
          tMax: size.tMax,
          solveSeconds: best,
          accepted: st.accepted,
          rejected: st.rejected,
          rhsEvaluations: st.rhsEvaluations,
          rhsPerSecondStart: rhsRate(params, packState(init), REPS),
          rhsPerSecondEnd: rhsRate(params, end, REPS),
          finalEg: traj!.eg.at(-1)!,
          vsErf: best / erfSeconds,
          targetSeconds: activation === 'relu' ? size.targetSeconds : null,
        });
        if (activation === 'relu' && model === 'two-layer' && size.K === 4) {
          const L = 2 * size.K;
          const K = size.K;
          const Cs = fieldCovariance(K, K, init.Q, init.R, init.T);
          const j = traj!.t.length - 1;
          const Ce = fieldCovariance(K, K, traj!.Q[j].flat(), traj!.R[j].flat(), init.T);
          // how close to singular the end is: the largest student–teacher correlation
          let minGap = 1;
          for (let a = 0; a < K; a++)
            for (let b = K; b < L; b++) minGap = Math.min(minGap, 1 - Math.abs(Ce[a * L + b]) / Math.sqrt(Ce[a * L + a] * Ce[b * L + b]));
          i4States = { start: [...Cs], end: [...Ce], minOneMinusCorrelationEnd: minGap };
          log('I4 cost by |S|…');
          for (const act of ['relu', 'erf'] as ActivationName[]) i4.push(...i4Costs(Cs, L, act, 'start'), ...i4Costs(Ce, L, act, 'end'));
        }
      }
    }
  return { cases, i4, i4States: i4States! };
}
