/**
 * The exact order-parameter sampler has the law of full SGD.
 *
 * For several (N, K, M, η, σ, B) both engines start from the same explicit init (full SGD
 * builds weights with exactly that Gram matrix) and are run R times with independent seeds;
 * ε_g, Q_00, R_00 and (two-layer) every v_i at two times are compared by two-sample
 * Kolmogorov–Smirnov tests at α = 10⁻³ (6 to 12 tests per case, so a correct sampler fails a case
 * with probability ≲ 1.2%; the seeds are fixed, so the outcome is reproducible). Power: at N = 3 a single step's |x|²/N has
 * standard deviation ≈ 0.8, and replacing it by 1 (the N → ∞ shortcut) is rejected at the same
 * level with R = 1000, while the correct chain is not.
 *
 * Every activation: erf, linear and ReLU each have a soft committee case, two
 * two-layer cases (one with B = 3) with weight decay λ and a second-layer rate η₂ ≠ η, and the
 * one-step N = 3 case with its |x|²/N power check, which stays meaningful for each activation:
 * the step's η² term is (η²/N)(|x|²/N) g′(λ)² Δ², non-zero for every g; for the ReLU only on
 * the half of the draws with λ > 0, so its case has R = 4000 (at R = 1000 the wrong chain's
 * largest D was 0.9 of the critical value; at 4000 it is 1.4, the correct chain's 0.43). Power for weight decay and η₂: a sampler run without weight decay,
 * or with η₂ = η, is rejected against the same SGD runs.
 *
 * With a schedule: two teachers at feature similarity 0.6 with their own v*, trained
 * 0 → 1 with the switch at a record, single and multi head. Besides ε_g (the active teacher's),
 * Q_00 and R_00, the tests then take ε_g on teacher 0 (what forgetting measures), R to teacher 1's
 * unit and, with several heads, head 0's first entry (frozen after the switch): 14 tests per case
 * (16 with several heads), each at α = 10⁻³. Power: a chain that keeps one shared head where the config has one per teacher (the
 * sampler run single-head) is rejected against multi-head SGD.
 */
import { describe, expect, it } from 'vitest';
import { ACTIVATION_NAMES } from '../src/activations/registry.ts';
import { validateConfig, type RunConfig } from '../src/config.ts';
import { runSimulation } from '../src/engines.ts';
import { createRng } from '../src/sim/random.ts';
import { drive } from '../src/drive.ts';
import { psdSqrtInto } from '../src/linalg/psd.ts';
import { samplerEngine, sampleChiSquare, sampleWishartIdentity } from '../src/sim/sampler.ts';
import { initialOrderParams, weightsFromOrderParams } from '../src/sim/weights.ts';
import { gram } from '../src/model/orderParams.ts';
import type { Trajectory } from '../src/trajectory.ts';
import { ksCritical, ksStatistic } from './helpers/ks.ts';

const ALPHA = 1e-3;

/** Two teachers of one unit at overlap 0.6, teacher 1 with its own v*, trained 0 then 1 (switch at t = 1.5, a record time). */
const TWO_TEACHERS = { teachers: [{}, { featureSimilarity: 0.6, vTeacher: [0.8] }], schedule: [{ teacher: 0, until: 1.5 }, { teacher: 1, until: 3 }] };
/** Over both teachers' units: R is K×ΣM, T ΣM×ΣM (off-diagonal α), v* has ΣM entries. */
const TWO_TEACHER_INIT = { Q: [[0.5, 0.1], [0.1, 0.4]], R: [[0.3, 0.2], [-0.1, 0.1]], T: [[1, 0.6], [0.6, 1]], v: [0.4, -0.3], vTeacher: [1, 0.8] };

interface Case {
  name: string;
  runs: number;
  cfg: Partial<RunConfig>;
  init: { Q: number[][]; R: number[][]; T: number[][]; v?: number[]; vTeacher?: number[] };
  /** Power: sampler runs with these config changes must be rejected against the case's SGD runs. */
  wrong?: [name: string, change: Partial<RunConfig>][];
}

const INIT_SC = { Q: [[0.5, 0.1], [0.1, 0.4]], R: [[0.2, 0], [0.1, 0.1]], T: [[1, 0.1], [0.1, 0.9]] };
const INIT_32 = { Q: [[0.5, 0.1, 0], [0.1, 0.4, 0.05], [0, 0.05, 0.3]], R: [[0.2, 0], [0.1, 0.1], [0, 0.2]], T: [[1, 0], [0, 1]], v: [0.5, -0.3, 0.8], vTeacher: [1, 0.7] };
const INIT_23 = { Q: [[0.6, 0.2], [0.2, 0.5]], R: [[0.2, 0.1, 0], [0, 0.1, 0.3]], T: [[1, 0, 0], [0, 1, 0], [0, 0, 1]], v: [0.4, 0.6], vTeacher: [1, 1, 1] };
/** Weight decay dropped and η₂ set to η: each must be rejected where the case has them. */
const WRONG_DECAY_LR2: [name: string, change: Partial<RunConfig>][] = [['no weight decay', { weightDecay: 0 }], ['η₂ = η', { lr2: undefined }]];

/** The cases of one activation other than erf (erf's are the original ones below), with weight decay and η₂. */
function activationCases(activation: 'linear' | 'relu', lr2: number): Case[] {
  return [
    { name: `${activation}: soft committee N=30 K=2 M=2 η=1 σ=0.3 λ=0.2 B=1`, runs: 200, cfg: { activation, model: 'soft-committee', N: 30, K: 2, M: 2, lr: 1, sigma: 0.3, weightDecay: 0.2, batchSize: 1, tMax: 3 }, init: INIT_SC, wrong: [WRONG_DECAY_LR2[0]] },
    { name: `${activation}: two-layer N=50 K=3 M=2 η=0.8 η₂=${lr2} σ=0.3 λ=0.2 B=1`, runs: 200, cfg: { activation, model: 'two-layer', N: 50, K: 3, M: 2, lr: 0.8, lr2, sigma: 0.3, weightDecay: 0.2, batchSize: 1, tMax: 3 }, init: INIT_32, wrong: WRONG_DECAY_LR2 },
    { name: `${activation}: two-layer N=40 K=2 M=3 η=1 η₂=${lr2} σ=0 λ=0.1 B=3`, runs: 200, cfg: { activation, model: 'two-layer', N: 40, K: 2, M: 3, lr: 1, lr2, sigma: 0, weightDecay: 0.1, batchSize: 3, tMax: 2 }, init: INIT_23 },
  ];
}

const cases: Case[] = [
  {
    name: 'soft committee N=30 K=2 M=2 η=1 σ=0 B=1',
    runs: 200,
    cfg: { model: 'soft-committee', N: 30, K: 2, M: 2, lr: 1, sigma: 0, batchSize: 1, tMax: 3 },
    init: INIT_SC,
  },
  {
    name: 'two-layer N=50 K=3 M=2 η=0.8 σ=0.3 B=1',
    runs: 200,
    cfg: { model: 'two-layer', N: 50, K: 3, M: 2, lr: 0.8, sigma: 0.3, batchSize: 1, tMax: 3 },
    init: INIT_32,
  },
  {
    name: 'two-layer N=40 K=2 M=3 η=1 σ=0 B=3',
    runs: 200,
    cfg: { model: 'two-layer', N: 40, K: 2, M: 3, lr: 1, sigma: 0, batchSize: 3, tMax: 2 },
    init: INIT_23,
  },
  {
    name: 'erf: two-layer N=50 K=3 M=2 η=0.8 η₂=1.6 σ=0.3 λ=0.2 B=1',
    runs: 200,
    cfg: { model: 'two-layer', N: 50, K: 3, M: 2, lr: 0.8, lr2: 1.6, sigma: 0.3, weightDecay: 0.2, batchSize: 1, tMax: 3 },
    init: INIT_32,
    wrong: WRONG_DECAY_LR2,
  },
  ...activationCases('linear', 0.4),
  ...activationCases('relu', 1.6),
 {
    name: 'two-layer N=40 K=2, two teachers M=1 (α=0.6, own v*), switch at t=1.5, single head, η=1 σ=0.2 B=1',
    runs: 200,
    cfg: { model: 'two-layer', N: 40, K: 2, M: 1, lr: 1, sigma: 0.2, batchSize: 1, tMax: 3, trainSecondLayer: true, ...TWO_TEACHERS },
    init: TWO_TEACHER_INIT,
  },
  {
    name: 'two-layer N=40 K=2, two teachers M=1 (α=0.6, own v*), switch at t=1.5, multi head, η=1 σ=0.2 B=2',
    runs: 200,
    cfg: { model: 'two-layer', N: 40, K: 2, M: 1, lr: 1, sigma: 0.2, batchSize: 2, tMax: 3, trainSecondLayer: true, heads: 'multi', ...TWO_TEACHERS },
    init: TWO_TEACHER_INIT,
  },
  ...ACTIVATION_NAMES.map((activation): Case => ({
    name: `${activation}: soft committee N=3 K=1 M=1 η=3 σ=1 B=1 (one step)`,
    // Half of the ReLU's runs take a step of exactly zero (student field < 0) under either chain,
    // which dilutes the difference the power check looks for: 4× the runs restore it.
    runs: activation === 'relu' ? 4000 : 1000,
    cfg: { activation, model: 'soft-committee', N: 3, K: 1, M: 1, lr: 3, sigma: 1, batchSize: 1, tMax: 1 / 3 },
    init: { Q: [[0.5]], R: [[0.1]], T: [[1]] },
  })),
];

function configFor(c: Case, seed: number, change: Partial<RunConfig> = {}): RunConfig {
  const raw: Record<string, unknown> = { ...c.cfg, ...change, recordEvery: (c.cfg.tMax ?? 1) / 2, recordScale: 'linear', seed, init: c.init };
  for (const k of Object.keys(raw)) if (raw[k] === undefined) delete raw[k];
  return validateConfig(raw);
}

/** The case's SGD runs, made once and shared by its test and its power checks. */
const sgdRuns = new Map<Case, Trajectory[]>();
function sgdOf(c: Case): Trajectory[] {
  let runs = sgdRuns.get(c);
  if (!runs) {
    runs = Array.from({ length: c.runs }, (_, r) => runSimulation(configFor(c, r), { engine: 'sgd' }));
    sgdRuns.set(c, runs);
  }
  return runs;
}

type Stat = [string, (t: Trajectory, j: number) => number];
const stats: Stat[] = [
  ['eg', (t, j) => t.eg[j]],
  ['Q00', (t, j) => t.Q[j][0][0]],
  ['R00', (t, j) => t.R[j][0][0]],
];
/** With several teachers: ε_g on teacher 0 and R to teacher 1's first unit (M = 1 here: column 1). */
const teacherStats: Stat[] = [
  ['eg(teacher 0)', (t, j) => t.egTeachers![0][j]],
  ['R01', (t, j) => t.R[j][0][1]],
];
/** With a head per teacher: head 0's first entry. */
const headStats: Stat[] = [['head0[0]', (t, j) => t.heads![j][0][0]]];
/** Two-layer (v trained in every case here): every entry of the (active) second layer, where η₂ and its decay act. */
const vStats = (K: number): Stat[] => Array.from({ length: K }, (_, i): Stat => [`v${i}`, (t, j) => t.v[j][i]]);

/**
 * Both engines compute the same overlaps along different arithmetic (SGD from N-dimensional
 * weights, the sampler from the Gram matrix), so equal values may differ by rounding (~1e-16).
 * That matters where the law has an atom: with the ReLU a step whose student field is negative
 * leaves Q and R exactly where they were (half of the one-step N = 3 runs), and rounding would
 * split that atom into distinct values on one side only. KS therefore compares values rounded to
 * 12 significant digits. (With atoms the asymptotic KS critical value is conservative.)
 */
const rounded = (x: number) => Number(x.toPrecision(12));

function ksRejections(a: Trajectory[], b: Trajectory[]): string[] {
  const crit = ksCritical(a.length, b.length, ALPHA);
  const out: string[] = [];
  const all = [...stats, ...(a[0].model === 'two-layer' ? vStats(a[0].K) : []), ...(a[0].egTeachers ? teacherStats : []), ...(a[0].heads && b[0].heads ? headStats : [])];
  for (let j = 1; j < a[0].t.length; j++)
    for (const [name, f] of all) {
      const d = ksStatistic(a.map((t) => rounded(f(t, j))), b.map((t) => rounded(f(t, j))));
      if (d > crit) out.push(`${name}@t=${a[0].t[j]}: D=${d.toFixed(3)} > ${crit.toFixed(3)}`);
    }
  return out;
}

describe('sampler ≡ full SGD in distribution (two-sample KS, α = 1e-3)', () => {
  for (const c of cases) {
    it(c.name, () => {
      const smp = Array.from({ length: c.runs }, (_, r) => runSimulation(configFor(c, r), { engine: 'sampler' }));
      expect(ksRejections(sgdOf(c), smp)).toEqual([]);
    });
    for (const [name, change] of c.wrong ?? []) {
      it(`has power (${c.name}): a sampler with ${name} is rejected`, () => {
        const wrong = Array.from({ length: c.runs }, (_, r) => runSimulation(configFor(c, r, change), { engine: 'sampler' }));
        expect(ksRejections(sgdOf(c), wrong).length).toBeGreaterThan(0);
      });
    }
  }

  it('has power with a schedule: one shared head where the config has one per teacher is rejected', () => {
    const c = cases.find((k) => k.cfg.heads === 'multi')!;
    const shared = Array.from({ length: c.runs }, (_, r) => runSimulation(configFor(c, r, { heads: 'single' }), { engine: 'sampler' }));
    expect(ksRejections(sgdOf(c), shared).length).toBeGreaterThan(0);
  });

  it.each(cases.filter((k) => k.cfg.N === 3).map((k) => [k.cfg.activation, k] as const))('has power (%s): |x|²/N fixed to 1 is rejected at N = 3 with the same test', (_activation, c) => {
    const wrong = Array.from({ length: c.runs }, (_, r) => {
      const cfg = configFor(c, r);
      return drive(samplerEngine(initialOrderParams(cfg), { fixNormToOne: true }), 'sampler', cfg);
    });
    expect(ksRejections(sgdOf(c), wrong).length).toBeGreaterThan(0);
  });
});

describe('sampler building blocks', () => {
  it('χ² has mean dof and variance 2·dof (n = 2e5, 5 SE)', () => {
    const rng = createRng('chi');
    const n = 200_000;
    for (const dof of [1, 3, 50]) {
      let s = 0, s2 = 0;
      for (let i = 0; i < n; i++) { const x = sampleChiSquare(rng, dof); s += x; s2 += x * x; }
      const mean = s / n;
      const variance = s2 / n - mean * mean;
      expect(Math.abs(mean - dof)).toBeLessThan(5 * Math.sqrt((2 * dof) / n));
      // χ²_k: μ4 = 12k² + 48k, so the relative SE of the sample variance is √((μ4 − σ⁴)/n)/σ² = √((2 + 12/k)/n).
      expect(Math.abs(variance / (2 * dof) - 1)).toBeLessThan(5 * Math.sqrt((2 + 12 / dof) / n));
    }
  });

  it('Wishart(dof, I) has mean dof·I (n = 2e4, 5 SE)', () => {
    const rng = createRng('wishart');
    const B = 3, dof = 7, n = 20_000;
    const out = new Float64Array(B * B), work = new Float64Array(B * B), sum = new Float64Array(B * B);
    for (let i = 0; i < n; i++) { sampleWishartIdentity(rng, B, dof, out, work); for (let k = 0; k < B * B; k++) sum[k] += out[k]; }
    for (let a = 0; a < B; a++)
      for (let b = 0; b < B; b++) {
        const expected = a === b ? dof : 0;
        const se = Math.sqrt((a === b ? 2 * dof : dof) / n);
        expect(Math.abs(sum[a * B + b] / n - expected)).toBeLessThan(5 * se);
      }
  });

  it('psdSqrtInto tolerates a singular PSD Gram matrix (student = teacher) and rejects an indefinite one', () => {
    const out = new Float64Array(4);
    expect(psdSqrtInto(Float64Array.of(1, 1, 1, 1), 2, out)).toBe(true);
    expect(Array.from(out)).toEqual([1, 0, 1, 0]);
    expect(psdSqrtInto(Float64Array.of(1, 2, 2, 1), 2, out)).toBe(false);
    expect(psdSqrtInto(Float64Array.of(0, 1, 1, 0), 2, out)).toBe(false);
  });

  it('psdSqrtInto reconstructs rank-deficient Gram matrices with several null directions (the K > M endgame)', () => {
    // 10 vectors in a 5-dimensional span, as when 6 students have learned 4 teachers with two
    // units cancelling: G = V Vᵀ with V 10×5, plus rounding-size asymmetric noise (1e-13).
    const rng = createRng('psd-sqrt');
    const n = 10;
    for (let trial = 0; trial < 50; trial++) {
      const V = new Float64Array(n * 5);
      rng.fillGaussian(V);
      for (let c = 0; c < 5; c++) V[9 * 5 + c] = -V[8 * 5 + c]; // a cancelling pair
      for (let c = 0; c < 5; c++) V[0 * 5 + c] = V[4 * 5 + c]; // a student equal to a teacher
      const G = new Float64Array(n * n);
      for (let i = 0; i < n; i++)
        for (let j = 0; j <= i; j++) {
          let s = 0;
          for (let c = 0; c < 5; c++) s += V[i * 5 + c] * V[j * 5 + c];
          G[i * n + j] = G[j * n + i] = s + (i === j ? 0 : 1e-13 * rng.nextGaussian());
        }
      const A = new Float64Array(n * n);
      expect(psdSqrtInto(G.slice(), n, A)).toBe(true);
      let maxErr = 0;
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let k = 0; k < n; k++) s += A[i * n + k] * A[j * n + k];
          maxErr = Math.max(maxErr, Math.abs(s - G[i * n + j]));
        }
      expect(maxErr).toBeLessThan(1e-9);
    }
  });

  it('runs a K = 6 > M = 4 soft committee through its singular endgame (unpivoted Cholesky stopped at t ≈ 1468)', () => {
    // Regression: with full rank lost in several directions at once the unpivoted factorization
    // reported "not positive definite" on this seed although the smallest eigenvalue was −2e-11.
    const cfg = validateConfig({ model: 'soft-committee', N: 784, K: 6, M: 4, lr: 0.5, tMax: 1500, recordEvery: 1, recordScale: 'log', recordPoints: 20, seed: 1033, studentScale: 0.5 });
    const traj = runSimulation(cfg, { engine: 'sampler' });
    expect(traj.t.at(-1)).toBe(1500);
    expect(traj.eg.at(-1)!).toBeLessThan(1e-12); // keeps learning: no direction frozen at the rank cut
  }, 60_000);

  it('weights built from init have exactly that Gram matrix', () => {
    const c = cases[1];
    const cfg = configFor(c, 0);
    const p = initialOrderParams(cfg);
    const w = weightsFromOrderParams(p, cfg.N, cfg.seed);
    const close = (a: Float64Array, b: Float64Array) => a.forEach((x, i) => expect(x).toBeCloseTo(b[i], 12));
    close(gram(w.W, w.W, cfg.K, cfg.K, cfg.N), p.Q);
    close(gram(w.W, w.Wt, cfg.K, cfg.M, cfg.N), p.R);
    close(gram(w.Wt, w.Wt, cfg.M, cfg.M, cfg.N), p.T);
  });

  it('is deterministic per seed', () => {
    const cfg = configFor(cases[1], 5);
    expect(runSimulation(cfg, { engine: 'sampler' })).toEqual(runSimulation(cfg, { engine: 'sampler' }));
  });
});
