/**
 * The times at which every engine records its state.
 *
 * SGD can only stop after whole steps (t = steps/N), so record times are chosen as step
 * counts and every engine (ODE, SGD, sampler) reports at exactly t = step/N. That makes the
 * theory–simulation comparison point-by-point without interpolation.
 */
import type { RunConfig } from './config.ts';
import { phaseBoundaries } from './model/schedule.ts';

/** Step counts (strictly increasing, starting at 0) at which to record; every phase boundary is one. */
export function recordSteps(config: Pick<RunConfig, 'N' | 'tMax' | 'recordEvery' | 'recordScale' | 'recordPoints' | 'schedule'>): number[] {
  const { N, tMax, recordEvery } = config;
  const last = Math.round(tMax * N);
  const steps = new Set<number>([0]);
  if (config.recordScale === 'linear') {
    const count = Math.floor(tMax / recordEvery + 1e-9);
    // Spacing below one step records every step: enumerate steps, not the (maybe 10¹⁰) grid points.
    if (count >= last) return Array.from({ length: last + 1 }, (_, s) => s);
    for (let j = 1; j <= count; j++) steps.add(Math.round(j * recordEvery * N));
  } else {
    const n = config.recordPoints;
    const lo = Math.log(recordEvery);
    const hi = Math.log(tMax);
    for (let j = 0; j < n; j++) steps.add(Math.round(Math.exp(lo + ((hi - lo) * j) / (n - 1)) * N));
  }
  steps.add(last);
  for (const b of phaseBoundaries(config)) steps.add(b);
  return [...steps].filter((s) => s <= last).sort((a, b) => a - b);
}

export function stepsToTimes(steps: number[], N: number): number[] {
  return steps.map((s) => s / N);
}
