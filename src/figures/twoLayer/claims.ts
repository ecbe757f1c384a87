/** What Figure 2 claims: the calibrated replication tolerances, and the caption with every setting. */
import { describeSettings, replicationTolerances } from '../common.ts';
import { REPLICATION_BOUNDS } from '../replicationBounds.ts';
import type { Preset, Tolerance } from '../types.ts';
import { twoLayerConfig, twoLayerSeeds } from './study.ts';

export const twoLayerTolerances: Tolerance[] = replicationTolerances(REPLICATION_BOUNDS['two-layer'], { tMax: twoLayerConfig(2, 1, 'full').tMax });

export function twoLayerCaption(preset: Preset): string {
  const c = twoLayerConfig(4, 1, preset);
  return (
    `Online SGD of a two-layer erf network (both layers trained; second layer at η/N per step) on an M = 4 ` +
    `teacher, K ∈ {2, 4, 6} by column, seeds ${twoLayerSeeds(preset).join(', ')} (one line each). Top: ε_g, ` +
    `simulation solid blue, ODE of Goldt et al. (2019) dashed red, each ODE started from its simulation's ` +
    `initial order parameters. Rows 2–4: cosine similarity between simulated and theoretical Q, R and v. ` +
    `The teacher's v* differ and the student's v start spread (scale ${c.studentVScale}), so the ` +
    `assignment of student to teacher units is fixed by the initial condition, which the ODE shares: ` +
    `the alignment stays near 1 throughout, with dips at the steep drops of ε_g. With K = 6 > M the surplus ` +
    `student units share teacher units, and how they split one is again a symmetric choice left to the noise: ` +
    `a K = 6 run can drift from its ODE after the escape. With all v* = 1 and ` +
    `small initial v it does not: O(1/√N) SGD noise then picks the assignment on the plateau, and R ` +
    `aligns only up to a relabelling of student units (≈ 0.5 when two trade places) while ε_g still ` +
    `follows the theory (docs/figures.md, "Choosing the settings"). ` +
    `Settings: ${describeSettings(c)}.`
  );
}
