/**
 * Statistics across a seed ensemble, per record time: the mean and the sample standard
 * deviation (n − 1) of a quantity over seeds, and the spread in units of the 1/√N scale of
 * finite-size fluctuations. Pure functions; the ensemble figures (src/figures/ensemble/) use
 * them on ε_g.
 */

export interface SeriesStats {
  mean: number[];
  /** Standard deviation across seeds (not of the mean): the width a single run scatters by. */
  std: number[];
}

/** Per-record mean and sample std over seeds; `series[s][j]` is seed s at record j (equal lengths). */
export function acrossSeeds(series: readonly (readonly number[])[]): SeriesStats {
  const S = series.length;
  if (S < 2) throw new Error(`ensemble: need at least 2 seeds, got ${S}`);
  const J = series[0].length;
  for (const s of series) if (s.length !== J) throw new Error(`ensemble: seeds have different record counts (${s.length} vs ${J})`);
  const mean: number[] = [];
  const std: number[] = [];
  for (let j = 0; j < J; j++) {
    // Two passes: the deviations are taken from the finished mean (no cancellation as in Σx² − n·x̄²).
    let sum = 0;
    for (let s = 0; s < S; s++) sum += series[s][j];
    const m = sum / S;
    let ss = 0;
    for (let s = 0; s < S; s++) ss += (series[s][j] - m) ** 2;
    mean.push(m);
    std.push(Math.sqrt(ss / (S - 1)));
  }
  return { mean, std };
}

/** Per-record difference a − b of two seed-aligned ensembles (e.g. each seed's SGD minus its own ODE). */
export function pairedDifference(a: readonly (readonly number[])[], b: readonly (readonly number[])[]): number[][] {
  if (a.length !== b.length) throw new Error(`ensemble: ${a.length} vs ${b.length} seeds`);
  return a.map((row, s) => {
    if (row.length !== b[s].length) throw new Error(`ensemble: seed ${s} has ${row.length} vs ${b[s].length} records`);
    return row.map((x, j) => x - b[s][j]);
  });
}

/**
 * The first record index at or after each target time (targets past the last record are
 * dropped): where the spread is reported.
 */
export function recordsAt(t: readonly number[], targets: readonly number[]): number[] {
  const out: number[] = [];
  for (const target of targets) {
    const j = t.findIndex((x) => x >= target * (1 - 1e-12));
    if (j >= 0 && !out.includes(j)) out.push(j);
  }
  return out;
}

/** std · √N / mean: the relative spread in units of 1/√N (≈ O(1) where fluctuations are finite-size). */
export function spreadInSqrtNUnits(std: number, mean: number, N: number): number {
  return (std * Math.sqrt(N)) / mean;
}
