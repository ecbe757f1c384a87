/**
 * Seeded random numbers for the simulations.
 *
 * One `Rng` per run; every draw (teacher, student, inputs, label noise) comes from it, so a
 * seed fixes the whole run. The state is four 32-bit words of xoshiro128** (Blackman &
 * Vigna 2018), seeded by expanding the user seed through seedrandom's ARC4 generator — the
 * stack's reference seeding — so any integer or string seed gives a well-mixed state.
 *
 * Gaussians: Box–Muller (polar form avoided: it branches). See `fillGaussian`.
 */
import seedrandom from 'seedrandom';

export interface Rng {
  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number;
  /** Uniform double in [0, 1) with 53 random bits. */
  nextDouble(): number;
  /** One standard normal deviate. */
  nextGaussian(): number;
  /** Fill `out` with independent standard normal deviates. */
  fillGaussian(out: Float64Array): void;
}

const TWO_PI = 2 * Math.PI;
const INV_2_32 = 1 / 4294967296;
const INV_2_53 = 1 / 9007199254740992;

export function createRng(seed: number | string): Rng {
  const init = seedrandom(`tsdyn:${seed}`);
  let s0 = init.int32() >>> 0;
  let s1 = init.int32() >>> 0;
  let s2 = init.int32() >>> 0;
  let s3 = init.int32() >>> 0;
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1; // xoshiro must not start in the all-zero state

  function nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    return result;
  }

  function nextDouble(): number {
    const hi = nextUint32() >>> 5; // 27 bits
    const lo = nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) * INV_2_53;
  }

  let spare = 0;
  let hasSpare = false;
  function nextGaussian(): number {
    if (hasSpare) {
      hasSpare = false;
      return spare;
    }
    // u1 in (0, 1] so the log is finite.
    const u1 = 1 - nextDouble();
    const u2 = nextUint32() * INV_2_32;
    const r = Math.sqrt(-2 * Math.log(u1));
    spare = r * Math.sin(TWO_PI * u2);
    hasSpare = true;
    return r * Math.cos(TWO_PI * u2);
  }

  function fillGaussian(out: Float64Array): void {
    for (let i = 0; i < out.length; i++) out[i] = nextGaussian();
  }

  return { nextUint32, nextDouble, nextGaussian, fillGaussian };
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
