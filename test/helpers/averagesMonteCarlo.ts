/**
 * Test helper: Monte Carlo estimates of the Gaussian averages I2, I3, I4, J2 (src/activations/types.ts)
 * for an activation g, all from one stream of samples.
 *
 * The fields are u = V z with z ~ N(0, I_dim) and V an L × dim matrix (row-major), so the covariance
 * is V Vᵀ and exactly singular structure (duplicated fields, fields of zero variance) is sampled
 * exactly, with no Cholesky factor of a singular matrix. Every target is accumulated in the same
 * pass (sum and sum of squares), so n samples cost one draw of n·dim normals.
 */
import { createRng } from '../../src/sim/random.ts';

export type AverageKind = 'i2' | 'i3' | 'i4' | 'j2';

export interface Target {
  kind: AverageKind;
  /** Field indices: 2 for i2/j2, 3 for i3, 4 for i4. */
  idx: readonly number[];
}

export interface McEstimate {
  mean: Float64Array;
  /** Standard error of the mean: sample std / √n. */
  se: Float64Array;
}

/** C = V Vᵀ (L × L) of the L × dim matrix V. */
export function gram(V: ArrayLike<number>, L: number, dim: number): Float64Array {
  const C = new Float64Array(L * L);
  for (let i = 0; i < L; i++)
    for (let j = 0; j < L; j++) {
      let s = 0;
      for (let k = 0; k < dim; k++) s += V[i * dim + k] * V[j * dim + k];
      C[i * L + j] = s;
    }
  return C;
}

export function monteCarloAverages(
  V: ArrayLike<number>,
  L: number,
  dim: number,
  n: number,
  seed: string,
  g: (u: number) => number,
  gPrime: (u: number) => number,
  targets: readonly Target[],
): McEstimate {
  const T = targets.length;
  // Each target is a product of two table entries, x = first[f] · second[h], with per-sample tables
  //   gg[a·L+b] = g(u_a) g(u_b),  pp[a·L+b] = g′(u_a) g′(u_b),  pu[a·L+b] = g′(u_a) u_b,  gv[c] = g(u_c),
  // all in one Float64Array `tab` at the offsets below (ONE = 1 closes the two-factor kinds).
  const GG = 0;
  const PP = L * L;
  const PU = 2 * L * L;
  const GV = 3 * L * L;
  const ONE = GV + L;
  const tab = new Float64Array(ONE + 1);
  tab[ONE] = 1;
  const first = new Int32Array(T);
  const second = new Int32Array(T);
  targets.forEach((t, j) => {
    const [a, b, c, d] = t.idx;
    if (t.kind === 'i2') [first[j], second[j]] = [GG + a * L + b, ONE];
    else if (t.kind === 'j2') [first[j], second[j]] = [PP + a * L + b, ONE];
    else if (t.kind === 'i3') [first[j], second[j]] = [PU + a * L + b, GV + c];
    else [first[j], second[j]] = [PP + a * L + b, GG + c * L + d];
  });
  const sum = new Float64Array(T);
  const sumSq = new Float64Array(T);
  const rng = createRng(seed);
  const CHUNK = 4096;
  const z = new Float64Array(CHUNK * dim);
  const u = new Float64Array(L);
  const gp = new Float64Array(L);
  for (let done = 0; done < n; done += CHUNK) {
    const m = Math.min(CHUNK, n - done);
    rng.fillGaussian(z);
    for (let s = 0; s < m; s++) {
      for (let p = 0; p < L; p++) {
        let acc = 0;
        for (let k = 0; k < dim; k++) acc += V[p * dim + k] * z[s * dim + k];
        u[p] = acc;
        tab[GV + p] = g(acc);
        gp[p] = gPrime(acc);
      }
      for (let a = 0; a < L; a++) {
        const ga = tab[GV + a];
        const pa = gp[a];
        for (let b = 0; b < L; b++) {
          tab[GG + a * L + b] = ga * tab[GV + b];
          tab[PP + a * L + b] = pa * gp[b];
          tab[PU + a * L + b] = pa * u[b];
        }
      }
      for (let j = 0; j < T; j++) {
        const x = tab[first[j]] * tab[second[j]];
        sum[j] += x;
        sumSq[j] += x * x;
      }
    }
  }
  const mean = new Float64Array(T);
  const se = new Float64Array(T);
  for (let j = 0; j < T; j++) {
    mean[j] = sum[j] / n;
    const variance = Math.max(0, (sumSq[j] - n * mean[j] * mean[j]) / (n - 1));
    se[j] = Math.sqrt(variance / n);
  }
  return { mean, se };
}
