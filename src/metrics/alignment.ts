/**
 * Theory–simulation alignment metrics, as in the blog's Figure 2: for each record, the
 * cosine similarity (Frobenius inner product over the norms) between simulated and
 * theoretical Q, R and v, and the discrepancy of ε_g (absolute and log-ratio).
 */
import type { Trajectory } from '../trajectory.ts';

/** ⟨A, B⟩_F / (‖A‖_F ‖B‖_F); 1 when both are zero (identical), 0 when exactly one is. */
export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`cosineSimilarity: length ${a.length} ≠ ${b.length}`);
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  if (aa === 0 && bb === 0) return 1;
  if (aa === 0 || bb === 0) return 0;
  return ab / Math.sqrt(aa * bb);
}

export interface AlignmentSeries {
  t: number[];
  alignQ: number[];
  alignR: number[];
  alignV: number[];
  egAbsError: number[];
  /** log(ε_sim/ε_ode), natural log; null where either ε is below the floor. */
  egLogRatio: (number | null)[];
}

export interface AlignmentSummary {
  minAlignQ: number;
  minAlignR: number;
  minAlignV: number;
  /**
   * The same minima after relabelling the simulation's student units by the one permutation
   * that best matches its final R to the theory's final R. The dynamics is symmetric under
   * relabelling students; at finite N a run can leave a symmetric plateau into an equivalent
   * assignment of students to teachers that differs from its ODE's, which the raw cosine
   * counts as a disagreement.
   */
  minAlignQMatched: number;
  minAlignRMatched: number;
  minAlignVMatched: number;
  /** Minima over the self-averaging phase only (records before 0.8 × the earlier escape time). */
  minAlignQPreEscape: number;
  minAlignRPreEscape: number;
  minAlignVPreEscape: number;
  /** The permutation used: simulation unit perm[i] plays theory unit i. */
  studentPermutation: number[];
  /** max over records of |log(ε_sim/ε_ode)| where both ε ≥ egFloor. */
  maxAbsLogRatio: number;
  /**
   * The same, only over records before 0.8 × the earlier of the two escape times (all records
   * if neither escapes): the self-averaging phase, where ε_sim − ε_ode is an O(1/√N)
   * fluctuation. After that, the escape from a symmetric plateau happens at a random time at
   * finite N, and on a steep drop a small time shift gives a large log-ratio.
   */
  maxAbsLogRatioPreEscape: number;
  egFloor: number;
  escapeThreshold: number;
  /** First time ε_g falls below escapeThreshold (log-interpolated), or null if never. */
  escapeTimeSim: number | null;
  escapeTimeOde: number | null;
  finalEgSim: number;
  finalEgOde: number;
}

export interface AlignmentOptions {
  /** ε_g values below this are numerical zero for log-ratios (default 1e-5). */
  egFloor?: number;
  /** ε_g level whose first crossing defines the plateau-escape time (default 1e-2). */
  escapeThreshold?: number;
}

function assertSameGrid(sim: Trajectory, ode: Trajectory): void {
  if (sim.steps.length !== ode.steps.length || sim.steps.some((s, i) => s !== ode.steps[i])) {
    throw new Error('alignment: simulation and theory must be recorded at the same steps');
  }
}

export function alignmentSeries(sim: Trajectory, ode: Trajectory, egFloor = 1e-5): AlignmentSeries {
  assertSameGrid(sim, ode);
  const out: AlignmentSeries = { t: sim.t.slice(), alignQ: [], alignR: [], alignV: [], egAbsError: [], egLogRatio: [] };
  for (let j = 0; j < sim.t.length; j++) {
    out.alignQ.push(cosineSimilarity(sim.Q[j].flat(), ode.Q[j].flat()));
    out.alignR.push(cosineSimilarity(sim.R[j].flat(), ode.R[j].flat()));
    out.alignV.push(cosineSimilarity(sim.v[j], ode.v[j]));
    out.egAbsError.push(Math.abs(sim.eg[j] - ode.eg[j]));
    const ok = sim.eg[j] >= egFloor && ode.eg[j] >= egFloor;
    out.egLogRatio.push(ok ? Math.log(sim.eg[j] / ode.eg[j]) : null);
  }
  return out;
}

/** First time a series falls below `threshold`, interpolated linearly in (t, log ε). */
export function escapeTime(t: number[], eg: number[], threshold: number): number | null {
  for (let j = 0; j < eg.length; j++) {
    if (eg[j] < threshold) {
      if (j === 0) return t[0];
      const l0 = Math.log(eg[j - 1]);
      const l1 = Math.log(Math.max(eg[j], 1e-300));
      const f = (l0 - Math.log(threshold)) / (l0 - l1);
      return t[j - 1] + f * (t[j] - t[j - 1]);
    }
  }
  return null;
}

function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  return permutations(n - 1).flatMap((p) => Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)]));
}

/** Permutation π of the simulation's students maximizing cos(R_sim[π], R_ode) at the last record (K ≤ 8). */
export function bestStudentPermutation(sim: Trajectory, ode: Trajectory): number[] {
  const last = sim.R.length - 1;
  const K = sim.K;
  if (K > 8) return [...Array(K).keys()];
  let best = [...Array(K).keys()];
  let bestScore = -Infinity;
  for (const perm of permutations(K)) {
    const score = cosineSimilarity(perm.flatMap((i) => sim.R[last][i]), ode.R[last].flat());
    if (score > bestScore + 1e-12) {
      bestScore = score;
      best = perm;
    }
  }
  return best;
}

/** The simulation with its student units relabelled: unit perm[i] becomes unit i. */
export function permuteStudents(sim: Trajectory, perm: number[]): Trajectory {
  return {
    ...sim,
    Q: sim.Q.map((q) => perm.map((i) => perm.map((k) => q[i][k]))),
    R: sim.R.map((r) => perm.map((i) => r[i])),
    v: sim.v.map((v) => perm.map((i) => v[i])),
  };
}

export function alignmentSummary(sim: Trajectory, ode: Trajectory, options: AlignmentOptions = {}): AlignmentSummary {
  const egFloor = options.egFloor ?? 1e-5;
  const escapeThreshold = options.escapeThreshold ?? 1e-2;
  const s = alignmentSeries(sim, ode, egFloor);
  const perm = bestStudentPermutation(sim, ode);
  const m = alignmentSeries(permuteStudents(sim, perm), ode, egFloor);
  const ratios = s.egLogRatio.filter((x): x is number => x !== null).map(Math.abs);
  const escapeTimeSim = escapeTime(sim.t, sim.eg, escapeThreshold);
  const escapeTimeOde = escapeTime(ode.t, ode.eg, escapeThreshold);
  const escapes = [escapeTimeSim, escapeTimeOde].filter((x): x is number => x !== null);
  const cutoff = escapes.length ? 0.8 * Math.min(...escapes) : Infinity;
  const pre = s.egLogRatio.filter((x, j): x is number => x !== null && s.t[j] < cutoff).map(Math.abs);
  const preMin = (xs: number[]) => Math.min(...xs.filter((_, j) => s.t[j] < cutoff));
  return {
    minAlignQ: Math.min(...s.alignQ),
    minAlignR: Math.min(...s.alignR),
    minAlignV: Math.min(...s.alignV),
    minAlignQMatched: Math.min(...m.alignQ),
    minAlignRMatched: Math.min(...m.alignR),
    minAlignVMatched: Math.min(...m.alignV),
    studentPermutation: perm,
    minAlignQPreEscape: preMin(s.alignQ),
    minAlignRPreEscape: preMin(s.alignR),
    minAlignVPreEscape: preMin(s.alignV),
    maxAbsLogRatio: ratios.length ? Math.max(...ratios) : 0,
    maxAbsLogRatioPreEscape: pre.length ? Math.max(...pre) : 0,
    egFloor,
    escapeThreshold,
    escapeTimeSim,
    escapeTimeOde,
    finalEgSim: sim.eg[sim.eg.length - 1],
    finalEgOde: ode.eg[ode.eg.length - 1],
  };
}

/**
 * The trajectory as seen from teacher q of a several-teacher run: ε_g on q, R and T restricted
 * to q's M units, and the head that serves q. The alignment metrics of one task are the
 * metrics of this view.
 */
export function teacherView(traj: Trajectory, q: number, M: number): Trajectory {
  if (!traj.egTeachers) throw new Error('teacherView: the trajectory has one teacher');
  const cols = (row: number[]) => row.slice(q * M, (q + 1) * M);
  const view: Trajectory = {
    ...traj,
    M,
    eg: traj.egTeachers[q],
    R: traj.R.map((r) => r.map(cols)),
    T: traj.T.slice(q * M, (q + 1) * M).map(cols),
    vTeacher: cols(traj.vTeacher),
    v: traj.heads ? traj.heads.map((h) => h[q]) : traj.v,
  };
  delete view.egTeachers;
  delete view.heads;
  delete view.egTest;
  return view;
}
