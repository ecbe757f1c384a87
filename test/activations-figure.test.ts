/**
 * The pure pieces behind Figure 7 (src/figures/activations/): the plateau metric
 * (src/metrics/plateau.ts) on curves whose answer is known in closed form, the zero-student ε_g
 * against each activation's closed-form second moments, and the merge `make calibrate ONLY=…`
 * does. The figure's snapshot, tolerances, calibration and power checks are in
 * test/figures.test.ts. Runtime < 1 s.
 */
import { describe, expect, it } from 'vitest';
import { generalizationErrorOfZeroStudent } from '../src/figures/activations/index.ts';
import { mergeCalibrations, type CalibrationEntry, type CalibrationFile } from '../src/figures/calibration.ts';
import { flattestPoint, plateauComparison } from '../src/metrics/plateau.ts';

/** A log-spaced record grid from 0.01 to tMax, with t = 0 first (as the figures record). */
function grid(tMax: number, n: number): number[] {
  return [0, ...Array.from({ length: n }, (_, i) => 0.01 * (tMax / 0.01) ** (i / (n - 1)))];
}

describe('flattestPoint', () => {
  it('a pure exponential has no plateau: its flattest log–log slope after halving is ln 2 (at the half point)', () => {
    // |d ln ε/d ln t| = ct for ε = e^{−ct}: ln 2 where ε has halved, growing after.
    for (const c of [0.3, 1, 4]) {
      const t = grid(100, 4000);
      const eg = t.map((x) => 2 * Math.exp(-c * x));
      const f = flattestPoint({ t, eg }, 1e-2)!;
      expect(f.slope).toBeGreaterThanOrEqual(Math.LN2 - 2e-3);
      expect(f.slope).toBeLessThan(Math.LN2 + 2e-3);
      expect(f.eg).toBeCloseTo(1, 2);
    }
  });

  it('finds a plateau: ε = 0.05 + e^{−t} then an escape at t = 300, flattest between, slope ≪ 1', () => {
    const t = grid(1000, 400);
    const eg = t.map((x) => (0.05 + Math.exp(-x)) * Math.exp(-((x / 300) ** 4)));
    const f = flattestPoint({ t, eg }, 1e-2)!;
    expect(f.eg).toBeGreaterThan(0.049);
    expect(f.eg).toBeLessThan(0.051);
    expect(f.t).toBeGreaterThan(5);
    expect(f.t).toBeLessThan(300);
    expect(f.slope).toBeLessThan(0.01);
    // power: the same curve without the plateau term is steep everywhere past its half point
    expect(flattestPoint({ t, eg: t.map((x) => Math.exp(-x)) }, 1e-2)!.slope).toBeGreaterThan(0.69);
  });

  it('ignores the flat start (before ε halves) and what follows the escape', () => {
    const t = grid(100, 300);
    // flat until t = 1 (slope → 0 as t → 0), then a decay, then flat again far below the threshold
    const eg = t.map((x) => Math.max(1e-4, Math.exp(-(x ** 2))));
    const f = flattestPoint({ t, eg }, 1e-2)!;
    expect(f.eg).toBeLessThanOrEqual(0.5);
    expect(f.eg).toBeGreaterThanOrEqual(1e-2);
  });

  it('null when ε never halves, and the comparison reads the simulation at the same record', () => {
    const t = grid(10, 50);
    expect(flattestPoint({ t, eg: t.map(() => 1) }, 1e-2)).toBeNull();
    const ode = { t, eg: t.map((x) => 0.05 + Math.exp(-x)) };
    const sim = { t, eg: ode.eg.map((e) => 1.1 * e) };
    const p = plateauComparison(sim, ode, 1e-2)!;
    expect(p.logRatio).toBeCloseTo(Math.log(1.1), 12);
    expect(p.eg).toBe(ode.eg[p.j]);
  });
});

describe('generalizationErrorOfZeroStudent', () => {
  // T = I (M = 4 orthonormal teacher units), v* = 1: ε = ½ Σ_nm ⟨g(ρ_n) g(ρ_m)⟩ from the
  // activations' second moments in closed form: erf ⟨g²⟩ = (2/π) arcsin ½ = 1/3, ⟨g⟩ = 0;
  // ReLU ⟨g²⟩ = ½, ⟨g⟩ = 1/√(2π); linear ⟨g²⟩ = 1, ⟨g⟩ = 0.
  const T = [0, 1, 2, 3].map((i) => [0, 1, 2, 3].map((j) => (i === j ? 1 : 0)));
  const ones = [1, 1, 1, 1];
  it.each([
    ['erf', 0.5 * 4 * (1 / 3)],
    ['relu', 0.5 * (4 * 0.5 + 12 / (2 * Math.PI))],
    ['linear', 0.5 * 4],
  ] as const)('%s: ½(M⟨g²⟩ + M(M−1)⟨g⟩²)', (activation, expected) => {
    expect(generalizationErrorOfZeroStudent(T, ones, activation)).toBeCloseTo(expected, 12);
  });
});

describe('mergeCalibrations (make calibrate ONLY=…)', () => {
  const sample = (seed: number) => ({ seed, escapeTimeSim: null, escapeTimeOde: null, maxAbsLogRatioPreEscape: 0.1, minAlignQPreEscape: 1, minAlignRPreEscape: 1, minAlignVPreEscape: 1, minAlignQ: 1, minAlignR: 1, minAlignV: 1, finalEgSim: 0.04, finalEgOde: 0.04 });
  const entry = (figure: string, K: number, tag: number, extra: Partial<CalibrationEntry> = {}): CalibrationEntry => ({ figure, preset: 'full', K, configHash: `h${tag}`, samples: [sample(tag)], ...extra });
  const prior: CalibrationFile = { seeds: [1001, 1002], engine: 'sampler', settings: [entry('a', 2, 1), entry('b', 2, 2), entry('b', 4, 3), entry('c', 2, 4)] };

  it("keeps every other figure's entries as they were, in place, and puts the new ones where the old ones stood", () => {
    const fresh: CalibrationFile = { seeds: [1001, 1002], engine: 'sampler', settings: [entry('b', 2, 20), entry('b', 4, 30), entry('b', 6, 40)] };
    const merged = mergeCalibrations(prior, fresh);
    expect(merged.settings.map((e) => e.configHash)).toEqual(['h1', 'h20', 'h30', 'h40', 'h4']);
    expect(merged.settings[0]).toBe(prior.settings[0]);
    expect(merged.settings[4]).toBe(prior.settings[3]);
  });

  it('appends a figure new to the file, and refuses other seeds or another engine', () => {
    const fresh: CalibrationFile = { seeds: [1001, 1002], engine: 'sampler', settings: [entry('d', 2, 50, { activation: 'relu' })] };
    expect(mergeCalibrations(prior, fresh).settings.map((e) => e.configHash)).toEqual(['h1', 'h2', 'h3', 'h4', 'h50']);
    expect(() => mergeCalibrations(prior, { ...fresh, seeds: [1001] })).toThrow(/seeds/);
    expect(() => mergeCalibrations(prior, { ...fresh, engine: 'sgd' })).toThrow(/seeds/);
  });
});
