/**
 * A quick look at a sweep: one metric over two varied parameters as a heatmap (the mean over
 * seeds in each cell, the count of runs that gave a value printed when some did not), or over
 * one parameter as points per seed with the mean as a line. Returns a Vega-Lite spec for
 * src/render/svg.ts.
 */
import type { Cell, SweepRow } from './table.ts';
import { SWEEP_METRICS, type SweepMetric } from './spec.ts';

export interface PlotChoice {
  metric: SweepMetric;
  x: string;
  y?: string;
  /** The rows plotted: one engine's. */
  engine: string;
}

const label = (v: Cell) => (v === null ? '—' : Array.isArray(v) ? JSON.stringify(v) : String(v));

export function sweepPlotSpec(rows: SweepRow[], choice: PlotChoice, title: string): Record<string, unknown> {
  const mine = rows.filter((r) => r.engine === choice.engine);
  const metricTitle = `${choice.metric} (${choice.engine})`;
  const description = SWEEP_METRICS[choice.metric].description;
  const base = { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', title: { text: title, subtitle: `${metricTitle}: ${description}` } };
  if (choice.y === undefined) {
    const data = mine.map((r) => ({ x: label(r[choice.x]), value: r[choice.metric], seed: label(r.seed) })).filter((d) => typeof d.value === 'number');
    return {
      ...base,
      data: { values: data },
      width: 360,
      height: 220,
      layer: [
        { mark: { type: 'point', opacity: 0.6 }, encoding: { x: { field: 'x', type: 'ordinal', title: choice.x, sort: null }, y: { field: 'value', type: 'quantitative', title: metricTitle } } },
        { mark: { type: 'line', color: '#e45756' }, encoding: { x: { field: 'x', type: 'ordinal', sort: null }, y: { aggregate: 'mean', field: 'value', type: 'quantitative' } } },
      ],
    };
  }
  // Cells in first-appearance order; mean over the runs with a value.
  const cells = new Map<string, { x: string; y: string; sum: number; n: number; total: number }>();
  for (const r of mine) {
    const x = label(r[choice.x]);
    const y = label(r[choice.y]);
    const id = JSON.stringify([x, y]);
    const c = cells.get(id) ?? { x, y, sum: 0, n: 0, total: 0 };
    c.total += 1;
    const v = r[choice.metric];
    if (typeof v === 'number') {
      c.sum += v;
      c.n += 1;
    }
    cells.set(id, c);
  }
  const data = [...cells.values()].map((c) => ({
    x: c.x,
    y: c.y,
    value: c.n ? Number((c.sum / c.n).toPrecision(6)) : null,
    text: c.n === c.total ? '' : `${c.n}/${c.total}`,
  }));
  const order = (key: 'x' | 'y') => [...new Set(data.map((d) => d[key]))];
  return {
    ...base,
    data: { values: data },
    width: Math.max(200, 56 * order('x').length),
    height: Math.max(120, 36 * order('y').length),
    encoding: {
      x: { field: 'x', type: 'ordinal', title: choice.x, sort: order('x'), axis: { labelAngle: 0 } },
      y: { field: 'y', type: 'ordinal', title: choice.y, sort: order('y') },
    },
    layer: [
      { mark: 'rect', encoding: { color: { field: 'value', type: 'quantitative', title: `mean ${choice.metric}`, scale: { scheme: 'viridis' } } } },
      { mark: { type: 'text', fontSize: 10 }, encoding: { text: { field: 'text' }, color: { value: '#ffffff' } } },
    ],
    config: { view: { stroke: null } },
  };
}
