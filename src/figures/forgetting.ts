/**
 * Figure 8 — forgetting against task similarity (continual learning; issue 17).
 *
 * A two-layer erf student (K = 2) learns teacher 1 (M = 1) until t = 30, then teacher 2 until
 * t = 60. Teacher 2's unit is w*₂ = α·w*₁ + √(1−α²)·ξ (feature similarity α, the same readout
 * v* = 1). Forgetting is ε_g on task 1 at the end minus ε_g on task 1 at the switch
 * (Lee, Goldt & Saxe 2021). Left: ε_g on both tasks over time at a few α, theory lines and
 * the SGD mean over seeds as points, the switch marked. Right: forgetting against α, ODE
 * curves (fine grid) with the SGD mean ± one standard deviation over seeds, for one shared
 * head (single) and one head per task (multi), and the ODE alone for multi-head with heads
 * that start at O(1).
 *
 * Why these settings (found with the ODE over K ∈ {1…4}, M ∈ {1, 2}, η ∈ {0.5, 1, 2}, phase
 * lengths 1–100, initial scales; README "Figure 8"): with a single head, forgetting
 * falls monotonically with α in every setting where both tasks are learned, because the shared
 * readout ends up fitting task 2 and ε_g on task 1 then is the distance between the teachers,
 * 1/3 − (2/π)·arcsin(α/2) for erf and v* = 1 (a tolerance checks it by the triangle inequality).
 * With a head per task it is non-monotonic, peaking at intermediate α as Lee et al. report, when
 * the new head starts small (initial v ≲ 0.2); with heads that start at O(1) it is monotonic
 * again. The figure shows both head modes at the small initial v and the O(1) case as a theory
 * line: the settings are what the search turned up, not tuned to the claim.
 *
 * Every run starts from the same explicit order parameters (`forgettingInit`): the SGD seeds
 * differ only in SGD noise, the overlap of the teachers is exactly α (not α + O(1/√N)), and one
 * ODE serves all seeds of an α. The SGD runs are the exact order-parameter sampler, which has
 * the law of full SGD from weights with these overlaps (test/sampler.test.ts, with a schedule)
 * at a cost independent of N.
 */
import { validateConfig, type InitOrderParams, type RunConfig } from '../config.ts';
import type { RunKey, RunResults } from '../runs/key.ts';
import type { Trajectory } from '../trajectory.ts';
import { round } from './common.ts';
import { configHash, sha256 } from '../runs/hash.ts';
import type { FigureDefinition, Preset, RunSpec, FigureSnapshot, Snapshot, Tolerance } from './types.ts';

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
const VARIANT_NAMES = Object.keys(VARIANTS) as Variant[];
const SIMULATED = VARIANT_NAMES.filter((v) => VARIANTS[v].simulated);

const steps = (n: number, last = 1) => Array.from({ length: n + 1 }, (_, j) => round((last * j) / n, 6));

export function forgettingGrid(preset: Preset) {
  return preset === 'full'
    ? { N: 2000, seeds: Array.from({ length: 12 }, (_, i) => i + 1), simAlphas: steps(10), odeAlphas: steps(40), timeAlphas: [0, 0.4, 0.8] }
    : { N: 500, seeds: [1, 2, 3, 4], simAlphas: steps(5), odeAlphas: steps(10), timeAlphas: [0, 0.4, 0.8] };
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

const simKey = (variant: Variant, alpha: number, seed: number): RunKey => ({ params: { variant, alpha }, seed, engine: 'sampler' });
/** One ODE per (variant, α): every seed starts from the same init. */
const odeKey = (variant: Variant, alpha: number): RunKey => ({ params: { variant, alpha }, seed: null, engine: 'ode' });
/** The ODE's config seed (it does not enter the run). */
const ODE_SEED = 0;

function runs(preset: Preset): RunSpec[] {
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
  return sha256(runs(preset).map((r) => configHash({ engine: r.engine, config: r.config })).join(':')).slice(0, 16);
}

/** ε_g on task p (teacher p) at record j. */
const egOn = (traj: Trajectory, p: number, j: number) => traj.egTeachers![p][j];
const switchRecord = (traj: Trajectory) => traj.t.indexOf(FORGETTING.switchAt);
/** ε_g on task 1 at the end minus at the switch. */
export function forgettingOf(traj: Trajectory): number {
  return egOn(traj, 0, traj.t.length - 1) - egOn(traj, 0, switchRecord(traj));
}

/** An α with SGD: the ODE's forgetting and ε_g at the switch and the end, and the seeds' statistics. */
export interface ForgettingPoint {
  variant: Variant;
  alpha: number;
  odeF: number;
  eg1SwitchOde: number;
  eg1EndOde: number;
  eg2EndOde: number;
  simMean: number;
  simSd: number;
  simSe: number;
}

/** A variant's ODE forgetting on the fine α grid, and where it peaks. */
export interface ForgettingCurve {
  variant: Variant;
  alphas: number[];
  F: number[];
  peakAlpha: number;
  peakF: number;
}

export interface ForgettingSnapshot extends Snapshot {
  N: number;
  seeds: number;
  runsHash: string;
  points: ForgettingPoint[];
  curves: ForgettingCurve[];
}

export const asForgetting = (s: FigureSnapshot) => s as ForgettingSnapshot;

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: number[]) => {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
};

export const TASK_COLORS = { 'task 1': '#4c78a8', 'task 2': '#f58518' } as const;
export const VARIANT_COLORS: Record<Variant, string> = { single: '#54a24b', multi: '#e45756', 'multi-large': '#b279a2' };
const alphaLabel = (a: number) => `α = ${a}`;

function build(results: RunResults, preset: Preset) {
  const g = forgettingGrid(preset);
  const points: ForgettingPoint[] = [];
  const curves: ForgettingCurve[] = [];
  for (const variant of VARIANT_NAMES) {
    const F = g.odeAlphas.map((a) => forgettingOf(results.get(odeKey(variant, a))));
    const peak = F.indexOf(Math.max(...F));
    curves.push({ variant, alphas: g.odeAlphas, F: F.map((x) => round(x, 6)), peakAlpha: g.odeAlphas[peak], peakF: round(F[peak], 6) });
  }
  const timeRows: Record<string, string | number>[] = [];
  for (const variant of SIMULATED) {
    for (const alpha of g.simAlphas) {
      const ode = results.get(odeKey(variant, alpha));
      const sims = g.seeds.map((s) => results.get(simKey(variant, alpha, s)));
      const Fs = sims.map(forgettingOf);
      const js = switchRecord(ode);
      const end = ode.t.length - 1;
      points.push({
        variant,
        alpha,
        odeF: round(forgettingOf(ode), 6),
        eg1SwitchOde: round(egOn(ode, 0, js), 6),
        eg1EndOde: round(egOn(ode, 0, end), 6),
        eg2EndOde: round(egOn(ode, 1, end), 6),
        simMean: round(mean(Fs), 6),
        simSd: round(sd(Fs), 6),
        simSe: round(sd(Fs) / Math.sqrt(Fs.length), 6),
      });
      if (!g.timeAlphas.includes(alpha)) continue;
      const extra = { heads: VARIANTS[variant].label, alpha: alphaLabel(alpha) };
      for (let j = 1; j < ode.t.length; j++)
        for (const p of [0, 1]) {
          const task = `task ${p + 1}`;
          timeRows.push({ ...extra, t: ode.t[j], task, source: 'theory', eg: round(egOn(ode, p, j)) });
          timeRows.push({ ...extra, t: ode.t[j], task, source: 'simulation', eg: round(mean(sims.map((s) => egOn(s, p, j)))) });
        }
    }
  }
  const curveRows = curves.flatMap((c) => c.alphas.map((alpha, i) => ({ variant: VARIANTS[c.variant].label, alpha, F: c.F[i] })));
  const pointRows = points.map((p) => ({
    variant: VARIANTS[p.variant].label,
    alpha: p.alpha,
    F: p.simMean,
    lo: round(p.simMean - p.simSd),
    hi: round(p.simMean + p.simSd),
  }));
  const variantScale = { domain: VARIANT_NAMES.map((v) => VARIANTS[v].label), range: VARIANT_NAMES.map((v) => VARIANT_COLORS[v]) };
  const taskScale = { domain: Object.keys(TASK_COLORS), range: Object.values(TASK_COLORS) };
  const x = { field: 'alpha', type: 'quantitative', scale: { domain: [0, 1] }, axis: { title: 'feature similarity α', tickCount: 5 } };
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'Forgetting against task similarity',
      subtitle: `two-layer erf, K = ${FORGETTING.K}, M = ${FORGETTING.M} per task, η = ${FORGETTING.lr}, N = ${g.N}, task 1 until t = ${FORGETTING.switchAt}, task 2 until t = ${FORGETTING.tMax}; ${g.seeds.length} seeds (exact sampler)`,
    },
    hconcat: [
      {
        data: { values: timeRows },
        facet: {
          row: { field: 'heads', type: 'nominal', title: null, sort: SIMULATED.map((v) => VARIANTS[v].label), header: { labelAngle: -90, labelFontSize: 12 } },
          column: { field: 'alpha', type: 'ordinal', title: null, sort: g.timeAlphas.map(alphaLabel), header: { labelFontSize: 12 } },
        },
        spec: {
          width: 140,
          height: 120,
          layer: [
            {
              transform: [{ filter: "datum.source === 'theory'" }],
              mark: { type: 'line', strokeWidth: 1.5, clip: true },
              encoding: {
                x: { field: 't', type: 'quantitative', scale: { domain: [0, FORGETTING.tMax] }, axis: { title: 't = steps / N', tickCount: 4 } },
                y: { field: 'eg', type: 'quantitative', scale: { type: 'log', domain: [1e-4, 1] }, axis: { title: 'ε_g on each task', format: '.0e', values: [1e-4, 1e-3, 1e-2, 1e-1, 1] } },
                color: { field: 'task', type: 'nominal', scale: taskScale, legend: { orient: 'top', title: 'ε_g on (lines: ODE, dots: SGD mean)', titleLimit: 400 } },
              },
            },
            {
              transform: [{ filter: "datum.source === 'simulation' && datum.t % 3 === 0" }],
              mark: { type: 'point', filled: true, size: 9, opacity: 0.9, clip: true },
              encoding: { x: { field: 't', type: 'quantitative' }, y: { field: 'eg', type: 'quantitative' }, color: { field: 'task', type: 'nominal', scale: taskScale } },
            },
            { mark: { type: 'rule', strokeDash: [3, 3], color: '#555' }, encoding: { x: { datum: FORGETTING.switchAt } } },
          ],
        },
      },
      {
        width: 300,
        height: 280,
        layer: [
          {
            data: { values: curveRows },
            mark: { type: 'line', strokeWidth: 1.8 },
            encoding: {
              x,
              y: { field: 'F', type: 'quantitative', axis: { title: 'forgetting: ε_g(task 1) at t = 60 minus at t = 30' } },
              color: { field: 'variant', type: 'nominal', scale: variantScale, legend: { orient: 'top', direction: 'vertical', title: 'ODE (lines), SGD mean ± sd over seeds (dots)', titleLimit: 400, labelLimit: 400 } },
              strokeDash: { field: 'variant', type: 'nominal', scale: { domain: variantScale.domain, range: [[1, 0], [1, 0], [5, 3]] }, legend: null },
            },
          },
          {
            data: { values: pointRows },
            mark: { type: 'rule', strokeWidth: 1.2 },
            encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color: { field: 'variant', type: 'nominal', scale: variantScale } },
          },
          {
            data: { values: pointRows },
            mark: { type: 'point', filled: true, size: 28, stroke: 'white', strokeWidth: 0.6, opacity: 1 },
            encoding: { x, y: { field: 'F', type: 'quantitative' }, color: { field: 'variant', type: 'nominal', scale: variantScale } },
          },
        ],
      },
    ],
    resolve: { scale: { color: 'independent' } },
    config: { legend: { orient: 'top' } },
  };
  const snapshot: ForgettingSnapshot = {
    figure: 'forgetting',
    preset,
    panels: [],
    N: g.N,
    seeds: g.seeds.length,
    runsHash: forgettingRunsHash(preset),
    points,
    curves,
  };
  return { spec, snapshot };
}

/**
 * The numbers the caption states (full preset), as data: a tolerance checks them against the
 * committed snapshot, so the caption cannot drift from what the runs gave.
 */
export const FORGETTING_ANSWER = {
  multi: { peakAlpha: 0.4, peakF: 0.167, F0: 0.032, F1: 0.001 },
  single: { F0: 0.331, F1: -0.001 },
  'multi-large': { F0: 0.365, F1: 0.0 },
} as const;

/** ε_g between the two teachers (erf g(x) = erf(x/√2), v* = 1, |w*|²/N = 1, overlap α): (1/π)(2 arcsin ½ − 2 arcsin(α/2)). */
export function teacherDistance(alpha: number): number {
  return (2 * Math.asin(0.5) - 2 * Math.asin(alpha / 2)) / Math.PI;
}

/**
 * Two-sided Student-t critical values at family-wise level 10⁻³ with a Bonferroni split over
 * the m points a preset compares (scipy.stats.t.ppf(1 − 10⁻³/(2m), S − 1)), keyed `S/m`.
 */
export const T_CRIT_FAMILY_1E3: Record<string, number> = { '12/22': 6.4808 };
/** The O(1/N) allowance on a mean over seeds: A/N with A = 1 (see the agreement tolerance). */
export const BIAS_ALLOWANCE = 1;

const simPoints = (s: FigureSnapshot) => asForgetting(s).points;
const curveOf = (s: FigureSnapshot, v: Variant) => asForgetting(s).curves.find((c) => c.variant === v)!;
const pointAt = (s: FigureSnapshot, v: Variant, alpha: number) => simPoints(s).find((p) => p.variant === v && p.alpha === alpha);
const tCrit = (s: FigureSnapshot) => T_CRIT_FAMILY_1E3[`${asForgetting(s).seeds}/${simPoints(s).length}`];
/** The simulated α nearest the multi-head ODE peak. */
const nearestSimAlpha = (s: FigureSnapshot, alpha: number) =>
  simPoints(s).filter((p) => p.variant === 'multi').reduce((best, p) => (Math.abs(p.alpha - alpha) < Math.abs(best.alpha - alpha) ? p : best)).alpha;

/**
 * Figure-level tolerances: they read the whole snapshot (no per-panel metrics), so they fit a
 * tolerance of scope 'figure'; test/forgetting-figure.test.ts checks them on the committed
 * snapshot, with a power check each.
 */
const tolerances: Tolerance[] = [
  {
    scope: 'figure',
    name: 'SGD mean forgetting agrees with the ODE at every simulated α: |mean − ODE| ≤ t·SE + 1/N',
    reason:
      'All seeds start from the same order parameters, so mean − ODE is SGD noise averaged over S seeds (standard error SE = sd/√S, from the seeds themselves) plus the O(1/N) bias of a mean of a nonlinear function of order parameters whose fluctuations are O(1/√N). t is the two-sided Student-t value at family-wise level 10⁻³ over all simulated points (Bonferroni; 6.48 for 12 seeds and 22 points), so a correct figure fails with probability ≤ 10⁻³. The allowance 1/N bounds that bias: 400 seeds resolved none, (mean − ODE)·N = 0.28 ± 0.28, 0.22 ± 0.40, 0.26 ± 0.52 for multi-head forgetting at α = 0.2 and N = 250, 500, 1000, and |·| ≤ 0.05 at α ∈ {0, 0.9, 1} (N = 500); it matters only where the seeds scatter least (α near 1), elsewhere t·SE is 10–50 times larger. Derived from the seed statistics directly rather than calibrated like Figures 1–3: there the statistics (maxima over records, escape times of single seeds) have no closed-form null distribution, here a mean over independent seeds has a t distribution.',
    check: (s) => {
      const t = tCrit(s);
      return t !== undefined && simPoints(s).every((p) => Math.abs(p.simMean - p.odeF) <= t * p.simSe + BIAS_ALLOWANCE / asForgetting(s).N);
    },
    measured: (s) =>
      `t = ${tCrit(s)}; ${simPoints(s)
        .map((p) => `${p.variant} α=${p.alpha}: ${p.simMean} vs ${p.odeF} (${((p.simMean - p.odeF) / p.simSe).toFixed(2)} SE)`)
        .join('; ')}`,
  },
  {
    scope: 'figure',
    name: 'multi-head: the SGD means show the peak, F(α nearest the ODE peak) − max(F(0), F(1)) > t·√(SE² + SE²)',
    reason:
      'The non-monotonic curve must be a property of the simulations, not only of the theory: the difference of two independent means over seeds has standard error √(SE₁² + SE₂²), and t is the family-wise 10⁻³ value used above.',
    check: (s) => {
      const top = pointAt(s, 'multi', nearestSimAlpha(s, curveOf(s, 'multi').peakAlpha));
      const ends = [pointAt(s, 'multi', 0), pointAt(s, 'multi', 1)];
      const t = tCrit(s);
      return !!top && ends.every((e) => !!e && top.simMean - e.simMean > t * Math.hypot(top.simSe, e.simSe)) && top.alpha > 0 && top.alpha < 1;
    },
    measured: (s) => JSON.stringify(simPoints(s).filter((p) => p.variant === 'multi').map((p) => [p.alpha, p.simMean, p.simSe])),
  },
  {
    scope: 'figure',
    name: 'single head: ODE forgetting falls with α, and ε_g on task 1 at the end is the distance between the teachers within √ε_g(task 2)',
    reason:
      'With one shared head the student ends near teacher 2, and in L²(x) the triangle inequality bounds |√ε₁ − √ε₁₂| ≤ √ε₂ exactly, with ε₁₂ = (1/π)(2 arcsin ½ − 2 arcsin(α/2)) the error of teacher 2 on task 1 (erf, unit norms, overlap α). Deterministic (ODE) quantities; the closed form is independent of the engines.',
    check: (s) => {
      const F = curveOf(s, 'single').F;
      const falls = F.every((f, i) => i === 0 || f < F[i - 1]);
      const distance = simPoints(s)
        .filter((p) => p.variant === 'single')
        .every((p) => Math.abs(Math.sqrt(p.eg1EndOde) - Math.sqrt(teacherDistance(p.alpha))) <= Math.sqrt(p.eg2EndOde) + 1e-6);
      return falls && distance;
    },
    measured: (s) =>
      JSON.stringify(simPoints(s).filter((p) => p.variant === 'single').map((p) => [p.alpha, p.eg1EndOde, round(teacherDistance(p.alpha), 6), p.eg2EndOde])),
  },
  {
    scope: 'figure',
    name: "the caption's numbers (FORGETTING_ANSWER) are the snapshot's ODE values, to the digits printed",
    reason: 'The caption states where multi-head forgetting peaks and how high, and the ends of each curve; each number is checked against the curves it summarises.',
    check: (s) => {
      const close = (a: number, b: number) => Math.abs(a - b) <= 0.0005 + 1e-12;
      const m = curveOf(s, 'multi');
      const ends = (v: Variant, e: { F0: number; F1: number }) => close(curveOf(s, v).F[0], e.F0) && close(curveOf(s, v).F.at(-1)!, e.F1);
      return (
        m.peakAlpha === FORGETTING_ANSWER.multi.peakAlpha &&
        close(m.peakF, FORGETTING_ANSWER.multi.peakF) &&
        ends('multi', FORGETTING_ANSWER.multi) &&
        ends('single', FORGETTING_ANSWER.single) &&
        ends('multi-large', FORGETTING_ANSWER['multi-large']) &&
        curveOf(s, 'multi-large').peakAlpha === 0 &&
        curveOf(s, 'single').peakAlpha === 0
      );
    },
    measured: (s) => JSON.stringify(asForgetting(s).curves.map((c) => [c.variant, c.peakAlpha, c.peakF, c.F[0], c.F.at(-1)])),
  },
];

const fmt = (x: number) => (x < 0 ? `−${Math.abs(x)}` : String(x));

export const forgettingFigure: FigureDefinition = {
  name: 'forgetting',
  runsHash: forgettingRunsHash,
  title: 'Figure 8 — Forgetting against task similarity (continual learning)',
  caption: (preset) => {
    const g = forgettingGrid(preset);
    const A = FORGETTING_ANSWER;
    return (
      `A two-layer erf student (K = ${FORGETTING.K}, both layers trained, η = ${FORGETTING.lr}, N = ${g.N}) learns task 1 (an M = 1 teacher, v* = 1) ` +
      `until t = ${FORGETTING.switchAt}, then task 2 until t = ${FORGETTING.tMax}; task 2's teacher unit is w*₂ = α·w*₁ + √(1−α²)·ξ (feature ` +
      `similarity α, same readout). Every run starts from the same order parameters: Q = ${FORGETTING.q0}·I, overlaps (${FORGETTING.rTeacher.join(', ')}) ` +
      `with w*₁ and (${FORGETTING.rXi.join(', ')}) with ξ, second layer v = (${FORGETTING.vSmall.join(', ')}); with a head per task (multi-head) ` +
      `each head starts there and learns only while its task is trained. Left: ε_g on each task at α ∈ {${g.timeAlphas.join(', ')}}, ODE lines ` +
      `(Lee, Goldt & Saxe 2021: the ODE of Goldt et al. 2019 on both teachers' units), dots the mean over ${g.seeds.length} SGD seeds, dashed ` +
      `line the switch. Right: forgetting (ε_g on task 1 at the end minus at the switch) against α: ODE curves, SGD mean ± one standard ` +
      `deviation over seeds (the standard error is ${Math.sqrt(g.seeds.length).toFixed(1)}× smaller). SGD is the exact order-parameter sampler ` +
      `(the law of online SGD at this N). Full-preset numbers: with a head per task, forgetting is non-monotonic in α: it peaks at ` +
      `α = ${A.multi.peakAlpha} (ODE grid step 0.025) at ${A.multi.peakF}, against ${A.multi.F0} at α = 0 and ${A.multi.F1} at α = 1, as Lee et al. report ` +
      `(intermediate similarity forgets most). With one shared head it falls monotonically, from ${A.single.F0} at α = 0 to ${fmt(A.single.F1)} ` +
      `at α = 1 (task 1 still improves a little when the tasks coincide): the shared readout ends up fitting task 2, so ε_g on task 1 approaches the distance between the teachers, ` +
      `1/3 − (2/π)·arcsin(α/2). With a head per task that starts at O(1), v = (${FORGETTING.vLarge.join(', ')}), it is monotonic too ` +
      `(${A['multi-large'].F0} at α = 0, theory only). In an ODE search (K ≤ 4, η ∈ {0.5, 1, 2}, phase lengths 10–100, initial ` +
      `scales; both tasks learned only with M = 1) the single head was monotonic in every setting, and a head per task gave a peak ` +
      `(at α = 0.1–0.7, height 0.03–0.37) in 411 of the 1000 settings and phase lengths where both tasks were learned, decided ` +
      `mostly by the heads' initial size: in 80% of those starting with |v| ≤ 0.2, 32% with |v| ≤ 0.5, 1% with |v| ~ 1.`
    );
  },
  runs,
  build,
  tolerances,
};
