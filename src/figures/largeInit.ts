/**
 * Figure 3 — large initial weights produce individual differences.
 *
 * Two-layer network, M = 4, K ∈ {2, 4, 6}, student first-layer weights ~ N(0, 2²) and
 * v ~ N(0, 1). Each of five initializations (seeds) is trained by SGD and predicted by its own
 * ODE from the same initial order parameters: the trajectories differ (plateau lengths and
 * final levels vary by initialization), and each is tracked individually. Thick lines: the
 * mean over initializations of simulation and of theory.
 */
import { REPLICATION_BOUNDS } from './replicationBounds.ts';
import type { RunConfig } from '../config.ts';
import type { RunResults } from '../runs/key.ts';
import type { Trajectory } from '../trajectory.ts';
import {
  config,
  describeSettings,
  egRows,
  extraOf,
  getSimOdePair,
  replicationTolerances,
  panelMetrics,
  powersOfTen,
  round,
  simOdePair,
  sourceDash,
  PLOT_EG_FLOOR,
} from './common.ts';
import type { FigureDefinition, PanelMetrics, Preset, RunSpec } from './types.ts';

export const LARGE_INIT_KS = [2, 4, 6];

export function largeInitSeeds(preset: Preset): number[] {
  return preset === 'full' ? [11, 12, 13, 14, 15] : [11, 12];
}

export function largeInitConfig(K: number, seed: number, preset: Preset): RunConfig {
  const full = preset === 'full';
  return config({
    model: 'two-layer',
    N: full ? 784 : 300,
    K,
    M: 4,
    lr: 1,
    sigma: 0,
    batchSize: 1,
    tMax: full ? 2000 : 300,
    recordEvery: 0.1,
    recordScale: 'log',
    recordPoints: full ? 150 : 50,
    seed,
    teacherScale: 1,
    studentScale: 2,
    studentVScale: 1,
    vTeacher: 'ones',
    trainSecondLayer: true,
  });
}

function runs(preset: Preset): RunSpec[] {
  return LARGE_INIT_KS.flatMap((K) => largeInitSeeds(preset).flatMap((seed) => simOdePair({ K }, largeInitConfig(K, seed, preset))));
}

/** Spread of log10 final ε_g across initializations: the "individual differences". */
function logSpread(values: number[]): number {
  const logs = values.map((v) => Math.log10(Math.max(v, PLOT_EG_FLOOR)));
  return Math.max(...logs) - Math.min(...logs);
}

function build(results: RunResults, preset: Preset) {
  const data: Record<string, string | number>[] = [];
  const panels: PanelMetrics[] = [];
  const extra: Record<string, number> = {};
  const seeds = largeInitSeeds(preset);
  for (const K of LARGE_INIT_KS) {
    const pairs = seeds.map((seed) => getSimOdePair(results, { K }, largeInitConfig(K, seed, preset)));
    const sims = pairs.map(([sim]) => sim);
    const odes = pairs.map(([, ode]) => ode);
    seeds.forEach((seed, s) => {
      const tag = { K: `K = ${K}`, init: `init ${s + 1}`, kind: 'individual' };
      data.push(...egRows(sims[s], 'simulation', tag), ...egRows(odes[s], 'theory', tag));
      panels.push(panelMetrics({ K, seed }, sims[s], odes[s], largeInitConfig(K, seed, preset), { escapeThreshold: 1e-2 }));
    });
    // Means over initializations (same record grid for every seed).
    for (const [source, trajs] of [['simulation', sims], ['theory', odes]] as const) {
      for (let j = 0; j < trajs[0].t.length; j++) {
        if (trajs[0].steps[j] === 0) continue;
        const mean = trajs.reduce((a, tr) => a + tr.eg[j], 0) / trajs.length;
        if (mean >= PLOT_EG_FLOOR) data.push({ K: `K = ${K}`, init: 'mean', kind: 'mean', iteration: trajs[0].steps[j], eg: round(mean), source });
      }
    }
    extra[`K=${K}/log10FinalEgSpreadSim`] = round(logSpread(sims.map((s) => s.eg[s.eg.length - 1])), 4);
    extra[`K=${K}/log10FinalEgSpreadOde`] = round(logSpread(odes.map((s) => s.eg[s.eg.length - 1])), 4);
  }
  const cfg = largeInitConfig(4, seeds[0], preset);
  const maxIter = Math.round(cfg.tMax * cfg.N);
  const xScale = { type: 'log', domain: [50, maxIter], nice: false };
  const xAxis = { values: powersOfTen(100, maxIter), format: '.0e', title: 'iterations (SGD steps)', grid: false };
  const inits = [...seeds.map((_, s) => `init ${s + 1}`), 'mean'];
  const spec = {
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
  return { spec, snapshot: { figure: 'large-init', preset, panels, extra } };
}

export const largeInitFigure: FigureDefinition = {
  name: 'large-init',
  title: 'Figure 3 — Large initial weights produce individual differences',
  caption: (preset) => {
    const c = largeInitConfig(4, largeInitSeeds(preset)[0], preset);
    return (
      `Two-layer erf students with large initial weights, K ∈ {2, 4, 6} by column, M = 4, ` +
      `${largeInitSeeds(preset).length} initializations per K (colours). Solid: SGD; dashed: the ODE started from ` +
      `that initialization's order parameters; black: mean over initializations. Each initialization follows its ` +
      `own staircase, and the ODE predicts each one individually. Settings: ${describeSettings(c)}, seeds ` +
      `${largeInitSeeds(preset).join(', ')}.`
    );
  },
  runs,
  build,
  tolerances: [
    ...replicationTolerances(REPLICATION_BOUNDS['large-init'], { tMax: largeInitConfig(2, 11, 'full').tMax }),
    {
      scope: 'figure',
      name: 'initializations differ: spread of log10 final ε_g across initializations ≥ 0.3 for some K ≥ M (ODE)',
      reason: 'The figure exists to show individual differences: at least a factor 2 between initializations in the final error predicted by theory.',
      check: (s) => Math.max(extraOf(s)['K=4/log10FinalEgSpreadOde'] ?? 0, extraOf(s)['K=6/log10FinalEgSpreadOde'] ?? 0) >= 0.3,
      measured: (s) => JSON.stringify(extraOf(s)),
    },
  ],
  calibration: {
    settings: (preset) => LARGE_INIT_KS.map((K) => ({ K, config: (seed) => largeInitConfig(K, seed, preset) })),
    seedsPerK: largeInitSeeds('full').length,
  },
};
