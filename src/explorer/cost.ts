/**
 * How long in-page SGD takes, said before and while it runs. The page trains the student in a
 * browser worker one sample at a time, tMax·N steps of O(N·K) each, while the ODE takes a
 * fraction of a second: a setting with 10⁸ steps is a quarter of an hour in a tab, and the page
 * says so before the user waits for it. Node-free (the page bundles it).
 */
import type { RunConfig } from '../config.ts';
import { formatSeconds } from '../progress.ts';

/**
 * The page's SGD rate for the estimate before a run (steps per second, K = M = 4, N = 784):
 * 1.57·10⁶ steps in 11.9 s in headless Chromium on the shared 2-core test machine, with the ODE
 * and the drawing sharing the cores (docs/explorer.md has the idle rate, 2.1·10⁵). Smaller K
 * runs faster; the ETA shown while it runs is measured.
 */
export const PAGE_SGD_STEPS_PER_SECOND = 1.3e5;

/** The estimate before a run: seconds of in-page SGD for this setting. */
export function sgdSecondsEstimate(config: Pick<RunConfig, 'tMax' | 'N'>): number {
  return sgdSteps(config) / PAGE_SGD_STEPS_PER_SECOND;
}

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

/** The estimate before a run, in the CLI's format (formatSeconds); a trivial run reads "under a second". */
export function formatEstimate(seconds: number): string {
  return seconds < 1 ? 'under a second' : formatSeconds(seconds);
}
