/**
 * Figure 4 — the specialization transition, seen in the order parameters.
 *
 * The K = M = 4 soft committee run of Figure 1 (same config, so the pipeline reuses the
 * cached run). Top: ε_g with the snapshot times marked. Below: R (student × teacher) and Q
 * (student × student) as heatmaps at those times, simulation beside theory. On the plateau
 * every student overlaps every teacher alike (R rows equal: the symmetric fixed point); after
 * the escape each student aligns with one teacher (one dominant entry per row of R, Q ≈ T).
 * Students are ordered by the teacher they end up matching, for readability.
 * The interactive variant moves through every record time with a slider.
 */
import type { FigureDefinition } from '../types.ts';
import { analyseSpecialization } from './analyse.ts';
import { specializationCaption, specializationTolerances } from './claims.ts';
import { specializationSpecs } from './plot.ts';
import { specializationRuns } from './study.ts';

export { specializationIndex } from './analyse.ts';

export const specializationFigure: FigureDefinition = {
  name: 'specialization',
  title: 'Figure 4 — The specialization transition tracks feature learning',
  caption: specializationCaption,
  runs: specializationRuns,
  build: (results, preset) => {
    const a = analyseSpecialization(results, preset);
    const { spec, interactiveSpec } = specializationSpecs(a, preset);
    return { spec, interactiveSpec, snapshot: { figure: 'specialization', preset, panels: a.panels, extra: a.extra } };
  },
  tolerances: specializationTolerances,
};
