/**
 * Figure 8 (forgetting against similarity): its figure-level tolerances on the committed
 * snapshot, each with a power check, and the snapshot's provenance. (The generic checks of
 * test/figures.test.ts also cover it: the ci preset re-run exactly, the SVG re-rendered.)
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  asForgetting,
  BIAS_ALLOWANCE,
  forgettingFigure,
  forgettingRunsHash,
  T_CRIT_FAMILY_1E3,
  teacherDistance,
  type ForgettingPoint,
  type ForgettingSnapshot,
} from '../src/figures/forgetting/index.ts';
import { FIGURES } from '../src/figures/registry.ts';
import type { Snapshot, Tolerance } from '../src/figures/types.ts';
import { snapshotPath } from '../pipeline/figureFiles.ts';

const read = (preset: 'full' | 'ci') => JSON.parse(readFileSync(snapshotPath('forgetting', preset), 'utf8')) as ForgettingSnapshot;
const snap = read('full');
const tol = (start: string): Tolerance => forgettingFigure.tolerances.find((t) => t.name.startsWith(start))!;
/** Every tolerance of this figure reads the whole snapshot (scope 'figure'). */
const figureScope = (t: Tolerance) => {
  if (t.scope !== 'figure') throw new Error(`${t.name}: expected scope 'figure'`);
  return t;
};
const passes = (t: Tolerance, s: Snapshot) => figureScope(t).check(s);
/** The snapshot with the multi-head points changed by `f`. */
const withMulti = (f: (p: ForgettingPoint, single: ForgettingPoint) => Partial<ForgettingPoint>): ForgettingSnapshot => ({
  ...snap,
  points: snap.points.map((p) => (p.variant === 'multi' ? { ...p, ...f(p, snap.points.find((q) => q.variant === 'single' && q.alpha === p.alpha)!) } : p)),
});

describe('Figure 8: forgetting against similarity', () => {
  it('is in the default build', () => expect(FIGURES).toContain(forgettingFigure));

  it('the committed snapshots were made from the current runs', () => {
    for (const preset of ['full', 'ci'] as const) expect(read(preset).runsHash).toBe(forgettingRunsHash(preset));
  });

  it('the committed snapshot satisfies every figure-level tolerance', () => {
    const failures = forgettingFigure.tolerances.filter((t) => !passes(t, snap)).map((t) => `${t.name} — measured ${figureScope(t).measured(snap)}`);
    expect(failures).toEqual([]);
  });

  it('has ≥ 11 simulated α in [0, 1] per head mode, and the critical value its seeds and points need', () => {
    for (const v of ['single', 'multi'] as const) expect(snap.points.filter((p) => p.variant === v).length).toBeGreaterThanOrEqual(11);
    expect(T_CRIT_FAMILY_1E3[`${snap.seeds}/${snap.points.length}`]).toBeDefined();
  });

  it('the critical value is the Student-t quantile it claims (tail mass by quadrature of the density)', () => {
    // P(|T_ν| > c) = 2∫_c^∞ f_ν, f_ν(x) = Γ((ν+1)/2)/(√(νπ) Γ(ν/2)) (1 + x²/ν)^{−(ν+1)/2}; for odd ν = 11
    // Γ(6)/Γ(5.5) = 120 / (945·√π/32). Substituting x = c/u maps the tail onto (0, 1].
    const nu = 11;
    const norm = 120 / ((945 * Math.sqrt(Math.PI)) / 32) / Math.sqrt(nu * Math.PI);
    const c = T_CRIT_FAMILY_1E3['12/22'];
    const f = (u: number) => (u === 0 ? 0 : (norm * (c / (u * u))) * (1 + (c / u) ** 2 / nu) ** (-(nu + 1) / 2));
    const n = 20000;
    let s = f(0) + f(1);
    for (let i = 1; i < n; i++) s += (i % 2 ? 4 : 2) * f(i / n);
    const tail = (2 * s) / (3 * n);
    expect(tail / (1e-3 / 22)).toBeCloseTo(1, 3);
  });

  describe('power: each tolerance rejects a deliberately wrong figure', () => {
    it('agreement: an ODE that keeps training head 1 after the switch (the single-head curve) against multi-head SGD', () => {
      expect(passes(tol('SGD mean forgetting agrees'), withMulti((_p, single) => ({ odeF: single.odeF })))).toBe(false);
    });

    it('agreement: a bias of 3/N (three times the allowance) on every mean', () => {
      const biased = { ...snap, points: snap.points.map((p) => ({ ...p, simMean: p.simMean + (3 * BIAS_ALLOWANCE) / snap.N })) };
      expect(passes(tol('SGD mean forgetting agrees'), biased)).toBe(false);
    });

    it('the peak: monotonic multi-head simulations (the single-head means) do not show it', () => {
      expect(passes(tol('multi-head: the SGD means show the peak'), withMulti((_p, single) => ({ simMean: single.simMean, simSe: single.simSe })))).toBe(false);
    });

    it('single head: ε_g on task 1 at the end of the multi-head runs is not the teacher distance', () => {
      const swapped = {
        ...snap,
        points: snap.points.map((p) => (p.variant === 'single' ? { ...p, ...snap.points.find((q) => q.variant === 'multi' && q.alpha === p.alpha)!, variant: 'single' as const } : p)),
      };
      expect(passes(tol('single head: ODE forgetting falls'), swapped)).toBe(false);
      // …and the closed form it uses is the ε_g of teacher 2 on task 1: 1/3 at α = 0, 0 at α = 1.
      expect(teacherDistance(0)).toBeCloseTo(1 / 3, 15);
      expect(teacherDistance(1)).toBe(0);
    });

    it("the caption's numbers: a peak moved by one grid step is caught", () => {
      const curves = asForgetting(snap).curves.map((c) => (c.variant === 'multi' ? { ...c, peakAlpha: c.peakAlpha + 0.025 } : c));
      expect(passes(tol("the caption's numbers"), { ...snap, curves } as ForgettingSnapshot)).toBe(false);
    });
  });
});
