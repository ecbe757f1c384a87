/**
 * Figure 5's runs: the settings per preset and the sweeps they declare, one per (width, model,
 * group of N with the same seed count): η zipped with tMax = ηt_end/η (every run goes through
 * the plateau and the specialization, and no further), σ on a grid, the exact sampler per seed
 * and one ODE per point (all runs start from the same explicit order parameters, so the ODE
 * does not depend on the seed).
 */
import { validateConfig, type ModelKind, type RunConfig } from '../../config.ts';
import { configHash, sha256 } from '../../runs/hash.ts';
import type { RunKey } from '../../runs/key.ts';
import { expandSweep, sweepAxes, type SweepDesign, type SweepRun } from '../../sweep/spec.ts';
import type { Preset, RunSpec } from '../types.ts';

export const MODELS = ['soft-committee', 'two-layer'] as const satisfies readonly ModelKind[];

/**
 * The shared start: one draw of Gaussian weights at N = 784 (student scale 0.5, student
 * second layer scale 0.5, teacher scale 1, seed 'validity-map'), rounded to 4 digits. Using it
 * at every N and seed isolates the finite-N effect of the data stream, lets one ODE serve all
 * seeds, and fixes T, so that η_c below is exact for the map. Its student–teacher overlaps
 * (|R| ≈ 0.01) make the plateau last ηt ≈ 50–130, the same as a random start at N ≈ 800.
 */
export const VALIDITY_INIT = {
  Q: [[0.2492, 0.001192], [0.001192, 0.229]],
  R: [[-0.005942, 0.001166], [-0.01167, 0.01455]],
  T: [[0.9774, 0.02016], [0.02016, 1.02]],
  v: [-0.8175, -0.2178],
};

/**
 * The same recipe at K = M = 4 (same seed, scales and N; its 2×2 corner is not VALIDITY_INIT,
 * the draw is a different size). Its plateau lasts ηt ≈ 160–320 (ODE, η = 0.1–0.33), so the
 * K = 4 runs go to ηt = 400.
 */
export const VALIDITY_INIT_K4 = {
  Q: [[0.264, -0.02522, 0.009776, -0.005559], [-0.02522, 0.2612, -0.01312, 0.003586], [0.009776, -0.01312, 0.2125, 0.01489], [-0.005559, 0.003586, 0.01489, 0.2393]],
  R: [[0.01343, -0.02047, -0.005793, -0.01807], [-0.01926, 0.02368, -0.003585, 0.001181], [0.01537, -0.004821, -0.01749, -0.009078], [-0.02164, 0.002703, -0.01282, -0.01671]],
  T: [[0.9774, 0.02016, -0.01188, -0.02335], [0.02016, 1.02, 0.002332, 0.02911], [-0.01188, 0.002332, 0.9968, 0.004768], [-0.02335, 0.02911, 0.004768, 0.916]],
  v: [-0.568, -0.2935, -0.2843, 0.4314],
};
const INIT_BY_K: Record<number, typeof VALIDITY_INIT> = { 2: VALIDITY_INIT, 4: VALIDITY_INIT_K4 };

/** The soft committee's v is fixed at 1, so its init carries no v. */
export function initFor(model: ModelKind, K = 2) {
  const init = INIT_BY_K[K];
  if (!init) throw new Error(`validity map: no fixed start for K = ${K}`);
  return model === 'two-layer' ? init : { Q: init.Q, R: init.R, T: init.T };
}

export interface NGroup {
  Ns: number[];
  seeds: number;
  /** Smallest η run at these N (the costliest runs have small η: tMax ∝ 1/η, steps = tMax·N). */
  lrMin: number;
}

/** A further width K = M on its own N groups and horizon (the complete grid's K = M = 4). */
export interface Width {
  K: number;
  groups: NGroup[];
  etaT: number;
}

export interface Settings {
  lrs: number[];
  sigmas: number[];
  /** K = M = 2: the N groups and the horizon. */
  groups: NGroup[];
  /** ηt at the end of every run: tMax = etaT/η. */
  etaT: number;
  recordPoints: number;
  /** Wider nets, same η and σ grids (absent: K = 2 only). */
  wider?: Width[];
}

/** Every width of a settings: K = 2 first, then the wider ones. */
export const widthsOf = (s: Settings): Width[] => [{ K: 2, groups: s.groups, etaT: s.etaT }, ...(s.wider ?? [])];

/**
 * Settings per preset. Full: 14 η from 0.1 to 18 (ratio ≈ 1.5), σ ∈ {0, 0.5, 1}, 20 seeds at
 * N = 200 and 784; at N = 3000 and 10⁴ (cost ∝ N) 6 and 2 seeds and η ≥ 0.33 only — see
 * docs/figures.md ("Figure 5 on the complete grid") for the measured costs behind this cut. ci: a reduced grid that CI re-runs in ~5 s.
 */
export const SETTINGS_BY_PRESET: Record<Preset, Settings> = {
  full: {
    lrs: [0.1, 0.15, 0.22, 0.33, 0.5, 0.75, 1.1, 1.6, 2.4, 3.6, 5.4, 8, 12, 18],
    sigmas: [0, 0.5, 1],
    groups: [
      { Ns: [200, 784], seeds: 20, lrMin: 0.1 },
      { Ns: [3000], seeds: 6, lrMin: 0.33 },
      { Ns: [10000], seeds: 2, lrMin: 0.33 },
    ],
    etaT: 200,
    recordPoints: 60,
  },
  // The complete grid: 20 seeds in every cell at every N, all 14 η. On the CPU
  // (the sampler has no GPU path) this is ≈ 1.0·10¹⁰ sampler steps, ≈ 40 minutes on 2 idle cores,
  // so it is built as its own figure in the opt-in 'ensemble' preset (ensembleValidityMapFigure).
  ensemble: {
    lrs: [0.1, 0.15, 0.22, 0.33, 0.5, 0.75, 1.1, 1.6, 2.4, 3.6, 5.4, 8, 12, 18],
    sigmas: [0, 0.5, 1],
    groups: [{ Ns: [200, 784, 3000, 10000], seeds: 20, lrMin: 0.1 }],
    etaT: 200,
    recordPoints: 60,
    // K = M = 4 costs 2.6× per step (1.27 against 0.48 µs, quiet machine) and needs twice the
    // horizon: N ∈ {200, 784, 3000} adds ≈ 5.8·10⁹ steps, ≈ 2 core-hours; N = 10⁴ would add
    // ≈ 7 more, so it is left out.
    wider: [{ K: 4, groups: [{ Ns: [200, 784, 3000], seeds: 20, lrMin: 0.1 }], etaT: 400 }],
  },
  ci: {
    lrs: [0.5, 1.6, 5.4],
    sigmas: [0, 1],
    groups: [{ Ns: [100, 400], seeds: 2, lrMin: 0.5 }],
    etaT: 200,
    recordPoints: 30,
  },
};

export const settingsOf = (preset: Preset): Settings => SETTINGS_BY_PRESET[preset];

/**
 * Whether the caption states the answer (VALIDITY_ANSWER, claims.ts): its numbers summarise the
 * full grid's cells; the reduced grid is too small to hold them, and the complete grid's own
 * figure has its own caption.
 */
export const CAPTION_STATES_ANSWER: Record<Preset, boolean> = { full: true, ci: false, ensemble: false };

/** Seeds 1 … n. */
const firstSeeds = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

/** One sweep of the figure: a (width, model, N group), as a typed design (src/sweep/spec.ts). */
function sweepOf(model: ModelKind, width: Width, group: NGroup, s: Settings): SweepDesign {
  const lrs = s.lrs.filter((lr) => lr >= group.lrMin);
  const { K, etaT } = width;
  return {
    base: { model, K, M: K, batchSize: 1, recordScale: 'log', recordPoints: s.recordPoints, init: initFor(model, K) } satisfies Partial<RunConfig>,
    axes: sweepAxes([{ N: group.Ns }, { sigma: s.sigmas }, { lr: lrs, tMax: lrs.map((lr) => etaT / lr), recordEvery: lrs.map((lr) => 0.05 / lr) }]),
    seeds: firstSeeds(group.seeds),
    engines: ['ode', 'sampler'],
  };
}

/** One cell's run config at the full preset's settings (the explorer's Figure 5 preset). */
export function validityCellConfig(model: ModelKind, N: number, lr: number, sigma: number, seed: number): RunConfig {
  const s = SETTINGS_BY_PRESET.full;
  return validateConfig({ model, K: 2, M: 2, N, lr, sigma, seed, batchSize: 1, recordScale: 'log', recordPoints: s.recordPoints, tMax: s.etaT / lr, recordEvery: 0.05 / lr, init: initFor(model) });
}

export interface PlannedRun {
  /** The run's key within the figure: the sweep's key with the model and K added (the sweeps of one (model, K) partition N). */
  key: RunKey;
  /** Simulation runs: the key of their ODE. */
  ode?: RunKey;
  model: ModelKind;
  run: SweepRun;
}

const withModel = (model: ModelKind, K: number, key: RunKey): RunKey => ({ ...key, params: { model, K, ...key.params } });

/** Every run of the figure, keyed by (model, K, the sweep's structured key); never parsed back. */
export function plan(preset: Preset): PlannedRun[] {
  const s = settingsOf(preset);
  const out: PlannedRun[] = [];
  for (const width of widthsOf(s))
    for (const model of MODELS)
      for (const group of width.groups)
        for (const run of expandSweep(sweepOf(model, width, group, s))) {
          const key = (k: RunKey) => withModel(model, width.K, k);
          out.push({ key: key(run.key), ...(run.ode ? { ode: key(run.ode) } : {}), model, run });
        }
  return out;
}

export function validityMapRuns(preset: Preset): RunSpec[] {
  return plan(preset).map((p) => ({ key: p.key, engine: p.run.engine, config: p.run.config, allowDivergence: true }));
}

/** sha256 of the planned runs' config hashes, in plan order. */
export const runsHashOf = (planned: readonly PlannedRun[]) => sha256(planned.map((p) => configHash({ engine: p.run.engine, config: p.run.config })).join(':')).slice(0, 16);

export function runsHash(preset: Preset): string {
  return runsHashOf(plan(preset));
}

