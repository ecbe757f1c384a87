/**
 * Figure 5's Vega-Lite spec: one facet row per (K, N), a column per model; each cell coloured by
 * the discrepancy (× where SGD failed), with the theory's edges drawn as rules.
 */
import { Q_SATURATION } from '../../theory/stability.ts';
import { round } from '../common.ts';
import type { ValidityCell, ValidityEdges } from './analyse.ts';
import { MODELS, widthsOf, type Settings } from './study.ts';

const MODEL_LABEL = { 'soft-committee': 'soft committee', 'two-layer': 'two-layer' } as const satisfies Record<(typeof MODELS)[number], string>;

const EDGE_LABELS = { etaC: 'η_c: perfect student unstable', odeFail: 'ODE fails from this start (per σ)' } as const;

/** Geometric midpoints: cell edges on the log η axis. */
function cellBounds(lrs: number[], lr: number): [number, number] {
  const j = lrs.indexOf(lr);
  const lo = j > 0 ? Math.sqrt(lrs[j - 1] * lr) : lr / Math.sqrt(lrs[1] / lrs[0]);
  const hi = j < lrs.length - 1 ? Math.sqrt(lrs[j + 1] * lr) : lr * Math.sqrt(lrs[j] / lrs[j - 1]);
  return [round(lo), round(hi)];
}

function cellLabel(c: ValidityCell): string {
  if (c.failedFraction >= 0.5) return '×';
  if (c.maxAbsLogRatio === null) return '';
  return c.maxAbsLogRatio < 0.1 ? '' : c.maxAbsLogRatio.toFixed(1);
}

export function validityMapSpec(s: Settings, cells: readonly ValidityCell[], edges: readonly ValidityEdges[]): Record<string, unknown> {
  // One facet row per (K, N): labelled by N alone when the map has K = 2 only.
  const panelRows = widthsOf(s).flatMap((w) => w.groups.flatMap((g) => g.Ns).sort((a, b) => a - b).map((N) => ({ K: w.K, N })));
  const nLabel = (K: number, N: number) => (s.wider ? `K = ${K}, N = ${N}` : `N = ${N}`);
  const rows = cells.map((c) => {
    const [x, x2] = cellBounds(s.lrs, c.lr);
    return {
      model: MODEL_LABEL[c.model],
      N: nLabel(c.K, c.N),
      x,
      x2,
      sigma: c.sigma,
      lr: c.lr,
      discrepancy: c.maxAbsLogRatio === null ? null : Math.max(c.maxAbsLogRatio, 0.01),
      label: cellLabel(c),
      failed: c.failedFraction,
      layer: 'cell',
    };
  });
  // The theory's edges as rules in every panel of their model (σ-independent η_c; the ODE's
  // failure η at σ = 0).
  const rules = edges.flatMap((e) =>
    panelRows
      .filter((r) => r.K === e.K)
      .flatMap(({ N }) => [
        { model: MODEL_LABEL[e.model], N: nLabel(e.K, N), lr: e.etaC, edge: EDGE_LABELS.etaC, layer: 'rule' },
        // The ODE's own failure η depends on σ: one dashed segment per σ row.
        ...e.odeFailLr.filter((f) => f.lr !== null).map((f) => ({ model: MODEL_LABEL[e.model], N: nLabel(e.K, N), lr: f.lr, sigma: f.sigma, edge: EDGE_LABELS.odeFail, layer: 'odeFail' })),
      ]),
  );
  const xScale = { type: 'log', domain: [round(cellBounds(s.lrs, s.lrs[0])[0]), round(cellBounds(s.lrs, s.lrs.at(-1)!)[1])], nice: false };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `Where the ODE follows finite-N SGD (K = M = ${widthsOf(s).map((w) => w.K).join(' and ')})`,
      subtitle: [
        `colour: mean over seeds of max_t |ln(ε_sim/ε_ode)| over the whole run (ηt ≤ ${widthsOf(s).map((w) => (s.wider ? `${w.etaT} at K = ${w.K}` : w.etaT)).join(', ')}); numbers shown where ≥ 0.1`,
        `× = SGD diverged or saturated (Q_kk > ${Q_SATURATION}) for at least half the seeds; grey = no seed completed`,
      ],
    },
    data: { values: [...rows, ...rules] },
    facet: {
      row: { field: 'N', type: 'ordinal', title: null, sort: panelRows.map((r) => nLabel(r.K, r.N)), header: { labelFontSize: 13, labelAngle: 0, labelAlign: 'left' } },
      column: { field: 'model', type: 'nominal', title: null, sort: MODELS.map((m) => MODEL_LABEL[m]), header: { labelFontSize: 13 } },
    },
    spec: {
      width: 380,
      height: 66,
      layer: [
        {
          transform: [{ filter: "datum.layer === 'cell' && datum.discrepancy !== null" }],
          mark: { type: 'rect' },
          encoding: {
            x: { field: 'x', type: 'quantitative', scale: xScale, title: 'learning rate η', axis: { values: [0.1, 0.3, 1, 3, 10] } },
            x2: { field: 'x2' },
            y: { field: 'sigma', type: 'ordinal', title: 'noise σ', sort: 'descending' },
            color: {
              field: 'discrepancy',
              type: 'quantitative',
              title: 'max |ln ε_sim/ε_ode|',
              scale: { type: 'log', domain: [0.01, 3], scheme: 'viridis', clamp: true },
            },
            tooltip: [{ field: 'lr' }, { field: 'sigma' }, { field: 'discrepancy' }, { field: 'failed', title: 'failed fraction' }],
          },
        },
        {
          // Cells where no seed completed: grey, with the × on top.
          transform: [{ filter: "datum.layer === 'cell' && datum.discrepancy === null" }],
          mark: { type: 'rect', color: '#d9d9d9' },
          encoding: {
            x: { field: 'x', type: 'quantitative', scale: xScale },
            x2: { field: 'x2' },
            y: { field: 'sigma', type: 'ordinal', sort: 'descending' },
            tooltip: [{ field: 'lr' }, { field: 'sigma' }, { field: 'failed', title: 'failed fraction' }],
          },
        },
        {
          transform: [{ filter: "datum.layer === 'cell'" }, { calculate: 'sqrt(datum.x * datum.x2)', as: 'xc' }],
          mark: { type: 'text', fontSize: 10 },
          encoding: {
            x: { field: 'xc', type: 'quantitative', scale: xScale },
            y: { field: 'sigma', type: 'ordinal', sort: 'descending' },
            text: { field: 'label' },
            color: { condition: { test: 'datum.discrepancy === null || datum.discrepancy > 0.6', value: '#000000' }, value: '#ffffff' },
          },
        },
        {
          transform: [{ filter: "datum.layer === 'odeFail'" }],
          mark: { type: 'rule', strokeWidth: 3, strokeDash: [4, 3], clip: true, color: '#e45756' },
          encoding: {
            x: { field: 'lr', type: 'quantitative', scale: xScale },
            y: { field: 'sigma', type: 'ordinal', sort: 'descending', bandPosition: 0 },
            y2: { field: 'sigma', bandPosition: 1 },
          },
        },
        {
          transform: [{ filter: "datum.layer === 'rule'" }],
          mark: { type: 'rule', strokeWidth: 2, clip: true },
          encoding: {
            x: { field: 'lr', type: 'quantitative', scale: xScale },
            strokeDash: { field: 'edge', type: 'nominal', title: 'theory', scale: { domain: [EDGE_LABELS.etaC, EDGE_LABELS.odeFail], range: [[1, 0], [4, 3]] }, legend: { orient: 'bottom' } },
            color: { value: '#e45756' },
          },
        },
      ],
    },
    resolve: { scale: { color: 'shared' } },
    config: { legend: { orient: 'right' }, view: { stroke: null } },
  };
}
