/**
 * Figure 1 — soft committee machine (Saad & Solla 1995 replication).
 *
 * Columns K ∈ {2, 4, 6} students against an M = 4 teacher at N = 784. Top row: ε_g(t) of
 * online SGD (measured order parameters through the closed form) and of the ODE started from
 * the same initial weights, log–log. Bottom row: every student–teacher overlap R_in(t).
 * K < M cannot represent the teacher and stays on a high error; K ≥ M leaves the symmetric
 * plateau when the units specialize and the error falls by orders of magnitude.
 */
import { REPLICATION_BOUNDS } from './replicationBounds.ts';
import { validateConfig, type RunConfig } from '../config.ts';
import type { RunResults } from '../runs/key.ts';
import type { Trajectory } from '../trajectory.ts';
import {
  config,
  describeSettings,
  egRows,
  getSimOdePair,
  replicationTolerances,
  panelMetrics,
  powersOfTen,
  round,
  simOdePair,
  sourceColor,
  sourceDash,
} from './common.ts';
import type { FigureDefinition, Preset, RunSpec } from './types.ts';

export const SOFT_COMMITTEE_KS = [2, 4, 6];
const ESCAPE_THRESHOLD = 1e-2;

export function softCommitteeConfig(K: number, preset: Preset): RunConfig {
  const full = preset === 'full';
  return config({
    model: 'soft-committee',
    N: full ? 784 : 300,
    K,
    M: 4,
    lr: 0.5,
    sigma: 0,
    batchSize: 1,
    tMax: full ? 1500 : 400,
    recordEvery: 0.1,
    recordScale: 'log',
    recordPoints: full ? 250 : 80,
    seed: 1,
    teacherScale: 1,
    studentScale: 0.5,
  });
}

function runs(preset: Preset): RunSpec[] {
  return SOFT_COMMITTEE_KS.flatMap((K) => simOdePair({ K }, softCommitteeConfig(K, preset)));
}

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

function build(results: RunResults, preset: Preset) {
  const egData: Record<string, string | number>[] = [];
  const rData: Record<string, string | number>[] = [];
  const panels = SOFT_COMMITTEE_KS.map((K) => {
    const [sim, ode] = getSimOdePair(results, { K }, softCommitteeConfig(K, preset));
    egData.push(...egRows(sim, 'simulation', { K: `K = ${K}` }), ...egRows(ode, 'theory', { K: `K = ${K}` }));
    rData.push(...rRows(sim, 'simulation', K), ...rRows(ode, 'theory', K));
    return panelMetrics({ K }, sim, ode, softCommitteeConfig(K, preset), { escapeThreshold: ESCAPE_THRESHOLD });
  });
  const cfg = softCommitteeConfig(4, preset);
  const maxIter = Math.round(cfg.tMax * cfg.N);
  const xScale = { type: 'log', domain: [50, maxIter], nice: false };
  const xAxis = { values: powersOfTen(100, maxIter), format: '.0e', title: 'iterations (SGD steps)', grid: false };
  const column = { field: 'K', type: 'ordinal', title: null, sort: SOFT_COMMITTEE_KS.map((K) => `K = ${K}`), header: { labelFontSize: 13 } };
  const spec = {
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
  return { spec, snapshot: { figure: 'soft-committee', preset, panels } };
}

export const softCommitteeFigure: FigureDefinition = {
  name: 'soft-committee',
  title: 'Figure 1 — Soft committee machine: theory–simulation overlap',
  caption: (preset) => {
    const c = softCommitteeConfig(4, preset);
    return (
      `Online SGD of a soft committee machine student (v = 1, not trained) on an M = 4 soft committee teacher, ` +
      `K ∈ {2, 4, 6} by column; solid blue: simulation (ε_g from the measured order parameters), dashed red: ` +
      `ODEs of Saad & Solla (1995) started from the simulation's initial order parameters. Bottom: every overlap ` +
      `R_in. Settings: ${describeSettings(c)}, seed ${c.seed}. K = 2 < M cannot represent the teacher and keeps a ` +
      `high error; K ≥ M leaves the symmetric plateau when the units specialize.`
    );
  },
  runs,
  build,
  tolerances: replicationTolerances(REPLICATION_BOUNDS['soft-committee'], { tMax: softCommitteeConfig(2, 'full').tMax }),
  calibration: {
    settings: (preset) => SOFT_COMMITTEE_KS.map((K) => ({ K, config: (seed) => validateConfig({ ...softCommitteeConfig(K, preset), seed }) })),
    seedsPerK: 1,
  },
};
