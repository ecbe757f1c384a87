/**
 * The engine registry: one table of every engine tsdyn can run, used by the CLI (`--engine`
 * parsing, help and messages), the resource guard, the sweep (which fields an engine ignores)
 * and the run scheduler (its cost). What an engine is on each backend (its cost per second,
 * its code, whether it batches, how it is dispatched) is the (engine, backend) table,
 * src/engineBackends.ts; this table holds the engine itself and its CPU implementation, which
 * the browser explorer also runs.
 *
 * Every engine takes a validated RunConfig and returns a RunResult (src/result.ts): a
 * divergence is a status, not an exception thrown through the layers. Before returning
 * `completed`, the trajectory is checked finite, so no NaN/Infinity (printed as `null` by
 * JSON) ever reaches an output file.
 */
import { ConfigError, type RunConfig } from './config.ts';
import { drive } from './drive.ts';
import { ENGINE_NAMES, type EngineName } from './model/engineNames.ts';
import { teacherCount, teacherReadouts, teacherUnits } from './model/schedule.ts';
import { completed, diverged, type RunResult } from './result.ts';
import { sgdEngine } from './sim/sgd.ts';
import { samplerEngine } from './sim/sampler.ts';
import { initialOrderParams, weightsFromOrderParams } from './sim/weights.ts';
import { DivergenceError } from './model/divergence.ts';
import { odeEngine } from './theory/odeEngine.ts';
import type { SolveOptions } from './theory/solve.ts';
import { emptyTrajectory, type Trajectory } from './trajectory.ts';

/** Options an engine may take beyond the config (CLI flags map onto these). */
export interface EngineRunOptions {
  /** Fraction done, 0…1, now and then (progress bars, pool messages). */
  onProgress?: (fraction: number) => void;
  /** Called with the trajectory so far after each record (the explorer streams its plots). */
  onRecord?: (traj: Trajectory) => void;
  /** ODE only: integrator and tolerance. */
  ode?: SolveOptions;
}

/** A buffer an engine holds outside the JS heap (typed arrays), for the resource estimate. */
export interface EngineBuffer {
  what: string;
  /** The config field that drives its size (named when a run is refused). */
  field: keyof RunConfig;
  bytes: number;
}

/** Seeded weights without `init`: ode and sampler draw (K+ΣM)·N doubles once for the start. */
function seededStart(c: RunConfig): EngineBuffer[] {
  const L = c.K + teacherUnits(c);
  return c.init ? [] : [{ what: 'seeded starting weights (K+ΣM)·N, drawn once', field: c.N >= L ? 'N' : 'K', bytes: 8 * L * c.N }];
}

/** Numbers per record: Q, R (K×ΣM), v, t, step, ε_g; ε_g per teacher and every head with several. */
function recordNumbers(c: RunConfig): number {
  const P = teacherCount(c);
  return c.K * c.K + c.K * teacherUnits(c) + c.K + 3 + (P > 1 ? P : 0) + (c.heads === 'multi' ? P * c.K : 0);
}

/**
 * Past convergence, dopri5's step is bounded by stability (|λ|·h ≲ 3.3 for the fixed point's
 * fastest eigenvalue), so its steps grow linearly with tMax. Measured (K ∈ {2,4,8},
 * η ∈ {0.1 … 2}, σ ∈ {0, 1}, t ≤ 10⁶): 0.08–0.6 steps per unit of t; take the top.
 */
export const ODE_STEPS_PER_UNIT_T = 0.6;

export interface EngineSpec {
  /** One line for `--help`. */
  summary: string;
  /** 'theory' integrates the ODEs; 'simulation' trains (or samples) a finite-N student. */
  role: 'theory' | 'simulation';
  /** Off-heap buffers of a run (weights, batches, state), for the resource guard. */
  buffers(config: RunConfig): EngineBuffer[];
  /** Numbers stored per record (Q, R, v, t, steps, ε_g, and ε_g,test for SGD with test samples). */
  numbersPerRecord(config: RunConfig): number;
  /** Random samples drawn to tMax (records × test samples included); 0 for the ODE. */
  samples(config: RunConfig, records: number): number;
  /** Adaptive integrator steps (ODE); 0 for the step-by-step simulations. */
  integratorSteps(config: RunConfig): number;
  /** Rough cost in SGD-step units (scheduling longest-first, ETAs); see runCost. */
  cost(config: RunConfig): number;
  /**
   * Config fields this engine's output does not depend on for this config: runs that differ
   * only in them are one run (a sweep computes it once, with those fields at their defaults).
   */
  ignoredFields(config: RunConfig): readonly (keyof RunConfig)[];
  /** Engine-specific config constraints, checked at the boundary; throws ConfigError. */
  check(config: RunConfig): void;
  /** Run it (CPU engines are synchronous; a batched backend adds its own entry point). */
  run(config: RunConfig, options: EngineRunOptions): Trajectory;
}

/**
 * The table. Costs are in units of ~1e4 floating-point operations: an SGD step touches the
 * (2K+M)·N weights, a sampler step factorizes the (K+M)² Gram matrix, the ODE's cost depends
 * only on K (its adaptive steps do not scale with N).
 */
export const ENGINES = {
  ode: {
    summary: 'integrate the order-parameter ODEs (Saad & Solla 1995; Goldt et al. 2019)',
    role: 'theory',
    buffers: (c: RunConfig) => [...seededStart(c), { what: 'ODE state and stages', field: 'K', bytes: 8 * 12 * (c.K * c.K + c.K * teacherUnits(c) + c.K) }],
    numbersPerRecord: recordNumbers,
    samples: () => 0,
    integratorSteps: (c: RunConfig) => ODE_STEPS_PER_UNIT_T * c.tMax,
    cost: (c: RunConfig) => 2e4 * c.K * c.K * teacherCount(c),
    // No test set; from an explicit `init` the seed and the weight scales draw nothing, and the
    // teacher's second layer comes from init.vTeacher when given.
    ignoredFields: (c: RunConfig) => [
      'testSamples',
      ...(c.init ? (['seed', 'teacherScale', 'studentScale', 'studentVScale'] as const) : []),
      ...(c.init?.vTeacher ? (['vTeacher'] as const) : []),
    ],
    check: () => {},
    run: (config: RunConfig, options: EngineRunOptions) => drive(odeEngine(initialOrderParams(config), options.ode), 'ode', config, options),
  },
  sgd: {
    summary: 'train the student by online SGD on N-dimensional weights',
    role: 'simulation',
    buffers: (c: RunConfig) => {
      const L = c.K + teacherUnits(c);
      const weights = 8 * (L + c.M) * c.N;
      const field = c.N >= L ? 'N' : 'K';
      return [
        { what: 'weights (K+ΣM)·N and the kernel copy of the active teacher', field, bytes: weights },
        { what: 'batch of B input vectors', field: c.batchSize > 2 * (c.K + c.M) ? 'batchSize' : 'N', bytes: 8 * (c.batchSize + 2) * c.N },
        ...(c.init ? [{ what: 'weights built from init (basis and copies)', field, bytes: 3 * weights } as const] : []),
      ];
    },
    numbersPerRecord: (c: RunConfig) => recordNumbers(c) + (c.testSamples > 0 ? 1 : 0),
    samples: (c: RunConfig, records: number) => Math.round(c.tMax * c.N) * c.batchSize + records * c.testSamples,
    integratorSteps: () => 0,
    cost: (c: RunConfig) => (c.tMax * c.N * c.batchSize * ((2 * c.K + c.M) * c.N + 30 * (c.K + c.M))) / 1e4,
    ignoredFields: () => [],
    check: (c: RunConfig) => {
      // Weights with Gram matrix `init` need K + ΣM orthonormal directions in R^N.
      const L = c.K + teacherUnits(c);
      if (c.init && c.N < L) throw new ConfigError('N', `must be ≥ K + ${teacherCount(c) > 1 ? 'ΣM' : 'M'} = ${L} to build weights from init, got ${c.N}`);
    },
    run: (config: RunConfig, options: EngineRunOptions) => {
      // With `init`, full SGD starts from weights built to have exactly that Gram matrix.
      const weights = config.init ? weightsFromOrderParams(initialOrderParams(config), config.N, config.seed) : undefined;
      return drive(sgdEngine(weights), 'sgd', config, options);
    },
  },
  sampler: {
    summary: 'the exact finite-N order-parameter Markov chain of SGD (same law, no weights)',
    role: 'simulation',
    buffers: (c: RunConfig) => {
      const B = c.batchSize;
      return [...seededStart(c), { what: 'sampler batch buffers (B×B Gram matrices)', field: 'batchSize', bytes: 8 * (3 * B * B + 4 * B * (c.K + teacherUnits(c))) }];
    },
    numbersPerRecord: recordNumbers,
    samples: (c: RunConfig) => Math.round(c.tMax * c.N) * c.batchSize,
    integratorSteps: () => 0,
    cost: (c: RunConfig) => {
      const L = c.K + teacherUnits(c);
      return (c.tMax * c.N * c.batchSize * (L * L * L + 30 * L)) / 1e4;
    },
    // None declared: a sweep keeps one sampler run per value of every field it varies.
    ignoredFields: () => [],
    check: (c: RunConfig) => {
      // The input's component outside span(W, W*) is a χ²/Wishart with N − (K+ΣM) degrees of freedom ≥ B.
      const need = c.K + teacherUnits(c) + c.batchSize;
      if (c.N < need) throw new ConfigError('N', `must be ≥ K + ${teacherCount(c) > 1 ? 'ΣM' : 'M'} + batchSize = ${need} for the sampler, got ${c.N}`);
    },
    run: (config: RunConfig, options: EngineRunOptions) => drive(samplerEngine(initialOrderParams(config)), 'sampler', config, options),
  },
} as const satisfies Record<EngineName, EngineSpec>;

export { ENGINE_NAMES, type EngineName };
/** Engines `tsdyn sim --engine` accepts. */
export const SIMULATION_ENGINES = ENGINE_NAMES.filter((e) => ENGINES[e].role === 'simulation');
export type SimulationEngine = { [E in EngineName]: (typeof ENGINES)[E]['role'] extends 'simulation' ? E : never }[EngineName];

export function isEngineName(x: unknown): x is EngineName {
  return typeof x === 'string' && Object.hasOwn(ENGINES, x);
}

/** Check the engine-specific constraints of a validated config (throws ConfigError). */
export function checkEngineConfig(engine: EngineName, config: RunConfig): void {
  (ENGINES[engine] as EngineSpec).check(config);
}

/**
 * Run one engine. A divergence detected inside an engine becomes `diverged` with its time and
 * reason; so does a completed trajectory holding a non-finite number (it would print as null).
 * A divergence an engine detects itself stops it by throwing, and that result carries no
 * records (and T only when the config gives it in `init`); a non-finite value found afterwards
 * keeps the records before it. Either way a diverged result holds only finite numbers.
 */
export function runEngine(engine: EngineName, config: RunConfig, options: EngineRunOptions = {}): RunResult {
  const spec: EngineSpec = ENGINES[engine];
  spec.check(config);
  let traj: Trajectory;
  try {
    traj = spec.run(config, options);
  } catch (e) {
    if (!(e instanceof DivergenceError)) throw e;
    const vTeacher = config.init?.vTeacher ?? teacherReadouts(config);
    return diverged(emptyTrajectory(engine, { ...config, M: teacherUnits(config) }, config.init?.T ?? [], vTeacher), e.t, e.message);
  }
  const bad = firstNonFinite(traj);
  if (bad) {
    const t = traj.t[bad.record] ?? 0;
    // A diverged result carries only finite records: the ones before the first bad one.
    return diverged(recordsBefore(traj, bad.record), t, `${engine} produced a non-finite value (${bad.path}) at t=${Number(t.toPrecision(6))} with lr=${config.lr}`);
  }
  return completed(traj);
}

/** Rough cost of a run in SGD-step units, for scheduling (longest first) and ETAs. */
export function runCost(run: { engine: EngineName; config: RunConfig }): number {
  return (ENGINES[run.engine] as EngineSpec).cost(run.config);
}

/** The first non-finite number in a trajectory, with its path and record index. */
export function firstNonFinite(traj: Trajectory): { path: string; record: number } | null {
  // Scan the numbers; build the path (an index string) only for the one that is not finite.
  const find = (value: unknown): number[] | null => {
    if (typeof value === 'number') return Number.isFinite(value) ? null : [];
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const rest = find(value[i]);
        if (rest) return [i, ...rest];
      }
    }
    return null;
  };
  const path = (key: string, at: number[]) => `${key}${at.map((i) => `[${i}]`).join('')}`;
  for (const key of ['t', 'eg', 'egTest', 'egTeachers', 'Q', 'R', 'v', 'heads'] as const) {
    const series = traj[key];
    if (!series) continue;
    const at = find(series);
    if (at) return { path: path(key, at), record: at[0] };
  }
  for (const key of ['T', 'vTeacher'] as const) {
    const at = find(traj[key]);
    if (at) return { path: path(key, at), record: 0 };
  }
  return null;
}

/** The trajectory's first `n` records (the constant T and vTeacher kept). */
function recordsBefore(traj: Trajectory, n: number): Trajectory {
  const cut = { ...traj, t: traj.t.slice(0, n), steps: traj.steps.slice(0, n), eg: traj.eg.slice(0, n), Q: traj.Q.slice(0, n), R: traj.R.slice(0, n), v: traj.v.slice(0, n) };
  if (traj.egTest) cut.egTest = traj.egTest.slice(0, n);
  if (traj.egTeachers) cut.egTeachers = traj.egTeachers.map((e) => e.slice(0, n));
  if (traj.heads) cut.heads = traj.heads.slice(0, n);
  return cut;
}

/** A completed run's trajectory; a diverged one throws DivergenceError (for tests and scripts). */
export function trajectoryOrThrow(result: RunResult): Trajectory {
  if (result.status === 'diverged') throw new DivergenceError(result.t, result.reason);
  return result.trajectory;
}

/**
 * For tests and scripts: the run's result, with a divergence thrown as DivergenceError unless
 * the run may diverge (`allowDivergence`: a stability map records it as a data point).
 */
export function executeRun(run: { engine: EngineName; config: RunConfig; allowDivergence?: boolean }, onProgress?: (f: number) => void): RunResult {
  const result = runEngine(run.engine, run.config, { onProgress });
  if (result.status === 'diverged' && !run.allowDivergence) throw new DivergenceError(result.t, result.reason);
  return result;
}

/** Convenience for tests and scripts: the ODE's trajectory, throwing on divergence. */
export function runOde(config: RunConfig, options: SolveOptions = {}): Trajectory {
  return trajectoryOrThrow(runEngine('ode', config, { ode: options }));
}

/** Convenience for tests and scripts: a simulation's trajectory (default engine sgd), throwing on divergence. */
export function runSimulation(
  config: RunConfig,
  options: { engine?: SimulationEngine; onProgress?: (f: number) => void; onRecord?: (traj: Trajectory) => void } = {},
): Trajectory {
  return trajectoryOrThrow(runEngine(options.engine ?? 'sgd', config, { onProgress: options.onProgress, onRecord: options.onRecord }));
}
