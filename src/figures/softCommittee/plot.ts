/**
 * Figure 1's Vega-Lite spec: a column per K; top ε_g(t) log–log (simulation solid blue, ODE
 * dashed red), bottom every overlap R_in(t).
 */
import { describeSettings, egRows, powersOfTen, round, sourceColor, sourceDash, iterationAxis } from '../common.ts';
import type { Trajectory } from '../../trajectory.ts';
import type { Preset } from '../types.ts';
import type { SoftCommitteePanel } from './analyse.ts';
import { SOFT_COMMITTEE_KS, softCommitteeConfig } from './study.ts';

function rRows(traj: Trajectory, source: 'simulation' | 'theory', K: number) {
  const rows: Record<string, string | number>[] = [];
  for (let j = 0; j < traj.t.length; j++) {
    if (traj.steps[j] === 0) continue;
    for (let i = 0; i < traj.K; i++)
      for (let n = 0; n < traj.M; n++) {
        rows.push({ K: `K = ${K}`, iteration: traj.steps[j], R: round(traj.R[j][i][n], 4), pair: `${source}:${i},${n}`, source });
      }
  }
  return rows;
}

export function softCommitteeSpec(panels: readonly SoftCommitteePanel[], preset: Preset): Record<string, unknown> {
  const egData: Record<string, string | number>[] = [];
  const rData: Record<string, string | number>[] = [];
  for (const { K, sim, ode } of panels) {
    egData.push(...egRows(sim, 'simulation', { K: `K = ${K}` }), ...egRows(ode, 'theory', { K: `K = ${K}` }));
    rData.push(...rRows(sim, 'simulation', K), ...rRows(ode, 'theory', K));
  }
  const cfg = softCommitteeConfig(4, preset);
  const { xScale, xAxis } = iterationAxis(cfg);
  const column = { field: 'K', type: 'ordinal', title: null, sort: SOFT_COMMITTEE_KS.map((K) => `K = ${K}`), header: { labelFontSize: 13 } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Soft committee machine: theory vs simulation', subtitle: `${describeSettings(cfg).replace(/, t ≤.*/, '')}, seed ${cfg.seed}` },
    vconcat: [
      {
        data: { values: egData },
        facet: { column },
        spec: {
          width: 210,
          height: 170,
          mark: { type: 'line', strokeWidth: 1.6, clip: true },
          encoding: {
            x: { field: 'iteration', type: 'quantitative', scale: xScale, axis: xAxis },
            y: { field: 'eg', type: 'quantitative', scale: { type: 'log', domain: [1e-5, 1] }, axis: { title: 'generalization error ε_g', format: '.0e', values: powersOfTen(1e-5, 1) } },
            color: sourceColor,
            strokeDash: sourceDash,
            detail: { field: 'source' },
          },
        },
      },
      {
        data: { values: rData },
        facet: { column: { ...column, header: { labels: false, title: null } } },
        spec: {
          width: 210,
          height: 150,
          mark: { type: 'line', strokeWidth: 1, opacity: 0.85, clip: true },
          encoding: {
            x: { field: 'iteration', type: 'quantitative', scale: xScale, axis: xAxis },
            y: { field: 'R', type: 'quantitative', axis: { title: 'overlaps R_in' } },
            color: sourceColor,
            strokeDash: sourceDash,
            detail: { field: 'pair' },
          },
        },
      },
    ],
    config: { legend: { orient: 'top' } },
  };
}
