/** What Figure 1 claims: the calibrated replication tolerances, and the caption with every setting. */
import { describeSettings, replicationTolerances } from '../common.ts';
import { REPLICATION_BOUNDS } from '../replicationBounds.ts';
import type { Preset, Tolerance } from '../types.ts';
import { softCommitteeConfig } from './study.ts';

export const softCommitteeTolerances: Tolerance[] = replicationTolerances(REPLICATION_BOUNDS['soft-committee'], { tMax: softCommitteeConfig(2, 'full').tMax });

export function softCommitteeCaption(preset: Preset): string {
  const c = softCommitteeConfig(4, preset);
  return (
    `Online SGD of a soft committee machine student (v = 1, not trained) on an M = 4 soft committee teacher, ` +
    `K ∈ {2, 4, 6} by column; solid blue: simulation (ε_g from the measured order parameters), dashed red: ` +
    `ODEs of Saad & Solla (1995) started from the simulation's initial order parameters. Bottom: every overlap ` +
    `R_in. Settings: ${describeSettings(c)}, seed ${c.seed}. K = 2 < M cannot represent the teacher and keeps a ` +
    `high error; K ≥ M leaves the symmetric plateau when the units specialize.`
  );
}
