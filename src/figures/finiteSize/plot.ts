/**
 * Figure 6's Vega-Lite spec: the std across seeds against N on log–log axes (points), the
 * fitted power law, and a slope −1/2 reference through the centroid of the measurements.
 */
import { round } from '../common.ts';
import type { Preset } from '../types.ts';
import type { FiniteSizeAnalysis } from './analyse.ts';
import { finiteSizeGrid, T_MEASURE } from './study.ts';

export function finiteSizeSpec(a: FiniteSizeAnalysis, preset: Preset): Record<string, unknown> {
  const g = finiteSizeGrid(preset);
  const { fit, logN, logSd } = a;
  const rows: Record<string, number | string>[] = a.points.map(({ N, sd }) => ({ N, sd: round(sd), kind: 'measured' }));
  for (const N of [g.Ns[0], g.Ns[g.Ns.length - 1]]) {
    rows.push({ N, sd: round(10 ** (fit.intercept + fit.slope * Math.log10(N))), kind: `fit: slope ${fit.slope.toFixed(3)} ± ${fit.slopeSe.toFixed(3)}` });
    // Reference slope −1/2 through the centroid of the measurements.
    const cx = logN.reduce((x, y) => x + y, 0) / logN.length;
    const cy = logSd.reduce((x, y) => x + y, 0) / logSd.length;
    rows.push({ N, sd: round(10 ** (cy - 0.5 * (Math.log10(N) - cx))), kind: 'slope −1/2' });
  }
  const fitKind = `fit: slope ${fit.slope.toFixed(3)} ± ${fit.slopeSe.toFixed(3)}`;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Fluctuations around the ODE scale as 1/√N', subtitle: `std over ${g.seeds} seeds of ε_g at t = ${T_MEASURE}; soft committee K = M = 2, η = 0.5, σ = 0.5, exact sampler` },
    data: { values: rows },
    width: 420,
    height: 280,
    layer: [
      {
        transform: [{ filter: "datum.kind !== 'measured'" }],
        mark: { type: 'line', strokeWidth: 1.5 },
        encoding: {
          x: { field: 'N', type: 'quantitative', scale: { type: 'log' }, axis: { title: 'input dimension N', format: '~s' } },
          y: { field: 'sd', type: 'quantitative', scale: { type: 'log' }, axis: { title: 'std of ε_g across seeds', format: '.0e' } },
          color: { field: 'kind', type: 'nominal', title: null, scale: { domain: [fitKind, 'slope −1/2'], range: ['#4c78a8', '#e45756'] } },
          strokeDash: { field: 'kind', type: 'nominal', scale: { domain: [fitKind, 'slope −1/2'], range: [[1, 0], [5, 3]] }, legend: null },
        },
      },
      {
        transform: [{ filter: "datum.kind === 'measured'" }],
        mark: { type: 'point', filled: true, size: 50, color: '#222222' },
        encoding: { x: { field: 'N', type: 'quantitative' }, y: { field: 'sd', type: 'quantitative' } },
      },
    ],
    config: { legend: { orient: 'top' } },
  };
}
