/**
 * Figure 1 — soft committee machine (Saad & Solla 1995 replication).
 *
 * Columns K ∈ {2, 4, 6} students against an M = 4 teacher at N = 784. Top row: ε_g(t) of
 * online SGD (measured order parameters through the closed form) and of the ODE started from
 * the same initial weights, log–log. Bottom row: every student–teacher overlap R_in(t).
 * K < M cannot represent the teacher and stays on a high error; K ≥ M leaves the symmetric
 * plateau when the units specialize and the error falls by orders of magnitude.
 */
import { validateConfig } from '../../config.ts';
import type { FigureDefinition } from '../types.ts';
import { analyseSoftCommittee } from './analyse.ts';
import { softCommitteeCaption, softCommitteeTolerances } from './claims.ts';
import { softCommitteeSpec } from './plot.ts';
import { SOFT_COMMITTEE_KS, softCommitteeConfig, softCommitteeRuns } from './study.ts';

export { SOFT_COMMITTEE_KS, softCommitteeConfig };

export const softCommitteeFigure: FigureDefinition = {
  name: 'soft-committee',
  title: 'Figure 1 — Soft committee machine: theory–simulation overlap',
  caption: softCommitteeCaption,
  runs: softCommitteeRuns,
  build: (results, preset) => {
    const panels = analyseSoftCommittee(results, preset);
    return { spec: softCommitteeSpec(panels, preset), snapshot: { figure: 'soft-committee', preset, panels: panels.map((p) => p.metrics) } };
  },
  tolerances: softCommitteeTolerances,
  calibration: {
    settings: (preset) => SOFT_COMMITTEE_KS.map((K) => ({ K, config: (seed) => validateConfig({ ...softCommitteeConfig(K, preset), seed }) })),
    seedsPerK: 1,
  },
};
