/**
 * Run configuration: the typed shape shared by the ODE, SGD and sampler engines, and its
 * validation at the boundary (CLI, pipeline). Every error names the offending field in one
 * line, so a researcher editing a JSON config sees exactly what to fix.
 */

import { ACTIVATION_NAMES, DEFAULT_ACTIVATION, isActivationName, type ActivationName } from './activations/registry.ts';
import { choleskySucceeds } from './linalg/psd.ts';

export type ModelKind = 'soft-committee' | 'two-layer';

export interface InitOrderParams {
  Q: number[][];
  R: number[][];
  T: number[][];
  v?: number[];
  vTeacher?: number[];
}

export interface RunConfig {
  /** 'soft-committee' (v = v* = 1, v not trained) or 'two-layer' (Goldt et al. 2019). */
  model: ModelKind;
  /** Input dimension. */
  N: number;
  /** Student hidden units. */
  K: number;
  /** Teacher hidden units. */
  M: number;
  /** Learning rate η (first layer; second layer gets η/N per step). */
  lr: number;
  /** Output-noise standard deviation σ of the teacher's labels. */
  sigma: number;
  /** Minibatch size B; one SGD step advances t by 1/N. */
  batchSize: number;
  /** Final time t (in units of N steps). */
  tMax: number;
  /** Record spacing: with recordScale 'linear' every `recordEvery`; with 'log' the first positive record time. */
  recordEvery: number;
  /** 'linear' (default) or 'log' (geometric from recordEvery to tMax with recordPoints points). */
  recordScale: 'linear' | 'log';
  /** Number of log-spaced record times (recordScale 'log' only). */
  recordPoints: number;
  /** Seed of everything random: weights (stream '<seed>:init') and data (stream '<seed>:data'). */
  seed: number | string;
  /** Teacher first-layer weights ~ N(0, teacherScale²). */
  teacherScale: number;
  /** Student first-layer weights ~ N(0, studentScale²). */
  studentScale: number;
  /** Two-layer: student v_k ~ N(0, studentVScale²); 0 means v starts at exactly 0. */
  studentVScale: number;
  /** Two-layer: teacher second layer v*; 'ones' or explicit M values. Soft committee forces ones. */
  vTeacher: 'ones' | number[];
  /** Two-layer: train the second layer (false freezes v at its initial value). */
  trainSecondLayer: boolean;
  /** SGD: also estimate ε_g on this many fresh test samples at each record (0 = off). */
  testSamples: number;
  /** ODE/sampler: explicit initial order parameters instead of seeded weights. */
  init?: InitOrderParams;
  /**
   * Activation g of teacher and student: "erf" (default), "linear" or "relu"
   * (src/activations/registry.ts).
   */
  activation?: ActivationName;
  /**
   * Weight decay λ ≥ 0 (default 0): per step each first-layer weight also moves by −(η/N)·λ·w,
   * and a trained second layer by −(η₂/N)·λ·v.
   */
  weightDecay?: number;
  /** Learning rate η₂ of a trained second layer, which moves at η₂/N per step (default: lr). */
  lr2?: number;
  /**
   * Several teachers, for continual learning (default: one, the config's own). Entry 0 is the
   * config's teacher (teacherScale, vTeacher) and takes no fields; a later entry p has units
   * w*_p,m = α·w*_0,m + √(1−α²)·ξ_m (α = featureSimilarity, ξ_m fresh Gaussian vectors of
   * the same scale) and may set its own vTeacher.
   */
  teachers?: TeacherSpec[];
  /** Training phases in time order: each trains on one teacher until time `until` (the last at tMax). */
  schedule?: SchedulePhase[];
  /**
   * "single" (default): one trained second layer shared by every task; "multi": one head per
   * teacher, each starting from the student's initial v and trained only while its teacher is
   * active.
   */
  heads?: 'single' | 'multi';
}

/** A teacher beyond the first (RunConfig.teachers). */
export interface TeacherSpec {
  /**
   * Feature similarity α ∈ [0, 1] to teacher 0 (default 0: an independent teacher).
   * @minimum 0
   * @maximum 1
   */
  featureSimilarity?: number;
  /** Second layer v* of this teacher ("ones" or M values; default: teacher 0's). */
  vTeacher?: 'ones' | number[];
}

/** One phase of a training schedule. */
export interface SchedulePhase {
  /** Index of the teacher trained on (into `teachers`). */
  teacher: number;
  /** Time t at which the phase ends. */
  until: number;
}

/**
 * Fields added after the first release hold their default when absent, and validation leaves
 * them out when they are at their default: a config (and its hash, its cache key, the snapshots
 * that record it) written before they existed stays exactly as it was.
 */
export const OPTIONAL_FIELD_DEFAULTS = { activation: DEFAULT_ACTIVATION, weightDecay: 0 } as const;
/** Every optional field of a run config (lr2's default is lr). */
export const OPTIONAL_FIELDS = ['init', 'activation', 'weightDecay', 'lr2', 'teachers', 'schedule', 'heads'] as const satisfies readonly (keyof RunConfig)[];

/** Most teachers a config may list (each adds M units to every engine's state). */
export const MAX_TEACHERS = 64;

/** The second layer's learning rate η₂ (lr2, or lr when not set). */
export function secondLayerLr(config: Pick<RunConfig, 'lr' | 'lr2'>): number {
  return config.lr2 ?? config.lr;
}

/** The weight decay λ (0 when not set). */
export function weightDecayOf(config: Pick<RunConfig, 'weightDecay'>): number {
  return config.weightDecay ?? 0;
}

export const DEFAULT_CONFIG: RunConfig = {
  model: 'soft-committee',
  N: 784,
  K: 4,
  M: 4,
  lr: 0.5,
  sigma: 0,
  batchSize: 1,
  tMax: 2000,
  recordEvery: 1,
  recordScale: 'log',
  recordPoints: 200,
  seed: 0,
  teacherScale: 1,
  studentScale: 1e-3,
  studentVScale: 0,
  vTeacher: 'ones',
  trainSecondLayer: true,
  testSamples: 0,
};

export class ConfigError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`config.${field}: ${message}`);
    this.name = 'ConfigError';
  }
}

/** `$schema` lets editors validate a config against the generated JSON Schema. */
const KNOWN_FIELDS = new Set<string>([...Object.keys(DEFAULT_CONFIG), ...OPTIONAL_FIELDS, '$schema', '$comment', 'description']);

/**
 * Physical ranges of the numeric fields (inclusive), checked at the boundary so a run never
 * starts from a state that is meaningless or already saturated:
 * - scales ≤ 100: Q_kk = scale² would start at or beyond the divergence bound Q ≤ 10⁴
 *   (src/model/divergence.ts, Q_DIVERGENCE_BOUND), where erf units are saturated;
 * - |v|, |v*| ≤ 100, σ ≤ 100, η ≤ 1000: far beyond the stability limit (η of order π√3 for the
 *   soft committee machine, Saad & Solla 1995 Sec. IV), where every run diverges at once;
 * - sizes: N ≤ 10¹², K, M ≤ 10⁶, B ≤ 10⁶ — the resource guard (src/resources.ts) then bounds
 *   what a given machine can hold; tMax·N ≤ 2⁵³ so step counts stay exact integers.
 */
export const FIELD_RANGES = {
  N: { min: 1, max: 1e12, integer: true },
  K: { min: 1, max: 1e6, integer: true },
  M: { min: 1, max: 1e6, integer: true },
  lr: { min: 0, exclusiveMin: true, max: 1e3 },
  lr2: { min: 0, exclusiveMin: true, max: 1e3 },
  weightDecay: { min: 0, max: 1e3 },
  sigma: { min: 0, max: 100 },
  batchSize: { min: 1, max: 1e6, integer: true },
  tMax: { min: 0, exclusiveMin: true, max: 1e300 },
  recordEvery: { min: 0, exclusiveMin: true, max: 1e300 },
  recordPoints: { min: 2, max: 1e7, integer: true },
  teacherScale: { min: 0, exclusiveMin: true, max: 100 },
  studentScale: { min: 0, max: 100 },
  studentVScale: { min: 0, max: 100 },
  testSamples: { min: 0, max: 1e9, integer: true },
} as const satisfies Record<string, { min: number; max: number; exclusiveMin?: boolean; integer?: boolean }>;

/** Largest |v|, |v*| entry accepted (see FIELD_RANGES). */
const MAX_SECOND_LAYER = 100;
/** Largest step count tMax·N: beyond 2⁵³ doubles no longer hold every integer. */
export const MAX_STEPS_EXACT = 2 ** 53;

/** A value as the user wrote it (JSON.stringify would print Infinity and NaN as null). */
export function describeValue(x: unknown): string {
  if (typeof x === 'number' && !Number.isFinite(x)) return String(x);
  if (x === undefined) return 'nothing';
  const s = JSON.stringify(x);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function notFinite(field: string, x: number): ConfigError {
  return new ConfigError(field, `must be finite, got ${describeValue(x)}${Number.isNaN(x) ? '' : ' (too large for a double)'}`);
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** A numeric field checked against its FIELD_RANGES entry. */
function rangedNumber(raw: Record<string, unknown>, field: keyof typeof FIELD_RANGES): number {
  const r: { min: number; max: number; exclusiveMin?: boolean; integer?: boolean } = FIELD_RANGES[field];
  const x = raw[field];
  const kind = r.integer ? 'an integer' : 'a number';
  if (typeof x !== 'number') throw new ConfigError(field, `must be ${r.integer ? 'an integer' : 'a finite number'} ≥ ${r.min}, got ${describeValue(x)}`);
  if (!Number.isFinite(x)) throw notFinite(field, x);
  if (r.integer && !Number.isInteger(x)) throw new ConfigError(field, `must be an integer ≥ ${r.min}, got ${x}`);
  if (r.exclusiveMin ? !(x > r.min) : !(x >= r.min)) throw new ConfigError(field, `must be ${r.integer ? 'an integer ' : ''}${r.exclusiveMin ? '>' : '≥'} ${r.min}, got ${x}`);
  if (x > r.max) throw new ConfigError(field, `must be ${kind} ≤ ${r.max}, got ${x}`);
  return x;
}

function finiteEntry(x: unknown, field: string, maxAbs: number): number {
  if (typeof x !== 'number') throw new ConfigError(field, `must be a finite number, got ${describeValue(x)}`);
  if (!Number.isFinite(x)) throw notFinite(field, x);
  if (Math.abs(x) > maxAbs) throw new ConfigError(field, `must be at most ${maxAbs} in absolute value, got ${x}`);
  return x;
}

function matrix(raw: unknown, field: string, rows: number, cols: number, maxAbs: number): number[][] {
  if (!Array.isArray(raw) || raw.length !== rows) {
    throw new ConfigError(field, `must be a ${rows}×${cols} array of numbers, got ${describeValue(raw)}`);
  }
  return raw.map((row, i) => {
    if (!Array.isArray(row) || row.length !== cols) throw new ConfigError(`${field}[${i}]`, `must be an array of ${cols} numbers, got ${describeValue(row)}`);
    return row.map((x, j) => finiteEntry(x, `${field}[${i}][${j}]`, maxAbs));
  });
}

function vector(raw: unknown, field: string, n: number, maxAbs: number): number[] {
  if (!Array.isArray(raw) || raw.length !== n) throw new ConfigError(field, `must be an array of ${n} numbers, got ${describeValue(raw)}`);
  return raw.map((x, i) => finiteEntry(x, `${field}[${i}]`, maxAbs));
}

function checkSymmetric(m: number[][], field: string): void {
  for (let i = 0; i < m.length; i++)
    for (let j = 0; j < i; j++)
      if (Math.abs(m[i][j] - m[j][i]) > 1e-12 * (1 + Math.abs(m[i][j]))) {
        throw new ConfigError(field, `must be symmetric (entries [${i}][${j}] and [${j}][${i}] differ)`);
      }
}

/** Validate a parsed JSON value into a complete RunConfig (defaults filled in). */
export function validateConfig(input: unknown): RunConfig {
  if (!isPlainObject(input)) throw new ConfigError('(root)', 'must be a JSON object');
  for (const key of Object.keys(input)) {
    if (!KNOWN_FIELDS.has(key)) throw new ConfigError(key, 'unknown field');
  }
  const raw: Record<string, unknown> = { ...DEFAULT_CONFIG, ...input };

  if (raw.model !== 'soft-committee' && raw.model !== 'two-layer') {
    throw new ConfigError('model', `must be "soft-committee" or "two-layer", got ${JSON.stringify(raw.model)}`);
  }
  const model = raw.model;
  const N = rangedNumber(raw, 'N');
  const K = rangedNumber(raw, 'K');
  const M = rangedNumber(raw, 'M');
  const lr = rangedNumber(raw, 'lr');
  const sigma = rangedNumber(raw, 'sigma');
  const batchSize = rangedNumber(raw, 'batchSize');
  const tMax = rangedNumber(raw, 'tMax');
  if (tMax * N > MAX_STEPS_EXACT) {
    throw new ConfigError('tMax', `tMax·N = ${(tMax * N).toPrecision(3)} steps exceeds 2^53 (step counts must be exact integers); got tMax = ${tMax} with N = ${N}`);
  }
  const recordEvery = rangedNumber(raw, 'recordEvery');
  if (recordEvery > tMax) throw new ConfigError('recordEvery', `must be ≤ tMax (${tMax}), got ${recordEvery}`);
  if (raw.recordScale !== 'linear' && raw.recordScale !== 'log') {
    throw new ConfigError('recordScale', `must be "linear" or "log", got ${JSON.stringify(raw.recordScale)}`);
  }
  const recordPoints = rangedNumber(raw, 'recordPoints');
  if (!(typeof raw.seed === 'string' || (typeof raw.seed === 'number' && Number.isSafeInteger(raw.seed)))) {
    throw new ConfigError('seed', `must be an integer (|seed| < 2^53) or a string, got ${describeValue(raw.seed)}`);
  }
  const teacherScale = rangedNumber(raw, 'teacherScale');
  const studentScale = rangedNumber(raw, 'studentScale');
  const studentVScale = rangedNumber(raw, 'studentVScale');
  let vTeacher: 'ones' | number[];
  if (raw.vTeacher === 'ones') vTeacher = 'ones';
  else if (typeof raw.vTeacher === 'string') throw new ConfigError('vTeacher', `must be "ones" or an array of ${M} numbers, got ${describeValue(raw.vTeacher)}`);
  else vTeacher = vector(raw.vTeacher, 'vTeacher', M, MAX_SECOND_LAYER);
  if (model === 'soft-committee' && vTeacher !== 'ones') {
    throw new ConfigError('vTeacher', 'must be "ones" for the soft committee machine');
  }
  if (typeof raw.trainSecondLayer !== 'boolean') {
    throw new ConfigError('trainSecondLayer', `must be true or false, got ${JSON.stringify(raw.trainSecondLayer)}`);
  }
  const testSamples = rangedNumber(raw, 'testSamples');
  if (raw.activation !== undefined && !isActivationName(raw.activation)) {
    throw new ConfigError('activation', `must be one of ${ACTIVATION_NAMES.map((a) => JSON.stringify(a)).join(', ')}, got ${describeValue(raw.activation)}`);
  }
  const activation = raw.activation === undefined || raw.activation === DEFAULT_ACTIVATION ? undefined : (raw.activation as ActivationName);
  const weightDecay = raw.weightDecay === undefined ? 0 : rangedNumber(raw, 'weightDecay');
  let lr2: number | undefined;
  if (raw.lr2 !== undefined) {
    lr2 = rangedNumber(raw, 'lr2');
    if (model !== 'two-layer') throw new ConfigError('lr2', 'applies to a trained second layer only: the soft committee machine keeps v = 1 (use model "two-layer")');
    if (raw.trainSecondLayer !== true) throw new ConfigError('lr2', 'applies to a trained second layer only, but trainSecondLayer is false');
  }

  const teachers = validateTeachers(raw.teachers, model, M);
  const P = teachers?.length ?? 1;
  const schedule = validateSchedule(raw.schedule, P, tMax, N);
  if (raw.heads !== undefined && raw.heads !== 'single' && raw.heads !== 'multi') {
    throw new ConfigError('heads', `must be "single" or "multi", got ${describeValue(raw.heads)}`);
  }
  const heads = raw.heads === 'multi' ? 'multi' : undefined;
  if (heads && (model !== 'two-layer' || raw.trainSecondLayer !== true)) {
    throw new ConfigError('heads', '"multi" gives each teacher its own trained second layer: it needs model "two-layer" with trainSecondLayer');
  }
  // Overlaps with every teacher's units, in teacher order (R is K×ΣM, T is ΣM×ΣM).
  const MT = M * P;

  let init: InitOrderParams | undefined;
  if (raw.init !== undefined) {
    if (!isPlainObject(raw.init)) throw new ConfigError('init', 'must be an object {Q, R, T, v?, vTeacher?}');
    for (const key of Object.keys(raw.init)) {
      if (!['Q', 'R', 'T', 'v', 'vTeacher'].includes(key)) throw new ConfigError(`init.${key}`, 'unknown field');
    }
    for (const key of ['Q', 'R', 'T'] as const) if (raw.init[key] === undefined) throw new ConfigError(`init.${key}`, 'is required when init is given');
    // Overlaps beyond the divergence bound 10⁴ start saturated (see FIELD_RANGES).
    const Q = matrix(raw.init.Q, 'init.Q', K, K, 1e4);
    const R = matrix(raw.init.R, 'init.R', K, MT, 1e4);
    const T = matrix(raw.init.T, 'init.T', MT, MT, 1e4);
    checkSymmetric(Q, 'init.Q');
    checkSymmetric(T, 'init.T');
    const v = raw.init.v === undefined ? undefined : vector(raw.init.v, 'init.v', K, MAX_SECOND_LAYER);
    const vt = raw.init.vTeacher === undefined ? undefined : vector(raw.init.vTeacher, 'init.vTeacher', MT, MAX_SECOND_LAYER);
    if (model === 'soft-committee') {
      if (v && v.some((x) => x !== 1)) throw new ConfigError('init.v', 'must be all ones for the soft committee machine');
      if (vt && vt.some((x) => x !== 1)) {
        throw new ConfigError('init.vTeacher', 'must be all ones for the soft committee machine');
      }
    }
    // Q, R, T are overlaps of real weight vectors only if the whole Gram matrix is PSD.
    if (!isPositiveSemiDefiniteLoose(Q)) throw new ConfigError('init.Q', 'must be positive semi-definite (it is the Gram matrix WWᵀ/N)');
    if (!isPositiveSemiDefiniteLoose(T)) throw new ConfigError('init.T', 'must be positive semi-definite (it is the Gram matrix W*W*ᵀ/N)');
    const G = gramMatrix(Q, R, T);
    if (!isPositiveSemiDefiniteLoose(G)) {
      throw new ConfigError('init', `[[Q, R], [Rᵀ, T]] must be positive semi-definite (overlaps of real weight vectors); smallest eigenvalue ${smallestEigenvalue(G).toPrecision(3)}`);
    }
    init = { Q, R, T, v, vTeacher: vt };
  }

  return {
    model,
    N,
    K,
    M,
    lr,
    sigma,
    batchSize,
    tMax,
    recordEvery,
    recordScale: raw.recordScale,
    recordPoints,
    seed: raw.seed as number | string,
    teacherScale,
    studentScale,
    studentVScale,
    vTeacher,
    trainSecondLayer: model === 'two-layer' ? raw.trainSecondLayer : false,
    testSamples,
    init,
    ...(activation === undefined ? {} : { activation }),
    ...(weightDecay === 0 ? {} : { weightDecay }),
    ...(lr2 === undefined || lr2 === lr ? {} : { lr2 }),
    ...(teachers === undefined ? {} : { teachers }),
    ...(schedule === undefined ? {} : { schedule }),
    ...(heads === undefined ? {} : { heads }),
  };
}

/**
 * `teachers`: a list whose entry 0 is {} (the config's own teacher); later entries may set
 * featureSimilarity ∈ [0, 1] and vTeacher. A list of one is the default and is left out.
 */
function validateTeachers(raw: unknown, model: ModelKind, M: number): TeacherSpec[] | undefined {
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw) || raw.length === 0) throw new ConfigError('teachers', `must be a non-empty list of teachers, got ${describeValue(raw)}`);
  if (raw.length > MAX_TEACHERS) throw new ConfigError('teachers', `at most ${MAX_TEACHERS} teachers, got ${raw.length}`);
  const out = raw.map((t, p): TeacherSpec => {
    const at = `teachers[${p}]`;
    if (!isPlainObject(t)) throw new ConfigError(at, `must be an object {featureSimilarity?, vTeacher?}, got ${describeValue(t)}`);
    for (const key of Object.keys(t)) if (key !== 'featureSimilarity' && key !== 'vTeacher') throw new ConfigError(`${at}.${key}`, 'unknown field');
    if (p === 0 && Object.keys(t).length > 0) throw new ConfigError(`${at}`, 'is the config\'s own teacher (set teacherScale and vTeacher instead): write {}');
    const spec: TeacherSpec = {};
    if (t.featureSimilarity !== undefined) {
      const a = finiteEntry(t.featureSimilarity, `${at}.featureSimilarity`, Infinity);
      if (!(a >= 0 && a <= 1)) throw new ConfigError(`${at}.featureSimilarity`, `must be in [0, 1], got ${a}`);
      spec.featureSimilarity = a;
    }
    if (t.vTeacher !== undefined) {
      if (t.vTeacher === 'ones') spec.vTeacher = 'ones';
      else if (typeof t.vTeacher === 'string') throw new ConfigError(`${at}.vTeacher`, `must be "ones" or an array of ${M} numbers, got ${describeValue(t.vTeacher)}`);
      else spec.vTeacher = vector(t.vTeacher, `${at}.vTeacher`, M, MAX_SECOND_LAYER);
      if (model === 'soft-committee' && spec.vTeacher !== 'ones') throw new ConfigError(`${at}.vTeacher`, 'must be "ones" for the soft committee machine');
    }
    return spec;
  });
  return out.length === 1 ? undefined : out;
}

/**
 * `schedule`: phases in time order, each {teacher, until}; `until` strictly increasing, each
 * phase at least one SGD step long, and the last ending at tMax. One phase on teacher 0 is the
 * default and is left out.
 */
function validateSchedule(raw: unknown, teachers: number, tMax: number, N: number): SchedulePhase[] | undefined {
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw) || raw.length === 0) throw new ConfigError('schedule', `must be a non-empty list of phases {teacher, until}, got ${describeValue(raw)}`);
  let prevStep = 0;
  const out = raw.map((ph, i): SchedulePhase => {
    const at = `schedule[${i}]`;
    if (!isPlainObject(ph)) throw new ConfigError(at, `must be an object {teacher, until}, got ${describeValue(ph)}`);
    for (const key of Object.keys(ph)) if (key !== 'teacher' && key !== 'until') throw new ConfigError(`${at}.${key}`, 'unknown field');
    const teacher = ph.teacher;
    if (typeof teacher !== 'number' || !Number.isInteger(teacher) || teacher < 0) throw new ConfigError(`${at}.teacher`, `must be a teacher index (an integer ≥ 0), got ${describeValue(teacher)}`);
    if (teacher >= teachers) throw new ConfigError(`${at}.teacher`, `unknown teacher ${teacher}: ${teachers === 1 ? 'only teacher 0 exists (list more in teachers)' : `teachers has ${teachers} entries (0…${teachers - 1})`}`);
    if (ph.until === undefined) throw new ConfigError(`${at}.until`, 'is required');
    const until = finiteEntry(ph.until, `${at}.until`, Infinity);
    if (until > tMax) throw new ConfigError(`${at}.until`, `must be ≤ tMax (${tMax}), got ${until}`);
    const step = Math.round(until * N);
    if (!(step > prevStep)) throw new ConfigError(`${at}.until`, i === 0 ? `must be > 0 by at least one step (1/N = ${1 / N}), got ${until}` : `phases must be in time order and at least one step (1/N) long: ${until} does not come after ${(raw[i - 1] as SchedulePhase).until}`);
    prevStep = step;
    return { teacher, until };
  });
  if (prevStep !== Math.round(tMax * N)) throw new ConfigError(`schedule[${out.length - 1}].until`, `the last phase must end at tMax = ${tMax}, got ${out[out.length - 1].until}`);
  return out.length === 1 && out[0].teacher === 0 ? undefined : out;
}

/** G = [[Q, R], [Rᵀ, T]], the Gram matrix of the K + M weight vectors (divided by N). */
function gramMatrix(Q: number[][], R: number[][], T: number[][]): number[][] {
  const K = Q.length;
  const M = T.length;
  return [...Q.map((row, i) => [...row, ...R[i]]), ...T.map((row, n) => [...R.map((r) => r[n]), ...row])].map((r) => r.slice(0, K + M));
}

/**
 * Smallest eigenvalue of a symmetric matrix, for the error message: the largest shift s with
 * G − s·I positive definite, by bisection with Cholesky (λ_min lies in ±max row sum, by
 * Gershgorin). Keeps the CLI free of a linear-algebra dependency (startup time).
 */
function smallestEigenvalue(G: number[][]): number {
  const n = G.length;
  const bound = Math.max(...G.map((row) => row.reduce((a, x) => a + Math.abs(x), 0)));
  let lo = -bound - 1;
  let hi = bound + 1;
  for (let it = 0; it < 100 && hi - lo > 1e-12 * (1 + bound); it++) {
    const mid = (lo + hi) / 2;
    if (choleskySucceeds(G.flat().map((x, idx) => (idx % (n + 1) === 0 ? x - mid : x)), n)) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** Q with a zero diagonal (a student started at W = 0) is allowed: PSD up to a tiny ridge. */
function isPositiveSemiDefiniteLoose(Q: number[][]): boolean {
  const n = Q.length;
  const scale = Math.max(1e-300, ...Q.map((r, i) => Math.abs(r[i])));
  const ridged = Q.flat().map((x, idx) => x + (idx % (n + 1) === 0 ? 1e-9 * scale + 1e-300 : 0));
  return choleskySucceeds(ridged, n);
}

/** Hidden-unit count L = K + M etc. are derived; the vTeacher vector is resolved here. */
export function teacherSecondLayer(config: RunConfig): Float64Array {
  return config.vTeacher === 'ones' ? new Float64Array(config.M).fill(1) : Float64Array.from(config.vTeacher);
}
