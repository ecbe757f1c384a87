/**
 * Seeded random numbers for the simulations.
 *
 * One `Rng` per run; every draw (teacher, student, inputs, label noise) comes from it, so a
 * seed fixes the whole run. The state is four 32-bit words of xoshiro128** (Blackman &
 * Vigna 2018), seeded by expanding the user seed through seedrandom's ARC4 generator — the
 * stack's reference seeding — so any integer or string seed gives a well-mixed state.
 *
 * Gaussians: the ziggurat method of Marsaglia & Tsang (2000), "The ziggurat method for
 * generating random variables", J. Stat. Softw. 5(8), with 256 layers. One 32-bit output
 * gives the layer (low 8 bits, all bits of xoshiro128** are full quality) and a signed
 * 24-bit abscissa (high 24 bits, arithmetic shift), so layer and value use disjoint bits
 * (avoiding the index/value correlation of the original code, cf. Doornik 2005). The
 * abscissa is j + ½ for integer j ∈ [−2²³, 2²³), a grid symmetric about 0 that never yields
 * exactly 0. About 98.5% of draws are accepted by one table comparison and one multiply; the
 * rest go through the exact wedge test (mostly decided by exp-free bounds) or Marsaglia's
 * (1964) tail algorithm, and 0.67% of 32-bit words are rejected outright (efficiency
 * √(π/2)/(256 v) = 99.33%).
 *
 * The tables are computed at module load in float64 (no transcribed constants): r is found by
 * bisection so that the 256 layers of equal area v exactly tile the region under
 * f(x) = exp(−x²/2), x ≥ 0, plus the tail beyond r.
 *
 * `fillGaussian` keeps the generator state in locals in a call-free loop that stops at the
 * first draw needing the slow path (~1.5% of draws), finishes that draw out of line, and
 * resumes: about 3 ns per deviate, against ~48 ns for the former Box–Muller.
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

const INV_2_53 = 1 / 9007199254740992;

// ---------------------------------------------------------------------------------------
// Ziggurat tables (Marsaglia & Tsang 2000, 256 layers).
// Layer i ≥ 1 is the rectangle [0, x_i] × [f(x_i), f(x_{i+1})]; layer 0 is the base strip
// [0, r] × [0, f(r)] plus the tail beyond r = x_1, treated as a rectangle of width
// x_0 = v / f(r). x_256 = 0. Every layer has area v.

/** Number of layers. */
export const ZIG_LAYERS = 256;
const HALF_RANGE = 8388608; // 2^23: |j + ½| < 2^23 for the signed 24-bit j

function f(x: number): number {
  return Math.exp(-0.5 * x * x);
}

/** ∫_r^∞ exp(−t²/2) dt = exp(−r²/2) / (r + 1/(r + 2/(r + 3/(r + …)))) (Laplace's continued fraction), r > 0. */
export function gaussianTailIntegral(r: number): number {
  let cf = r;
  for (let n = 400; n >= 1; n--) cf = r + n / cf;
  return f(r) / cf;
}

/**
 * Residual of the ziggurat recurrence for a trial r: build x_2 … x_255 from x_1 = r and return
 * f(x_255) + v/x_255 − 1, which is 0 when the top layer closes exactly at height f(0) = 1.
 * Positive when v is too large (r too small).
 */
function zigguratResidual(r: number, xs?: Float64Array): number {
  const v = r * f(r) + gaussianTailIntegral(r);
  let x = r;
  if (xs) {
    xs[0] = v / f(r);
    xs[1] = r;
  }
  for (let i = 1; i < ZIG_LAYERS - 1; i++) {
    const y = f(x) + v / x;
    if (y >= 1) return 1; // ran out of room before the top: v too large
    x = Math.sqrt(-2 * Math.log(y));
    if (xs) xs[i + 1] = x;
  }
  return f(x) + v / x - 1;
}

function buildZiggurat(): { r: number; v: number; x: Float64Array } {
  let lo = 3;
  let hi = 4.5;
  for (let it = 0; it < 200 && hi - lo > 0; it++) {
    const mid = 0.5 * (lo + hi);
    if (mid === lo || mid === hi) break;
    if (zigguratResidual(mid) > 0) lo = mid;
    else hi = mid;
  }
  const r = hi;
  const x = new Float64Array(ZIG_LAYERS + 1);
  zigguratResidual(r, x);
  x[ZIG_LAYERS] = 0;
  return { r, v: r * f(r) + gaussianTailIntegral(r), x };
}

const zig = buildZiggurat();
/** Start of the tail (x_1); ≈ 3.6541528853610088 for 256 layers. */
export const ZIG_R = zig.r;
/** Common layer area; ≈ 4.92867323399e-3. */
export const ZIG_V = zig.v;
/** Layer edges x_0 … x_256 (x_0 = v/f(r), x_1 = r, x_256 = 0). */
export const ZIG_X: Float64Array = zig.x;
/** f(x_i) = exp(−x_i²/2), i = 0 … 256. */
export const ZIG_F: Float64Array = ZIG_X.map(f);
/** Fast-accept threshold on |j + ½|: 2²³ x_{i+1} / x_i. */
export const ZIG_K: Float64Array = new Float64Array(ZIG_LAYERS).map((_, i) => (HALF_RANGE * ZIG_X[i + 1]) / ZIG_X[i]);
/** Abscissa scale: z = (j + ½) · x_i / 2²³. */
export const ZIG_W: Float64Array = new Float64Array(ZIG_LAYERS).map((_, i) => ZIG_X[i] / HALF_RANGE);

// ---------------------------------------------------------------------------------------
// xoshiro128** on a state array (slow path and scalar calls).

/** One xoshiro128** output as an int32, advancing `s` (Int32Array of 4 words). */
function stepState(s: Int32Array): number {
  const s0 = s[0];
  const s1 = s[1];
  const s2 = s[2] ^ s0;
  const s3 = s[3] ^ s1;
  const m = Math.imul(s1, 5);
  const result = Math.imul((m << 7) | (m >>> 25), 9);
  s[0] = s0 ^ s3;
  s[1] = s1 ^ s2;
  s[2] = s2 ^ (s1 << 9);
  s[3] = (s3 << 11) | (s3 >>> 21);
  return result;
}

function doubleFromState(s: Int32Array): number {
  const hi = stepState(s) >>> 5; // 27 bits
  const lo = stepState(s) >>> 6; // 26 bits
  return (hi * 67108864 + lo) * INV_2_53;
}

const INV_2_32 = 1 / 4294967296;
/** Relative safety margin of the exp-free wedge bounds (a few ulps, covers rounding). */
const BOUND_EPS = 1e-15;

/**
 * Finish a Gaussian draw whose first 32-bit output (layer `i`, signed abscissa `u` = j + ½)
 * missed the fast rectangle test; may consume more outputs from `s`. Callers that keep the
 * state in locals must store it into `s` before and reload it after.
 *
 * Wedge test without exp in most cases: with z ≥ x_{i+1} and d = (z² − x_{i+1}²)/2 ≥ 0,
 * f(z) = f(x_{i+1}) e^{−d} and 1 − d ≤ e^{−d} ≤ 1 − d + d²/2, so a uniform height y below
 * f(x_{i+1})(1 − d) is accepted and one above f(x_{i+1})(1 − d + d²/2) rejected at once
 * (bounds widened by a few ulps for rounding); only the sliver between calls exp.
 */
export function zigguratSlowPath(s: Int32Array, i: number, u: number): number {
  let s0 = s[0];
  let s1 = s[1];
  let s2 = s[2];
  let s3 = s[3];
  let z = 0;
  for (;;) {
    if (i === 0) {
      // Tail beyond r (Marsaglia 1964): a = −ln(U₁)/r, b = −ln(U₂), accept if 2b > a².
      s[0] = s0;
      s[1] = s1;
      s[2] = s2;
      s[3] = s3;
      let a: number;
      let b: number;
      do {
        a = -Math.log(1 - doubleFromState(s)) / ZIG_R; // 1 − U ∈ (0, 1]
        b = -Math.log(1 - doubleFromState(s));
      } while (b + b < a * a);
      return u < 0 ? -(ZIG_R + a) : ZIG_R + a;
    }
    // Wedge of layer i: |z| ∈ [x_{i+1}, x_i), height y uniform in [f(x_i), f(x_{i+1})].
    z = u * ZIG_W[i];
    let m = Math.imul(s1, 5);
    let r = Math.imul((m << 7) | (m >>> 25), 9);
    let t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = (s3 << 11) | (s3 >>> 21);
    const fLo = ZIG_F[i];
    const fHi = ZIG_F[i + 1];
    const y = fLo + ((r >>> 0) + 0.5) * INV_2_32 * (fHi - fLo);
    const xn = ZIG_X[i + 1];
    const d = 0.5 * (z - xn) * (z + xn);
    const lower = fHi * (1 - d);
    if (y < lower * (1 - BOUND_EPS)) break;
    if (!(y > fHi * (1 - d + 0.5 * d * d) * (1 + BOUND_EPS)) && y < f(z)) break;
    // Rejected: start over with a fresh draw.
    m = Math.imul(s1, 5);
    r = Math.imul((m << 7) | (m >>> 25), 9);
    t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = (s3 << 11) | (s3 >>> 21);
    i = r & 255;
    u = (r >> 8) + 0.5;
    if (Math.abs(u) < ZIG_K[i]) {
      z = u * ZIG_W[i];
      break;
    }
  }
  s[0] = s0;
  s[1] = s1;
  s[2] = s2;
  s[3] = s3;
  return z;
}

// ---------------------------------------------------------------------------------------

/** xoshiro128** generator with a ziggurat Gaussian; `state` is public for inlined hot loops. */
export class XoshiroRng implements Rng {
  /** The four state words (as int32). */
  readonly state: Int32Array;

  constructor(s0: number, s1: number, s2: number, s3: number) {
    this.state = Int32Array.of(s0, s1, s2, s3);
    if ((s0 | s1 | s2 | s3) === 0) this.state[0] = 1; // xoshiro must not start in the all-zero state
  }

  nextUint32(): number {
    return stepState(this.state) >>> 0;
  }

  nextDouble(): number {
    return doubleFromState(this.state);
  }

  nextGaussian(): number {
    const s = this.state;
    const r = stepState(s);
    const i = r & 255;
    const u = (r >> 8) + 0.5;
    if (Math.abs(u) < ZIG_K[i]) return u * ZIG_W[i];
    return zigguratSlowPath(s, i, u);
  }

  fillGaussian(out: Float64Array): void {
    const st = this.state;
    const n = out.length;
    let j = 0;
    for (;;) {
      j = fillFastRun(out, j, n, st);
      if (j >= n) return;
      const r = missWord[0];
      out[j++] = zigguratSlowPath(st, r & 255, (r >> 8) + 0.5);
    }
  }
}

/** Layer tables interleaved for the hot loop: [K_0, W_0, K_1, W_1, …]. */
const ZIG_KW = new Float64Array(2 * ZIG_LAYERS);
for (let i = 0; i < ZIG_LAYERS; i++) {
  ZIG_KW[2 * i] = ZIG_K[i];
  ZIG_KW[2 * i + 1] = ZIG_W[i];
}
const missWord = new Int32Array(1);

/**
 * Fast path of the bulk fill: out[j…n) from the state `st`, stopping at the first draw that
 * misses its rectangle. Returns the index reached (n when done); on a miss the rejected word
 * is left in `missWord[0]` and `st` holds the state after it. Kept free of calls so V8 keeps
 * the generator state in registers (a call in this loop costs ~2 ns per sample).
 */
function fillFastRun(out: Float64Array, j: number, n: number, st: Int32Array): number {
  const kw = ZIG_KW;
  let s0 = st[0];
  let s1 = st[1];
  let s2 = st[2];
  let s3 = st[3];
  for (; j < n; j++) {
    const m = Math.imul(s1, 5);
    const r = Math.imul((m << 7) | (m >>> 25), 9);
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = (s3 << 11) | (s3 >>> 21);
    const i2 = (r & 255) << 1;
    const u = (r >> 8) + 0.5;
    if (Math.abs(u) < kw[i2]) out[j] = u * kw[i2 + 1];
    else {
      missWord[0] = r;
      break;
    }
  }
  st[0] = s0;
  st[1] = s1;
  st[2] = s2;
  st[3] = s3;
  return j;
}

let fillerSerial = 0;

/**
 * A bulk Gaussian filler bound to one generator and one output array: `fill()` overwrites all
 * of `out`, consuming the stream exactly like `rng.fillGaussian(out)`.
 *
 * Why: V8 compiles a function that has only ever had one closure with its captured variables
 * as constants (function context specialization), and the array length is a literal in the
 * generated source, which removes the typed-array map, base-pointer and most bounds checks
 * from the loop. The source carries a serial number so that V8's compilation cache cannot
 * share one function among fillers. ~2.8 ns per deviate, against 2.9–3.4 ns for the generic
 * `fillGaussian` (which degrades once it has seen several buffers).
 */
export function createFiller(rng: XoshiroRng, out: Float64Array): () => void {
  const n = out.length;
  const src = `'use strict'; // tsdyn gaussian filler #${fillerSerial++}, n = ${n}
const miss = new Int32Array(1);
function run(j) {
  let s0 = st[0], s1 = st[1], s2 = st[2], s3 = st[3];
  for (; j < ${n}; j++) {
    const m = Math.imul(s1, 5);
    const r = Math.imul((m << 7) | (m >>> 25), 9);
    const t = s1 << 9;
    s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = (s3 << 11) | (s3 >>> 21);
    const i2 = (r & 255) << 1;
    const u = (r >> 8) + 0.5;
    if (Math.abs(u) < kw[i2]) out[j] = u * kw[i2 + 1];
    else { miss[0] = r; break; }
  }
  st[0] = s0; st[1] = s1; st[2] = s2; st[3] = s3;
  return j;
}
return function fill() {
  let j = 0;
  for (;;) {
    j = run(j);
    if (j >= ${n}) return;
    const r = miss[0];
    out[j++] = slow(st, r & 255, (r >> 8) + 0.5);
  }
};`;
  return new Function('out', 'st', 'kw', 'slow', src)(out, rng.state, ZIG_KW, zigguratSlowPath) as () => void;
}

export function createRng(seed: number | string): XoshiroRng {
  const init = seedrandom(`tsdyn:${seed}`);
  return new XoshiroRng(init.int32(), init.int32(), init.int32(), init.int32());
}
