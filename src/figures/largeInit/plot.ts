/**
 * Figure 3's Vega-Lite spec: a column per K, ε_g(t) of every initialization (colour; SGD solid,
 * ODE dashed) and, thick, the mean over initializations of simulation and of theory.
 */
import { describeSettings, egRows, PLOT_EG_FLOOR, powersOfTen, round, sourceDash, iterationAxis } from '../common.ts';
import type { Preset } from '../types.ts';
import type { LargeInitColumn } from './analyse.ts';
import { LARGE_INIT_KS, largeInitConfig, largeInitSeeds } from './study.ts';

export function largeInitSpec(columns: readonly LargeInitColumn[], preset: Preset): Record<string, unknown> {
  const data: Record<string, string | number>[] = [];
  const seeds = largeInitSeeds(preset);
  for (const { K, sims, odes } of columns) {
    seeds.forEach((_, s) => {
      const tag = { K: `K = ${K}`, init: `init ${s + 1}`, kind: 'individual' };
      data.push(...egRows(sims[s], 'simulation', tag), ...egRows(odes[s], 'theory', tag));
    });
    // Means over initializations (same record grid for every seed).
    for (const [source, trajs] of [['simulation', sims], ['theory', odes]] as const) {
      for (let j = 0; j < trajs[0].t.length; j++) {
        if (trajs[0].steps[j] === 0) continue;
        const mean = trajs.reduce((a, tr) => a + tr.eg[j], 0) / trajs.length;
        if (mean >= PLOT_EG_FLOOR) data.push({ K: `K = ${K}`, init: 'mean', kind: 'mean', iteration: trajs[0].steps[j], eg: round(mean), source });
      }
    }
  }
  const cfg = largeInitConfig(4, seeds[0], preset);
  const { xScale, xAxis } = iterationAxis(cfg);
  const inits = [...seeds.map((_, s) => `init ${s + 1}`), 'mean'];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Large initial weights produce individual differences', subtitle: `${describeSettings(cfg).replace(/, t ≤.*/, '')}; ${seeds.length} initializations per K` },
    data: { values: data },
    facet: { column: { field: 'K', type: 'ordinal', title: null, sort: LARGE_INIT_KS.map((K) => `K = ${K}`), header: { labelFontSize: 13 } } },
    spec: {
      width: 220,
      height: 200,
      mark: { type: 'line', clip: true },
      encoding: {
        x: { field: 'iteration', type: 'quantitative', scale: xScale, axis: xAxis },
        y: { field: 'eg', type: 'quantitative', scale: { type: 'log', domain: [1e-6, 3] }, axis: { title: 'generalization error ε_g', format: '.0e', values: powersOfTen(1e-6, 1) } },
        color: {
          field: 'init',
          type: 'nominal',
          title: 'initialization',
          sort: inits,
          scale: { domain: inits, range: ['#4c78a8', '#f58518', '#54a24b', '#b279a2', '#9d755d', '#222222'].slice(0, seeds.length).concat(['#222222']) },
        },
        strokeDash: { ...sourceDash, legend: { title: 'solid: SGD, dashed: ODE', orient: 'right', labelExpr: "datum.label === 'theory' ? 'theory (ODE)' : 'simulation (SGD)'" } },
        strokeWidth: { field: 'kind', type: 'ordinal', sort: ['individual', 'mean'], scale: { domain: ['individual', 'mean'], range: [1.3, 2.4] }, legend: null },
        opacity: { field: 'kind', type: 'ordinal', sort: ['individual', 'mean'], scale: { domain: ['individual', 'mean'], range: [0.85, 0.55] }, legend: null },
        detail: { field: 'source' },
      },
    },
    config: { legend: { orient: 'right' } },
  };
}
