/**
 * Figure 2's Vega-Lite spec: a column per K; ε_g(t) of every seed (simulation and ODE), then
 * one row each for the cosine alignment of simulated and theoretical Q, R and v.
 */
import { alignmentRows, describeSettings, egRows, powersOfTen, sourceColor, sourceDash, iterationAxis } from '../common.ts';
import type { Preset } from '../types.ts';
import type { TwoLayerPanel } from './analyse.ts';
import { TWO_LAYER_KS, twoLayerConfig, twoLayerSeeds } from './study.ts';

export function twoLayerSpec(panels: readonly TwoLayerPanel[], preset: Preset): Record<string, unknown> {
  const egData: Record<string, string | number>[] = [];
  const alignData: Record<string, string | number>[] = [];
  for (const { K, seed, sim, ode } of panels) {
    const extra = { K: `K = ${K}`, seed: `seed ${seed}` };
    egData.push(...egRows(sim, 'simulation', extra), ...egRows(ode, 'theory', extra));
    alignData.push(...alignmentRows(sim, ode, extra));
  }
  const cfg = twoLayerConfig(4, 1, preset);
  const { xScale, xAxis } = iterationAxis(cfg);
  const column = { field: 'K', type: 'ordinal', title: null, sort: TWO_LAYER_KS.map((K) => `K = ${K}`), header: { labelFontSize: 13 } };
  const hiddenHeader = { ...column, header: { labels: false, title: null } };
  const alignmentRow = (quantity: 'Q' | 'R' | 'v', color: string, last: boolean) => ({
    data: { values: alignData },
    transform: [{ filter: `datum.quantity === '${quantity}'` }],
    facet: { column: hiddenHeader },
    spec: {
      width: 210,
      height: 110,
      mark: { type: 'line', strokeWidth: 1.2, opacity: 0.75, color },
      encoding: {
        x: { field: 'iteration', type: 'quantitative', scale: xScale, axis: last ? xAxis : { ...xAxis, title: null } },
        y: { field: 'alignment', type: 'quantitative', scale: { zero: false }, axis: { title: `${quantity} alignment`, format: '.4~f', tickCount: 4 } },
        detail: { field: 'seed' },
      },
    },
    resolve: { scale: { y: 'independent' } },
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Two-layer network: theory vs simulation', subtitle: `${describeSettings(cfg).replace(/, t ≤.*/, '')}; seeds ${twoLayerSeeds(preset).join(', ')}` },
    vconcat: [
      {
        data: { values: egData },
        facet: { column },
        spec: {
          width: 210,
          height: 160,
          mark: { type: 'line', strokeWidth: 1.4, opacity: 0.85, clip: true },
          encoding: {
            x: { field: 'iteration', type: 'quantitative', scale: xScale, axis: { ...xAxis, title: null } },
            y: { field: 'eg', type: 'quantitative', scale: { type: 'log', domain: [1e-5, 2] }, axis: { title: 'generalization error ε_g', format: '.0e', values: powersOfTen(1e-5, 1) } },
            color: sourceColor,
            strokeDash: sourceDash,
            detail: { field: 'seed' },
          },
        },
        // Every column keeps its own y axis, as the alignment rows below (independent scales) do.
        resolve: { axis: { y: 'independent' } },
      },
      alignmentRow('Q', '#4c78a8', false),
      alignmentRow('R', '#f58518', false),
      alignmentRow('v', '#54a24b', true),
    ],
    // One fixed width for every y axis, so the plots of a column line up across rows whatever
    // the label format (1e-3 above, 0.9995 below).
    config: { legend: { orient: 'top' }, axisY: { minExtent: 44, maxExtent: 44 } },
  };
}
