/** Figure 7's Vega-Lite spec: a row per K, a column per activation, ε_g(t) of SGD and of the ODE, log–log. */
import { describeSettings, egRows, powersOfTen, sourceColor, sourceDash, iterationAxis } from '../common.ts';
import type { Preset } from '../types.ts';
import type { ActivationsPanel } from './analyse.ts';
import { ACTIVATION_KS, activationsConfig, FIGURE_ACTIVATIONS, LABEL } from './study.ts';

export function activationsSpec(runs: readonly ActivationsPanel[], preset: Preset): Record<string, unknown> {
  const data: Record<string, string | number>[] = [];
  for (const { activation, K, sim, ode } of runs) {
    const where = { activation: LABEL[activation], K: `K = ${K}` };
    data.push(...egRows(sim, 'simulation', where), ...egRows(ode, 'theory', where));
  }
  const cfg = activationsConfig('erf', 4, preset);
  const { xScale, xAxis } = iterationAxis(cfg);
  const yValues = powersOfTen(1e-5, 1);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'The same question across activations: linear, erf and ReLU soft committees', subtitle: `${describeSettings(cfg).replace(/, t ≤.*/, '')}, seed ${cfg.seed}` },
    data: { values: data },
    facet: {
      row: { field: 'K', type: 'ordinal', title: null, sort: ACTIVATION_KS.map((K) => `K = ${K}`), header: { labelFontSize: 13, labelAngle: 0, labelAlign: 'left' } },
      column: { field: 'activation', type: 'ordinal', title: null, sort: FIGURE_ACTIVATIONS.map((a) => LABEL[a]), header: { labelFontSize: 13 } },
    },
    spec: {
      width: 210,
      height: 160,
      mark: { type: 'line', strokeWidth: 1.6, clip: true },
      encoding: {
        x: { field: 'iteration', type: 'quantitative', scale: xScale, axis: xAxis },
        y: { field: 'eg', type: 'quantitative', scale: { type: 'log', domain: [1e-5, 4] }, axis: { title: 'generalization error ε_g', format: '.0e', values: yValues } },
        color: sourceColor,
        strokeDash: sourceDash,
        detail: { field: 'source' },
      },
    },
    config: { legend: { orient: 'top' } },
  };
}
