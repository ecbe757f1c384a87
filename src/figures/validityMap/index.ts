/**
 * Figure 5 — where the ODE theory follows finite-N SGD, and where it stops.
 *
 * The figure declares sweeps (study.ts), one per (model, group of N with the same seed count):
 * η zipped with tMax = ηt_end/η (every run goes through the plateau and the specialization,
 * and no further), σ on a grid, the exact sampler per seed and one ODE per point (all runs
 * start from the same explicit order parameters, so the ODE does not depend on the seed). Each
 * cell compares every seed's SGD with the ODE over the whole run (analyse.ts); the theory's own
 * edges are drawn on the map: the stability edge η_c of the perfect student
 * (src/theory/stability.ts) and the η beyond which the ODE from this start fails.
 *
 * The default build's Figure 5 and the ensemble preset's complete grid (20 seeds in every
 * cell at every N, and K = M = 4) are two figures, two SVGs, from the same code.
 */
import type { FigureDefinition } from '../types.ts';
import { analyseValidityMap } from './analyse.ts';
import { ensembleValidityMapCaption, validityMapCaption } from './caption.ts';
import { ENSEMBLE_VALIDITY_TOLERANCES, VALIDITY_TOLERANCES } from './claims.ts';
import { validityMapSpec } from './plot.ts';
import { runsHash, settingsOf, validityMapRuns } from './study.ts';

export { FOLLOW_BOUND, nScalingOf, outcome, type Outcome, type ValidityCell, type ValidityMapSnapshot } from './analyse.ts';
export { asValidity, ENSEMBLE_ANSWER, N_SCALING, VALIDITY_ANSWER } from './claims.ts';
export { runsHash, VALIDITY_INIT, VALIDITY_INIT_K4, validityCellConfig } from './study.ts';

/** The build of a validity map whose snapshot is named `name`. */
const build =
  (name: string): FigureDefinition['build'] =>
  (results, preset) => {
    const snapshot = analyseValidityMap(name, results, preset);
    return { spec: validityMapSpec(settingsOf(preset), snapshot.cells, snapshot.edges), snapshot };
  };

export const validityMapFigure: FigureDefinition = {
  name: 'validity-map',
  runsHash,
  title: 'Figure 5 — Learning-rate and noise bounds within which the ODEs follow SGD',
  caption: validityMapCaption,
  runs: validityMapRuns,
  build: build('validity-map'),
  tolerances: VALIDITY_TOLERANCES,
};

export const ensembleValidityMapFigure: FigureDefinition = {
  name: 'ensemble-validity-map',
  presets: ['ensemble'],
  runsHash,
  title: 'Figure 5, complete grid — the ODE against SGD with 20 seeds in every cell',
  caption: () => ensembleValidityMapCaption(),
  runs: validityMapRuns,
  build: build('ensemble-validity-map'),
  tolerances: ENSEMBLE_VALIDITY_TOLERANCES,
};
