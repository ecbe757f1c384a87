/**
 * Figure 8's runs: the model and schedule, the head variants, the α grids and seeds per preset
 * scale, and the explicit start every run shares (so one ODE serves all seeds of an α).
 */
import { validateConfig, type InitOrderParams, type RunConfig } from '../../config.ts';
import { configHash, sha256 } from '../../runs/hash.ts';
import type { RunKey } from '../../runs/key.ts';
import { round } from '../common.ts';
import { atScale, type PerScale } from '../study.ts';
import type { Preset, RunSpec } from '../types.ts';

/** The model and the schedule (both presets). */
export const FORGETTING = {
  K: 2,
  M: 1,
  lr: 1,
  /** End of phase 1 (task 1) and of phase 2 (task 2). */
  switchAt: 30,
  tMax: 60,
  /** Q = q0·I. */
  q0: 0.5,
  /** Overlap of each student unit with w*₁ … */
  rTeacher: [0.15, -0.2],
  /** … and with ξ, the direction in which teacher 2 leaves teacher 1 (so R to w*₂ is α·r + √(1−α²)·c). */
  rXi: [0.15, 0.05],
  /** The student's initial second layer (every head starts here). */
  vSmall: [0.1, -0.2],
  vLarge: [0.5, -1],
} as const;

export const VARIANTS = {
  single: { heads: 'single', v: FORGETTING.vSmall, label: 'single head', simulated: true },
  multi: { heads: 'multi', v: FORGETTING.vSmall, label: 'multi-head', simulated: true },
  'multi-large': { heads: 'multi', v: FORGETTING.vLarge, label: 'multi-head, heads start at O(1) (theory)', simulated: false },
} as const;
export type Variant = keyof typeof VARIANTS;
export const VARIANT_NAMES = Object.keys(VARIANTS) as Variant[];
export const SIMULATED = VARIANT_NAMES.filter((v) => VARIANTS[v].simulated);

const steps = (n: number, last = 1) => Array.from({ length: n + 1 }, (_, j) => round((last * j) / n, 6));

/** The N, seeds and α grids (simulated, ODE, shown over time) per preset scale. */
const GRID: PerScale<{ N: number; seeds: number[]; simAlphas: number[]; odeAlphas: number[]; timeAlphas: number[] }> = {
  published: { N: 2000, seeds: Array.from({ length: 12 }, (_, i) => i + 1), simAlphas: steps(10), odeAlphas: steps(40), timeAlphas: [0, 0.4, 0.8] },
  reduced: { N: 500, seeds: [1, 2, 3, 4], simAlphas: steps(5), odeAlphas: steps(10), timeAlphas: [0, 0.4, 0.8] },
};

export function forgettingGrid(preset: Preset) {
  return atScale(preset, GRID);
}

/**
 * The initial order parameters over both teachers' units: R = [r, α·r + √(1−α²)·c] (K×2),
 * T = [[1, α], [α, 1]], Q = q0·I, v. PSD for every α: Q − r rᵀ − c cᵀ ⪰ 0.
 */
export function forgettingInit(alpha: number, v: readonly number[]): InitOrderParams {
  const { K, q0, rTeacher: r, rXi: c } = FORGETTING;
  const beta = Math.sqrt(1 - alpha * alpha);
  return {
    Q: Array.from({ length: K }, (_, i) => Array.from({ length: K }, (_, k) => (i === k ? q0 : 0))),
    R: r.map((x, k) => [x, alpha * x + beta * c[k]]),
    T: [[1, alpha], [alpha, 1]],
    v: [...v],
  };
}

export function forgettingConfig(alpha: number, variant: Variant, N: number, seed: number): RunConfig {
  const { heads, v } = VARIANTS[variant];
  return validateConfig({
    model: 'two-layer',
    N,
    K: FORGETTING.K,
    M: FORGETTING.M,
    lr: FORGETTING.lr,
    sigma: 0,
    batchSize: 1,
    tMax: FORGETTING.tMax,
    recordEvery: 1,
    recordScale: 'linear',
    seed,
    trainSecondLayer: true,
    teachers: [{}, { featureSimilarity: alpha }],
    schedule: [{ teacher: 0, until: FORGETTING.switchAt }, { teacher: 1, until: FORGETTING.tMax }],
    heads,
    init: forgettingInit(alpha, v),
  });
}

export const simKey = (variant: Variant, alpha: number, seed: number): RunKey => ({ params: { variant, alpha }, seed, engine: 'sampler' });
/** One ODE per (variant, α): every seed starts from the same init. */
export const odeKey = (variant: Variant, alpha: number): RunKey => ({ params: { variant, alpha }, seed: null, engine: 'ode' });
/** The ODE's config seed (it does not enter the run). */
const ODE_SEED = 0;

export function forgettingRuns(preset: Preset): RunSpec[] {
  const g = forgettingGrid(preset);
  const out: RunSpec[] = [];
  for (const variant of VARIANT_NAMES) {
    const alphas = [...new Set([...g.odeAlphas, ...g.simAlphas])].sort((a, b) => a - b);
    for (const alpha of alphas) out.push({ key: odeKey(variant, alpha), engine: 'ode', config: forgettingConfig(alpha, variant, g.N, ODE_SEED) });
    if (!VARIANTS[variant].simulated) continue;
    for (const alpha of g.simAlphas)
      for (const seed of g.seeds) out.push({ key: simKey(variant, alpha, seed), engine: 'sampler', config: forgettingConfig(alpha, variant, g.N, seed) });
  }
  return out;
}

/** Hash of every run's config, in run order: the snapshot was made from these runs. */
export function forgettingRunsHash(preset: Preset): string {
  return sha256(forgettingRuns(preset).map((r) => configHash({ engine: r.engine, config: r.config })).join(':')).slice(0, 16);
}
