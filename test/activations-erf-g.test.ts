/**
 * The activation g(u) = erf(u/√2) (Cody's rational approximations, src/activations/erf.ts)
 * against @stdlib's fdlibm erf on a dense grid over the whole range, including the interval
 * boundaries of the approximation (|u| = 0.66291, √32) and the tails where g → ±1.
 */
import erfStd from '@stdlib/math-base-special-erf';
import { describe, expect, it } from 'vitest';
import { erf, g, gGivenExp, gPrime } from '../src/activations/erf.ts';

const TOL = 2e-15; // absolute; observed max ≈ 3.3e-16

function gridMaxError(lo: number, hi: number, n: number, f: (u: number) => number, ref: (u: number) => number): { err: number; at: number } {
  let err = 0;
  let at = lo;
  for (let i = 0; i <= n; i++) {
    const u = lo + ((hi - lo) * i) / n;
    const e = Math.abs(f(u) - ref(u));
    if (e > err) {
      err = e;
      at = u;
    }
  }
  return { err, at };
}

const gRef = (u: number) => erfStd(u / Math.SQRT2);

describe('g(u) = erf(u/√2)', () => {
  it(`matches stdlib erf to ${TOL} absolute on 4·10⁶ points of [−40, 40]`, () => {
    expect(gridMaxError(-40, 40, 2_000_000, g, gRef).err).toBeLessThan(TOL);
    expect(gridMaxError(-9, 9, 2_000_003, g, gRef).err).toBeLessThan(TOL); // denser where g varies
  });

  it('matches at the approximation boundaries and in the far tails', () => {
    const pts: number[] = [];
    for (const b of [0.66291, Math.sqrt(32)])
      for (let k = -50; k <= 50; k++) pts.push(b + k * 1e-12, -(b + k * 1e-12), b * (1 + k * 1e-3));
    for (let u = 1e-300; u < 1e-3; u *= 7.3) pts.push(u, -u); // tiny arguments: relative accuracy
    for (const u of pts) expect(Math.abs(g(u) - gRef(u))).toBeLessThan(TOL);
    for (let u = 1e-300; u < 1e-3; u *= 7.3) expect(Math.abs(g(u) / gRef(u) - 1)).toBeLessThan(4e-16);
    expect(g(0)).toBe(0);
    expect(g(50)).toBe(1);
    expect(g(-50)).toBe(-1);
    expect(g(Infinity)).toBe(1);
    expect(g(-Infinity)).toBe(-1);
    expect(g(NaN)).toBeNaN();
  });

  it('is odd and monotone', () => {
    let prev = -1;
    for (let i = -10000; i <= 10000; i++) {
      const u = i * 1e-3;
      expect(g(-u)).toBe(-g(u));
      expect(g(u)).toBeGreaterThanOrEqual(prev);
      prev = g(u);
    }
  });

  it('gGivenExp(u, e^{−u²/2}) equals g(u) exactly; erf(x) = g(x√2) matches stdlib erf', () => {
    for (let i = -4000; i <= 4000; i++) {
      const u = i * 2.5e-3;
      expect(gGivenExp(u, Math.exp(-0.5 * u * u))).toBe(g(u));
    }
    expect(gridMaxError(-7, 7, 1_000_000, erf, erfStd).err).toBeLessThan(TOL);
  });

  it("g' is the derivative of g (central differences)", () => {
    const h = 1e-5;
    for (let u = -6; u <= 6; u += 0.01) {
      const fd = (g(u + h) - g(u - h)) / (2 * h);
      expect(Math.abs(fd - gPrime(u))).toBeLessThan(1e-9);
    }
  });
});
