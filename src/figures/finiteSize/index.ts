/**
 * Figure 6 — finite-size scaling of the fluctuations around the ODE.
 *
 * Soft committee K = M = 2, η = 0.5, σ = 0.5, all runs from the same explicit initial order
 * parameters (so only SGD noise differs between seeds). For N from 10² to 10⁵ (made feasible
 * by the exact order-parameter sampler, whose cost does not depend on N), the standard
 * deviation across seeds of ε_g at t = 5 is plotted against N on log–log axes with the fitted
 * power law; the theory of fluctuations around the deterministic ODE limit predicts slope −1/2.
 */
import type { FigureDefinition, Snapshot } from '../types.ts';
import { analyseFiniteSize } from './analyse.ts';
import { finiteSizeCaption, finiteSizeTolerances } from './claims.ts';
import { finiteSizeSpec } from './plot.ts';
import { finiteSizeConfig, finiteSizeRuns } from './study.ts';

export { finiteSizeConfig };

export const finiteSizeFigure: FigureDefinition = {
  name: 'finite-size',
  title: 'Figure 6 — Finite-size scaling: fluctuations around the ODE shrink as 1/√N',
  caption: finiteSizeCaption,
  runs: finiteSizeRuns,
  build: (results, preset) => {
    const a = analyseFiniteSize(results, preset);
    return { spec: finiteSizeSpec(a, preset), snapshot: { figure: 'finite-size', preset, panels: [], extra: a.extra } satisfies Snapshot };
  },
  tolerances: finiteSizeTolerances,
};
