/**
 * A small example figure in the project's conventions (faceted log–log panels, theory dashed vs
 * simulation solid, independent y per panel, LTTB-thinned series). Used by the render tests
 * and as a template; run directly to write a sample:
 *   npx tsx test/helpers/renderExample.ts /tmp/render-sample.svg /tmp/render-sample.png
 */
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { TopLevelSpec } from 'vega-lite';
import { lttb } from '../../src/render/downsample.ts';
import { svgToPng } from './png.ts';
import { renderSvg } from '../../src/render/svg.ts';

interface Row {
  panel: string;
  source: 'simulation' | 'theory';
  t: number;
  eg: number;
}

/** Synthetic plateau-shaped learning curves, deterministic (no random numbers). */
export function exampleRows(points = 600, keep = 120): Row[] {
  const rows: Row[] = [];
  for (const [panel, level, escape] of [['K = 2, M = 2', 0.02, 40], ['K = 4, M = 4 (longer plateau)', 0.005, 300]] as const) {
    for (const source of ['simulation', 'theory'] as const) {
      const ts: number[] = [];
      const eg: number[] = [];
      for (let i = 0; i < points; i++) {
        const t = 0.1 * 10 ** ((4 * i) / (points - 1)); // 0.1 … 1000, log-spaced
        const plateau = level / (1 + Math.exp((t - escape) / (0.2 * escape)));
        const wiggle = source === 'simulation' ? 1 + 0.08 * Math.sin(37 * i) : 1;
        ts.push(t);
        eg.push((0.3 / (1 + t) + plateau + 1e-5) * wiggle);
      }
      for (const i of lttb(ts, eg, keep, { logX: true, logY: true })) rows.push({ panel, source, t: ts[i], eg: Number(eg[i].toPrecision(5)) });
    }
  }
  return rows;
}

export function exampleSpec(): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Generalization error: theory vs simulation',
    data: { values: exampleRows() },
    facet: { column: { field: 'panel', type: 'nominal', title: null } },
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: 260,
      height: 200,
      mark: { type: 'line', strokeWidth: 1.5, clip: true },
      encoding: {
        x: { field: 't', type: 'quantitative', scale: { type: 'log' }, axis: { values: [0.1, 1, 10, 100, 1000], title: 'time t = steps / N' } },
        y: { field: 'eg', type: 'quantitative', scale: { type: 'log' }, axis: { title: 'generalization error ε_g', format: '.0e' } },
        color: { field: 'source', type: 'nominal', scale: { domain: ['simulation', 'theory'], range: ['#4c78a8', '#e45756'] }, title: null },
        strokeDash: { field: 'source', type: 'nominal', scale: { domain: ['simulation', 'theory'], range: [[1, 0], [6, 4]] }, title: null },
      },
    },
  } as TopLevelSpec;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [svgOut = '/tmp/render-sample.svg', pngOut = '/tmp/render-sample.png'] = process.argv.slice(2);
  const svg = await renderSvg(exampleSpec());
  writeFileSync(svgOut, svg);
  writeFileSync(pngOut, svgToPng(svg));
  console.log(`wrote ${svgOut} (${svg.length} bytes) and ${pngOut}`);
}
