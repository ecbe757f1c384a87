/**
 * Seed-ensemble figures: ε_g of online SGD as the mean and a ±1 std band over many seeds per K,
 * with the ODE on top, and the spread compared with the 1/√N scale of finite-size fluctuations.
 *
 * Which ODE: every seed starts from its own random weights, and the ODE is deterministic given
 * its start, so each seed gets the ODE from its own initial order parameters and the overlay is
 * their mean over seeds: E_start[ε_ode(t; start)] is what E[ε_sim(t)] converges to as N → ∞.
 * One ODE from the mean initial order parameters would be wrong here: averaged over seeds the
 * start is permutation symmetric (E R = 0, E Q_ik = 0 for i ≠ k), an invariant subspace of the
 * ODE (Saad & Solla 1995, §3: the symmetric plateau), so that ODE never escapes the plateau
 * while every seed does, at a time ~ ln(1/δ) set by its own O(1/√N) asymmetry δ.
 *
 * `ensembleFigure` is a factory over the settings (Ks, seeds, config per K and seed), so the
 * tests build the same figure on a tiny instance through the same code.
 */
import type { RunConfig } from '../config.ts';
import type { RunResults } from '../runs/key.ts';
import type { Trajectory } from '../trajectory.ts';
import { acrossSeeds, pairedDifference, recordsAt, spreadInSqrtNUnits } from './ensembleStats.ts';
import { COLORS, describeSettings, getSimOdePair, pairConfigHash, PLOT_EG_FLOOR, powersOfTen, round, simOdePair } from './common.ts';
import type { BuiltFigure, EnsemblePanel, EnsembleRecord, EnsembleSnapshot, FigureDefinition, Preset, RunSpec } from './types.ts';

/** Times at which the snapshot and the subtitle report the spread (those ≤ tMax). */
export const SPREAD_TIMES = [1, 10, 100, 1000, 10000];
/** Records kept in the snapshot: about this many, evenly spaced in record index, plus the last. */
const SNAPSHOT_RECORDS = 25;

export interface EnsembleSettings {
  name: string;
  title: string;
  /** What the figure shows, for the title: e.g. 'Soft committee machine'. */
  label: string;
  /** The ODE's source, for the caption: e.g. 'Saad & Solla (1995)'. */
  theory: string;
  Ks: readonly number[];
  seeds: readonly number[];
  /** The run config of one K and seed (the seed is the only difference between a K's runs). */
  config(K: number, seed: number): RunConfig;
  /** The presets that build it ('ensemble'; tests use their own instance). */
  presets: readonly Preset[];
}

/** The sgd and ode runs of every K and seed. */
export function ensembleRuns(s: EnsembleSettings): RunSpec[] {
  return s.Ks.flatMap((K) => s.seeds.flatMap((seed) => simOdePair({ K }, s.config(K, seed))));
}

/** ε_g statistics of one K: mean/std across seeds of the simulations, of their ODEs and of the per-seed differences. */
export function ensembleStats(sims: readonly Trajectory[], odes: readonly Trajectory[]) {
  const t = sims[0].t;
  for (const tr of [...sims, ...odes])
    if (tr.t.length !== t.length || tr.t.some((x, j) => x !== t[j])) throw new Error('ensemble: runs of one K must share the record grid');
  const simEg = sims.map((s) => s.eg);
  const odeEg = odes.map((o) => o.eg);
  return { t, steps: sims[0].steps, sim: acrossSeeds(simEg), ode: acrossSeeds(odeEg), diff: acrossSeeds(pairedDifference(simEg, odeEg)) };
}

type Stats = ReturnType<typeof ensembleStats>;

function record(st: Stats, j: number): EnsembleRecord {
  return {
    t: round(st.t[j], 8),
    meanSim: round(st.sim.mean[j], 6),
    stdSim: round(st.sim.std[j], 6),
    meanOde: round(st.ode.mean[j], 6),
    stdOde: round(st.ode.std[j], 6),
    stdDiff: round(st.diff.std[j], 6),
  };
}

export function ensemblePanel(K: number, seeds: number, st: Stats, N: number, hash: string): EnsemblePanel {
  const J = st.t.length;
  const every = Math.max(1, Math.round(J / SNAPSHOT_RECORDS));
  const idx = [...Array(J).keys()].filter((j) => j % every === 0 || j === J - 1);
  const spread = recordsAt(st.t, SPREAD_TIMES).map((j) => ({
    ...record(st, j),
    simSpreadSqrtN: round(spreadInSqrtNUnits(st.sim.std[j], st.sim.mean[j], N), 4),
    diffSpreadSqrtN: round(spreadInSqrtNUnits(st.diff.std[j], st.sim.mean[j], N), 4),
  }));
  return { panel: `K=${K}`, K, seeds, configHash: hash, records: idx.map((j) => record(st, j)), spread };
}

/** Plot rows of one K: the simulations' mean with its ±1 std band, and the mean of the seeds' ODEs. */
function plotRows(K: number, st: Stats) {
  const rows: Record<string, string | number>[] = [];
  for (let j = 0; j < st.t.length; j++) {
    if (st.steps[j] === 0) continue;
    const col = `K = ${K}`;
    const m = st.sim.mean[j];
    const sd = st.sim.std[j];
    // A log axis cannot show mean − std ≤ 0: the band's lower edge is cut at the plot floor.
    rows.push({ K: col, iteration: st.steps[j], eg: round(Math.max(m, PLOT_EG_FLOOR)), lo: round(Math.max(m - sd, PLOT_EG_FLOOR)), hi: round(Math.max(m + sd, PLOT_EG_FLOOR)), source: 'simulation' });
    rows.push({ K: col, iteration: st.steps[j], eg: round(Math.max(st.ode.mean[j], PLOT_EG_FLOOR)), source: 'theory' });
  }
  return rows;
}

function spreadLine(p: EnsemblePanel): string {
  const at = p.spread.map((s) => `t=${s.t}: ${s.simSpreadSqrtN} (SGD part ${s.diffSpreadSqrtN})`).join('; ');
  return `K = ${p.K}: std·√N/mean of ε_g at ${at}`;
}

function build(s: EnsembleSettings, results: RunResults, preset: Preset): BuiltFigure {
  const cfg = s.config(s.Ks[0], s.seeds[0]);
  const data: Record<string, string | number>[] = [];
  const panels = s.Ks.map((K) => {
    const pairs = s.seeds.map((seed) => getSimOdePair(results, { K }, s.config(K, seed)));
    const st = ensembleStats(
      pairs.map((p) => p[0]),
      pairs.map((p) => p[1]),
    );
    data.push(...plotRows(K, st));
    const first = s.config(K, s.seeds[0]);
    return ensemblePanel(K, s.seeds.length, st, first.N, pairConfigHash(first));
  });
  const maxIter = Math.round(cfg.tMax * cfg.N);
  const minIter = Math.max(1, Math.min(50, maxIter / 100));
  const xScale = { type: 'log', domain: [minIter, maxIter], nice: false };
  const xAxis = { values: powersOfTen(minIter, maxIter), format: '.0e', title: 'iterations (SGD steps)', grid: false };
  const x = { field: 'iteration', type: 'quantitative', scale: xScale, axis: xAxis };
  const yScale = { type: 'log', domain: [1e-5, 2] };
  const y = { field: 'eg', type: 'quantitative', scale: yScale, axis: { title: 'generalization error ε_g', format: '.0e', values: powersOfTen(1e-5, 1) } };
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `${s.label}: ${s.seeds.length} seeds per K, mean ± 1 std of SGD (blue) vs mean of the seeds' ODEs (dashed red)`,
      subtitle: [`${describeSettings(cfg)}; 1/√N = ${round(1 / Math.sqrt(cfg.N), 3)}`, ...panels.map(spreadLine)],
    },
    data: { values: data },
    facet: { column: { field: 'K', type: 'ordinal', title: null, sort: s.Ks.map((K) => `K = ${K}`), header: { labelFontSize: 13 } } },
    spec: {
      width: 230,
      height: 190,
      layer: [
        {
          transform: [{ filter: "datum.source === 'simulation'" }],
          mark: { type: 'area', opacity: 0.25, color: COLORS.simulation, clip: true },
          encoding: { x, y: { ...y, field: 'lo' }, y2: { field: 'hi' } },
        },
        {
          transform: [{ filter: "datum.source === 'simulation'" }],
          mark: { type: 'line', strokeWidth: 1.6, color: COLORS.simulation, clip: true },
          encoding: { x, y },
        },
        {
          transform: [{ filter: "datum.source === 'theory'" }],
          mark: { type: 'line', strokeWidth: 1.6, color: COLORS.theory, strokeDash: [5, 3], clip: true },
          encoding: { x, y },
        },
      ],
    },
    config: { legend: { orient: 'top' } },
  };
  const snapshot: EnsembleSnapshot = { figure: s.name, preset, N: cfg.N, panels };
  return { spec, snapshot };
}

function caption(s: EnsembleSettings): string {
  const cfg = s.config(s.Ks[0], s.seeds[0]);
  return (
    `${s.label}, K ∈ {${s.Ks.join(', ')}} by column, ${s.seeds.length} seeds per K (seeds ${s.seeds[0]}–${s.seeds[s.seeds.length - 1]}). ` +
    `Solid blue: mean over seeds of the online-SGD ε_g, with a ±1 std band (std across seeds, the width one run scatters by; ` +
    `the band's lower edge is cut at ${PLOT_EG_FLOOR} on the log axis). Dashed red: the mean over seeds of the ODE of ${s.theory}, ` +
    `each seed's ODE started from that seed's own initial order parameters (one ODE from the mean start would sit on the symmetric ` +
    `plateau forever, since the mean start is permutation symmetric). The subtitle gives the relative spread std·√N/mean at a few ` +
    `times, of ε_g and of the per-seed difference ε_sim − ε_ode (the SGD noise alone): values of order 1 are the 1/√N = ` +
    `${round(1 / Math.sqrt(cfg.N), 3)} finite-size scale; after the escape the spread is dominated by when each seed escapes. ` +
    `Settings: ${describeSettings(cfg)}.`
  );
}

export function ensembleFigure(s: EnsembleSettings): FigureDefinition {
  return {
    name: s.name,
    title: s.title,
    presets: s.presets,
    caption: () => caption(s),
    runs: () => ensembleRuns(s),
    build: (results, preset) => build(s, results, preset),
    // The ensemble figures show spreads; their replication checks are the calibrated tolerances
    // of Figures 1–3 (`make calibrate PRESET=ensemble`), not per-figure predicates.
    tolerances: [],
  };
}
