/**
 * Figure 5's analysis: each cell (model, K, N, η, σ) compares every seed's SGD with the ODE
 * over the whole run; the theory's own edges (the stability edge η_c of the perfect student,
 * src/theory/stability.ts, and the η beyond which the ODE from this start fails); per row the
 * η range where the ODE follows; and how the discrepancy falls with N.
 */
import { validateConfig, type ModelKind, type RunConfig } from '../../config.ts';
import { alignmentSummary } from '../../metrics/alignment.ts';
import { linearFit, mean, median, quantile } from '../../metrics/statistics.ts';
import type { RunResults } from '../../runs/key.ts';
import { initialOrderParams } from '../../sim/weights.ts';
import { isotropicSetup, odeDivergenceLr, saturated, stabilityEdge, Q_SATURATION } from '../../theory/stability.ts';
import type { Trajectory } from '../../trajectory.ts';
import { round } from '../common.ts';
import type { Preset, Snapshot } from '../types.ts';
import { initFor, MODELS, plan, runsHashOf, settingsOf, widthsOf, type PlannedRun, type Settings, type Width } from './study.ts';

/** ε_g below which a run has escaped the plateau (plateau ≈ 0.013–0.07 here; converged runs reach 1e-7). */
export const ESCAPE_THRESHOLD = 2e-3;
/** ε_g below which ratios are not taken: the finite-N chain and the ODE both approach 0. */
export const EG_FLOOR = 1e-4;
/** A cell "follows" when the mean over seeds of max_t |ln(ε_sim/ε_ode)| is below this (a factor e^0.5 ≈ 1.65). */
export const FOLLOW_BOUND = 0.5;

/**
 * How a run ended. The one place that reads the engines' divergence signal (the cached
 * trajectory's divergedAt, which storedTrajectory sets from a diverged RunResult) and adds saturation.
 */
export type Outcome = 'completed' | 'diverged' | 'saturated';
export function outcome(traj: Trajectory): Outcome {
  if (traj.divergedAt !== undefined) return 'diverged';
  return saturated(traj.Q) ? 'saturated' : 'completed';
}

/** One map cell: (model, N, η, σ). */
export interface ValidityCell {
  model: ModelKind;
  K: number;
  N: number;
  lr: number;
  sigma: number;
  seeds: number;
  /** Fraction of seeds whose SGD diverged or saturated (some Q_kk > Q_SATURATION). */
  failedFraction: number;
  odeOutcome: Outcome;
  /** Means over the seeds whose SGD completed (null if none did). */
  maxAbsLogRatio: number | null;
  /** Standard error of that mean (null with fewer than 2 seeds). */
  maxAbsLogRatioSe: number | null;
  /** mean ln(final ε_sim / final ε_ode). */
  finalLogRatio: number | null;
  /** median over seeds of escape time sim / ODE (null if the ODE or no seed escapes). */
  escapeRatio: number | null;
}

/** The theory's edges for one model. */
export interface ValidityEdges {
  model: ModelKind;
  K: number;
  /** Stability edge of the perfect student at T = I (Saad & Solla's orthonormal teacher). */
  etaCIsotropic: number;
  /** The same at the map's T (VALIDITY_INIT.T). */
  etaC: number;
  /** η beyond which the ODE from VALIDITY_INIT fails (diverges or saturates) within ηt ≤ etaT, per σ. */
  odeFailLr: { sigma: number; lr: number | null }[];
  /** Large-K asymptote of Saad & Solla (1995): π√3/K. */
  saadSollaLargeK: number;
}

/** Per (model, N, σ): the largest grid η up to which every cell follows (and no seed failed). */
export interface FollowRange {
  model: ModelKind;
  K: number;
  N: number;
  sigma: number;
  lrMax: number | null;
  lrMaxOverEtaC: number | null;
}

/**
 * How the discrepancy falls with N, per K: for each (model, σ, η) column where SGD completed
 * at every N of the map (and at least 3 of them), the least-squares slope of
 * ln(mean max|ln ε_sim/ε_ode|) against ln N. Finite-N fluctuations about the ODE are O(1/√N),
 * so the slopes should sit near −½; an error in the theory would add an N-independent part and
 * flatten them towards 0.
 */
export interface NScaling {
  K: number;
  Ns: number[];
  columns: number;
  /** Median and quartiles of the slopes (null without columns). */
  median: number | null;
  q1: number | null;
  q3: number | null;
}

export interface ValidityMapSnapshot extends Snapshot {
  settings: Settings & { escapeThreshold: number; egFloor: number; followBound: number; qSaturation: number };
  /** sha256 of every run's config hash, in plan order: the snapshot was made from these runs. */
  runsHash: string;
  edges: ValidityEdges[];
  follow: FollowRange[];
  nScaling: NScaling[];
  cells: ValidityCell[];
}

const orNull = (x: number | null, digits = 4) => (x === null || !Number.isFinite(x) ? null : round(x, digits));

function cellsOf(results: RunResults, planned: readonly PlannedRun[]): ValidityCell[] {
  const groups = new Map<string, { model: ModelKind; cfg: RunConfig; sims: Trajectory[]; ode: Trajectory }>();
  for (const p of planned) {
    if (p.run.engine === 'ode') continue;
    const c = p.run.config;
    const key = `${p.model}|${c.K}|${c.N}|${c.lr}|${c.sigma}`;
    const cell = groups.get(key) ?? { model: p.model, cfg: c, sims: [], ode: results.get(p.ode!) };
    cell.sims.push(results.get(p.key));
    groups.set(key, cell);
  }
  return [...groups.values()].map(({ model, cfg, sims, ode }) => {
    const ok = sims.filter((s) => outcome(s) === 'completed');
    const odeOutcome = outcome(ode);
    const summaries = odeOutcome === 'diverged' ? [] : ok.map((s) => alignmentSummary(s, ode, { escapeThreshold: ESCAPE_THRESHOLD, egFloor: EG_FLOOR }));
    const logs = summaries.map((a) => a.maxAbsLogRatio);
    const logsMean = logs.length ? mean(logs) : NaN;
    const se = logs.length > 1 ? Math.sqrt(logs.reduce((a, x) => a + (x - logsMean) ** 2, 0) / (logs.length - 1) / logs.length) : null;
    const esc = summaries.filter((a) => a.escapeTimeSim !== null && a.escapeTimeOde !== null).map((a) => a.escapeTimeSim! / a.escapeTimeOde!);
    return {
      model,
      K: cfg.K,
      N: cfg.N,
      lr: cfg.lr,
      sigma: cfg.sigma,
      seeds: sims.length,
      failedFraction: round(1 - ok.length / sims.length, 4),
      odeOutcome,
      maxAbsLogRatio: logs.length ? orNull(mean(logs)) : null,
      maxAbsLogRatioSe: orNull(se),
      finalLogRatio: summaries.length ? orNull(mean(summaries.map((a) => Math.log(Math.max(a.finalEgSim, 1e-12) / Math.max(a.finalEgOde, 1e-12))))) : null,
      escapeRatio: esc.length ? orNull(median(esc)) : null,
    };
  });
}

/**
 * The theory's edges, once per (settings, model): pure but not cheap (≈ 1 s each: the ODE
 * divergence η is a bisection over full integrations), and the build, the caption and its
 * answer all need them.
 */
export function edgesFor(model: ModelKind, s: Settings, width: Width = widthsOf(s)[0]): ValidityEdges {
  const perModel = edgesCache.get(s) ?? new Map<string, ValidityEdges>();
  edgesCache.set(s, perModel);
  const key = `${model}|${width.K}`;
  let edges = perModel.get(key);
  if (!edges) perModel.set(key, (edges = computeEdges(model, width, s.sigmas)));
  return edges;
}
const edgesCache = new WeakMap<Settings, Map<string, ValidityEdges>>();

/** Every (width, model)'s edges, K = 2 first. */
export const allEdges = (s: Settings) => widthsOf(s).flatMap((w) => MODELS.map((m) => edgesFor(m, s, w)));

function computeEdges(model: ModelKind, width: Width, sigmas: number[]): ValidityEdges {
  const { K, etaT } = width;
  const init = initialOrderParams(validateConfig({ model, N: 784, K, M: K, init: initFor(model, K) }));
  const etaC = stabilityEdge({ ...isotropicSetup(model, K), T: init.T });
  const odeFailLr = sigmas.map((sigma) => {
    const lr = odeDivergenceLr({ model, N: 784, sigma, batchSize: 1, trainSecondLayer: true }, init, (x) => etaT / x, { lrMin: 0.05, lrMax: 100 });
    return { sigma, lr: Number.isFinite(lr) ? round(lr, 4) : null };
  });
  return {
    model,
    K,
    etaCIsotropic: round(stabilityEdge(isotropicSetup(model, K)), 6),
    etaC: round(etaC, 6),
    odeFailLr,
    saadSollaLargeK: round((Math.PI * Math.sqrt(3)) / K, 6),
  };
}

/** The edges of a cell's (model, K). */
export const edgesOf = (edges: readonly ValidityEdges[], c: { model: ModelKind; K: number }) => edges.find((e) => e.model === c.model && e.K === c.K)!;

function followRanges(cells: ValidityCell[], edges: ValidityEdges[]): FollowRange[] {
  const out: FollowRange[] = [];
  const keyOf = (c: ValidityCell) => `${c.model}|${c.K}|${c.N}|${c.sigma}`;
  const keys = [...new Set(cells.map(keyOf))];
  for (const k of keys) {
    const row = cells.filter((c) => keyOf(c) === k).sort((a, b) => a.lr - b.lr);
    let lrMax: number | null = null;
    for (const c of row) {
      if (c.failedFraction > 0 || c.maxAbsLogRatio === null || c.maxAbsLogRatio >= FOLLOW_BOUND) break;
      lrMax = c.lr;
    }
    const etaC = edgesOf(edges, row[0]).etaC;
    out.push({ model: row[0].model, K: row[0].K, N: row[0].N, sigma: row[0].sigma, lrMax, lrMaxOverEtaC: lrMax === null ? null : round(lrMax / etaC, 3) });
  }
  return out;
}

/** The N-scaling summary per K (see NScaling); pure in the cells. */
export function nScalingOf(cells: readonly ValidityCell[]): NScaling[] {
  return [...new Set(cells.map((c) => c.K))].map((K) => {
    const ofK = cells.filter((c) => c.K === K);
    const Ns = [...new Set(ofK.map((c) => c.N))].sort((a, b) => a - b);
    const slopes: number[] = [];
    const column = (c: ValidityCell) => `${c.model}|${c.sigma}|${c.lr}`;
    for (const col of Ns.length >= 3 ? new Set(ofK.map(column)) : []) {
      const pts = ofK.filter((c) => column(c) === col && c.failedFraction === 0 && c.maxAbsLogRatio !== null && c.maxAbsLogRatio > 0);
      if (pts.length < Ns.length) continue;
      slopes.push(linearFit(pts.map((c) => Math.log(c.N)), pts.map((c) => Math.log(c.maxAbsLogRatio!))).slope);
    }
    const q = (x: number) => (slopes.length ? round(quantile(slopes, x), 3) : null);
    return { K, Ns, columns: slopes.length, median: q(0.5), q1: q(0.25), q3: q(0.75) };
  });
}


/** The snapshot of a validity map named `figure`: its cells, the theory's edges, the follow ranges and the N-scaling. */
export function analyseValidityMap(figure: string, results: RunResults, preset: Preset): ValidityMapSnapshot {
  const s = settingsOf(preset);
  // The plan is expanded once per build (the complete grid has 12348 runs).
  const planned = plan(preset);
  const cells = cellsOf(results, planned);
  const edges = allEdges(s);
  return {
    figure,
    preset,
    panels: [],
    settings: { ...s, escapeThreshold: ESCAPE_THRESHOLD, egFloor: EG_FLOOR, followBound: FOLLOW_BOUND, qSaturation: Q_SATURATION },
    runsHash: runsHashOf(planned),
    edges,
    follow: followRanges(cells, edges),
    nScaling: nScalingOf(cells),
    cells,
  };
}
