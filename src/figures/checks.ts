/**
 * Running a figure's tolerances on a snapshot. Each tolerance runs where its scope says (per
 * panel, or once per figure), and a snapshot on which no check ran fails: a figure whose
 * snapshot has no panels cannot pass its panel checks by having nothing to check.
 */
import { isEnsembleSnapshot, type FigureSnapshot, type Tolerance } from './types.ts';

export interface CheckReport {
  /** How many checks ran: one per figure tolerance, one per (panel tolerance, panel). */
  ran: number;
  /** One line per failed check (with its measured value), or the reason none ran. */
  failures: string[];
}

export function checkSnapshot(tolerances: readonly Tolerance[], snapshot: FigureSnapshot): CheckReport {
  let ran = 0;
  const failures: string[] = [];
  for (const tol of tolerances) {
    if (tol.scope === 'figure') {
      ran++;
      if (!tol.check(snapshot)) failures.push(`${tol.name} — measured ${tol.measured(snapshot)}`);
      continue;
    }
    // Ensemble panels carry ε_g statistics, not the metrics a panel tolerance reads.
    if (isEnsembleSnapshot(snapshot)) {
      failures.push(`${tol.name}: a panel tolerance cannot run on the ensemble snapshot of ${snapshot.figure}`);
      continue;
    }
    for (const p of snapshot.panels) {
      ran++;
      if (!tol.check(p, snapshot)) failures.push(`${p.panel}: ${tol.name} — measured ${tol.measured(p, snapshot)}`);
    }
  }
  if (ran === 0) failures.push(`no check ran on ${snapshot.figure} (${tolerances.length} tolerances, ${snapshot.panels.length} panels)`);
  return { ran, failures };
}
