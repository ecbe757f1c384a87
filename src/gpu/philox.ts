/**
 * Philox4x32-10 (Salmon, Moraes, Dror & Shaw 2011, "Parallel random numbers: as easy as
 * 1, 2, 3", SC'11) in plain TypeScript, and the mapping from a run's seed and position in
 * the SGD loop to its random numbers. The WGSL in `wgsl.ts` implements the same function
 * bit for bit; this file is the reference the tests check the shader against.
 *
 * Stream layout (one run): key = `philoxKey(seed)`, counter = (block, sample, step, 0) with
 *   - step   = SGD step index (0-based, < 2³²),
 *   - sample = index s of the sample within the minibatch (0 … B−1),
 *   - block  = j for the inputs x_{4j} … x_{4j+3} of that sample (one Philox call → 4
 *              Gaussians), or XI_BLOCK = 0xffffffff for the label noise ξ (first Gaussian of
 *              that call).
 * A number depends only on (seed, step, sample, input index): not on the batch a run is in,
 * the workgroup size, nor the adapter. The fourth counter word is 0 (reserved for other
 * streams, e.g. test samples).
 *
 * Gaussians (Box–Muller): from one Philox output (a, b, c, d) take the pairs (a, b), (c, d).
 *   u = (⌊a/2⁸⌋ + 1)·2⁻²⁴ ∈ (0, 1],   φ = 2π(⌊b/2⁸⌋·2⁻²⁴ − ½) ∈ [−π, π),
 *   z₀ = √(−2 ln u) cos φ,   z₁ = √(−2 ln u) sin φ.
 * Both uniforms keep the top 24 bits so they are exact in f32 and f64 alike: the GPU and the
 * reference see identical uniforms and differ only in how they evaluate ln, cos, sin. φ is
 * centred on 0 because WGSL's sin/cos are accurate on [−π, π]. |z| ≤ √(48 ln 2) ≈ 5.77 (the
 * tail beyond has probability < 10⁻⁸; irrelevant at the sample sizes of a run's inputs).
 */

/** Philox4x32 multipliers and Weyl key increments (Salmon et al. 2011, §4). */
const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;
export const PHILOX_ROUNDS = 10;
/** Counter block of the label noise ξ of a sample. */
export const XI_BLOCK = 0xffffffff;

/** High 32 bits of the 64-bit product a·b of two uint32 (16-bit halves: every partial product is exact). */
export function mulhi32(a: number, b: number): number {
  const aL = a & 0xffff, aH = a >>> 16, bL = b & 0xffff, bH = b >>> 16;
  const ll = aL * bL, lh = aL * bH, hl = aH * bL, hh = aH * bH;
  const mid = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  return (hh + Math.floor(lh / 65536) + Math.floor(hl / 65536) + Math.floor(mid / 65536)) >>> 0;
}

/** Philox4x32 with `rounds` rounds of counter `ctr` under `key`, into `out` (4 uint32). */
export function philox4x32(ctr: ArrayLike<number>, key: ArrayLike<number>, out: Uint32Array = new Uint32Array(4), rounds = PHILOX_ROUNDS): Uint32Array {
  let c0 = ctr[0] >>> 0, c1 = ctr[1] >>> 0, c2 = ctr[2] >>> 0, c3 = ctr[3] >>> 0;
  let k0 = key[0] >>> 0, k1 = key[1] >>> 0;
  for (let r = 0; r < rounds; r++) {
    if (r > 0) {
      k0 = (k0 + W0) >>> 0;
      k1 = (k1 + W1) >>> 0;
    }
    const hi0 = mulhi32(M0, c0), lo0 = Math.imul(M0, c0) >>> 0;
    const hi1 = mulhi32(M1, c2), lo1 = Math.imul(M1, c2) >>> 0;
    c0 = (hi1 ^ c1 ^ k0) >>> 0;
    c1 = lo1;
    c2 = (hi0 ^ c3 ^ k1) >>> 0;
    c3 = lo0;
  }
  out[0] = c0; out[1] = c1; out[2] = c2; out[3] = c3;
  return out;
}

/**
 * The Philox key of a run: the 64-bit FNV-1a hash (offset basis 0xcbf29ce484222325, prime
 * 0x100000001b3) of the UTF-8 bytes of `${seed}:data`, split into (low 32 bits, high 32 bits).
 * Integer seeds are written in decimal, so 7 and "7" are the same seed, as for the CPU
 * engine's streams (src/sim/random.ts).
 */
export function philoxKey(seed: number | string): [number, number] {
  const bytes = new TextEncoder().encode(`${seed}:data`);
  let h = 0xcbf29ce484222325n;
  for (const b of bytes) h = ((h ^ BigInt(b)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return [Number(h & 0xffffffffn), Number(h >> 32n)];
}

const TWO_POW_M24 = 2 ** -24;
const TWO_PI = 2 * Math.PI;

/** Box–Muller of one Philox output into 4 standard normals (mapping in the file comment). */
export function gaussians4(u: ArrayLike<number>, out: Float64Array | number[], offset = 0): void {
  for (let p = 0; p < 2; p++) {
    const r = Math.sqrt(-2 * Math.log(((u[2 * p] >>> 8) + 1) * TWO_POW_M24));
    const phi = TWO_PI * ((u[2 * p + 1] >>> 8) * TWO_POW_M24 - 0.5);
    out[offset + 2 * p] = r * Math.cos(phi);
    out[offset + 2 * p + 1] = r * Math.sin(phi);
  }
}

/** The stream of one run: inputs x (length N) and noise ξ of (step, sample). */
export class PhiloxStream {
  private readonly key: [number, number];
  private readonly ctr = new Uint32Array(4);
  private readonly raw = new Uint32Array(4);
  private readonly z = new Float64Array(4);

  constructor(seed: number | string) {
    this.key = philoxKey(seed);
  }

  /** Fill x with the N inputs of sample `sample` of step `step`. */
  inputs(step: number, sample: number, x: Float64Array): void {
    const N = x.length;
    for (let j = 0; 4 * j < N; j++) {
      this.block(j, sample, step);
      for (let l = 0; l < 4 && 4 * j + l < N; l++) x[4 * j + l] = this.z[l];
    }
  }

  /** The label noise ξ of sample `sample` of step `step`. */
  xi(step: number, sample: number): number {
    this.block(XI_BLOCK, sample, step);
    return this.z[0];
  }

  private block(j: number, sample: number, step: number): void {
    if (!(step >= 0 && step < 2 ** 32)) throw new RangeError(`philox stream: step ${step} outside [0, 2^32)`);
    this.ctr[0] = j;
    this.ctr[1] = sample;
    this.ctr[2] = step;
    this.ctr[3] = 0;
    philox4x32(this.ctr, this.key, this.raw);
    gaussians4(this.raw, this.z);
  }
}
