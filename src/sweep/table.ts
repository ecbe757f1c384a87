/**
 * The sweep's tidy table: one row per run, with its varied parameters, seed, engine and the
 * summary metrics the sweep file asks for (SWEEP_METRICS). Pure functions: trajectories in,
 * rows, CSV and JSON Lines out.
 */
import { alignmentSummary, escapeTime } from '../metrics/alignment.ts';
import { runKeyId, type ParamValue } from '../runs/key.ts';
import type { Trajectory } from '../trajectory.ts';
import type { SweepMetric, SweepRun, SweepSpec } from './spec.ts';

export type Cell = ParamValue | null;
export type SweepRow = Record<string, Cell>;

/** The table's columns: varied fields (file order), seed, engine, then the metrics. */
export function sweepColumns(spec: SweepSpec): string[] {
  return [...spec.axes.flatMap((a) => a.fields), 'seed', 'engine', ...spec.metrics];
}

function metricsOf(run: SweepRun, traj: Trajectory, ode: Trajectory | undefined, spec: SweepSpec): Record<SweepMetric, number | null> {
  const ok = traj.divergedAt === undefined;
  const last = traj.eg.length ? traj.eg[traj.eg.length - 1] : null;
  const values: Record<SweepMetric, number | null> = {
    finalEg: ok ? last : null,
    escapeTime: ok ? escapeTime(traj.t, traj.eg, spec.escapeThreshold) : null,
    divergedAt: ok ? null : (traj.divergedAt as number),
    finalEgOde: null,
    escapeTimeOde: null,
    maxAbsLogRatio: null,
    minAlignQ: null,
    minAlignR: null,
    minAlignV: null,
  };
  // Comparisons need both runs complete on the same record times.
  if (run.engine !== 'ode' && ode && ode.divergedAt === undefined) {
    values.finalEgOde = ode.eg[ode.eg.length - 1];
    values.escapeTimeOde = escapeTime(ode.t, ode.eg, spec.escapeThreshold);
    if (ok) {
      const s = alignmentSummary(traj, ode, { escapeThreshold: spec.escapeThreshold, egFloor: spec.egFloor });
      Object.assign(values, { maxAbsLogRatio: s.maxAbsLogRatio, minAlignQ: s.minAlignQ, minAlignR: s.minAlignR, minAlignV: s.minAlignV });
    }
  }
  // A non-finite number (e.g. no record above the floor gives −∞ as a maximum) has no JSON form.
  for (const m of Object.keys(values) as SweepMetric[]) if (values[m] !== null && !Number.isFinite(values[m])) values[m] = null;
  return values;
}

/** One row per run, in run order; `trajectoryOf` gives each run's result. */
export function sweepRows(spec: SweepSpec, runs: SweepRun[], trajectoryOf: (run: SweepRun) => Trajectory): SweepRow[] {
  const odeById = new Map(runs.filter((r) => r.engine === 'ode').map((r) => [runKeyId(r.key), r]));
  return runs.map((run) => {
    const traj = trajectoryOf(run);
    const odeRun = run.ode ? odeById.get(runKeyId(run.ode)) : undefined;
    const m = metricsOf(run, traj, odeRun && trajectoryOf(odeRun), spec);
    const row: SweepRow = {};
    for (const axis of spec.axes) for (const f of axis.fields) row[f] = f in run.key.params ? run.key.params[f] : null;
    row.seed = run.key.seed;
    row.engine = run.engine;
    for (const metric of spec.metrics) row[metric] = m[metric];
    return row;
  });
}

function csvCell(x: Cell): string {
  if (x === null) return '';
  if (typeof x === 'number' || typeof x === 'boolean') return String(x);
  const s = typeof x === 'string' ? x : JSON.stringify(x);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** RFC 4180 CSV with a header; empty cells are nulls (never computed, or not applicable). */
export function toCsv(columns: string[], rows: SweepRow[]): string {
  return [columns.join(','), ...rows.map((r) => columns.map((c) => csvCell(r[c] ?? null)).join(','))].join('\n') + '\n';
}

/** One JSON object per line, keys in column order. */
export function toJsonLines(columns: string[], rows: SweepRow[]): string {
  return rows.map((r) => JSON.stringify(Object.fromEntries(columns.map((c) => [c, r[c] ?? null])))).join('\n') + (rows.length ? '\n' : '');
}
