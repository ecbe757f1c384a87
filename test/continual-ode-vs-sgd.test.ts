/**
 * The continual-learning ODE against the mean of S = 24 SGD runs at N = 5000, through the
 * switch, for one shared head and one head per task.
 *
 * Setting: Figure 8's model and initial order parameters (K = 2, one teacher unit per task at
 * feature similarity α = 0.5, η = 1), task 1 until t = 10, task 2 until t = 20, records every
 * 2. Every seed starts from the same explicit order parameters (`forgettingInit`), so one ODE
 * serves all seeds and d_s(t) = ε_s(t) − ε_ode(t) is SGD noise plus an O(1/N) bias; starting
 * each seed from its own random weights would add the spread of the starts (and make T's overlap
 * α + O(1/√N)) without testing anything more. The SGD runs are the exact order-parameter sampler:
 * it has the law of full SGD from these overlaps, with a schedule and either head mode
 * (test/sampler.test.ts), at a cost that does not grow with N (full SGD at N = 5000 would take
 * about 20× longer).
 *
 * Check, for ε_g on each teacher at every record t > 0 (10 records × 2 teachers × 2 head modes
 * = 40 comparisons): |mean_s d_s| ≤ t_crit · sd_s/√S + A/N, with t_crit = 5.252, the two-sided
 * Student-t value (23 dof) at family-wise level 10⁻³ with a Bonferroni split over the 40
 * comparisons (scipy.stats.t.ppf(1 − 10⁻³/80, 23)), and the O(1/N) allowance A = 1: 400 seeds at
 * N = 500 on this setting resolved no bias, |mean d|·N ≤ 0.09 with standard errors 0.01–0.07
 * (measured when this test was written).
 *
 * Power: the same check rejects three deliberately wrong ODEs on the same simulations: one that
 * keeps training head 1 after the switch in multi-head mode (the single-head ODE), one that
 * forgets to mask the inactive teacher's readout (the label is the sum of both teachers), and one
 * that ignores the switch (keeps training on teacher 1).
 */
import { describe, expect, it } from 'vitest';
import { validateConfig, type RunConfig } from '../src/config.ts';
import { runEngine, trajectoryOrThrow } from '../src/engines.ts';
import { forgettingInit, FORGETTING } from '../src/figures/forgetting/index.ts';
import { activeReadout } from '../src/model/schedule.ts';
import { recordSteps } from '../src/recordTimes.ts';
import { initialOrderParams } from '../src/sim/weights.ts';
import { generalizationError } from '../src/theory/generalizationError.ts';
import { integrateDopri5 } from '../src/theory/integrators.ts';
import { packState, twoLayerRhs, unpackState } from '../src/theory/rhs.ts';
import { odeParamsFor } from '../src/theory/solve.ts';
import type { Trajectory } from '../src/trajectory.ts';

const N = 5000;
const S = 24;
const ALPHA = 0.5;
const T_CRIT = 5.252;
const BIAS_ALLOWANCE = 1;

function config(heads: 'single' | 'multi', seed: number, schedule = [{ teacher: 0, until: 10 }, { teacher: 1, until: 20 }]): RunConfig {
  return validateConfig({
    model: 'two-layer', N, K: FORGETTING.K, M: FORGETTING.M, lr: FORGETTING.lr, sigma: 0, tMax: 20, recordEvery: 2, recordScale: 'linear', seed,
    trainSecondLayer: true, teachers: [{}, { featureSimilarity: ALPHA }], schedule, heads, init: forgettingInit(ALPHA, FORGETTING.vSmall),
  });
}

/** ε_g on each teacher at each record (t > 0), [teacher][record]. */
const egOf = (traj: Trajectory) => traj.egTeachers!.map((e) => e.slice(1));

/** The largest |mean d| / (t_crit·SE + A/N) over records and teachers: ≤ 1 passes. */
function worstRatio(sims: number[][][], ode: number[][]): { ratio: number; where: string } {
  let worst = { ratio: 0, where: '' };
  for (let p = 0; p < ode.length; p++)
    for (let j = 0; j < ode[p].length; j++) {
      const d = sims.map((s) => s[p][j] - ode[p][j]);
      const mean = d.reduce((a, b) => a + b, 0) / S;
      const sd = Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / (S - 1));
      const ratio = Math.abs(mean) / ((T_CRIT * sd) / Math.sqrt(S) + BIAS_ALLOWANCE / N);
      if (ratio > worst.ratio) worst = { ratio, where: `teacher ${p} record ${j + 1}: mean d = ${mean.toExponential(3)}, SE = ${(sd / Math.sqrt(S)).toExponential(3)}` };
    }
  return worst;
}

/** The ODE with the inactive teacher's readout not masked: the label is Σ over both teachers' units throughout. */
function unmaskedOde(cfg: RunConfig): number[][] {
  const init = initialOrderParams(cfg);
  const prm = odeParamsFor(cfg, init);
  const times = recordSteps(cfg).slice(1).map((s) => s / cfg.N);
  const eg: number[][] = [[], []];
  integrateDopri5(twoLayerRhs(prm), packState(init), 0, times, (_j, _t, y) => {
    const o = unpackState(y, prm);
    for (const p of [0, 1]) eg[p].push(generalizationError({ ...o, vTeacher: activeReadout(init.vTeacher, cfg.M, p) }, cfg.activation));
  });
  return eg;
}

describe(`continual learning: ODE vs the mean of ${S} SGD runs (exact sampler) at N = ${N}, through the switch`, () => {
  const sims = {
    single: Array.from({ length: S }, (_, s) => egOf(trajectoryOrThrow(runEngine('sampler', config('single', s + 1))))),
    multi: Array.from({ length: S }, (_, s) => egOf(trajectoryOrThrow(runEngine('sampler', config('multi', s + 1))))),
  };
  const ode = (heads: 'single' | 'multi', schedule?: Parameters<typeof config>[2]) => egOf(trajectoryOrThrow(runEngine('ode', config(heads, 0, schedule))));

  it.each(['single', 'multi'] as const)('%s head: within t·SE + 1/N for ε_g on both teachers at every record', (heads) => {
    const w = worstRatio(sims[heads], ode(heads));
    expect(w.ratio, w.where).toBeLessThanOrEqual(1);
  });

  it('records both sides of the switch (t = 10 is a record) and forgetting is under way by the end', () => {
    const o = ode('multi');
    const cfg = config('multi', 0);
    expect(recordSteps(cfg).map((s) => s / N)).toContain(10);
    expect(o[0].at(-1)! - o[0][4]).toBeGreaterThan(0.05); // ε_g on task 1 rose after the switch (record 5 is t = 10)
  });

  describe('power: the same check rejects a wrong ODE on the same simulations', () => {
    it('multi-head: an ODE that keeps training head 1 after the switch (one shared head)', () => {
      expect(worstRatio(sims.multi, ode('single')).ratio).toBeGreaterThan(1);
    });
    it("single head: an ODE that forgets to mask the inactive teacher's readout", () => {
      expect(worstRatio(sims.single, unmaskedOde(config('single', 0))).ratio).toBeGreaterThan(1);
    });
    it.each(['single', 'multi'] as const)('%s head: an ODE that ignores the switch (trains on teacher 1 throughout)', (heads) => {
      expect(worstRatio(sims[heads], ode(heads, [{ teacher: 0, until: 10 }, { teacher: 0, until: 20 }])).ratio).toBeGreaterThan(1);
    });
  });
});
