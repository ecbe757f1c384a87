/**
 * Continual learning changes nothing it should not.
 *
 *  1. One teacher, no schedule: every CPU engine gives exactly the results of the engines before
 *     the stepping contract (commit 15f8eca), byte for byte (fixture: one-teacher-before-stepping.json,
 *     made by test/fixtures/oneTeacherCases.ts at that commit).
 *  2. One teacher cut into several phases: the driver walks the phases, SGD starts a new stepper
 *     and the ODE restarts its integrator at each boundary; SGD, the sampler and fixed-step RK4 give
 *     the same bytes as without the cut, dopri5 the same within its tolerance (its step-size
 *     control starts over at the boundary, so its steps, not its solution, differ).
 *  3. Two teachers with α = 1 and the same readout, single head, trained 0 → 1: teacher 1 is
 *     teacher 0 (w*₁ = 1·w*₀ + 0·ξ exactly), so the run is the one-teacher run. SGD and RK4 give the
 *     same bytes in every field that exists with one teacher (R, T and v* hold each block twice),
 *     and ε_g on each teacher equals ε_g. The exact sampler draws K + ΣM fields per step (one
 *     normal per unit), so with a duplicated teacher its draws, not its law, differ: its
 *     distribution is compared with the one-teacher sampler's by two-sample KS tests (α = 10⁻³,
 *     as in test/sampler.test.ts), with a power check.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateConfig, type RunConfig } from '../src/config.ts';
import { runEngine, trajectoryOrThrow } from '../src/engines.ts';
import type { Trajectory } from '../src/trajectory.ts';
import { ONE_TEACHER_CASES, runCase } from './fixtures/oneTeacherCases.ts';
import { ksCritical, ksStatistic } from './helpers/ks.ts';

const FIXTURE = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'one-teacher-before-stepping.json'), 'utf8')) as Record<string, unknown>;

describe('one teacher: exactly the results from before the stepping contract', () => {
  it('the fixture covers every case', () => expect(Object.keys(FIXTURE).sort()).toEqual(ONE_TEACHER_CASES.map((c) => c.name).sort()));
  it.each(ONE_TEACHER_CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    // Compared as JSON text: the bytes the CLI writes.
    expect(JSON.stringify(runCase(c))).toBe(JSON.stringify(FIXTURE[c.name]));
  });
});

const base = {
  model: 'two-layer', N: 200, K: 2, M: 2, lr: 0.5, sigma: 0.2, tMax: 4, recordEvery: 0.5, recordScale: 'linear', seed: 3,
  studentScale: 0.5, studentVScale: 1, vTeacher: [1, 0.5], trainSecondLayer: true,
} as const;
const RK4 = { ode: { method: 'rk4' as const, h: 0.01 } };
const run = (engine: 'ode' | 'sgd' | 'sampler', config: RunConfig, options = {}) => trajectoryOrThrow(runEngine(engine, config, options));
/** Relative agreement of two dopri5 solutions of the same ODE (rtol 1e-8, atol 1e-10): far below any modelling error. */
const DOPRI5_AGREEMENT = 1e-6;

function maxRelDiff(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b) / Math.max(1, Math.abs(a));
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return Infinity;
    return a.reduce((m: number, x, i) => Math.max(m, maxRelDiff(x, b[i])), 0);
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = Object.keys(a);
    if (keys.sort().join() !== Object.keys(b).sort().join()) return Infinity;
    return keys.reduce((m, k) => Math.max(m, maxRelDiff((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])), 0);
  }
  return Infinity;
}

/** The one-teacher view of a run on [teacher 0, teacher 0 again]: R's and T's first block, v*'s first half. */
function firstTeacherView(traj: Trajectory, M: number): Partial<Trajectory> {
  return {
    t: traj.t,
    steps: traj.steps,
    eg: traj.eg,
    Q: traj.Q,
    R: traj.R.map((r) => r.map((row) => row.slice(0, M))),
    v: traj.v,
    T: traj.T.slice(0, M).map((row) => row.slice(0, M)),
    vTeacher: traj.vTeacher.slice(0, M),
  };
}
const oneTeacherView = (traj: Trajectory): Partial<Trajectory> => ({ t: traj.t, steps: traj.steps, eg: traj.eg, Q: traj.Q, R: traj.R, v: traj.v, T: traj.T, vTeacher: traj.vTeacher });

describe('one teacher cut into phases: the same run', () => {
  const one = validateConfig(base);
  const cut = validateConfig({ ...base, schedule: [{ teacher: 0, until: 1.5 }, { teacher: 0, until: 2.5 }, { teacher: 0, until: 4 }] });

  it.each([['sgd'], ['sampler']] as const)('%s: byte-identical', (engine) => {
    expect(JSON.stringify(run(engine, cut))).toBe(JSON.stringify(run(engine, one)));
  });
  it('ode (rk4, fixed step): byte-identical', () => {
    expect(JSON.stringify(run('ode', cut, RK4))).toBe(JSON.stringify(run('ode', one, RK4)));
  });
  it(`ode (dopri5): the same within ${DOPRI5_AGREEMENT} (the integrator restarts at each boundary)`, () => {
    const a = run('ode', cut), b = run('ode', one);
    expect(a.t).toEqual(b.t);
    expect(maxRelDiff(oneTeacherView(a), oneTeacherView(b))).toBeLessThan(DOPRI5_AGREEMENT);
  });
});

/** Relative agreement of two evaluations of the same ε_g that differ only in rounding. */
const EG_ROUNDING = 1e-13;

describe('α = 1 and the same readout, single head, trained 0 → 1: the one-teacher run', () => {
  const M = base.M;
  const one = validateConfig(base);
  const twin = validateConfig({ ...base, teachers: [{}, { featureSimilarity: 1 }], schedule: [{ teacher: 0, until: 2 }, { teacher: 1, until: 4 }] });

  const checkTwin = (a: Trajectory, b: Trajectory) => {
    // Both blocks of R are the one-teacher R; T is [[T, T], [T, T]]; v* is [v*, v*]. The order
    // parameters are byte-identical. ε_g agrees to rounding, not in bytes: the twin's I2 Gram
    // matrix has two identical rows, so ε_g is evaluated on its positive part
    // (src/theory/generalizationError.ts), a sum of squares instead of the plain sum.
    const { eg: egA, ...restA } = firstTeacherView(a, M) as Trajectory;
    const { eg: egB, ...restB } = oneTeacherView(b) as Trajectory;
    expect(JSON.stringify(restA)).toBe(JSON.stringify(restB));
    expect(maxRelDiff(egA, egB)).toBeLessThan(EG_ROUNDING);
    expect(JSON.stringify(a.R.map((r) => r.map((row) => row.slice(M))))).toBe(JSON.stringify(b.R));
    expect(a.T).toEqual([...b.T.map((row) => [...row, ...row]), ...b.T.map((row) => [...row, ...row])]);
    expect(a.vTeacher).toEqual([...b.vTeacher, ...b.vTeacher]);
    // ε_g on either teacher is ε_g (the fields added with several teachers).
    expect(maxRelDiff(a.egTeachers, [b.eg, b.eg])).toBeLessThan(EG_ROUNDING);
    expect(a.heads).toBeUndefined();
  };

  it('sgd: byte-identical', () => checkTwin(run('sgd', twin), run('sgd', one)));
  it('ode (rk4, fixed step): byte-identical', () => checkTwin(run('ode', twin, RK4), run('ode', one, RK4)));
  it(`ode (dopri5): the same within ${DOPRI5_AGREEMENT} (twice the units in its error norm change its steps)`, () => {
    const a = run('ode', twin), b = run('ode', one);
    expect(a.t).toEqual(b.t);
    expect(maxRelDiff(firstTeacherView(a, M), oneTeacherView(b))).toBeLessThan(DOPRI5_AGREEMENT);
    expect(maxRelDiff(a.egTeachers, [b.eg, b.eg])).toBeLessThan(DOPRI5_AGREEMENT);
  });

  describe('sampler: the same law (two-sample KS, α = 10⁻³)', () => {
    // N = 40: one step's |x|²/N scatters by √(2/N) ≈ 0.22, so a chain with the wrong law shows.
    const small = { ...base, N: 40, tMax: 2, recordEvery: 1, sigma: 0.3 };
    const RUNS = 300;
    const cfgOne = (seed: number) => validateConfig({ ...small, seed });
    const cfgTwin = (seed: number, alpha = 1) =>
      validateConfig({ ...small, seed, teachers: [{}, { featureSimilarity: alpha }], schedule: [{ teacher: 0, until: 1 }, { teacher: 1, until: 2 }] });
    const stats: [string, (t: Trajectory, j: number) => number][] = [
      ['eg', (t, j) => t.eg[j]],
      ['Q00', (t, j) => t.Q[j][0][0]],
      ['Q01', (t, j) => t.Q[j][0][1]],
      ['R00', (t, j) => t.R[j][0][0]],
      ['v0', (t, j) => t.v[j][0]],
    ];
    // 2 record times × 5 statistics = 10 tests at 10⁻³: a correct chain fails with probability ≲ 1%.
    const rejections = (a: Trajectory[], b: Trajectory[]) => {
      const crit = ksCritical(a.length, b.length, 1e-3);
      const out: string[] = [];
      for (let j = 1; j < a[0].t.length; j++)
        for (const [name, f] of stats) {
          const d = ksStatistic(a.map((t) => f(t, j)), b.map((t) => f(t, j)));
          if (d > crit) out.push(`${name}@t=${a[0].t[j]}: D=${d.toFixed(3)} > ${crit.toFixed(3)}`);
        }
      return out;
    };
    const ones = Array.from({ length: RUNS }, (_, s) => run('sampler', cfgOne(s)));

    it('α = 1: not rejected', () => {
      const twins = Array.from({ length: RUNS }, (_, s) => run('sampler', cfgTwin(1000 + s)));
      expect(rejections(twins, ones)).toEqual([]);
    });

    it('power: α = 0.5 (a second teacher at overlap ½; measured D = 0.26 against the critical 0.16) is rejected by the same tests', () => {
      const near = Array.from({ length: RUNS }, (_, s) => run('sampler', cfgTwin(1000 + s, 0.5)));
      expect(rejections(near, ones).length).toBeGreaterThan(0);
    });
  });
});
