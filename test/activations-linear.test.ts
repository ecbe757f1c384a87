/**
 * The linear activation's Gaussian averages (src/activations/linear.ts) against Monte Carlo:
 * n = 1e7 samples per covariance (one stream for all averages), |Δ| < 5 standard errors, on a
 * random covariance and on one with an exactly duplicated field and a field of zero variance.
 * Power: I4 = C_ab C_cd (a plausible slip: the product of the two pairs' covariances) is rejected.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { linearAverages } from '../src/activations/linear.ts';
import { createRng } from '../src/sim/random.ts';
import { gram, monteCarloAverages, type McEstimate, type Target } from './helpers/averagesMonteCarlo.ts';

const N_MC = 10_000_000;
const Z = 5;

interface Case {
  name: string;
  L: number;
  dim: number;
  V: Float64Array;
}

function rows(seed: string, L: number, dim: number): Float64Array {
  const V = new Float64Array(L * dim);
  createRng(seed).fillGaussian(V);
  return V;
}

const cases: Case[] = [{ name: 'random, L = 4', L: 4, dim: 4, V: rows('linear:A', 4, 4) }];
{
  const V = rows('linear:B', 5, 5);
  for (let k = 0; k < 5; k++) V[3 * 5 + k] = -2 * V[1 * 5 + k]; // u3 = −2 u1
  V.fill(0, 4 * 5, 5 * 5); // u4 ≡ 0
  cases.push({ name: 'L = 5, a duplicated field and a zero-variance field', L: 5, dim: 5, V });
}

function targetsFor(L: number): Target[] {
  const t: Target[] = [];
  for (let a = 0; a < L; a++)
    for (let b = a; b < L; b++) {
      t.push({ kind: 'i2', idx: [a, b] }, { kind: 'i3', idx: [a, b, (a + b + 1) % L] }, { kind: 'i4', idx: [a, b, (a + 1) % L, (b + 2) % L] });
      if (b > a) t.push({ kind: 'j2', idx: [a, b] }, { kind: 'i3', idx: [a, a, b] }, { kind: 'i4', idx: [a, a, b, b] });
    }
  return t;
}

function value(C: Float64Array, L: number, t: Target, i4 = linearAverages.i4): number {
  const [a, b, c, d] = t.idx;
  if (t.kind === 'i2') return linearAverages.i2(C, L, a, b);
  if (t.kind === 'j2') return linearAverages.j2(C, L, a, b);
  if (t.kind === 'i3') return linearAverages.i3(C, L, a, b, c);
  return i4(C, L, a, b, c, d);
}

function zScore(v: number, mc: McEstimate, j: number): number {
  const diff = Math.abs(v - mc.mean[j]);
  if (mc.se[j] === 0) return diff <= 1e-14 ? 0 : Infinity;
  return diff / mc.se[j];
}

describe('linear averages vs Monte Carlo (n = 1e7, |Δ| < 5 SE)', () => {
  const results: { C: Float64Array; targets: Target[]; mc: McEstimate }[] = [];
  beforeAll(() => {
    cases.forEach((c, n) => {
      const targets = targetsFor(c.L);
      const mc = monteCarloAverages(c.V, c.L, c.dim, N_MC, `linear:mc:${n}`, (u) => u, () => 1, targets);
      results.push({ C: gram(c.V, c.L, c.dim), targets, mc });
    });
  });

  it.each(cases.map((c, n) => ({ name: c.name, n })))('$name', ({ n }) => {
    const { C, targets, mc } = results[n];
    const L = cases[n].L;
    const bad = targets.flatMap((t, j) => {
      const z = zScore(value(C, L, t), mc, j);
      return z < Z ? [] : [`${t.kind}(${t.idx.join(',')}): z = ${z.toFixed(2)}`];
    });
    expect(bad).toEqual([]);
  });

  it('has power: I4 = C_ab C_cd is rejected', () => {
    const { C, targets, mc } = results[0];
    const L = cases[0].L;
    const wrong = (Cm: ArrayLike<number>, Lm: number, a: number, b: number, c: number, d: number) => Cm[a * Lm + b] * Cm[c * Lm + d];
    let worst = 0;
    targets.forEach((t, j) => {
      if (t.kind === 'i4') worst = Math.max(worst, zScore(value(C, L, t, wrong), mc, j));
    });
    expect(worst).toBeGreaterThan(Z);
  });
});
