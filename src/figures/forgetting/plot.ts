/**
 * Figure 8's Vega-Lite spec. Left: ε_g on both tasks over time at a few α (ODE lines, SGD mean
 * as points, the switch marked). Right: forgetting against α, ODE curves with the SGD mean ± one
 * standard deviation over seeds.
 */
import { mean } from '../../metrics/statistics.ts';
import { round } from '../common.ts';
import type { Preset } from '../types.ts';
import { egOn, type ForgettingRuns, type ForgettingSnapshot } from './analyse.ts';
import { FORGETTING, forgettingGrid, SIMULATED, VARIANT_NAMES, VARIANTS, type Variant } from './study.ts';

export const TASK_COLORS = { 'task 1': '#4c78a8', 'task 2': '#f58518' } as const;
export const VARIANT_COLORS: Record<Variant, string> = { single: '#54a24b', multi: '#e45756', 'multi-large': '#b279a2' };
const alphaLabel = (a: number) => `α = ${a}`;

export function forgettingSpec(snapshot: ForgettingSnapshot, simulated: readonly ForgettingRuns[], preset: Preset): Record<string, unknown> {
  const g = forgettingGrid(preset);
  const { points, curves } = snapshot;
  const timeRows: Record<string, string | number>[] = [];
  for (const { variant, alpha, ode, sims } of simulated) {
    if (!g.timeAlphas.includes(alpha)) continue;
    const extra = { heads: VARIANTS[variant].label, alpha: alphaLabel(alpha) };
    for (let j = 1; j < ode.t.length; j++)
      for (const p of [0, 1]) {
        const task = `task ${p + 1}`;
        timeRows.push({ ...extra, t: ode.t[j], task, source: 'theory', eg: round(egOn(ode, p, j)) });
        timeRows.push({ ...extra, t: ode.t[j], task, source: 'simulation', eg: round(mean(sims.map((s) => egOn(s, p, j)))) });
      }
  }
  const curveRows = curves.flatMap((c) => c.alphas.map((alpha, i) => ({ variant: VARIANTS[c.variant].label, alpha, F: c.F[i] })));
  const pointRows = points.map((p) => ({
    variant: VARIANTS[p.variant].label,
    alpha: p.alpha,
    F: p.simMean,
    lo: round(p.simMean - p.simSd),
    hi: round(p.simMean + p.simSd),
  }));
  const variantScale = { domain: VARIANT_NAMES.map((v) => VARIANTS[v].label), range: VARIANT_NAMES.map((v) => VARIANT_COLORS[v]) };
  const taskScale = { domain: Object.keys(TASK_COLORS), range: Object.values(TASK_COLORS) };
  const x = { field: 'alpha', type: 'quantitative', scale: { domain: [0, 1] }, axis: { title: 'feature similarity α', tickCount: 5 } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'Forgetting against task similarity',
      subtitle: `two-layer erf, K = ${FORGETTING.K}, M = ${FORGETTING.M} per task, η = ${FORGETTING.lr}, N = ${g.N}, task 1 until t = ${FORGETTING.switchAt}, task 2 until t = ${FORGETTING.tMax}; ${g.seeds.length} seeds (exact sampler)`,
    },
    hconcat: [
      {
        data: { values: timeRows },
        facet: {
          row: { field: 'heads', type: 'nominal', title: null, sort: SIMULATED.map((v) => VARIANTS[v].label), header: { labelAngle: -90, labelFontSize: 12 } },
          column: { field: 'alpha', type: 'ordinal', title: null, sort: g.timeAlphas.map(alphaLabel), header: { labelFontSize: 12 } },
        },
        spec: {
          width: 140,
          height: 120,
          layer: [
            {
              transform: [{ filter: "datum.source === 'theory'" }],
              mark: { type: 'line', strokeWidth: 1.5, clip: true },
              encoding: {
                x: { field: 't', type: 'quantitative', scale: { domain: [0, FORGETTING.tMax] }, axis: { title: 't = steps / N', tickCount: 4 } },
                y: { field: 'eg', type: 'quantitative', scale: { type: 'log', domain: [1e-4, 1] }, axis: { title: 'ε_g on each task', format: '.0e', values: [1e-4, 1e-3, 1e-2, 1e-1, 1] } },
                color: { field: 'task', type: 'nominal', scale: taskScale, legend: { orient: 'top', title: 'ε_g on (lines: ODE, dots: SGD mean)', titleLimit: 400 } },
              },
            },
            {
              transform: [{ filter: "datum.source === 'simulation' && datum.t % 3 === 0" }],
              mark: { type: 'point', filled: true, size: 9, opacity: 0.9, clip: true },
              encoding: { x: { field: 't', type: 'quantitative' }, y: { field: 'eg', type: 'quantitative' }, color: { field: 'task', type: 'nominal', scale: taskScale } },
            },
            { mark: { type: 'rule', strokeDash: [3, 3], color: '#555' }, encoding: { x: { datum: FORGETTING.switchAt } } },
          ],
        },
      },
      {
        width: 300,
        height: 280,
        layer: [
          {
            data: { values: curveRows },
            mark: { type: 'line', strokeWidth: 1.8 },
            encoding: {
              x,
              y: { field: 'F', type: 'quantitative', axis: { title: 'forgetting: ε_g(task 1) at t = 60 minus at t = 30' } },
              color: { field: 'variant', type: 'nominal', scale: variantScale, legend: { orient: 'top', direction: 'vertical', title: 'ODE (lines), SGD mean ± sd over seeds (dots)', titleLimit: 400, labelLimit: 400 } },
              strokeDash: { field: 'variant', type: 'nominal', scale: { domain: variantScale.domain, range: [[1, 0], [1, 0], [5, 3]] }, legend: null },
            },
          },
          {
            data: { values: pointRows },
            mark: { type: 'rule', strokeWidth: 1.2 },
            encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color: { field: 'variant', type: 'nominal', scale: variantScale } },
          },
          {
            data: { values: pointRows },
            mark: { type: 'point', filled: true, size: 28, stroke: 'white', strokeWidth: 0.6, opacity: 1 },
            encoding: { x, y: { field: 'F', type: 'quantitative' }, color: { field: 'variant', type: 'nominal', scale: variantScale } },
          },
        ],
      },
    ],
    resolve: { scale: { color: 'independent' } },
    config: { legend: { orient: 'top' } },
  };
}
