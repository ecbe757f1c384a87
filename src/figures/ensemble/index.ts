/**
 * Seed-ensemble figures: ε_g of online SGD as the mean and a ±1 std band over many seeds per K,
 * with the mean of the seeds' own ODEs on top, and the spread compared with the 1/√N scale of
 * finite-size fluctuations (analyse.ts says which ODE, and why).
 *
 * `ensembleFigure` is a factory over the settings (Ks, seeds, config per K and seed), so the
 * tests build the same figure on a tiny instance through the same code; the 'ensemble' preset
 * builds it for Figures 1 and 2 (study.ts).
 */
import type { EnsembleSnapshot, FigureDefinition } from '../types.ts';
import { analyseEnsemble } from './analyse.ts';
import { ensembleCaption, meanAgreementTolerance } from './claims.ts';
import { ensembleSpec } from './plot.ts';
import { ENSEMBLE_SOFT_COMMITTEE, ENSEMBLE_TWO_LAYER, ensembleRuns, type EnsembleSettings } from './study.ts';

export { ensemblePanel, ensembleStats, SPREAD_TIMES } from './analyse.ts';
export { MEAN_AGREEMENT_Z, meanAgreementTolerance, SELF_AVERAGING_T } from './claims.ts';
export { ENSEMBLE_SEEDS, ENSEMBLE_T_MAX, ensembleRuns, type EnsembleSettings } from './study.ts';

export function ensembleFigure(s: EnsembleSettings): FigureDefinition {
  return {
    name: s.name,
    title: s.title,
    presets: s.presets,
    caption: () => ensembleCaption(s),
    runs: () => ensembleRuns(s),
    build: (results, preset) => {
      const columns = analyseEnsemble(s, results);
      const snapshot: EnsembleSnapshot = { figure: s.name, preset, N: s.config(s.Ks[0], s.seeds[0]).N, panels: columns.map((c) => c.panel) };
      return { spec: ensembleSpec(s, columns), snapshot };
    },
    // Per-seed replication is what the calibrated tolerances of Figures 1–3 check; here the
    // ensemble's own claim: its mean follows the mean of the seeds' ODEs.
    tolerances: [meanAgreementTolerance],
  };
}

export const ensembleSoftCommitteeFigure = ensembleFigure(ENSEMBLE_SOFT_COMMITTEE);
export const ensembleTwoLayerFigure = ensembleFigure(ENSEMBLE_TWO_LAYER);
