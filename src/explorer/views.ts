/**
 * The explorer's plots: Vega-Lite specs over named datasets, and the pure functions that turn
 * (possibly partial, still streaming) trajectories into their rows. The page creates each
 * view once per run and swaps the rows as records arrive.
 */
import { alignmentSeries } from '../metrics/alignment.ts';
import type { Trajectory } from '../trajectory.ts';

export const SOURCES = { theory: { label: 'theory (ODE)', color: '#e45756', dash: [] }, sgd: { label: 'simulation (SGD)', color: '#4c78a8', dash: [4, 2] } } as const;
export type Source = keyof typeof SOURCES;

/** ε_g below this is not drawn on the log axis (floating-point floor of a converged run). */
export const EG_PLOT_FLOOR = 1e-7;

export interface EgRow {
  t: number;
  eg: number;
  source: string;
}

/** ε_g(t) rows of one trajectory; t = 0 and ε_g below the floor cannot sit on log axes. */
export function egRows(traj: Trajectory | undefined, source: Source): EgRow[] {
  if (!traj) return [];
  const rows: EgRow[] = [];
  for (let j = 0; j < traj.t.length; j++) {
    if (traj.t[j] > 0 && traj.eg[j] >= EG_PLOT_FLOOR) rows.push({ t: traj.t[j], eg: traj.eg[j], source: SOURCES[source].label });
  }
  return rows;
}

/** The first `n` records of a trajectory (a prefix of a streaming run). */
export function prefix(traj: Trajectory, n: number): Trajectory {
  const out = { ...traj, t: traj.t.slice(0, n), steps: traj.steps.slice(0, n), eg: traj.eg.slice(0, n), Q: traj.Q.slice(0, n), R: traj.R.slice(0, n), v: traj.v.slice(0, n) };
  if (traj.egTeachers) out.egTeachers = traj.egTeachers.map((e) => e.slice(0, n));
  return out;
}

export interface TaskRow extends EgRow {
  task: string;
}

/**
 * With several teachers (continual learning): ε_g on each task at every record, whichever task
 * is being trained ("task 1" is teacher 0). Empty for a one-teacher run.
 */
export function taskRows(traj: Trajectory | undefined, source: Source): TaskRow[] {
  if (!traj?.egTeachers) return [];
  const rows: TaskRow[] = [];
  traj.egTeachers.forEach((eg, p) => {
    for (let j = 0; j < traj.t.length; j++) {
      if (traj.t[j] > 0 && eg[j] >= EG_PLOT_FLOOR) rows.push({ t: traj.t[j], eg: eg[j], source: SOURCES[source].label, task: `task ${p + 1}` });
    }
  });
  return rows;
}

export interface AlignRow {
  t: number;
  alignment: number;
  quantity: string;
}

/** Cosine alignment of simulated and theoretical Q, R, v over the records both runs have made so far. */
export function alignmentRows(sim: Trajectory | undefined, ode: Trajectory | undefined): AlignRow[] {
  if (!sim || !ode) return [];
  const n = Math.min(sim.t.length, ode.t.length);
  if (n === 0) return [];
  const s = alignmentSeries(prefix(sim, n), prefix(ode, n));
  const rows: AlignRow[] = [];
  const twoLayer = sim.model === 'two-layer';
  for (let j = 0; j < n; j++) {
    if (!(s.t[j] > 0)) continue;
    rows.push({ t: s.t[j], alignment: s.alignQ[j], quantity: 'Q' }, { t: s.t[j], alignment: s.alignR[j], quantity: 'R' });
    if (twoLayer) rows.push({ t: s.t[j], alignment: s.alignV[j], quantity: 'v' });
  }
  return rows;
}

export interface HeatRow {
  panel: string;
  row: number;
  col: number;
  value: number;
}

/** R (K×M) and Q (K×K) of record `j` of each trajectory that has it, as heatmap cells. */
export function heatRows(runs: Partial<Record<Source, Trajectory>>, j: number): HeatRow[] {
  const rows: HeatRow[] = [];
  for (const source of Object.keys(SOURCES) as Source[]) {
    const traj = runs[source];
    if (!traj || j >= traj.t.length) continue;
    const name = source === 'theory' ? 'theory' : 'simulation';
    for (const [matrix, m] of [['R', traj.R[j]], ['Q', traj.Q[j]]] as const) {
      m.forEach((r, i) => r.forEach((value, c) => rows.push({ panel: `${matrix} · ${name}`, row: i, col: c, value })));
    }
  }
  return rows;
}

const sourceScale = {
  domain: Object.values(SOURCES).map((s) => s.label),
  range: Object.values(SOURCES).map((s) => s.color),
};

/** A line chart of one named dataset against t on a log axis. */
function timeLineSpec(data: string, width: number, height: number, encoding: object): object {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    width,
    height,
    data: { name: data },
    mark: { type: 'line', clip: true },
    encoding: { x: { field: 't', type: 'quantitative', scale: { type: 'log', nice: false }, title: 't = steps / N' }, ...encoding },
  };
}

export function egSpec(width: number): object {
  return timeLineSpec('eg', width, 260, {
    y: { field: 'eg', type: 'quantitative', scale: { type: 'log' }, title: 'generalization error ε_g' },
    color: { field: 'source', type: 'nominal', scale: sourceScale, title: null, legend: { orient: 'bottom-left' } },
    strokeDash: { field: 'source', type: 'nominal', scale: { domain: sourceScale.domain, range: Object.values(SOURCES).map((s) => s.dash) }, legend: null },
  });
}

/** ε_g on each task (several teachers): colour by task, dash by source, linear t (the switches are at fixed times). */
export function taskSpec(width: number): object {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    width,
    height: 220,
    data: { name: 'tasks' },
    mark: { type: 'line', clip: true },
    encoding: {
      x: { field: 't', type: 'quantitative', title: 't = steps / N' },
      y: { field: 'eg', type: 'quantitative', scale: { type: 'log' }, title: 'ε_g on each task' },
      color: { field: 'task', type: 'nominal', title: null, scale: { scheme: 'tableau10' }, legend: { orient: 'bottom-left' } },
      strokeDash: { field: 'source', type: 'nominal', title: null, scale: { domain: sourceScale.domain, range: Object.values(SOURCES).map((s) => s.dash) }, legend: { orient: 'bottom-right' } },
      detail: { field: 'source' },
    },
  };
}

export function alignmentSpec(width: number): object {
  return timeLineSpec('align', width, 200, {
    y: { field: 'alignment', type: 'quantitative', scale: { domain: [-0.1, 1.05] }, title: 'cos-alignment sim vs theory' },
    color: { field: 'quantity', type: 'nominal', scale: { domain: ['Q', 'R', 'v'], range: ['#54a24b', '#b279a2', '#f58518'] }, title: null, legend: { orient: 'bottom-left' } },
  });
}

export const HEAT_PANELS = ['R · simulation', 'R · theory', 'Q · simulation', 'Q · theory'] as const;

/** Four heatmaps side by side (hconcat over one named dataset, filtered per panel). */
export function heatmapSpec(): object {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    data: { name: 'heat' },
    hconcat: HEAT_PANELS.map((panel) => ({
      title: { text: panel, fontSize: 12 },
      width: 110,
      height: 110,
      transform: [{ filter: { field: 'panel', equal: panel } }],
      mark: { type: 'rect' },
      encoding: {
        x: { field: 'col', type: 'ordinal', title: panel.startsWith('R') ? 'teacher unit' : 'student unit', axis: { labels: false, ticks: false, domain: false } },
        y: { field: 'row', type: 'ordinal', title: 'student unit', axis: { labels: false, ticks: false, domain: false } },
        color: { field: 'value', type: 'quantitative', title: 'overlap', scale: { scheme: 'redblue', reverse: true, domain: [-1.2, 1.2], clamp: true } },
        tooltip: [{ field: 'panel' }, { field: 'row' }, { field: 'col' }, { field: 'value', format: '.4f' }],
      },
    })),
    resolve: { scale: { color: 'shared' } },
  };
}
