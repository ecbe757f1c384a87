/** What Figure 6 claims: the fitted slope is −1/2 within its statistical error; and the caption. */
import { extraOf } from '../common.ts';
import type { Preset, Tolerance } from '../types.ts';
import { finiteSizeGrid, T_MEASURE } from './study.ts';

export const finiteSizeTolerances: Tolerance[] = [
  {
    scope: 'figure',
    name: 'fitted slope of log std(ε_g) vs log N within −0.5 ± 0.1',
    reason: 'Theory: fluctuations around the ODE are O(1/√N). With 40 seeds the log10 of a sample std has SE ≈ 0.434/√(2·39) ≈ 0.05 per N; over 7 N spanning 3 decades the slope SE is ≈ 0.02, so ±0.1 is 5 SE, while slopes −1 or 0 (no fluctuation scaling) are far out.',
    check: (s) => Math.abs((extraOf(s).slope ?? 0) + 0.5) <= 0.1,
    measured: (s) => `slope ${extraOf(s).slope} ± ${extraOf(s).slopeSe}`,
  },
];

export function finiteSizeCaption(preset: Preset): string {
  const g = finiteSizeGrid(preset);
  return (
    `Standard deviation across ${g.seeds} seeds of ε_g at t = ${T_MEASURE} for N ∈ {${g.Ns.join(', ')}}, all runs ` +
    `from the same initial order parameters (soft committee K = M = 2, η = 0.5, σ = 0.5), simulated with the exact ` +
    `order-parameter sampler; blue: least-squares power law (slope in the legend and the snapshot), red: slope −1/2.`
  );
}
