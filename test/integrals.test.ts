/**
 * The closed-form Gaussian integrals against Monte Carlo.
 *
 * Each integral is checked on several random covariances (of order 0.3, 1 and 3, so the
 * erf units are in their linear and saturated regimes) with n = 10⁶ samples. The tolerance
 * is 5 standard errors of the Monte Carlo mean (SE = sample std/√n, so ~1e-3 here): a
 * correct formula fails with probability ~6e-7 per check, while any algebraic slip moves
 * the value by far more than 5 SE (verified below by perturbing a formula).
 */
import { describe, expect, it } from 'vitest';
import { i2, i3, i4, j2 } from '../src/activations/erfTheory.ts';
import { g, gPrime } from '../src/activations/erf.ts';
import { createRng } from '../src/sim/random.ts';
import { monteCarlo, randomCovariance } from './helpers/gaussian.ts';

const SAMPLES = 1_000_000;
const Z = 5;
const L = 4;
const cases = [0.3, 1, 3].map((scale, idx) => ({ scale, C: randomCovariance(createRng(`cov:${idx}`), L, scale) }));

function expectWithinSe(closed: number, mc: { mean: number; se: number }): void {
  expect(Math.abs(closed - mc.mean)).toBeLessThan(Z * mc.se + 1e-12);
}

describe('Gaussian integrals vs Monte Carlo (n = 1e6, |Δ| < 5 SE)', () => {
  it.each(cases)('I2 at covariance scale $scale', ({ C }) => {
    const mc = monteCarlo(C, L, SAMPLES, 1, (u) => g(u[0]) * g(u[2]));
    expectWithinSe(i2(C, L, 0, 2), mc);
    const mcSelf = monteCarlo(C, L, SAMPLES, 11, (u) => g(u[1]) * g(u[1]));
    expectWithinSe(i2(C, L, 1, 1), mcSelf);
  });

  it.each(cases)('I3 at covariance scale $scale', ({ C }) => {
    expectWithinSe(i3(C, L, 0, 1, 2), monteCarlo(C, L, SAMPLES, 2, (u) => gPrime(u[0]) * u[1] * g(u[2])));
    // repeated indices are what the ODE uses most: ⟨g'(u_a) u_a g(u_c)⟩ and ⟨g'(u_a) u_b g(u_a)⟩
    expectWithinSe(i3(C, L, 0, 0, 3), monteCarlo(C, L, SAMPLES, 3, (u) => gPrime(u[0]) * u[0] * g(u[3])));
    expectWithinSe(i3(C, L, 1, 2, 1), monteCarlo(C, L, SAMPLES, 4, (u) => gPrime(u[1]) * u[2] * g(u[1])));
  });

  it.each(cases)('I4 at covariance scale $scale', ({ C }) => {
    expectWithinSe(i4(C, L, 0, 1, 2, 3), monteCarlo(C, L, SAMPLES, 5, (u) => gPrime(u[0]) * gPrime(u[1]) * g(u[2]) * g(u[3])));
    expectWithinSe(i4(C, L, 0, 0, 1, 1), monteCarlo(C, L, SAMPLES, 6, (u) => gPrime(u[0]) ** 2 * g(u[1]) ** 2));
    expectWithinSe(i4(C, L, 0, 1, 0, 2), monteCarlo(C, L, SAMPLES, 7, (u) => gPrime(u[0]) * gPrime(u[1]) * g(u[0]) * g(u[2])));
  });

  it.each(cases)('J2 at covariance scale $scale', ({ C }) => {
    expectWithinSe(j2(C, L, 0, 3), monteCarlo(C, L, SAMPLES, 8, (u) => gPrime(u[0]) * gPrime(u[3])));
    expectWithinSe(j2(C, L, 2, 2), monteCarlo(C, L, SAMPLES, 9, (u) => gPrime(u[2]) ** 2));
  });

  it('has power: a perturbed I3 (C_ab C_ac term dropped) is rejected at the same n', () => {
    const { C } = cases[1];
    const wrong = (2 / Math.PI) * C[1 * L + 2] / Math.sqrt((1 + C[0]) * (1 + C[0]) * (1 + C[2 * L + 2]) - (1 + C[0]) * C[2] * C[2]);
    const mc = monteCarlo(C, L, SAMPLES, 2, (u) => gPrime(u[0]) * u[1] * g(u[2]));
    expect(Math.abs(wrong - mc.mean)).toBeGreaterThan(Z * mc.se);
  });
});

describe('symmetries of the integrals', () => {
  const { C } = cases[2];
  it('I2 and J2 are symmetric', () => {
    for (let a = 0; a < L; a++)
      for (let b = 0; b < L; b++) {
        expect(i2(C, L, a, b)).toBeCloseTo(i2(C, L, b, a), 14);
        expect(j2(C, L, a, b)).toBeCloseTo(j2(C, L, b, a), 14);
      }
  });
  it('I4 is symmetric in (a,b) and in (c,d)', () => {
    for (const [a, b, c, d] of [[0, 1, 2, 3], [0, 2, 1, 3], [1, 1, 0, 3], [0, 3, 3, 1]]) {
      const ref = i4(C, L, a, b, c, d);
      expect(i4(C, L, b, a, c, d)).toBeCloseTo(ref, 13);
      expect(i4(C, L, a, b, d, c)).toBeCloseTo(ref, 13);
      expect(i4(C, L, b, a, d, c)).toBeCloseTo(ref, 13);
    }
  });
  it('I4 with an independent pair factorizes into J2·I2-like products', () => {
    // If (u_c, u_d) is independent of (u_a, u_b): I4 = J2(a,b) · I2(c,d).
    const Cb = new Float64Array(16);
    Cb.set([1.2, 0.3, 0, 0, 0.3, 0.8, 0, 0, 0, 0, 0.9, -0.4, 0, 0, -0.4, 1.1]);
    expect(i4(Cb, 4, 0, 1, 2, 3)).toBeCloseTo(j2(Cb, 4, 0, 1) * i2(Cb, 4, 2, 3), 13);
  });
  it('I3 with u_b independent of (u_a, u_c) vanishes', () => {
    const Cb = new Float64Array(9);
    Cb.set([1, 0, 0.5, 0, 2, 0, 0.5, 0, 1.5]);
    expect(i3(Cb, 3, 0, 1, 2)).toBeCloseTo(0, 15);
  });
});
