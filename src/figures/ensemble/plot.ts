/**
 * The seed-ensemble figures' Vega-Lite spec: a column per K, the simulations' mean ε_g with a
 * ±1 std band, the mean of the seeds' ODEs dashed, and the spread at a few times in the subtitle.
 */
import { COLORS, describeSettings, PLOT_EG_FLOOR, powersOfTen, round, iterationAxis } from '../common.ts';
import type { EnsemblePanel } from '../types.ts';
import type { EnsembleColumn, Stats } from './analyse.ts';
import type { EnsembleSettings } from './study.ts';

/** Plot rows of one K: the simulations' mean with its ±1 std band, and the mean of the seeds' ODEs. */
function plotRows(K: number, st: Stats) {
  const rows: Record<string, string | number>[] = [];
  for (let j = 0; j < st.t.length; j++) {
    if (st.steps[j] === 0) continue;
    const col = `K = ${K}`;
    const m = st.sim.mean[j];
    const sd = st.sim.std[j];
    // A log axis cannot show mean − std ≤ 0: the band's lower edge is cut at the plot floor.
    rows.push({ K: col, iteration: st.steps[j], eg: round(Math.max(m, PLOT_EG_FLOOR)), lo: round(Math.max(m - sd, PLOT_EG_FLOOR)), hi: round(Math.max(m + sd, PLOT_EG_FLOOR)), source: 'simulation' });
    rows.push({ K: col, iteration: st.steps[j], eg: round(Math.max(st.ode.mean[j], PLOT_EG_FLOOR)), source: 'theory' });
  }
  return rows;
}

function spreadLine(p: EnsemblePanel): string {
  const at = p.spread.map((s) => `t=${s.t}: ${s.simSpreadSqrtN} (SGD part ${s.diffSpreadSqrtN})`).join('; ');
  return `K = ${p.K}: std·√N/mean of ε_g at ${at}`;
}

export function ensembleSpec(s: EnsembleSettings, columns: readonly EnsembleColumn[]): Record<string, unknown> {
  const cfg = s.config(s.Ks[0], s.seeds[0]);
  const data = columns.flatMap(({ K, st }) => plotRows(K, st));
  const panels = columns.map((c) => c.panel);
  // Short ensemble runs (the tests' tiny instances) start their axis lower than 50 steps.
  const minIter = Math.max(1, Math.min(50, Math.round(cfg.tMax * cfg.N) / 100));
  const { xScale, xAxis } = iterationAxis(cfg, minIter, minIter);
  const x = { field: 'iteration', type: 'quantitative', scale: xScale, axis: xAxis };
  const yScale = { type: 'log', domain: [1e-5, 2] };
  const y = { field: 'eg', type: 'quantitative', scale: yScale, axis: { title: 'generalization error ε_g', format: '.0e', values: powersOfTen(1e-5, 1) } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `${s.label}: ${s.seeds.length} seeds per K, mean ± 1 std of SGD (blue) vs mean of the seeds' ODEs (dashed red)`,
      subtitle: [`${describeSettings(cfg)}; 1/√N = ${round(1 / Math.sqrt(cfg.N), 3)}`, ...panels.map(spreadLine)],
    },
    data: { values: data },
    facet: { column: { field: 'K', type: 'ordinal', title: null, sort: s.Ks.map((K) => `K = ${K}`), header: { labelFontSize: 13 } } },
    spec: {
      width: 230,
      height: 190,
      layer: [
        {
          transform: [{ filter: "datum.source === 'simulation'" }],
          mark: { type: 'area', opacity: 0.25, color: COLORS.simulation, clip: true },
          encoding: { x, y: { ...y, field: 'lo' }, y2: { field: 'hi' } },
        },
        {
          transform: [{ filter: "datum.source === 'simulation'" }],
          mark: { type: 'line', strokeWidth: 1.6, color: COLORS.simulation, clip: true },
          encoding: { x, y },
        },
        {
          transform: [{ filter: "datum.source === 'theory'" }],
          mark: { type: 'line', strokeWidth: 1.6, color: COLORS.theory, strokeDash: [5, 3], clip: true },
          encoding: { x, y },
        },
      ],
    },
    config: { legend: { orient: 'top' } },
  };
}
