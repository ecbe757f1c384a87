/**
 * Philox4x32-10 against the published known-answer vectors (Random123 1.14, tests/kat_vectors,
 * the three "philox4x32 10" lines: counter[4] key[2] → output[4]), and the Gaussian stream.
 */
import { describe, expect, it } from 'vitest';
import { gaussians4, mulhi32, philox4x32, philoxKey, PhiloxStream } from '../src/gpu/philox.ts';

const KAT: [number[], number[], number[]][] = [
  [[0, 0, 0, 0], [0, 0], [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]],
  [[0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff], [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]],
  [[0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0], [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1]],
];

describe('Philox4x32-10', () => {
  it('matches the Random123 known-answer vectors', () => {
    for (const [ctr, key, want] of KAT) expect([...philox4x32(ctr, key)]).toEqual(want);
  });

  it('mulhi32 equals the high word of the exact 64-bit product', () => {
    let a = 0x12345678, b = 0x9abcdef1;
    for (let i = 0; i < 2000; i++) {
      a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
      b = (Math.imul(b, 22695477) + 1) >>> 0;
      expect(mulhi32(a, b)).toBe(Number((BigInt(a) * BigInt(b)) >> 32n));
    }
    expect(mulhi32(0xffffffff, 0xffffffff)).toBe(0xfffffffe);
  });

  it('keys: integer and string seeds hash alike, different seeds differ', () => {
    expect(philoxKey(7)).toEqual(philoxKey('7'));
    expect(philoxKey(7)).not.toEqual(philoxKey(8));
    expect(philoxKey('a')).not.toEqual(philoxKey('b'));
    for (const w of philoxKey('tsdyn')) expect(w >>> 0).toBe(w);
  });
});

/** z-scores of a stream's moments and of its lag correlations (each ~N(0,1) for iid N(0,1) draws). */
function streamChecks(z: Float64Array, lags: number[]): number[] {
  const n = z.length;
  let m1 = 0, m2 = 0, m4 = 0;
  for (const x of z) { m1 += x; m2 += x * x; m4 += x ** 4; }
  m1 /= n; m2 /= n; m4 /= n;
  const out = [m1 * Math.sqrt(n), (m2 - 1) / Math.sqrt(2 / n), (m4 - 3) / Math.sqrt(96 / n)];
  for (const lag of lags) {
    let c = 0;
    for (let i = 0; i + lag < n; i++) c += z[i] * z[i + lag];
    out.push(c / Math.sqrt(n - lag));
  }
  return out;
}

describe('Gaussian stream', () => {
  // 1000 steps × 2 samples × N = 100 inputs: 2·10⁵ draws; lags cover a Box–Muller pair (1), the
  // next Philox block (4), the next sample (N) and the next step (2N). |z| < 5: false alarm ~ 6e-7 per check.
  const N = 100;
  const collect = (fill: (step: number, s: number, x: Float64Array) => void) => {
    const z = new Float64Array(1000 * 2 * N);
    const x = new Float64Array(N);
    for (let step = 0; step < 1000; step++)
      for (let s = 0; s < 2; s++) {
        fill(step, s, x);
        z.set(x, (step * 2 + s) * N);
      }
    return z;
  };
  const lags = [1, 2, 4, N, 2 * N];

  it('has N(0,1) moments and no correlation across lanes, blocks, samples and steps', () => {
    const stream = new PhiloxStream(3);
    const z = collect((step, s, x) => stream.inputs(step, s, x));
    for (const score of streamChecks(z, lags)) expect(Math.abs(score)).toBeLessThan(5);
    const xi = Array.from({ length: 20000 }, (_, i) => stream.xi(i, 0));
    for (const score of streamChecks(Float64Array.from(xi), [1])) expect(Math.abs(score)).toBeLessThan(5);
  });

  it('power: the same checks reject a stream that reuses the counter of the previous sample, and a half-circle Box–Muller', () => {
    const stream = new PhiloxStream(3);
    const reused = collect((step, s, x) => stream.inputs(step, 0, x)); // sample index ignored
    expect(Math.max(...streamChecks(reused, lags).map(Math.abs))).toBeGreaterThan(5);
    const raw = new Uint32Array(4);
    const halfCircle = new Float64Array(200000);
    for (let j = 0; j < halfCircle.length / 4; j++) {
      philox4x32([j, 0, 0, 0], philoxKey(3), raw);
      raw[1] = (raw[1] >>> 1) | 0x80000000; // φ ∈ [0, π): sin φ ≥ 0
      raw[3] = (raw[3] >>> 1) | 0x80000000;
      gaussians4(raw, halfCircle, 4 * j);
    }
    expect(Math.max(...streamChecks(halfCircle, lags).map(Math.abs))).toBeGreaterThan(5);
  });
});
