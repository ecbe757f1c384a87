/**
 * The ReLU Gaussian averages (src/activations/relu.ts).
 *
 * 1. Monte Carlo: every average on four covariances (L = 4…6, Gram matrices of random vectors,
 *    among them a pair at correlation 1 − 1e-6, one at 1 − 1e-10, an exact duplicate, an exact
 *    anti-duplicate and a field of zero variance), n = 1e7 samples each, drawn once per covariance
 *    and shared by all averages. Tolerance 5 standard errors (a correct formula fails one check
 *    with probability ~6e-7). Power: the same check rejects I4 with the 4-D orthant replaced by a
 *    product of two bivariate ones, and I3 without its density term.
 * 2. Deterministic: I4, I3, I2 against direct nested quadrature (test/helpers/truncatedQuadrature.ts,
 *    conditioning on two fields; no Tallis, no Plackett) to 1e-9 at unit variances.
 * 3. Exact identities and singular limits: duplicated fields, positive homogeneity, |S| ≤ 2
 *    reductions to I2, continuity as a correlation → 1, zero variance, non-PSD input.
 * 4. The ODE's sums (reluOdeSums) equal the plain double sums of the scalar averages.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { orthant2, orthantProbability, reluAverages, reluOdeSums, truncatedMoment } from '../src/activations/relu.ts';
import type { GaussianAverages } from '../src/activations/types.ts';
import { createRng } from '../src/sim/random.ts';
import { gram, monteCarloAverages, type McEstimate, type Target } from './helpers/averagesMonteCarlo.ts';
import { truncatedMomentByQuadrature } from './helpers/truncatedQuadrature.ts';

const N_MC = 10_000_000;
const Z = 5;
const { i2, i3, i4, j2 } = reluAverages;
const relu = (u: number) => (u > 0 ? u : 0);
const step = (u: number) => (u > 0 ? 1 : 0); // g′(0) = 0, as in relu.ts

// ---------------------------------------------------------------------------------------------
// Covariances as Gram matrices of explicit vectors (rows of V, L × dim).

function randomRows(seed: string, L: number, dim: number): Float64Array {
  const V = new Float64Array(L * dim);
  createRng(seed).fillGaussian(V);
  return V;
}

function row(V: Float64Array, dim: number, i: number): Float64Array {
  return V.subarray(i * dim, (i + 1) * dim);
}

/** Set row `dst` to `scale`·(a unit-norm-preserving rotation of row `src` with 1 − cos θ = oneMinusCos), towards `towards`. */
function nearDuplicate(V: Float64Array, dim: number, dst: number, src: number, towards: Float64Array, oneMinusCos: number, scale: number): void {
  const t = row(V, dim, src);
  let tt = 0;
  for (let k = 0; k < dim; k++) tt += t[k] * t[k];
  const tn = Math.sqrt(tt);
  let wt = 0;
  for (let k = 0; k < dim; k++) wt += towards[k] * t[k];
  const w = towards.map((x, k) => x - (wt / tt) * t[k]);
  const wn = Math.hypot(...w);
  const cos = 1 - oneMinusCos;
  const sin = Math.sqrt(oneMinusCos * (2 - oneMinusCos));
  for (let k = 0; k < dim; k++) V[dst * dim + k] = scale * (cos * t[k] + sin * tn * (w[k] / wn));
}

interface Case {
  name: string;
  L: number;
  dim: number;
  V: Float64Array;
  C: Float64Array;
}

function makeCase(name: string, L: number, dim: number, V: Float64Array): Case {
  return { name, L, dim, V, C: gram(V, L, dim) };
}

const cases: Case[] = [];
{
  cases.push(makeCase('random, L = 4', 4, 4, randomRows('relu:A', 4, 4)));

  const dim = 5;
  const V = randomRows('relu:B', 5, dim);
  for (let k = 0; k < dim; k++) V[2 * dim + k] *= 2; // variances from ~0.3 to ~10
  nearDuplicate(V, dim, 4, 1, randomRows('relu:Bw', 1, dim), 1e-6, 0.6);
  cases.push(makeCase('L = 5, u4 at correlation 1 − 1e-6 with u1', 5, dim, V));
}
{
  // students s0, s1, s2 and teachers t3, t4, t5: s0 has converged onto t3 up to 1 − ρ = 1e-10,
  // s1 = 0.7 t4 exactly, s2 = −0.5 t5 exactly (an anti-duplicate).
  const dim = 6;
  const V = randomRows('relu:C', 6, dim);
  nearDuplicate(V, dim, 0, 3, randomRows('relu:Cw', 1, dim), 1e-10, 1.2);
  for (let k = 0; k < dim; k++) V[1 * dim + k] = 0.7 * V[4 * dim + k];
  for (let k = 0; k < dim; k++) V[2 * dim + k] = -0.5 * V[5 * dim + k];
  cases.push(makeCase('teacher–student, L = 6: 1 − ρ = 1e-10, duplicate, anti-duplicate', 6, dim, V));
}
{
  const dim = 4;
  const V = randomRows('relu:D', 5, dim);
  V.fill(0, 2 * dim, 3 * dim); // u2 ≡ 0
  nearDuplicate(V, dim, 4, 0, randomRows('relu:Dw', 1, dim), 1e-3, 1);
  cases.push(makeCase('L = 5 with a zero-variance field', 5, dim, V));
}

/** The averages checked on a covariance with L fields: all I2 and J2, and a spread of I3 and I4 (all |S|, repeated indices). */
function targetsFor(L: number, seed: string): Target[] {
  const t: Target[] = [];
  for (let a = 0; a < L; a++)
    for (let b = a; b < L; b++) {
      t.push({ kind: 'i2', idx: [a, b] });
      if (b > a) t.push({ kind: 'j2', idx: [a, b] });
    }
  // I3: the ODE's patterns (a, a, c), (a, b, a), (a, c, c) and generic triples
  for (let a = 0; a < L; a++) {
    const c = (a + 1) % L;
    const b = (a + 2) % L;
    t.push({ kind: 'i3', idx: [a, a, c] }, { kind: 'i3', idx: [a, b, a] }, { kind: 'i3', idx: [a, c, c] }, { kind: 'i3', idx: [a, b, c] });
  }
  // I4: |S| = 1, 2, 3, 4 with the repeats I4(i,i,p,q), I4(i,k,i,q), I4(i,k,p,p), and all 4-sets
  for (let a = 0; a < L; a++) t.push({ kind: 'i4', idx: [a, a, a, a] }, { kind: 'i4', idx: [a, a, a, (a + 1) % L] });
  const rng = createRng(seed);
  const pick = () => rng.nextUint32() % L;
  for (let j = 0; j < 2 * L; j++) {
    const [i, k, p, q] = [pick(), pick(), pick(), pick()];
    t.push({ kind: 'i4', idx: [i, i, p, q] }, { kind: 'i4', idx: [i, k, i, q] }, { kind: 'i4', idx: [i, k, p, p] });
  }
  for (let a = 0; a < L; a++)
    for (let b = a + 1; b < L; b++)
      for (let c = b + 1; c < L; c++)
        for (let d = c + 1; d < L; d++) t.push({ kind: 'i4', idx: [a, b, c, d] }, { kind: 'i4', idx: [c, d, a, b] });
  return t;
}

function closedForm(avg: GaussianAverages, C: Float64Array, L: number, t: Target): number {
  const [a, b, c, d] = t.idx;
  if (t.kind === 'i2') return avg.i2(C, L, a, b);
  if (t.kind === 'j2') return avg.j2(C, L, a, b);
  if (t.kind === 'i3') return avg.i3(C, L, a, b, c);
  return avg.i4(C, L, a, b, c, d);
}

/** |Δ|/SE (Infinity when SE = 0 and Δ ≠ 0 beyond rounding). */
function zScore(value: number, mc: McEstimate, j: number): number {
  const diff = Math.abs(value - mc.mean[j]);
  if (mc.se[j] === 0) return diff <= 1e-14 ? 0 : Infinity;
  return diff / mc.se[j];
}

describe('ReLU averages vs Monte Carlo (n = 1e7 per covariance, |Δ| < 5 SE)', () => {
  const results: { c: Case; targets: Target[]; mc: McEstimate }[] = [];
  beforeAll(() => {
    cases.forEach((c, n) => {
      const targets = targetsFor(c.L, `relu:targets:${n}`);
      results.push({ c, targets, mc: monteCarloAverages(c.V, c.L, c.dim, N_MC, `relu:mc:${n}`, relu, step, targets) });
    });
  });

  it.each(cases.map((c, n) => ({ name: c.name, n })))('$name', ({ n }) => {
    const { c, targets, mc } = results[n];
    const bad: string[] = [];
    targets.forEach((t, j) => {
      const z = zScore(closedForm(reluAverages, c.C, c.L, t), mc, j);
      if (!(z < Z)) bad.push(`${t.kind}(${t.idx.join(',')}): z = ${z.toFixed(2)}`);
    });
    expect(bad).toEqual([]);
  });

  it('has power: I4 with P4 replaced by P2(R_ab)·P2(R_cd) is rejected on every covariance with four-field sets', () => {
    for (const { c, targets, mc } of results) {
      const { C, L } = c;
      let worst = 0;
      targets.forEach((t, j) => {
        if (t.kind !== 'i4' || new Set(t.idx).size !== 4) return;
        const [a, b, cc, d] = t.idx;
        const [s0, s1, s2, s3] = [...t.idx].sort((x, y) => x - y);
        const p4 = orthantProbability(C, L, t.idx, 4);
        if (p4 === 0) return; // an empty orthant (anti-duplicate): nothing to replace
        const r = (x: number, y: number) => C[x * L + y] / Math.sqrt(C[x * L + x] * C[y * L + y]);
        const wrongP4 = orthant2(r(s0, s1)) * orthant2(r(s2, s3));
        const wrong = i4(C, L, a, b, cc, d) + C[cc * L + d] * (wrongP4 - p4);
        worst = Math.max(worst, zScore(wrong, mc, j));
      });
      expect(worst, c.name).toBeGreaterThan(Z);
    }
  });

  it('has power: I3 without its density term C_ab σ_c s(R_ac)/(2π σ_a) is rejected', () => {
    for (const { c, targets, mc } of results) {
      const { C, L } = c;
      let worst = 0;
      targets.forEach((t, j) => {
        if (t.kind !== 'i3') return;
        const [a, b, cc] = t.idx;
        if (!(C[a * L + a] > 0) || !(C[cc * L + cc] > 0) || !(C[b * L + b] > 0)) return;
        const r = C[a * L + cc] / Math.sqrt(C[a * L + a] * C[cc * L + cc]);
        worst = Math.max(worst, zScore(C[b * L + cc] * orthant2(r), mc, j));
      });
      expect(worst, c.name).toBeGreaterThan(Z);
    }
  });
});

describe('ReLU averages vs direct quadrature (deterministic, 1e-9 at unit variances)', () => {
  const quadCases: { name: string; L: number; C: Float64Array }[] = [
    { name: 'random L = 4', L: 4, C: gram(randomRows('relu:Q1', 4, 4), 4, 4) },
    // A Aᵀ + 0.2 I with A random 4 × 2: strong correlations
    { name: 'random L = 4, strongly correlated', L: 4, C: gram(randomRows('relu:Q2', 4, 2), 4, 2).map((x, j) => x + (j % 5 === 0 ? 0.2 : 0)) },
  ];
  {
    const dim = 5;
    const V = randomRows('relu:Q3', 5, dim);
    for (let k = 0; k < dim; k++) V[k] *= 3;
    nearDuplicate(V, dim, 3, 1, randomRows('relu:Q3w', 1, dim), 1e-3, 0.5);
    quadCases.push({ name: 'L = 5, scaled, 1 − ρ = 1e-3', L: 5, C: gram(V, 5, dim) });
  }
  const tuples = [
    [0, 1, 2, 3],
    [2, 3, 0, 1],
    [0, 2, 1, 3],
    [0, 1, 2, 2],
    [1, 2, 0, 0],
    [0, 0, 1, 2],
    [0, 1, 0, 2],
    [3, 1, 3, 3],
  ];
  it.each(quadCases)('$name', ({ C, L }) => {
    // (the reference needs the conditional correlation of the two fields it does not condition on away
    // from ±1, so the near-duplicate pair 1, 3 appears as moment fields or split between the roles)
    const sets = L === 5 ? [...tuples, [4, 3, 1, 3], [0, 1, 3, 4], [2, 4, 1, 3]] : tuples;
    let worst = 0;
    for (const [a, b, c, d] of sets) {
      const scale = Math.sqrt(C[c * L + c] * C[d * L + d]);
      const ref = truncatedMomentByQuadrature(C, L, c, d, [a, b, c, d]);
      worst = Math.max(worst, Math.abs(i4(C, L, a, b, c, d) - ref) / scale);
    }
    for (const [a, b, c] of [
      [0, 1, 2],
      [1, 0, 3],
      [2, 2, 3],
      [3, 1, 1],
    ]) {
      const scale = Math.sqrt(C[b * L + b] * C[c * L + c]);
      worst = Math.max(worst, Math.abs(i3(C, L, a, b, c) - truncatedMomentByQuadrature(C, L, b, c, [a, c])) / scale);
    }
    const scale = Math.sqrt(C[0] * C[L + 1]);
    worst = Math.max(worst, Math.abs(i2(C, L, 0, 1) - truncatedMomentByQuadrature(C, L, 0, 1, [0, 1])) / scale);
    expect(worst).toBeLessThan(1e-9);
  });
});

describe('ReLU averages: exact identities and singular limits', () => {
  const dim = 6;
  const base = randomRows('relu:E', 5, dim);

  it('I4 with |S| ≤ 2 reduces to I2, C_aa/2 and E[x_b²; x_a, x_b > 0] = P2(ρ) + ρ s(ρ)/(2π); I3(a,a,c) = I2(a,c)', () => {
    const C = gram(base, 5, dim);
    const L = 5;
    for (let a = 0; a < L; a++) {
      expect(i4(C, L, a, a, a, a)).toBeCloseTo(C[a * L + a] / 2, 14);
      for (let b = 0; b < L; b++) {
        if (a === b) continue;
        const ref = i2(C, L, a, b);
        const r = C[a * L + b] / Math.sqrt(C[a * L + a] * C[b * L + b]);
        const second = C[b * L + b] * (orthant2(r) + (r * Math.sqrt(1 - r * r)) / (2 * Math.PI));
        expect(Math.abs(i4(C, L, a, a, b, b) - second)).toBeLessThan(1e-15 * C[b * L + b]);
        expect(Math.abs(i4(C, L, a, b, a, b) - ref)).toBeLessThan(1e-15);
        expect(Math.abs(i4(C, L, b, b, a, b) - ref)).toBeLessThan(1e-15);
        expect(Math.abs(i4(C, L, a, a, a, b) - ref)).toBeLessThan(1e-15);
        expect(Math.abs(i3(C, L, a, a, b) - ref)).toBeLessThan(1e-15);
      }
    }
  });

  it('an exact duplicate u_s = 3 u_t: g′(u_s) = g′(u_t) and g(u_s) = 3 g(u_t)', () => {
    const V = base.slice();
    for (let k = 0; k < dim; k++) V[4 * dim + k] = 3 * V[1 * dim + k]; // u4 = 3 u1
    const C = gram(V, 5, dim);
    const L = 5;
    for (const [k, p, q] of [
      [0, 2, 3],
      [2, 0, 0],
      [3, 2, 0],
    ]) {
      const ref = i4(C, L, 1, k, p, q);
      expect(Math.abs(i4(C, L, 4, k, p, q) - ref)).toBeLessThan(1e-14);
      expect(Math.abs(i4(C, L, k, p, 4, q) - 3 * i4(C, L, k, p, 1, q))).toBeLessThan(1e-13);
    }
    expect(Math.abs(i4(C, L, 0, 2, 4, 4) - 9 * i4(C, L, 0, 2, 1, 1))).toBeLessThan(1e-13);
    expect(Math.abs(i3(C, L, 4, 0, 2) - i3(C, L, 1, 0, 2))).toBeLessThan(1e-14);
    expect(Math.abs(i2(C, L, 4, 0) - 3 * i2(C, L, 1, 0))).toBeLessThan(1e-14);
    expect(j2(C, L, 4, 1)).toBe(0.5);
  });

  it('is continuous as a correlation → 1: |I(ρ) − I(1)| ≤ √(2(1 − ρ)) σ_c σ_d, down to 1 − ρ = 1e-16', () => {
    // u4 is u1 rotated by θ, 1 − cos θ = 10^-k; the change of any average is of the order of the
    // probability that u1 and u4 differ in sign, acos(ρ)/π ≈ √(2(1 − ρ))/π, times an O(1) moment.
    const L = 5;
    const exact = base.slice();
    for (let k = 0; k < dim; k++) exact[4 * dim + k] = exact[1 * dim + k];
    const C1 = gram(exact, L, dim);
    const towards = randomRows('relu:Et', 1, dim);
    const patterns = [
      [4, 0, 2, 3],
      [0, 2, 4, 3],
      [4, 2, 4, 0],
      [1, 4, 0, 2],
      [0, 3, 1, 4],
      [4, 4, 2, 3],
    ];
    for (const k of [2, 4, 6, 8, 10, 12, 14, 16]) {
      const V = base.slice();
      nearDuplicate(V, dim, 4, 1, towards, 10 ** -k, 1);
      const C = gram(V, L, dim);
      for (const [a, b, c, d] of patterns) {
        const scale = Math.sqrt(C1[c * L + c] * C1[d * L + d]);
        const diff = Math.abs(i4(C, L, a, b, c, d) - i4(C1, L, a, b, c, d));
        expect(diff, `1 − ρ = 1e-${k}, I4(${a},${b},${c},${d})`).toBeLessThan(Math.sqrt(2 * 10 ** -k) * scale);
      }
    }
  });

  it('a field of zero variance gives 0 (g′(0) = 0), and slightly non-PSD input stays finite', () => {
    const L = 5;
    const V = base.slice();
    V.fill(0, 0, dim); // u0 ≡ 0
    const C = gram(V, L, dim);
    for (let b = 0; b < L; b++) {
      expect(i2(C, L, 0, b)).toBe(0);
      expect(j2(C, L, 0, b)).toBe(0);
      expect(i3(C, L, 0, b, 2)).toBe(0);
      expect(i3(C, L, 2, b, 0)).toBe(0);
      expect(i3(C, L, 2, 0, b)).toBe(0);
      expect(i4(C, L, 0, b, 2, 3)).toBe(0);
      expect(i4(C, L, 1, b, 0, 3)).toBe(0);
    }
    // correlations pushed past ±1 and a negative eigenvalue of ~1e-10, as an ODE state can have
    const D = gram(base, L, dim);
    for (const [x, y] of [
      [1, 4],
      [0, 2],
    ]) {
      const r = 1 + 1e-10;
      D[x * L + y] = D[y * L + x] = r * Math.sqrt(D[x * L + x] * D[y * L + y]) * (x === 0 ? -1 : 1);
    }
    for (let a = 0; a < L; a++)
      for (let b = 0; b < L; b++)
        for (let c = 0; c < L; c++) {
          expect(Number.isFinite(i3(D, L, a, b, c))).toBe(true);
          for (let d = 0; d < L; d++) expect(Number.isFinite(i4(D, L, a, b, c, d))).toBe(true);
        }
  });

  it('is symmetric: I4(a,b,c,d) = I4(b,a,c,d) = I4(a,b,d,c); I2 and J2', () => {
    const C = gram(base, 5, dim);
    const L = 5;
    for (const [a, b, c, d] of [
      [0, 1, 2, 3],
      [4, 2, 0, 1],
      [1, 1, 3, 0],
      [2, 3, 2, 4],
    ]) {
      const v = i4(C, L, a, b, c, d);
      expect(i4(C, L, b, a, c, d)).toBe(v);
      expect(i4(C, L, a, b, d, c)).toBe(v);
      expect(i4(C, L, b, a, d, c)).toBe(v);
    }
    for (let a = 0; a < L; a++)
      for (let b = 0; b < L; b++) {
        expect(i2(C, L, a, b)).toBe(i2(C, L, b, a));
        expect(j2(C, L, a, b)).toBe(j2(C, L, b, a));
      }
  });

  it('truncatedMoment and orthantProbability agree with the averages they define', () => {
    const C = gram(base, 5, dim);
    const L = 5;
    expect(truncatedMoment(C, L, 2, 3, [0, 1, 2, 3], 4)).toBe(i4(C, L, 0, 1, 2, 3));
    expect(orthantProbability(C, L, [0, 3], 2)).toBe(j2(C, L, 0, 3));
    // P4 by inclusion–exclusion against P3: P(u0,u1,u2 > 0) = P4(u0,u1,u2,u3) + P4(u0,u1,u2,−u3)
    const F = C.slice();
    for (let j = 0; j < L; j++) if (j !== 3) F[3 * L + j] = F[j * L + 3] = -C[3 * L + j];
    const sum = orthantProbability(C, L, [0, 1, 2, 3], 4) + orthantProbability(F, L, [0, 1, 2, 3], 4);
    expect(Math.abs(sum - orthantProbability(C, L, [0, 1, 2], 3))).toBeLessThan(1e-13);
  });
});

// ---------------------------------------------------------------------------------------------

/** The plain double sums of types.ts's OdeSums over the scalar averages (the reference for reluOdeSums). */
function plainSums(avg: GaussianAverages) {
  return {
    drift(C: Float64Array, L: number, K: number, a: Float64Array, out: Float64Array) {
      for (let i = 0; i < K; i++)
        for (let b = 0; b < L; b++) {
          let s = 0;
          for (let p = 0; p < L; p++) s += a[p] * avg.i3(C, L, i, b, p);
          out[i * L + b] = s;
        }
    },
    noise(C: Float64Array, L: number, i: number, k: number, a: Float64Array, sigma2: number) {
      let s = 0;
      for (let p = 0; p < L; p++) for (let q = 0; q < L; q++) s += a[p] * a[q] * avg.i4(C, L, i, k, p, q);
      return s + sigma2 * avg.j2(C, L, i, k);
    },
    readout(C: Float64Array, L: number, i: number, a: Float64Array, scale: number) {
      let s = 0;
      for (let p = 0; p < L; p++) s += a[p] * avg.i2(C, L, i, p);
      return scale * s;
    },
    generalizationError(C: Float64Array, L: number, a: Float64Array) {
      let s = 0;
      for (let p = 0; p < L; p++) for (let q = 0; q < L; q++) s += a[p] * a[q] * avg.i2(C, L, p, q);
      return s / 2;
    },
  };
}

describe('reluOdeSums equal the plain double sums of the scalar averages (1e-12)', () => {
  const plain = plainSums(reluAverages);
  const sumCases = [
    { name: 'K = M = 2, random', K: 2, C: cases[0].C },
    { name: 'K = M = 4, random', K: 4, C: gram(randomRows('relu:S4', 8, 8), 8, 8) },
    { name: 'K = M = 3, converged student, duplicate, anti-duplicate', K: 3, C: cases[2].C },
    { name: 'L = 5 (K = 2) with a zero-variance field', K: 2, C: cases[3].C },
  ];
  it.each(sumCases)('$name', ({ K, C }) => {
    const L = Math.round(Math.sqrt(C.length));
    const a = new Float64Array(L).map((_, p) => (p < K ? -(0.5 + 0.3 * p) : 1 - 0.2 * (p - K)));
    a[K] = 0; // a zero weight is skipped by both
    const sums = reluOdeSums(L);
    const fast = new Float64Array(K * L);
    const ref = new Float64Array(K * L);
    sums.drift(C, L, K, a, fast);
    plain.drift(C, L, K, a, ref);
    for (let j = 0; j < K * L; j++) expect(Math.abs(fast[j] - ref[j])).toBeLessThan(1e-12 * (1 + Math.abs(ref[j])));
    for (let i = 0; i < K; i++) {
      for (let k = 0; k < K; k++) {
        const r = plain.noise(C, L, i, k, a, 0.09);
        expect(Math.abs(sums.noise(C, L, i, k, a, 0.09) - r)).toBeLessThan(1e-12 * (1 + Math.abs(r)));
      }
      const r = plain.readout(C, L, i, a, 0.7);
      expect(Math.abs(sums.readout(C, L, i, a, 0.7) - r)).toBeLessThan(1e-12 * (1 + Math.abs(r)));
    }
    const eg = plain.generalizationError(C, L, a);
    expect(Math.abs(sums.generalizationError(C, L, a) - eg)).toBeLessThan(1e-12 * (1 + Math.abs(eg)));
  });

  it('the per-covariance cache never serves a stale value (C changed in place)', () => {
    const L = 8;
    const C = gram(randomRows('relu:S8', L, L), L, L);
    const a = new Float64Array(L).map((_, p) => (p < 4 ? -1 : 1));
    const sums = reluOdeSums(L);
    sums.noise(C, L, 0, 1, a, 0);
    C[2 * L + 5] = C[5 * L + 2] = C[2 * L + 5] * 0.9; // a change only a 4-set with fields 2 and 5 sees
    expect(sums.noise(C, L, 0, 1, a, 0)).toBe(reluOdeSums(L).noise(C, L, 0, 1, a, 0));
    expect(Math.abs(sums.noise(C, L, 0, 1, a, 0) - plain.noise(C, L, 0, 1, a, 0))).toBeLessThan(1e-12);
  });
});
