/**
 * The seed-ensemble figures' analysis: per K the mean and std across seeds of ε_g of the
 * simulations, of their own ODEs and of the per-seed differences, subsampled for the snapshot,
 * and the spread in units of 1/√N at a few times.
 *
 * Which ODE: every seed starts from its own random weights, and the ODE is deterministic given
 * its start, so each seed gets the ODE from its own initial order parameters and the overlay is
 * their mean over seeds: E_start[ε_ode(t; start)] is what E[ε_sim(t)] converges to as N → ∞.
 * One ODE from the mean initial order parameters would be wrong here: averaged over seeds the
 * start is permutation symmetric (E R = 0, E Q_ik = 0 for i ≠ k), an invariant subspace of the
 * ODE (Saad & Solla 1995, §3: the symmetric plateau), so that ODE never escapes the plateau
 * while every seed does, at a time ~ ln(1/δ) set by its own O(1/√N) asymmetry δ.
 */
import { acrossSeeds, pairedDifference, recordsAt, spreadInSqrtNUnits } from '../../metrics/ensembleStats.ts';
import type { RunResults } from '../../runs/key.ts';
import type { Trajectory } from '../../trajectory.ts';
import { getSimOdePair, pairConfigHash, round } from '../common.ts';
import type { EnsemblePanel, EnsembleRecord } from '../types.ts';
import type { EnsembleSettings } from './study.ts';

/** Times at which the snapshot and the subtitle report the spread (those ≤ tMax). */
export const SPREAD_TIMES = [1, 10, 100, 1000, 10000];
/** Records kept in the snapshot: about this many, evenly spaced in record index, plus the last. */
const SNAPSHOT_RECORDS = 25;

/** ε_g statistics of one K: mean/std across seeds of the simulations, of their ODEs and of the per-seed differences. */
export function ensembleStats(sims: readonly Trajectory[], odes: readonly Trajectory[]) {
  const t = sims[0].t;
  for (const tr of [...sims, ...odes])
    if (tr.t.length !== t.length || tr.t.some((x, j) => x !== t[j])) throw new Error('ensemble: runs of one K must share the record grid');
  const simEg = sims.map((s) => s.eg);
  const odeEg = odes.map((o) => o.eg);
  return { t, steps: sims[0].steps, sim: acrossSeeds(simEg), ode: acrossSeeds(odeEg), diff: acrossSeeds(pairedDifference(simEg, odeEg)) };
}

export type Stats = ReturnType<typeof ensembleStats>;

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

/** One K of an ensemble figure: its statistics over seeds and its snapshot panel. */
export interface EnsembleColumn {
  K: number;
  st: Stats;
  panel: EnsemblePanel;
}

export function analyseEnsemble(s: EnsembleSettings, results: RunResults): EnsembleColumn[] {
  return s.Ks.map((K) => {
    const pairs = s.seeds.map((seed) => getSimOdePair(results, { K }, s.config(K, seed)));
    const st = ensembleStats(
      pairs.map((p) => p[0]),
      pairs.map((p) => p[1]),
    );
    const first = s.config(K, s.seeds[0]);
    return { K, st, panel: ensemblePanel(K, s.seeds.length, st, first.N, pairConfigHash(first)) };
  });
}
