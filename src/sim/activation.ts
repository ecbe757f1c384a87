/**
 * The erf activation g(u) = erf(u/√2) and its derivative g'(u) = √(2/π) e^{-u²/2}
 * (Saad & Solla 1995; the same g in teacher and student).
 */
import erf from '@stdlib/math-base-special-erf';

const INV_SQRT2 = Math.SQRT1_2;
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

export function g(u: number): number {
  return erf(u * INV_SQRT2);
}

export function gPrime(u: number): number {
  return SQRT_2_OVER_PI * Math.exp(-0.5 * u * u);
}
