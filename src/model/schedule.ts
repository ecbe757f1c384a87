/**
 * The training protocol of a run: its teachers, the phases of its schedule and the student's
 * heads (config fields teachers, schedule, heads). One place that every engine and the driver
 * (src/drive.ts) read, so a protocol is stated once.
 *
 * Units: the fields of all teachers are laid out in teacher order, M units each, so the overlaps
 * with every teacher form one R (K×ΣM) and one T (ΣM×ΣM), as in the combined-teacher ODE of
 * continual learning (Lee, Goldt & Saxe 2021).
 */
import { teacherSecondLayer, type RunConfig } from '../config.ts';

/** A stretch of training on one teacher: SGD steps fromStep … toStep − 1. */
export interface Phase {
  /** Position in the schedule. */
  index: number;
  /** The teacher trained on. */
  teacher: number;
  fromStep: number;
  toStep: number;
}

export function teacherCount(c: Pick<RunConfig, 'teachers'>): number {
  return c.teachers?.length ?? 1;
}

/** ΣM: the units of all teachers. */
export function teacherUnits(c: Pick<RunConfig, 'teachers' | 'M'>): number {
  return c.M * teacherCount(c);
}

/** The student's heads: one per teacher with heads "multi", else one. */
export function headCount(c: Pick<RunConfig, 'teachers' | 'heads'>): number {
  return c.heads === 'multi' ? teacherCount(c) : 1;
}

/** The head that serves teacher p. */
export function headOf(c: Pick<RunConfig, 'heads'>, teacher: number): number {
  return c.heads === 'multi' ? teacher : 0;
}

/** The phases: the schedule's, or one phase on teacher 0 from t = 0 to tMax. */
export function schedulePhases(c: Pick<RunConfig, 'schedule' | 'tMax' | 'N'>): Phase[] {
  const last = Math.round(c.tMax * c.N);
  if (!c.schedule) return [{ index: 0, teacher: 0, fromStep: 0, toStep: last }];
  let from = 0;
  return c.schedule.map((ph, index) => {
    const to = index === c.schedule!.length - 1 ? last : Math.round(ph.until * c.N);
    const phase = { index, teacher: ph.teacher, fromStep: from, toStep: to };
    from = to;
    return phase;
  });
}

/** The steps at which a phase ends (record times of every engine). */
export function phaseBoundaries(c: Pick<RunConfig, 'schedule' | 'tMax' | 'N'>): number[] {
  return c.schedule ? schedulePhases(c).map((p) => p.toStep) : [];
}

/** Every teacher's second layer, concatenated (ΣM): teacher 0's is the config's vTeacher. */
export function teacherReadouts(c: Pick<RunConfig, 'M' | 'vTeacher' | 'teachers'>): Float64Array {
  const M = c.M;
  const out = new Float64Array(teacherUnits(c));
  const own = teacherSecondLayer(c as RunConfig);
  (c.teachers ?? [{}]).forEach((t, p) => {
    const v = p === 0 || t.vTeacher === undefined ? own : t.vTeacher === 'ones' ? new Float64Array(M).fill(1) : t.vTeacher;
    for (let m = 0; m < M; m++) out[p * M + m] = v[m];
  });
  return out;
}

/**
 * The combined readout with only teacher p's block non-zero: the label of phase p is
 * Σ_m v*_p,m g(ρ_p,m), so in the ODE's Δ = Σ a_u g(u) the other teachers' units have a = 0.
 */
export function activeReadout(all: ArrayLike<number>, M: number, teacher: number, out = new Float64Array(all.length)): Float64Array {
  out.fill(0);
  for (let m = 0; m < M; m++) out[teacher * M + m] = all[teacher * M + m];
  return out;
}
