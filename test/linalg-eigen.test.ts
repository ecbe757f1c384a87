/**
 * symmetricEigenInto (src/linalg/symmetricEigen.ts) and ConeSplit (src/activations/coneSplit.ts):
 * reconstruction A = V Λ Vᵀ and VᵀV = I to ~ε‖A‖ on random symmetric matrices, including a
 * nearly singular Gram matrix whose small eigenvalues (1e-12) must come out with the right sign;
 * the split leaves Gram matrices alone and maps an indefinite Schur complement onto its positive part.
 */
import { describe, expect, it } from 'vitest';
import { ConeSplit } from '../src/activations/coneSplit.ts';
import { symmetricEigenInto } from '../src/linalg/symmetricEigen.ts';
import { createRng } from '../src/sim/random.ts';

function randomSymmetric(seed: string, n: number): Float64Array {
  const rng = createRng(seed);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = rng.nextGaussian();
  return a;
}

/** Q diag(d) Qᵀ for a random orthogonal Q (Gram–Schmidt of Gaussian columns). */
function withSpectrum(seed: string, d: number[]): Float64Array {
  const n = d.length;
  const rng = createRng(seed);
  const q = new Float64Array(n * n);
  for (let c = 0; c < n; c++) {
    for (let r = 0; r < n; r++) q[r * n + c] = rng.nextGaussian();
    for (let pass = 0; pass < 2; pass++)
      for (let p = 0; p < c; p++) {
        let dot = 0;
        for (let r = 0; r < n; r++) dot += q[r * n + c] * q[r * n + p];
        for (let r = 0; r < n; r++) q[r * n + c] -= dot * q[r * n + p];
      }
    let nn = 0;
    for (let r = 0; r < n; r++) nn += q[r * n + c] ** 2;
    for (let r = 0; r < n; r++) q[r * n + c] /= Math.sqrt(nn);
  }
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) a[i * n + j] += q[i * n + k] * d[k] * q[j * n + k];
  return a;
}

describe('symmetricEigenInto', () => {
  it.each([2, 4, 8, 13])('n = %i: A = VΛVᵀ and VᵀV = I to 1e-13', (n) => {
    const a = randomSymmetric(`eig:${n}`, n);
    const values = new Float64Array(n);
    const v = new Float64Array(n * n);
    symmetricEigenInto(a.slice(), n, values, v);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        let o = 0;
        for (let k = 0; k < n; k++) {
          s += v[i * n + k] * values[k] * v[j * n + k];
          o += v[k * n + i] * v[k * n + j];
        }
        expect(Math.abs(s - a[i * n + j])).toBeLessThan(1e-13 * n);
        expect(Math.abs(o - (i === j ? 1 : 0))).toBeLessThan(1e-13 * n);
      }
  });

  it('finds eigenvalues 1e-12 and −1e-12 next to O(1) ones to ~1e-15, with their signs', () => {
    const d = [2, 1, 0.5, 1e-12, -1e-12, 3e-12];
    const a = withSpectrum('eig:small', d);
    const values = new Float64Array(d.length);
    symmetricEigenInto(a, d.length, values, new Float64Array(d.length * d.length));
    const got = Array.from(values).sort((x, y) => x - y);
    const want = [...d].sort((x, y) => x - y);
    for (let j = 0; j < d.length; j++) expect(Math.abs(got[j] - want[j])).toBeLessThan(2e-15);
  });
});

describe('ConeSplit', () => {
  // fields: K = 2 students, M = 2 teachers; T = [[1, 0.3], [0.3, 1]], R = T (students on teachers)
  const K = 2;
  const L = 4;
  function cov(n: number[]): Float64Array {
    const T = [1, 0.3, 0.3, 1];
    const C = new Float64Array(L * L);
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 2; j++) {
        C[i * L + j] = T[i * 2 + j] + n[i * 2 + j];
        C[i * L + 2 + j] = C[(2 + j) * L + i] = T[i * 2 + j];
        C[(2 + i) * L + 2 + j] = T[i * 2 + j];
      }
    return C;
  }

  it('leaves a Gram matrix alone (N ⪰ 0), singular or not', () => {
    const split = new ConeSplit(L);
    expect(split.split(cov([1e-9, 2e-10, 2e-10, 1e-9]), K)).toBe(false);
    expect(split.split(cov([0, 0, 0, 0]), K)).toBe(false);
  });

  it('an indefinite N = diag(1e-9, −2e-9) in a rotated basis: N₋ is its negative part (to 1e-15) and C₊ = C − N₋', () => {
    const c = Math.cos(0.4);
    const s = Math.sin(0.4);
    // N = U diag(1e-9, −2e-9) Uᵀ, U = rotation by 0.4
    const n = [1e-9 * c * c - 2e-9 * s * s, (1e-9 + 2e-9) * c * s, (1e-9 + 2e-9) * c * s, 1e-9 * s * s - 2e-9 * c * c];
    const C = cov(n);
    const split = new ConeSplit(L);
    expect(split.split(C, K)).toBe(true);
    const want = [-2e-9 * s * s, 2e-9 * c * s, 2e-9 * c * s, -2e-9 * c * c];
    // N comes from O(1) entries by cancellation (Q − R T⁻¹Rᵀ), so it is known to ~ε ≈ 2e-16 absolute
    for (let j = 0; j < 4; j++) expect(Math.abs(split.nMinus[j] - want[j])).toBeLessThan(1e-15);
    for (let i = 0; i < L; i++)
      for (let j = 0; j < L; j++) {
        const d = i < K && j < K ? split.nMinus[i * K + j] : 0;
        expect(split.cPlus[i * L + j]).toBe(C[i * L + j] - d);
      }
  });
});
