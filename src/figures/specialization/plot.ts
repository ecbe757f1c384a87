/**
 * Figure 4's Vega-Lite specs. Static: ε_g with the marked times, and R (student × teacher) and
 * Q (student × student) as heatmaps at those times, simulation beside theory. Interactive: the
 * same heatmaps at any record time, chosen with a slider.
 */
import type { Trajectory } from '../../trajectory.ts';
import { COLORS, egRows, powersOfTen, round, sourceColor, sourceDash, iterationAxis } from '../common.ts';
import type { Preset } from '../types.ts';
import type { SpecializationAnalysis } from './analyse.ts';
import { specializationConfig } from './study.ts';

function matrixRows(traj: Trajectory, j: number, order: number[], source: 'simulation' | 'theory', extra: Record<string, string | number>) {
  const rows: Record<string, string | number>[] = [];
  order.forEach((i, row) => {
    for (let n = 0; n < traj.M; n++) rows.push({ ...extra, matrix: 'R', source, row: `student ${row + 1}`, col: `teacher ${n + 1}`, value: round(traj.R[j][i][n], 4) });
    order.forEach((k, col) => rows.push({ ...extra, matrix: 'Q', source, row: `student ${row + 1}`, col: `student ${col + 1}`, value: round(traj.Q[j][i][k], 4) }));
  });
  return rows;
}

const heatColor = { field: 'value', type: 'quantitative', title: 'overlap', scale: { scheme: 'redblue', reverse: true, domain: [-1.2, 1.2], clamp: true } };

function heatmap(title: string, facetField: string, sortOrder?: string[]) {
  return {
    facet: {
      row: { field: 'panel', type: 'nominal', title: null, sort: ['R · simulation', 'R · theory', 'Q · simulation', 'Q · theory'], header: { labelAngle: 0, labelAlign: 'left' } },
      column: { field: facetField, type: 'ordinal', title, sort: sortOrder ?? 'ascending' },
    },
    spec: {
      width: 90,
      height: 90,
      mark: { type: 'rect' },
      encoding: {
        x: { field: 'colIndex', type: 'ordinal', title: null, axis: { labels: false, ticks: false, domain: false } },
        y: { field: 'row', type: 'ordinal', title: null, axis: { labels: false, ticks: false, domain: false } },
        color: heatColor,
      },
    },
    resolve: { scale: { x: 'independent' } },
  };
}

export function specializationSpecs(a: SpecializationAnalysis, preset: Preset): { spec: Record<string, unknown>; interactiveSpec: Record<string, unknown> } {
  const { sim, ode, order, snaps } = a;
  const cfg = specializationConfig(preset);
  const { xScale, xAxis } = iterationAxis(cfg);

  const addPanel = (r: Record<string, string | number>) => ({ ...r, panel: `${r.matrix} · ${r.source}`, colIndex: String(r.col) });
  const heat = snaps.flatMap(({ label, j }) => {
    const time = `${label} (t = ${round(ode.t[j], 3)})`;
    return [...matrixRows(sim, j, order, 'simulation', { time }), ...matrixRows(ode, j, order, 'theory', { time })].map(addPanel);
  });
  const eg = [...egRows(sim, 'simulation', {}), ...egRows(ode, 'theory', {})];
  const marks = snaps.map(({ label, j }, idx) => ({ iteration: ode.steps[j], label, ypos: idx % 2 === 0 ? 10 : 24 }));
  const timeSort = snaps.map(({ label, j }) => `${label} (t = ${round(ode.t[j], 3)})`);

  const egChart = (rule: Record<string, unknown>) => ({
    width: 520,
    height: 150,
    layer: [
      {
        data: { values: eg },
        mark: { type: 'line', strokeWidth: 1.6 },
        encoding: {
          x: { field: 'iteration', type: 'quantitative', scale: xScale, axis: xAxis },
          y: { field: 'eg', type: 'quantitative', scale: { type: 'log', domain: [1e-5, 1] }, axis: { title: 'ε_g', format: '.0e', values: powersOfTen(1e-5, 1) } },
          color: sourceColor,
          strokeDash: sourceDash,
        },
      },
      rule,
    ],
  });

  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'The specialization transition in the order parameters', subtitle: `soft committee, K = M = 4, N = ${cfg.N}, η = ${cfg.lr}: R and Q at the marked times` },
    vconcat: [
      egChart({
        data: { values: marks },
        layer: [
          { mark: { type: 'rule', color: '#555', strokeDash: [2, 2] }, encoding: { x: { field: 'iteration', type: 'quantitative' } } },
          { mark: { type: 'text', dy: -4, align: 'left', dx: 3, fontSize: 10, color: '#333' }, encoding: { x: { field: 'iteration', type: 'quantitative' }, y: { field: 'ypos', type: 'quantitative', scale: null }, text: { field: 'label' } } },
        ],
      }),
      { data: { values: heat }, ...heatmap('', 'time', timeSort) },
    ],
    config: { legend: { orient: 'right' } },
  };

  // Interactive: every record (thinned to ≤ 80), slider over the record index.
  const step = Math.max(1, Math.ceil(ode.t.length / 80));
  const idxs = ode.t.map((_, j) => j).filter((j) => j % step === 0 || j === ode.t.length - 1);
  const heatAll = idxs.flatMap((j, idx) => [...matrixRows(sim, j, order, 'simulation', { idx }), ...matrixRows(ode, j, order, 'theory', { idx })].map(addPanel));
  const times = idxs.map((j, idx) => ({ idx, iteration: Math.max(ode.steps[j], 50), t: round(ode.t[j], 4) }));
  const interactiveSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Specialization transition (interactive)', subtitle: 'slider: record index (time)' },
    params: [{ name: 'tIndex', value: idxs.length - 1, bind: { input: 'range', min: 0, max: idxs.length - 1, step: 1, name: 'time step ' } }],
    vconcat: [
      egChart({
        data: { values: times },
        transform: [{ filter: 'datum.idx === tIndex' }],
        layer: [
          { mark: { type: 'rule', color: COLORS.theory, strokeWidth: 2 }, encoding: { x: { field: 'iteration', type: 'quantitative' } } },
          { mark: { type: 'text', dy: -4, dx: 4, align: 'left' }, encoding: { x: { field: 'iteration', type: 'quantitative' }, y: { value: 8 }, text: { field: 't', type: 'quantitative', format: '.3~s' } } },
        ],
      }),
      {
        data: { values: heatAll },
        transform: [{ filter: 'datum.idx === tIndex' }, { calculate: "'selected time'", as: 'time' }],
        ...heatmap('', 'time'),
      },
    ],
  };
  return { spec, interactiveSpec };
}
