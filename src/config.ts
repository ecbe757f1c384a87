/**
 * Run configuration: the typed shape shared by the ODE, SGD and sampler engines, and its
 * validation at the boundary (CLI, pipeline). Every error names the offending field in one
 * line, so a researcher editing a JSON config sees exactly what to fix.
 */

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

const KNOWN_FIELDS = new Set<string>([...Object.keys(DEFAULT_CONFIG), 'init', '$schema', '$comment', 'description']);

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function positiveInt(raw: Record<string, unknown>, field: string, min = 1): number {
  const x = raw[field];
  if (typeof x !== 'number' || !Number.isInteger(x) || x < min) {
    throw new ConfigError(field, `must be an integer ≥ ${min}, got ${JSON.stringify(x)}`);
  }
  return x;
}

function finiteNumber(raw: Record<string, unknown>, field: string, opts: { min?: number; exclusiveMin?: boolean }): number {
  const x = raw[field];
  if (typeof x !== 'number' || !Number.isFinite(x)) {
    throw new ConfigError(field, `must be a finite number, got ${JSON.stringify(x)}`);
  }
  if (opts.min !== undefined) {
    if (opts.exclusiveMin ? !(x > opts.min) : !(x >= opts.min)) {
      throw new ConfigError(field, `must be ${opts.exclusiveMin ? '>' : '≥'} ${opts.min}, got ${x}`);
    }
  }
  return x;
}

function matrix(raw: unknown, field: string, rows: number, cols: number): number[][] {
  if (!Array.isArray(raw) || raw.length !== rows) {
    throw new ConfigError(field, `must be a ${rows}×${cols} array of numbers`);
  }
  return raw.map((row, i) => {
    if (!Array.isArray(row) || row.length !== cols || !row.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      throw new ConfigError(`${field}[${i}]`, `must be an array of ${cols} finite numbers`);
    }
    return row as number[];
  });
}

function vector(raw: unknown, field: string, n: number): number[] {
  if (!Array.isArray(raw) || raw.length !== n || !raw.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    throw new ConfigError(field, `must be an array of ${n} finite numbers`);
  }
  return raw as number[];
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
  const N = positiveInt(raw, 'N');
  const K = positiveInt(raw, 'K');
  const M = positiveInt(raw, 'M');
  const lr = finiteNumber(raw, 'lr', { min: 0, exclusiveMin: true });
  const sigma = finiteNumber(raw, 'sigma', { min: 0 });
  const batchSize = positiveInt(raw, 'batchSize');
  const tMax = finiteNumber(raw, 'tMax', { min: 0, exclusiveMin: true });
  const recordEvery = finiteNumber(raw, 'recordEvery', { min: 0, exclusiveMin: true });
  if (recordEvery > tMax) throw new ConfigError('recordEvery', `must be ≤ tMax (${tMax}), got ${recordEvery}`);
  if (raw.recordScale !== 'linear' && raw.recordScale !== 'log') {
    throw new ConfigError('recordScale', `must be "linear" or "log", got ${JSON.stringify(raw.recordScale)}`);
  }
  const recordPoints = positiveInt(raw, 'recordPoints', 2);
  if (!(typeof raw.seed === 'string' || (typeof raw.seed === 'number' && Number.isInteger(raw.seed)))) {
    throw new ConfigError('seed', `must be an integer or a string, got ${JSON.stringify(raw.seed)}`);
  }
  const teacherScale = finiteNumber(raw, 'teacherScale', { min: 0, exclusiveMin: true });
  const studentScale = finiteNumber(raw, 'studentScale', { min: 0 });
  const studentVScale = finiteNumber(raw, 'studentVScale', { min: 0 });
  let vTeacher: 'ones' | number[];
  if (raw.vTeacher === 'ones') vTeacher = 'ones';
  else vTeacher = vector(raw.vTeacher, 'vTeacher', M);
  if (model === 'soft-committee' && vTeacher !== 'ones') {
    throw new ConfigError('vTeacher', 'must be "ones" for the soft committee machine');
  }
  if (typeof raw.trainSecondLayer !== 'boolean') {
    throw new ConfigError('trainSecondLayer', `must be true or false, got ${JSON.stringify(raw.trainSecondLayer)}`);
  }
  const testSamples = positiveInt(raw, 'testSamples', 0);

  let init: InitOrderParams | undefined;
  if (raw.init !== undefined) {
    if (!isPlainObject(raw.init)) throw new ConfigError('init', 'must be an object {Q, R, T, v?, vTeacher?}');
    for (const key of Object.keys(raw.init)) {
      if (!['Q', 'R', 'T', 'v', 'vTeacher'].includes(key)) throw new ConfigError(`init.${key}`, 'unknown field');
    }
    const Q = matrix(raw.init.Q, 'init.Q', K, K);
    const R = matrix(raw.init.R, 'init.R', K, M);
    const T = matrix(raw.init.T, 'init.T', M, M);
    checkSymmetric(Q, 'init.Q');
    checkSymmetric(T, 'init.T');
    const v = raw.init.v === undefined ? undefined : vector(raw.init.v, 'init.v', K);
    const vt = raw.init.vTeacher === undefined ? undefined : vector(raw.init.vTeacher, 'init.vTeacher', M);
    if (model === 'soft-committee') {
      if (v && v.some((x) => x !== 1)) throw new ConfigError('init.v', 'must be all ones for the soft committee machine');
      if (vt && vt.some((x) => x !== 1)) {
        throw new ConfigError('init.vTeacher', 'must be all ones for the soft committee machine');
      }
    }
    if (!isPositiveSemiDefiniteLoose(Q)) {
      throw new ConfigError('init.Q', 'must be positive semi-definite');
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
  };
}

/** Cholesky succeeds ⇒ positive definite. */
function isPositiveDefinite(flat: number[], n: number): boolean {
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = flat[i * n + j];
      for (let k = 0; k < j; k++) s -= L[i * n + k] * L[j * n + k];
      if (i === j) {
        if (!(s > 0)) return false;
        L[i * n + i] = Math.sqrt(s);
      } else L[i * n + j] = s / L[j * n + j];
    }
  }
  return true;
}

/** Q with a zero diagonal (a student started at W = 0) is allowed: PSD up to a tiny ridge. */
function isPositiveSemiDefiniteLoose(Q: number[][]): boolean {
  const n = Q.length;
  const scale = Math.max(1e-300, ...Q.map((r, i) => Math.abs(r[i])));
  const ridged = Q.flat().map((x, idx) => x + (idx % (n + 1) === 0 ? 1e-9 * scale + 1e-300 : 0));
  return isPositiveDefinite(ridged, n);
}

/** Hidden-unit count L = K + M etc. are derived; the vTeacher vector is resolved here. */
export function teacherSecondLayer(config: RunConfig): Float64Array {
  return config.vTeacher === 'ones' ? new Float64Array(config.M).fill(1) : Float64Array.from(config.vTeacher);
}
