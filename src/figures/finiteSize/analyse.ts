/**
 * Figure 6's analysis: per N the standard deviation across seeds of ε_g at T_MEASURE and the
 * mean's offset from the ODE, then the least-squares power law of the std against N.
 */
import { linearFit, mean, sampleStd } from '../../metrics/statistics.ts';
import type { RunResults } from '../../runs/key.ts';
import { round } from '../common.ts';
import type { Preset } from '../types.ts';
import { finiteSizeGrid, odeKey, samplerKey } from './study.ts';

export interface FiniteSizeAnalysis {
  /** Per N: the std across seeds. */
  points: { N: number; sd: number }[];
  logN: number[];
  logSd: number[];
  fit: ReturnType<typeof linearFit>;
  extra: Record<string, number>;
}

export function analyseFiniteSize(results: RunResults, preset: Preset): FiniteSizeAnalysis {
  const g = finiteSizeGrid(preset);
  const points: { N: number; sd: number }[] = [];
  const logN: number[] = [];
  const logSd: number[] = [];
  const extra: Record<string, number> = {};
  for (const N of g.Ns) {
    const egs = Array.from({ length: g.seeds }, (_, s) => {
      const tr = results.get(samplerKey(N, s));
      return tr.eg[tr.eg.length - 1];
    });
    const ode = results.get(odeKey(N));
    const sd = sampleStd(egs);
    logN.push(Math.log10(N));
    logSd.push(Math.log10(sd));
    points.push({ N, sd });
    extra[`N=${N}/sd`] = round(sd, 6);
    extra[`N=${N}/meanMinusOde`] = round(mean(egs) - ode.eg[ode.eg.length - 1], 6);
  }
  const fit = linearFit(logN, logSd);
  extra.slope = round(fit.slope, 4);
  extra.slopeSe = round(fit.slopeSe, 4);
  return { points, logN, logSd, fit, extra };
}
