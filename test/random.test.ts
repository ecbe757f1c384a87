/**
 * The seeded generator: determinism, seed sensitivity, and the ziggurat Gaussian's law.
 *
 * Statistical checks use n = 2²¹ ≈ 2.1·10⁶ deviates from one fixed seed (so the test is
 * deterministic), each with its standard error (SE) under the null hypothesis Z ~ N(0,1):
 *   mean        SE = 1/√n                     ≈ 6.9e-4
 *   variance    SE = √(2/n)                   ≈ 9.8e-4
 *   skewness    SE = √(6/n)                   ≈ 1.7e-3
 *   ex.kurtosis SE = √(24/n)                  ≈ 3.4e-3
 *   P(|Z| > a)  SE = √(p(1−p)/n)  (binomial)  a = 3: ≈ 3.6e-5 on p ≈ 2.7e-3; a = 4: ≈ 5.5e-6 on p ≈ 6.3e-5
 * and every |estimate − exact| must be ≤ 5 SE (a false alarm has probability ~6e-7 per check).
 * Kolmogorov–Smirnov against Φ: reject when D > 1.9495/√n (asymptotic Kolmogorov quantile
 * at α = 0.001). A χ² test over the 256 ziggurat layers (bins [x_{i+1}, x_i) of |z| plus the
 * tail beyond r) checks the wedges and the tail piece by piece, where ziggurats go wrong; the
 * deviates beyond r get their own KS test against the conditional tail law.
 *
 * Power (a test that cannot fail is a defect): the same KS test rejects Box–Muller deviates
 * scaled by 1.01 at this n, the tail checks reject a ziggurat whose tail is compressed
 * toward r, and the layer χ² rejects a ziggurat that skips the wedge test.
 */
import erf from '@stdlib/math-base-special-erf';
import { describe, expect, it } from 'vitest';
import { createFiller, createRng, ZIG_F, ZIG_LAYERS, ZIG_R, ZIG_V, ZIG_W, ZIG_X, zigguratSlowPath } from '../src/sim/random.ts';

const n = 1 << 21;
const KS_C_0001 = 1.9495; // √(−½ ln(0.001/2))
const Z_0999 = 3.0902; // standard normal 0.999 quantile (one-sided χ² critical value below)

const Phi = (x: number) => 0.5 * (1 + erf(x / Math.SQRT2));
/** Upper tail Φ(−x) for x > 0, without cancellation: ½ erfc(x/√2) via 1 − erf is fine to ~1e-16 absolute. */
const upperTail = (x: number) => 0.5 * (1 - erf(x / Math.SQRT2));

function samples(seed: string, count = n): Float64Array {
  const out = new Float64Array(count);
  createRng(seed).fillGaussian(out);
  return out;
}

interface Moments {
  mean: number;
  variance: number;
  skewness: number;
  kurtosis: number;
}

function moments(z: Float64Array): Moments {
  let s1 = 0;
  for (let i = 0; i < z.length; i++) s1 += z[i];
  const mean = s1 / z.length;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let i = 0; i < z.length; i++) {
    const d = z[i] - mean;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  m2 /= z.length;
  m3 /= z.length;
  m4 /= z.length;
  return { mean, variance: m2, skewness: m3 / m2 ** 1.5, kurtosis: m4 / (m2 * m2) - 3 };
}

/** One-sample KS statistic D = sup |F_n − F| for a continuous CDF F. */
function ksOneSample(z: Float64Array, cdf: (x: number) => number): number {
  const s = Float64Array.from(z).sort();
  const m = s.length;
  let d = 0;
  for (let i = 0; i < m; i++) {
    const F = cdf(s[i]);
    d = Math.max(d, (i + 1) / m - F, F - i / m);
  }
  return d;
}

function tailFraction(z: Float64Array, a: number): number {
  let c = 0;
  for (let i = 0; i < z.length; i++) if (Math.abs(z[i]) > a) c++;
  return c / z.length;
}

/** χ² statistic over the ziggurat's layer bins of |z|: [x_{i+1}, x_i) for i = 1…255, and [r, ∞). */
function layerChiSquare(z: Float64Array): number {
  // edges ascending: e_0 = 0 = x_256, …, e_255 = x_1 = r
  const edges = Array.from({ length: ZIG_LAYERS }, (_, k) => ZIG_X[ZIG_LAYERS - k]);
  const counts = new Float64Array(ZIG_LAYERS);
  for (let i = 0; i < z.length; i++) {
    const a = Math.abs(z[i]);
    let lo = 0;
    let hi = ZIG_LAYERS; // find the last edge ≤ a
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (edges[mid] <= a) lo = mid;
      else hi = mid;
    }
    counts[lo]++;
  }
  let chi2 = 0;
  for (let k = 0; k < ZIG_LAYERS; k++) {
    const p = k === ZIG_LAYERS - 1 ? 2 * upperTail(edges[k]) : 2 * (Phi(edges[k + 1]) - Phi(edges[k]));
    const e = p * z.length;
    chi2 += (counts[k] - e) ** 2 / e;
  }
  return chi2;
}

/** Upper α-quantile of χ²_ν by Wilson–Hilferty (accurate to <0.5% for ν ≈ 255). */
function chiSquareCritical(nu: number, zAlpha: number): number {
  const c = 2 / (9 * nu);
  return nu * (1 - c + zAlpha * Math.sqrt(c)) ** 3;
}

/** Deliberately different generator for power checks: Box–Muller on the same uniforms. */
function boxMuller(seed: string, count: number): Float64Array {
  const rng = createRng(seed);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - rng.nextDouble()));
    const th = 2 * Math.PI * rng.nextDouble();
    out[i] = r * Math.cos(th);
    if (i + 1 < count) out[i + 1] = r * Math.sin(th);
  }
  return out;
}

const se = {
  mean: 1 / Math.sqrt(n),
  variance: Math.sqrt(2 / n),
  skewness: Math.sqrt(6 / n),
  kurtosis: Math.sqrt(24 / n),
};
const P3 = 2 * upperTail(3);
const P4 = 2 * upperTail(4);
const binomialSe = (p: number) => Math.sqrt((p * (1 - p)) / n);

describe('createRng: determinism', () => {
  it('same seed, same streams (uint32, double, gaussian scalar and bulk)', () => {
    for (const seed of [0, 1, 'abc']) {
      const a = createRng(seed);
      const b = createRng(seed);
      for (let i = 0; i < 1000; i++) expect(a.nextUint32()).toBe(b.nextUint32());
      for (let i = 0; i < 1000; i++) expect(a.nextDouble()).toBe(b.nextDouble());
      for (let i = 0; i < 1000; i++) expect(a.nextGaussian()).toBe(b.nextGaussian());
      const x = new Float64Array(5000);
      const y = new Float64Array(5000);
      a.fillGaussian(x);
      b.fillGaussian(y);
      expect(x).toEqual(y);
    }
  });

  it('bulk fill and scalar draws consume the stream identically', () => {
    const x = new Float64Array(20000);
    createRng(7).fillGaussian(x);
    const r = createRng(7);
    for (let i = 0; i < x.length; i++) expect(r.nextGaussian()).toBe(x[i]);
  });

  it('createFiller (the specialised bulk fill of the SGD engine) consumes the stream exactly like fillGaussian', () => {
    for (const n of [1, 2, 7, 784, 1001]) {
      const a = createRng(`filler${n}`);
      const b = createRng(`filler${n}`);
      const out = new Float64Array(n);
      const fill = createFiller(a, out);
      const ref = new Float64Array(n);
      for (let rep = 0; rep < 50; rep++) {
        fill();
        b.fillGaussian(ref);
        expect(out).toEqual(ref);
        // interleaved scalar draws stay in step too
        expect(a.nextGaussian()).toBe(b.nextGaussian());
      }
    }
  });

  it('different seeds give different streams', () => {
    const a = samples('s1', 1000);
    const b = samples('s2', 1000);
    let same = 0;
    for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
    expect(same).toBe(0);
    expect(createRng(1).nextUint32()).not.toBe(createRng(2).nextUint32());
  });

  it('uniforms: 32-bit outputs and doubles in [0, 1)', () => {
    const r = createRng('u');
    let mean = 0;
    let bad = 0;
    for (let i = 0; i < 100000; i++) {
      const u = r.nextUint32();
      if (!(Number.isInteger(u) && u >= 0 && u < 2 ** 32)) bad++;
      const d = r.nextDouble();
      if (!(d >= 0 && d < 1)) bad++;
      mean += d;
    }
    expect(bad).toBe(0);
    mean /= 100000;
    expect(Math.abs(mean - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / 100000));
  });
});

describe('ziggurat tables', () => {
  it('match Marsaglia & Tsang (2000) for 256 layers and tile the density exactly', () => {
    expect(ZIG_R).toBeCloseTo(3.6541528853610088, 12);
    expect(ZIG_V).toBeCloseTo(0.00492867323399, 13);
    expect(ZIG_X[ZIG_LAYERS]).toBe(0);
    // base layer: r f(r) + tail = v; every other layer: x_i (f(x_{i+1}) − f(x_i)) = v
    const tail = Math.sqrt(Math.PI / 2) * 2 * upperTail(ZIG_R);
    expect(Math.abs(ZIG_R * ZIG_F[1] + tail - ZIG_V) / ZIG_V).toBeLessThan(1e-12);
    for (let i = 1; i < ZIG_LAYERS; i++) {
      expect(Math.abs(ZIG_X[i] * (ZIG_F[i + 1] - ZIG_F[i]) - ZIG_V) / ZIG_V).toBeLessThan(1e-9);
      expect(ZIG_X[i + 1]).toBeLessThan(ZIG_X[i]);
    }
    // total area = √(π/2) = half the integral of exp(−x²/2) over ℝ; efficiency ≈ 99.3%
    expect(Math.sqrt(Math.PI / 2) / (ZIG_LAYERS * ZIG_V)).toBeCloseTo(0.99335, 4);
  });

  it('slow path returns finite deviates and uses the tail for layer 0', () => {
    const st = createRng('slow').state;
    let beyond = 0;
    for (let k = 0; k < 2000; k++) {
      const z = zigguratSlowPath(st, 0, 8388607.5); // layer 0, abscissa past r: tail
      expect(Number.isFinite(z)).toBe(true);
      expect(z).toBeGreaterThanOrEqual(ZIG_R);
      beyond++;
    }
    expect(beyond).toBe(2000);
  });
});

describe('ziggurat Gaussian: distribution (n = 2^21)', () => {
  const z = samples('dist');
  const m = moments(z);

  it(`moments within 5 SE (SE: mean ${se.mean.toExponential(1)}, var ${se.variance.toExponential(1)}, skew ${se.skewness.toExponential(1)}, kurt ${se.kurtosis.toExponential(1)})`, () => {
    expect(Math.abs(m.mean) / se.mean).toBeLessThan(5);
    expect(Math.abs(m.variance - 1) / se.variance).toBeLessThan(5);
    expect(Math.abs(m.skewness) / se.skewness).toBeLessThan(5);
    expect(Math.abs(m.kurtosis) / se.kurtosis).toBeLessThan(5);
  });

  it('symmetric: fraction of positive deviates within 5 binomial SE of ½', () => {
    let pos = 0;
    for (let i = 0; i < n; i++) if (z[i] > 0) pos++;
    expect(Math.abs(pos / n - 0.5) / Math.sqrt(0.25 / n)).toBeLessThan(5);
  });

  it('Kolmogorov–Smirnov against Φ at α = 0.001', () => {
    const d = ksOneSample(z, Phi);
    expect(d).toBeLessThan(KS_C_0001 / Math.sqrt(n));
  });

  it('tail frequencies P(|Z|>3), P(|Z|>4), P(|Z|>r) within 5 binomial SE', () => {
    for (const a of [3, 4, ZIG_R]) {
      const p = 2 * upperTail(a);
      expect(Math.abs(tailFraction(z, a) - p) / binomialSe(p)).toBeLessThan(5);
    }
  });

  it('χ² over the 256 ziggurat layers (wedges and tail) at α = 0.001', () => {
    expect(layerChiSquare(z)).toBeLessThan(chiSquareCritical(ZIG_LAYERS - 1, Z_0999));
  });

  it('deviates beyond r follow the conditional tail law (KS at α = 0.001)', () => {
    const big = samples('tail', 8 * n);
    const tail = Float64Array.from(big.filter((x) => Math.abs(x) > ZIG_R).map(Math.abs));
    expect(tail.length).toBeGreaterThan(3000);
    const pr = upperTail(ZIG_R);
    const d = ksOneSample(tail, (x) => (pr - upperTail(x)) / pr);
    expect(d).toBeLessThan(KS_C_0001 / Math.sqrt(tail.length));
  });

  it('scalar nextGaussian has the same law (moments and KS, n = 2^20)', () => {
    const r = createRng('scalar');
    const k = n >> 1;
    const y = new Float64Array(k);
    for (let i = 0; i < k; i++) y[i] = r.nextGaussian();
    const my = moments(y);
    expect(Math.abs(my.mean) * Math.sqrt(k)).toBeLessThan(5);
    expect(Math.abs(my.variance - 1) / Math.sqrt(2 / k)).toBeLessThan(5);
    expect(ksOneSample(y, Phi)).toBeLessThan(KS_C_0001 / Math.sqrt(k));
  });
});

describe('the distribution tests have power', () => {
  it('KS rejects Box–Muller deviates scaled by 1.01 at n = 2^21 (and accepts them unscaled)', () => {
    const bm = boxMuller('power', n);
    expect(ksOneSample(bm, Phi)).toBeLessThan(KS_C_0001 / Math.sqrt(n));
    const scaled = bm.map((x) => 1.01 * x);
    expect(ksOneSample(scaled, Phi)).toBeGreaterThan(KS_C_0001 / Math.sqrt(n));
    expect(Math.abs(moments(scaled).variance - 1) / se.variance).toBeGreaterThan(5);
  });

  it('tail checks reject a ziggurat whose tail is compressed toward r', () => {
    const z = samples('dist');
    const bad = z.map((x) => (Math.abs(x) > ZIG_R ? Math.sign(x) * (ZIG_R + 0.5 * (Math.abs(x) - ZIG_R)) : x));
    expect(Math.abs(tailFraction(bad, 4) - P4) / binomialSe(P4)).toBeGreaterThan(5);
    // the 3-sigma frequency is untouched by this bug, as it should be
    expect(Math.abs(tailFraction(bad, 3) - P3) / binomialSe(P3)).toBeLessThan(5);
  });

  it('layer χ² rejects a ziggurat that accepts every wedge point (no wedge rejection)', () => {
    // A classic bug: treat each layer as a full rectangle (accept z = u·x_i without the wedge
    // test); the tail (layer 0) is still sampled correctly.
    const rng = createRng('nowedge');
    const st = rng.state;
    const bad = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const r = rng.nextUint32() | 0;
      const layer = r & 255;
      const u = (r >> 8) + 0.5;
      bad[i] = layer === 0 ? zigguratSlowPath(st, 0, u) : u * ZIG_W[layer];
    }
    const chi2 = layerChiSquare(bad);
    expect(chi2).toBeGreaterThan(chiSquareCritical(ZIG_LAYERS - 1, Z_0999));
  });
});
