/**
 * How long in-page SGD takes, said before and while it runs. The page trains the student in a
 * browser worker one sample at a time, tMax·N steps of O(N·K) each: the defaults (N = 784,
 * tMax = 2000) are 1.6·10⁶ steps, minutes in a tab, while the ODE takes a fraction of a second.
 * Node-free (the page bundles it).
 */
import type { RunConfig } from '../config.ts';

/** SGD steps of a run: one sample per step, N steps per unit of time t. */
export function sgdSteps(config: Pick<RunConfig, 'tMax' | 'N'>): number {
  return Math.ceil(config.tMax * config.N);
}

/** A count for the status line: 1.57·10⁶ rather than 1568000. */
export function formatCount(n: number): string {
  if (n < 1e4) return String(n);
  const e = Math.floor(Math.log10(n));
  return `${(n / 10 ** e).toFixed(2)}·10${superscript(e)}`;
}

function superscript(e: number): string {
  const digits = '⁰¹²³⁴⁵⁶⁷⁸⁹';
  return String(e).replace(/\d/g, (d) => digits[Number(d)]);
}

/** An ETA in seconds below 90 s and in minutes above, so a ten-minute run does not read as "612.3 s". */
export function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '…';
  if (seconds < 90) return `${seconds.toFixed(1)} s`;
  if (seconds < 5400) return `${(seconds / 60).toFixed(1)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}
