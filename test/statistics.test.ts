/**
 * src/metrics/statistics.ts against independent computations: quantiles against the
 * order-statistic definition written out by hand (Hyndman & Fan's type 7, numpy's default),
 * the least-squares line against the normal equations solved by Cramer's rule, and its slope
 * standard error against the scatter of fitted slopes over simulated noise. Power: the
 * variants with n instead of n − 1 (std) or n − 2 (slope SE) are rejected.
 */
import { describe, expect, it } from 'vitest';
import { linearFit, mean, median, quantile, sampleStd } from '../src/metrics/statistics.ts';

/** A small deterministic stream of standard normals (Box–Muller on a 32-bit LCG). */
function normals(seed: number): () => number {
  let s = seed >>> 0;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

describe('mean, sample std, median, quantile', () => {
  const xs = [2, 4, 4, 4, 5, 5, 7, 9];

  it('mean and sample std (n − 1) of a set whose population std is 2', () => {
    expect(mean(xs)).toBe(5);
    // Σ(x − 5)² = 32; the sample variance divides by n − 1 = 7.
    expect(sampleStd(xs)).toBeCloseTo(Math.sqrt(32 / 7), 14);
    // Power: the population std (÷ n) is 2, which the sample std is not.
    expect(Math.abs(sampleStd(xs) - 2)).toBeGreaterThan(0.1);
  });

  it('median of odd and even counts, unsorted input left as it was', () => {
    const odd = [9, 1, 5];
    expect(median(odd)).toBe(5);
    expect(odd).toEqual([9, 1, 5]);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('quantile q: order statistic h = (n − 1)q, interpolated linearly (numpy default)', () => {
    const ys = [10, 1, 7, 3, 4];
    const sorted = [1, 3, 4, 7, 10];
    for (const q of [0, 0.1, 0.25, 0.5, 0.6, 0.75, 0.99, 1]) {
      const h = (sorted.length - 1) * q;
      const lo = Math.floor(h);
      const hi = Math.min(lo + 1, sorted.length - 1);
      expect(quantile(ys, q)).toBeCloseTo(sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]), 12);
    }
    expect(quantile([1, 2, 3, 4], 0.25)).toBeCloseTo(1.75, 12);
    expect(quantile(ys, 0.5)).toBe(median(ys));
  });
});

describe('linearFit', () => {
  it('recovers an exact line, with zero standard error', () => {
    const x = [0, 1, 2, 5, 7];
    const fit = linearFit(x, x.map((v) => 3 - 0.5 * v));
    expect(fit.slope).toBeCloseTo(-0.5, 12);
    expect(fit.intercept).toBeCloseTo(3, 12);
    expect(fit.slopeSe).toBeCloseTo(0, 12);
  });

  it('agrees with the normal equations solved by Cramer rule on noisy data', () => {
    const z = normals(7);
    const x = Array.from({ length: 30 }, (_, i) => i / 3);
    const y = x.map((v) => 1 + 2 * v + z());
    const n = x.length;
    const Sx = x.reduce((a, b) => a + b, 0);
    const Sy = y.reduce((a, b) => a + b, 0);
    const Sxx = x.reduce((a, b) => a + b * b, 0);
    const Sxy = x.reduce((a, b, i) => a + b * y[i], 0);
    const det = n * Sxx - Sx * Sx;
    const fit = linearFit(x, y);
    expect(fit.slope).toBeCloseTo((n * Sxy - Sx * Sy) / det, 10);
    expect(fit.intercept).toBeCloseTo((Sxx * Sy - Sx * Sxy) / det, 10);
  });

  it('slopeSe is the spread of the fitted slope over repeated noise (σ/√Sxx), and not the ÷n variant', () => {
    const z = normals(11);
    const x = Array.from({ length: 8 }, (_, i) => i);
    const sigma = 0.3;
    const sxx = x.reduce((a, v) => a + (v - 3.5) ** 2, 0);
    const trials = 4000;
    const slopes: number[] = [];
    const ses: number[] = [];
    for (let k = 0; k < trials; k++) {
      const fit = linearFit(x, x.map((v) => 0.2 * v + sigma * z()));
      slopes.push(fit.slope);
      ses.push(fit.slopeSe ** 2);
    }
    const truth = sigma / Math.sqrt(sxx);
    // The slope's scatter and the mean estimated variance both match σ²/Sxx; the std of a sample
    // std over 4000 trials is ≈ 1/√8000 ≈ 1.1% of it, so 5% is > 4 SE.
    expect(Math.abs(sampleStd(slopes) / truth - 1)).toBeLessThan(0.05);
    expect(Math.abs(Math.sqrt(mean(ses)) / truth - 1)).toBeLessThan(0.05);
    // Power: dividing the residuals by n instead of n − 2 underestimates by √(6/8) ≈ 0.87.
    expect(Math.abs(Math.sqrt(mean(ses) * (6 / 8)) / truth - 1)).toBeGreaterThan(0.05);
  });
});
