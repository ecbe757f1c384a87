/**
 * Is this trajectory a result of this run? Checked on every result before it enters the run
 * cache (a worker's reply, a GPU batch, an imported results file) and on every cache entry
 * read, so a wrong shape, an edited record time, a NaN written as null, or another run's
 * result is refused with one line naming what is wrong, instead of reaching a figure or a
 * table. A sha256 only proves a file unchanged since it was written;
 * these checks say whether what was written fits the run.
 *
 * - `trajectoryProblem`: engine, model, K, M, N equal the run's; the record steps are exactly
 *   recordSteps(config) (all of them for a completed run, a prefix for a diverged one, which
 *   has `divergedAt`) and t = steps/N; per record Q is K×K, R K×ΣM, v K (ΣM: every teacher's
 *   units); T is ΣM×ΣM and vTeacher ΣM; egTest present exactly when the run estimates it;
 *   egTeachers (teachers × records) exactly with several teachers, heads (records × teachers × K)
 *   exactly with heads "multi"; every number finite.
 * - `initialStateProblem`: the record at t = 0 is this run's starting point — T equal to the
 *   teacher overlaps its seed (or `init`) gives, and Q, R, v within f32 rounding — so two runs'
 *   results swapped between ids are told apart whenever their starting points differ (another
 *   seed, scale or init). Runs that differ only in η, σ or B start identically and cannot be
 *   told apart without recomputing them.
 */
import type { RunConfig } from '../config.ts';
import { headCount, teacherCount, teacherUnits } from '../model/schedule.ts';
import { recordSteps } from '../recordTimes.ts';
import { initialOrderParams } from '../sim/weights.ts';
import type { Trajectory } from '../trajectory.ts';

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const show = (x: unknown): string => {
  if (typeof x === 'number' && !Number.isFinite(x)) return String(x);
  const s = JSON.stringify(x);
  return s === undefined ? 'missing' : s.length > 40 ? `${s.slice(0, 37)}...` : s;
};

/** Path of the first entry of an r×c matrix that is missing or not finite, or the shape problem. */
function matrixProblem(m: unknown, rows: number, cols: number, path: string): string | null {
  if (!Array.isArray(m) || m.length !== rows) return `${path}: must be ${rows}×${cols}, got ${Array.isArray(m) ? `${m.length} rows` : show(m)}`;
  for (let i = 0; i < rows; i++) {
    const row = m[i];
    if (!Array.isArray(row) || row.length !== cols) return `${path}[${i}]: must have ${cols} entries, got ${Array.isArray(row) ? row.length : show(row)}`;
    for (let j = 0; j < cols; j++) if (typeof row[j] !== 'number' || !Number.isFinite(row[j])) return `${path}[${i}][${j}]: not a finite number (${show(row[j])})`;
  }
  return null;
}

function vectorProblem(v: unknown, n: number, path: string): string | null {
  if (!Array.isArray(v) || v.length !== n) return `${path}: must have ${n} entries, got ${Array.isArray(v) ? v.length : show(v)}`;
  for (let i = 0; i < n; i++) if (typeof v[i] !== 'number' || !Number.isFinite(v[i])) return `${path}[${i}]: not a finite number (${show(v[i])})`;
  return null;
}

/** The first way `value` is not a result of `run`, as a phrase naming the entry; null when it fits. */
export function trajectoryProblem(value: unknown, run: { engine: string; config: RunConfig }): string | null {
  const { config } = run;
  if (!isObj(value)) return `not a trajectory (${show(value)})`;
  const traj = value;
  if (traj.engine !== run.engine) return `engine: ${show(traj.engine)}, but the run's engine is ${run.engine}`;
  const M = teacherUnits(config);
  const P = teacherCount(config);
  const H = headCount(config);
  for (const [f, want] of [['model', config.model], ['K', config.K], ['M', M], ['N', config.N]] as const) if (traj[f] !== want) return `${f}: ${show(traj[f])}, but the run's config has ${show(want)}`;
  const { K, N } = config;
  const diverged = traj.divergedAt !== undefined;
  if (diverged && (typeof traj.divergedAt !== 'number' || !Number.isFinite(traj.divergedAt) || traj.divergedAt < 0)) return `divergedAt: not a time (${show(traj.divergedAt)})`;
  const expected = recordSteps(config);
  if (!Array.isArray(traj.t)) return `t: missing (${show(traj.t)})`;
  const n = traj.t.length;
  if (diverged ? n > expected.length : n !== expected.length) return `t: ${n} records, but the run records ${diverged ? 'at most ' : ''}${expected.length}`;
  const wantTest = run.engine === 'sgd' && config.testSamples > 0;
  const series = ['steps', 'eg', 'Q', 'R', 'v', ...(traj.egTest !== undefined || (wantTest && !diverged) ? ['egTest'] : [])];
  for (const key of series) {
    const s = traj[key];
    if (!Array.isArray(s) || s.length !== n) return `${key}: ${Array.isArray(s) ? `${s.length} records` : show(s)}, but t has ${n}`;
  }
  if (traj.egTest !== undefined && !wantTest) return `egTest: present, but the run estimates no test error (testSamples ${config.testSamples})`;
  if (P > 1) {
    const p = matrixProblem(traj.egTeachers, P, n, 'egTeachers');
    if (p) return p;
  } else if (traj.egTeachers !== undefined) return 'egTeachers: present, but the run has one teacher';
  if (H > 1) {
    if (!Array.isArray(traj.heads) || traj.heads.length !== n) return `heads: ${Array.isArray(traj.heads) ? `${traj.heads.length} records` : show(traj.heads)}, but t has ${n}`;
    for (let i = 0; i < n; i++) {
      const p = matrixProblem(traj.heads[i], H, K, `heads[${i}]`);
      if (p) return p;
    }
  } else if (traj.heads !== undefined) return 'heads: present, but the run has one head';
  const steps = traj.steps as unknown[];
  const t = traj.t as unknown[];
  for (let i = 0; i < n; i++) {
    // Record times are exact: every engine records at steps recordSteps(config) and t = step/N.
    if (steps[i] !== expected[i]) return `steps[${i}]: ${show(steps[i])}, but the run records at step ${expected[i]}`;
    if (t[i] !== expected[i] / N) return `t[${i}]: ${show(t[i])}, but the run's record ${i} is at t = ${expected[i] / N}`;
    for (const key of ['eg', ...(traj.egTest !== undefined ? ['egTest'] : [])]) {
      const x = (traj[key] as unknown[])[i];
      if (typeof x !== 'number' || !Number.isFinite(x)) return `${key}[${i}]: not a finite number (${show(x)})`;
    }
    const p = matrixProblem((traj.Q as unknown[])[i], K, K, `Q[${i}]`) ?? matrixProblem((traj.R as unknown[])[i], K, M, `R[${i}]`) ?? vectorProblem((traj.v as unknown[])[i], K, `v[${i}]`);
    if (p) return p;
  }
  // A run that diverged before its first record may carry no teacher overlaps (engines.ts runEngine).
  const noT = diverged && n === 0 && Array.isArray(traj.T) && traj.T.length === 0;
  if (!noT) {
    const p = matrixProblem(traj.T, M, M, 'T');
    if (p) return p;
  }
  return vectorProblem(traj.vTeacher, M, 'vTeacher');
}

/**
 * Relative tolerance of the t = 0 record of a GPU run against the f64 starting point: its Q,
 * R are f32 dot products of N f32 weights (error ≲ √N·2⁻²⁴ relative ≈ 6·10⁻⁵ at N = 10⁶),
 * while another seed's starting point differs by O(1/√N) ≥ 10⁻³ up to N = 10⁶.
 */
const F32_START_TOLERANCE = 3e-4;
/** T is computed in f64 from the same weights by every engine: equal up to summation order. */
const T_TOLERANCE = 1e-9;

/**
 * Whether the first record of a (structurally valid) trajectory is this run's starting point.
 * Costs one draw of the initial weights, (K+M)·N normals. Null when it is.
 */
export function initialStateProblem(traj: Trajectory, config: RunConfig): string | null {
  const start = initialOrderParams(config);
  const { K, M } = start;
  const T0 = start.T;
  for (let a = 0; a < M; a++)
    for (let b = 0; b < M; b++) {
      const ref = T0[a * M + b];
      const scale = Math.sqrt(Math.abs(T0[a * M + a] * T0[b * M + b]));
      if (Math.abs(traj.T[a][b] - ref) > T_TOLERANCE * scale) return `T[${a}][${b}]: ${traj.T[a][b]}, but this run's teacher has ${ref} (another run's result?)`;
    }
  if (traj.t.length === 0 || traj.steps[0] !== 0) return null;
  const Q = traj.Q[0];
  const R = traj.R[0];
  const v = traj.v[0];
  const q = (k: number, l: number) => start.Q[k * K + l];
  const tol = (x: number, ref: number, scale: number) => Math.abs(x - ref) > F32_START_TOLERANCE * scale + 1e-300;
  for (let k = 0; k < K; k++) {
    for (let l = 0; l < K; l++) if (tol(Q[k][l], q(k, l), Math.sqrt(q(k, k) * q(l, l)))) return `Q[0][${k}][${l}]: ${Q[k][l]}, but this run starts at ${q(k, l)} (another run's result?)`;
    for (let m = 0; m < M; m++) {
      const ref = start.R[k * M + m];
      if (tol(R[k][m], ref, Math.sqrt(q(k, k) * T0[m * M + m]))) return `R[0][${k}][${m}]: ${R[k][m]}, but this run starts at ${ref} (another run's result?)`;
    }
    if (tol(v[k], start.v[k], Math.abs(start.v[k]))) return `v[0][${k}]: ${v[k]}, but this run starts at ${start.v[k]} (another run's result?)`;
  }
  for (let m = 0; m < M; m++) {
    const ref = start.vTeacher[m];
    if (Math.abs(traj.vTeacher[m] - ref) > T_TOLERANCE * Math.abs(ref)) return `vTeacher[${m}]: ${traj.vTeacher[m]}, but this run's teacher has ${ref} (another run's result?)`;
  }
  return null;
}
