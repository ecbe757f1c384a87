import { describe, expect, it } from 'vitest';
import { alignmentSummary, cosineSimilarity, escapeTime } from '../src/metrics/alignment.ts';
import type { Trajectory } from '../src/trajectory.ts';

describe('alignment metrics', () => {
  it('cosine similarity is the Frobenius cosine', () => {
    expect(cosineSimilarity([1, 0], [1, 0])).toBe(1);
    expect(cosineSimilarity([1, 0], [0, 1])).toBe(0);
    expect(cosineSimilarity([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 15);
    expect(cosineSimilarity([1, 1], [1, 0])).toBeCloseTo(Math.SQRT1_2, 15);
    expect(cosineSimilarity([0, 0], [0, 0])).toBe(1);
    expect(() => cosineSimilarity([1], [1, 2])).toThrow();
  });

  it('escape time interpolates the first crossing in log ε', () => {
    expect(escapeTime([0, 1, 2], [1, 0.1, 0.001], 0.01)).toBeCloseTo(1.5, 12);
    expect(escapeTime([0, 1], [1, 0.5], 0.01)).toBeNull();
  });

  it('summary compares on the same grid and ignores ε below the floor in log-ratios', () => {
    const base = { engine: 'ode' as const, model: 'two-layer' as const, K: 1, M: 1, N: 10, t: [0, 1], steps: [0, 10], T: [[1]], vTeacher: [1] };
    const ode: Trajectory = { ...base, eg: [0.5, 1e-9], Q: [[[1]], [[2]]], R: [[[1]], [[1]]], v: [[1], [1]] };
    const sim: Trajectory = { ...base, engine: 'sgd', eg: [0.5 * Math.E, 1e-7], Q: [[[1]], [[2]]], R: [[[1]], [[-1]]], v: [[1], [1]] };
    const s = alignmentSummary(sim, ode);
    expect(s.maxAbsLogRatio).toBeCloseTo(1, 12);
    expect(s.minAlignR).toBe(-1);
    expect(() => alignmentSummary({ ...sim, steps: [0, 11] }, ode)).toThrow(/same steps/);
  });
});
