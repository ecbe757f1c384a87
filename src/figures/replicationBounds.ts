/**
 * Per-figure bounds of the replication tolerances, read off snapshots/calibration.json by the
 * rule in `boundsFromCalibration` (src/figures/calibration.ts). test/figures.test.ts recomputes
 * them from the committed calibration and requires equality, so a bound can be neither
 * loosened nor tightened by hand: re-run `npx tsx pipeline/calibrate.ts` and copy its output.
 */
import type { ReplicationBounds } from './types.ts';

export const REPLICATION_BOUNDS: Record<'soft-committee' | 'two-layer' | 'large-init', ReplicationBounds> = {
  'soft-committee': { escapeFactor: 1.9, preEscapeLogRatio: 1.4, preEscapeAlignment: -0.35, alignment: -1, stuckLogRatio: 0.022 },
  'two-layer': { escapeFactor: 1.7, preEscapeLogRatio: 0.31, preEscapeAlignment: 0.88, alignment: 0.16, stuckLogRatio: 0.041 },
  'large-init': { escapeFactor: 2.4, preEscapeLogRatio: 0.48, preEscapeAlignment: 0.28, alignment: -0.49, stuckLogRatio: 0.067 },
};
