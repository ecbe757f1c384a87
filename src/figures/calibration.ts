/**
 * The null distribution of the replication metrics: per panel setting, the metrics of S fresh
 * seeds run through the exact sampler and their own ODEs (written by pipeline/calibrate.ts,
 * committed as snapshots/calibration.json). The replication tolerances are read off it by
 * `calibratedBounds`, so each tolerance states the statistics behind it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunConfig } from '../config.ts';
import { ROOT } from '../root.ts';
import { erf } from '../activations/erf.ts';
import type { ActivationName } from '../activations/registry.ts';
import { configHash } from '../runs/hash.ts';
import type { FigureDefinition, Preset, ReplicationBounds } from './types.ts';

export type { ReplicationBounds };

export interface CalibrationSample {
  seed: number;
  escapeTimeSim: number | null;
  escapeTimeOde: number | null;
  maxAbsLogRatioPreEscape: number;
  minAlignQPreEscape: number;
  minAlignRPreEscape: number;
  minAlignVPreEscape: number;
  /** min cosine alignment over the whole run. */
  minAlignQ: number;
  minAlignR: number;
  minAlignV: number;
  finalEgSim: number;
  finalEgOde: number;
  /** ln(ε_sim/ε_ode) at the ODE's flattest record before the escape (figures that declare `plateau`, where the ODE has one). */
  plateauLogRatio?: number;
}

export interface CalibrationFile {
  seeds: number[];
  /** 'sampler': the exact finite-N order-parameter chain (calibration.json); 'sgd': full SGD (calibration-ensemble.json). */
  engine: 'sampler' | 'sgd';
  /** One entry per panel setting; `activation` only on figures that compare activations (absent: the figure's single one). */
  settings: CalibrationEntry[];
}

export interface CalibrationEntry {
  figure: string;
  preset: Preset;
  K: number;
  activation?: ActivationName;
  configHash: string;
  samples: CalibrationSample[];
}

/** A panel setting of a calibrated figure, as a function of the seed. */
export interface CalibrationSetting {
  figure: string;
  preset: Preset;
  K: number;
  activation?: ActivationName;
  /** Measure the plateau comparison too (CalibrationDeclaration.plateau). */
  plateau?: boolean;
  config: (seed: number) => RunConfig;
}

/** The file's entry for a setting (same figure, preset, K and activation), if any. */
export function calibrationEntry(file: CalibrationFile, s: Pick<CalibrationSetting, 'figure' | 'preset' | 'K' | 'activation'>): CalibrationEntry | undefined {
  return file.settings.find((e) => e.figure === s.figure && e.preset === s.preset && e.K === s.K && e.activation === s.activation);
}

/**
 * Every panel setting (each K) of the figures that declare a calibration, per preset. The
 * figures are passed in (the registry's list), so this module imports no figure module.
 */
export function calibrationSettings(figures: readonly FigureDefinition[], presets: readonly Preset[]): CalibrationSetting[] {
  const out: CalibrationSetting[] = [];
  for (const preset of presets)
    for (const fig of figures)
      for (const s of fig.calibration?.settings(preset) ?? [])
        out.push({
          figure: fig.name,
          preset,
          K: s.K,
          ...(s.activation === undefined ? {} : { activation: s.activation }),
          ...(fig.calibration?.plateau ? { plateau: true } : {}),
          config: s.config,
        });
  return out;
}

/** Hash of a setting's config at its first calibration seed: ties the calibration to the figure's settings. */
export function calibrationConfigHash(config: RunConfig): string {
  return configHash({ engine: 'sampler', config }).slice(0, 16);
}

/**
 * The calibration files, one registry. 'sampler' (50 sampler seeds per K, `make calibrate`) is
 * the default; 'ensemble' (≥ 1000 full-SGD seeds per K, `make calibrate PRESET=ensemble`, made
 * on a GPU) replaces it as soon as snapshots/calibration-ensemble.json exists: the bounds then
 * come from that file (activeCalibrationPath), and REPLICATION_BOUNDS must be updated to the
 * rule's output on it (test/figures.test.ts checks the constants against the active file).
 */
export const CALIBRATIONS = {
  sampler: { file: 'calibration.json', engine: 'sampler', defaultSeeds: 50 },
  ensemble: { file: 'calibration-ensemble.json', engine: 'sgd', defaultSeeds: 1000 },
} as const;
export type CalibrationName = keyof typeof CALIBRATIONS;

export function calibrationPath(name: CalibrationName = 'sampler', dir = join(ROOT, 'snapshots')): string {
  return join(dir, CALIBRATIONS[name].file);
}

/** The calibration the replication bounds come from: the ensemble one where present, the sampler one otherwise. */
export function activeCalibrationPath(dir = join(ROOT, 'snapshots')): string {
  const ensemble = calibrationPath('ensemble', dir);
  return existsSync(ensemble) ? ensemble : calibrationPath('sampler', dir);
}

export function readCalibration(dir?: string): CalibrationFile | null {
  const p = activeCalibrationPath(dir);
  return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as CalibrationFile) : null;
}

/**
 * `fresh` (a calibration of some figures, `make calibrate ONLY=…`) merged into the existing file
 * `prior`: its other entries unchanged and in place, and each (figure, preset) measured again
 * with its new entries where its old ones stood (appended when new to the file). Both must have
 * the same seeds and engine, or the bounds would mix null distributions.
 */
export function mergeCalibrations(prior: CalibrationFile, fresh: CalibrationFile): CalibrationFile {
  if (JSON.stringify(prior.seeds) !== JSON.stringify(fresh.seeds) || prior.engine !== fresh.engine)
    throw new Error(`--only: the existing file has ${prior.seeds.length} ${prior.engine} seeds, this run ${fresh.seeds.length} ${fresh.engine} seeds: recalibrate everything instead`);
  const group = (e: CalibrationEntry) => `${e.figure}|${e.preset}`;
  const placed = new Set<string>();
  const measured = new Set(fresh.settings.map(group));
  const settings: CalibrationEntry[] = [];
  for (const e of prior.settings) {
    const g = group(e);
    if (!measured.has(g)) settings.push(e);
    else if (!placed.has(g)) {
      placed.add(g);
      settings.push(...fresh.settings.filter((f) => group(f) === g));
    }
  }
  settings.push(...fresh.settings.filter((f) => !placed.has(group(f))));
  return { ...prior, settings };
}

/** Two-sided standard normal quantile at 10⁻³. */
const Z_TWO_SIDED = 3.29;

function meanSd(xs: number[]): { mean: number; sd: number } {
  if (xs.length < 2) throw new Error(`calibration: need at least 2 samples, got ${xs.length}`);
  const mean = xs.reduce((a, x) => a + x, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1));
  return { mean, sd };
}

/** ln(1 − min cos alignment of Q, R, v): the log-normally fitted alignment deficit. */
function logDeficit(q: number, r: number, v: number): number {
  return Math.log(Math.max(1 - Math.min(q, r, v), 1e-12));
}

/** Per-seed tail rate p at which the median of n (odd) seeds exceeds its bound with probability alpha. */
export function medianTailRate(n: number, alpha: number): number {
  if (!Number.isInteger(n) || n < 1 || n % 2 === 0) throw new Error(`calibration: seedsPerK must be odd and ≥ 1, got ${n}`);
  const need = (n + 1) / 2;
  const tail = (p: number) => {
    let sum = 0;
    for (let k = need; k <= n; k++) sum += binomial(n, k) * p ** k * (1 - p) ** (n - k);
    return sum;
  };
  let lo = 0;
  let hi = 0.5;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (tail(mid) < alpha) lo = mid;
    else hi = mid;
  }
  return lo;
}

function binomial(n: number, k: number): number {
  let c = 1;
  for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i;
  return c;
}

/** Standard normal quantile by bisection on Φ(z) = (1 + erf(z/√2))/2. */
export function normalQuantile(q: number): number {
  let lo = -10;
  let hi = 10;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if ((1 + erf(mid / Math.SQRT2)) / 2 < q) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Round up (dir = 1) or down (dir = −1) to two significant digits: bounds only ever round outward. */
export function roundOutward(x: number, dir: 1 | -1): number {
  if (x === 0 || !Number.isFinite(x)) return x;
  const e = 10 ** (Math.floor(Math.log10(Math.abs(x))) - 1);
  return Number(((dir > 0 ? Math.ceil(x / e - 1e-9) : Math.floor(x / e + 1e-9)) * e).toPrecision(2));
}

/**
 * The rule that turns the calibration runs of one figure into bounds with a false-failure
 * probability of about 10⁻³ per panel and per check, for a correct theory and a correct
 * simulation. Each panel setting (each K) is fitted on its own, since the spread differs a lot
 * between K, and the figure's bound is the most permissive over its K:
 *  - escape: ln(t_sim/t_ode) fitted by a normal law → factor exp(|mean| + 3.29 sd). A run that
 *    escapes while the other has not by t_max enters at its censoring point ln(t_max/t_escape),
 *    a lower bound of its true value;
 *  - pre-escape max |ln ε ratio| is a positive maximum: fitted log-normal; pre-escape alignment:
 *    1 − min(cos Q, cos R, cos v) fitted log-normal (−1, i.e. no constraint, if the tail reaches
 *    below it). Both are checked on the median over the figure's `seedsPerK` seeds of one K, not
 *    per seed: a single run now and then takes a transition at another time than its ODE (an
 *    SGD check of 30 two-layer K = 2 seeds had one at 0.92 against a sampler median of 0.12),
 *    a tail heavier than the log-normal that no 50 samples can pin down at 10⁻³. The median of
 *    n seeds fails only if (n+1)/2 of them are in the tail, so its bound is the fit's quantile
 *    at the per-seed rate p with P(Binomial(n, p) ≥ (n+1)/2) = 10⁻³ (p = 10⁻³, 0.018, 0.053 for
 *    n = 1, 3, 5), a part of the distribution the fit does describe;
 *  - whole-run alignment: 1 − min(cos Q, cos R, cos v) over all records, fitted log-normal and
 *    checked on the median like the pre-escape alignment. After a symmetric plateau the noise
 *    can hand a teacher unit to another student unit than the ODE does, and then R aligns only
 *    up to that relabelling: the fit's tail reaches below 0 and the figure gets no whole-run bound
 *    (the Saad–Solla teacher, all v* = 1). Where the teacher and the student's initial v break
 *    the symmetry at O(1), the assignment is the ODE's and the bound is close to 1;
 *  - final level on the plateau (K < M): ln(ε_sim/ε_ode) normal → |mean| + 3.29 sd;
 *  - plateau height (only where the samples carry it: figures that declare `plateau`):
 *    ln(ε_sim/ε_ode) at the ODE's flattest record before the escape, normal → |mean| + 3.29 sd.
 * A figure that compares activations (Figure 7) applies the rule to each activation's settings
 * on its own (figureSettings' `activation`): one activation's scatter (ReLU's escapes) would
 * otherwise set the bounds of the others.
 * The final level after an escape spans ten decades across seeds (10⁻¹⁵ … 10⁻⁴ for the K = 6 soft
 * committee at t = 1500), so it gets no calibrated bound; the tolerance only asks that a run that
 * escaped stays below the escape threshold.
 * A fit extrapolates the tail beyond the largest of the 50 samples per setting, instead of taking
 * that largest sample (which one panel in ~50 would exceed by chance).
 */
export function boundsFromCalibration(settings: CalibrationSample[][], tMax: number, seedsPerK: number): ReplicationBounds {
  const zMedian = normalQuantile(1 - medianTailRate(seedsPerK, 1e-3));
  const escapeFactor: number[] = [];
  const preEscapeLogRatio: number[] = [];
  const preEscapeAlignment: number[] = [];
  const alignment: number[] = [];
  const stuckLogRatio: number[] = [];
  const plateauLogRatio: number[] = [];
  for (const samples of settings) {
    // The plateau height, where the figure measured it: ln ratio at the ODE's flattest record, normal.
    const plateau = samples.filter((s) => s.plateauLogRatio !== undefined).map((s) => s.plateauLogRatio!);
    if (plateau.length >= 2) {
      const pl = meanSd(plateau);
      plateauLogRatio.push(Math.abs(pl.mean) + Z_TWO_SIDED * pl.sd);
    }
    const lr = meanSd(samples.map((s) => Math.log(Math.max(s.maxAbsLogRatioPreEscape, 1e-12))));
    preEscapeLogRatio.push(Math.exp(lr.mean + zMedian * lr.sd));
    const whole = meanSd(samples.map((s) => logDeficit(s.minAlignQ, s.minAlignR, s.minAlignV)));
    alignment.push(1 - Math.exp(whole.mean + zMedian * whole.sd));
    const odeEscapes = samples.filter((s) => s.escapeTimeOde !== null);
    if (odeEscapes.length < samples.length / 2) {
      const fin = meanSd(samples.map((s) => Math.log(s.finalEgSim / s.finalEgOde)));
      stuckLogRatio.push(Math.abs(fin.mean) + Z_TWO_SIDED * fin.sd);
      continue;
    }
    const ratios = samples
      .filter((s) => s.escapeTimeSim !== null || s.escapeTimeOde !== null)
      .map((s) => Math.log((s.escapeTimeSim ?? tMax) / (s.escapeTimeOde ?? tMax)));
    const esc = meanSd(ratios);
    escapeFactor.push(Math.exp(Math.abs(esc.mean) + Z_TWO_SIDED * esc.sd));
    const al = meanSd(odeEscapes.map((s) => logDeficit(s.minAlignQPreEscape, s.minAlignRPreEscape, s.minAlignVPreEscape)));
    preEscapeAlignment.push(1 - Math.exp(al.mean + zMedian * al.sd));
  }
  return {
    escapeFactor: roundOutward(Math.max(...escapeFactor), 1),
    preEscapeLogRatio: roundOutward(Math.max(...preEscapeLogRatio), 1),
    preEscapeAlignment: Math.max(-1, roundOutward(Math.min(...preEscapeAlignment), -1)),
    alignment: Math.max(-1, roundOutward(Math.min(...alignment), -1)),
    stuckLogRatio: roundOutward(Math.max(...stuckLogRatio), 1),
    ...(plateauLogRatio.length ? { plateauLogRatio: roundOutward(Math.max(...plateauLogRatio), 1) } : {}),
  };
}

/** The full-preset samples of one figure, one array per panel setting (K, or K and activation), and the figure's run length. */
export function figureSettings(file: CalibrationFile, figure: FigureDefinition, activation?: ActivationName): { samples: CalibrationSample[][]; tMax: number; seedsPerK: number } {
  // A figure that compares activations gets bounds per activation (one column's null distribution each).
  const settings = calibrationSettings([figure], ['full']).filter((s) => activation === undefined || s.activation === activation);
  if (!settings.length || !figure.calibration) throw new Error(`calibration: figure ${figure.name} declares no calibration`);
  const samples = settings.map((s) => {
    const entry = calibrationEntry(file, s);
    if (!entry) throw new Error(`calibration: no full-preset samples for ${figure.name} ${s.activation === undefined ? '' : `${s.activation} `}K=${s.K}`);
    return entry.samples;
  });
  return { samples, tMax: settings[0].config(file.seeds[0]).tMax, seedsPerK: figure.calibration.seedsPerK };
}
