/**
 * The ODE's sums (types.ts, OdeSums) built from an activation's scalar Gaussian averages: the
 * plain double sums of Goldt et al. (2019), eqs. (10)–(12), using only the symmetries every g
 * has (I4(i,k,p,q) = I4(i,k,q,p); I2 symmetric). An activation whose averages allow regrouping
 * supplies its own (erfTheory.ts); these are the reference those are tested against.
 */
import type { GaussianAverages, OdeSums } from './types.ts';

export function sumsFromAverages(avg: GaussianAverages): OdeSums {
  return {
    drift(C, L, K, a, out) {
      for (let i = 0; i < K; i++)
        for (let b = 0; b < L; b++) {
          let s = 0;
          for (let p = 0; p < L; p++) if (a[p] !== 0) s += a[p] * avg.i3(C, L, i, b, p);
          out[i * L + b] = s;
        }
    },
    noise(C, L, i, k, a, sigma2) {
      let s = 0;
      for (let p = 0; p < L; p++) {
        if (a[p] === 0) continue;
        for (let q = p; q < L; q++) {
          if (a[q] === 0) continue;
          const term = a[p] * a[q] * avg.i4(C, L, i, k, p, q);
          s += q === p ? term : 2 * term;
        }
      }
      return sigma2 > 0 ? s + sigma2 * avg.j2(C, L, i, k) : s;
    },
    readout(C, L, i, a, scale) {
      let s = 0;
      for (let p = 0; p < L; p++) if (a[p] !== 0) s += a[p] * avg.i2(C, L, i, p);
      return scale * s;
    },
    generalizationError(C, L, a) {
      let s = 0;
      for (let p = 0; p < L; p++) {
        if (a[p] === 0) continue;
        s += a[p] * a[p] * avg.i2(C, L, p, p);
        for (let q = p + 1; q < L; q++) if (a[q] !== 0) s += 2 * a[p] * a[q] * avg.i2(C, L, p, q);
      }
      return 0.5 * s;
    },
  };
}
