/**
 * The erf activation g(u) = erf(u/√2) and its derivative g'(u) = √(2/π) e^{-u²/2}
 * (Saad & Solla 1995; the same g in teacher and student): the function the simulations
 * evaluate, its WGSL twin for the GPU engine, and the closed-form Gaussian averages the
 * ODE theory needs.
 *
 * ## g on the CPU
 *
 * g(u) = 2Φ(u) − 1 with Φ the standard normal CDF, evaluated by W. J. Cody's rational
 * Chebyshev approximations for Φ (Cody, "Rational Chebyshev approximations for the error
 * function", Math. Comp. 23 (1969) 631–637; the coefficients are those of his ANORM routine,
 * ACM TOMS Algorithm 715, 1993, also used by R's pnorm). Three intervals in y = |u|:
 *   y ≤ 0.66291:       Φ(u) − ½ = u · A(u²)/B(u²)                  (degree 4/4)
 *   0.66291 < y ≤ √32: Φ(−y) = e^{−y²/2} · C(y)/D(y)               (degree 8/8)
 *   y > √32:           Φ(−y) = e^{−y²/2}/y · (1/√(2π) − s P(s)/Q(s)), s = 1/y²  (degree 5/5)
 * Cody's approximations are accurate to about 1e-16 relative on each interval. We compute
 * e^{−y²/2} with one Math.exp (no extra-precision split of y², which only matters for the
 * relative accuracy of the far tail Φ(−y); the absolute error of g stays ~1e-16), so
 * |g − erf(u/√2)| ≲ 5e-16 everywhere (test/activations-erf-g.test.ts checks ≤ 2e-15 against
 * @stdlib's fdlibm erf on a dense grid). About 5× faster than @stdlib/math-base-special-erf,
 * whose exp and word-splitting are written in JavaScript.
 */

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const SQRT2 = Math.SQRT2;
const THRESHOLD = 0.66291;
const ROOT32 = Math.sqrt(32);

// Cody (1993) ANORM coefficients.
const A0 = 2.2352520354606839287;
const A1 = 161.02823106855587881;
const A2 = 1067.6894854603709582;
const A3 = 18154.981253343561249;
const A4 = 0.065682337918207449113;
const B0 = 47.20258190468824187;
const B1 = 976.09855173777669322;
const B2 = 10260.932208618978205;
const B3 = 45507.789335026729956;
const C0 = 0.39894151208813466764;
const C1 = 8.8831497943883759412;
const C2 = 93.506656132177855979;
const C3 = 597.27027639480026226;
const C4 = 2494.5375852903726711;
const C5 = 6848.1904505362823326;
const C6 = 11602.651437647350124;
const C7 = 9842.7148383839780218;
const C8 = 1.0765576773720192317e-8;
const D0 = 22.266688044328115691;
const D1 = 235.38790178262499861;
const D2 = 1519.377599407554805;
const D3 = 6485.558298266760755;
const D4 = 18615.571640885098091;
const D5 = 34900.952721145977266;
const D6 = 38912.003286093271411;
const D7 = 19685.429676859990727;
const P0 = 0.21589853405795699;
const P1 = 0.1274011611602473639;
const P2 = 0.022235277870649807;
const P3 = 0.001421619193227893466;
const P4 = 2.9112874951168792e-5;
const P5 = 0.02307344176494017303;
const Q0 = 1.28426009614491121;
const Q1 = 0.468238212480865118;
const Q2 = 0.0659881378689285515;
const Q3 = 0.00378239633202758244;
const Q4 = 7.29751555083966205e-5;

/** Φ(u) − ½ for |u| ≤ 0.66291. */
function centralPart(u: number): number {
  const s = u * u;
  const num = (((A4 * s + A0) * s + A1) * s + A2) * s + A3;
  const den = (((s + B0) * s + B1) * s + B2) * s + B3;
  return (u * num) / den;
}

/** Φ(−y)/e^{−y²/2} for y > 0.66291 (the rational factor of the upper tail). */
function tailFactor(y: number): number {
  if (y <= ROOT32) {
    const num = (((((((C8 * y + C0) * y + C1) * y + C2) * y + C3) * y + C4) * y + C5) * y + C6) * y + C7;
    const den = (((((((y + D0) * y + D1) * y + D2) * y + D3) * y + D4) * y + D5) * y + D6) * y + D7;
    return num / den;
  }
  const s = 1 / (y * y);
  const num = ((((P5 * s + P0) * s + P1) * s + P2) * s + P3) * s + P4;
  const den = ((((s + Q0) * s + Q1) * s + Q2) * s + Q3) * s + Q4;
  return (INV_SQRT_2PI - (s * num) / den) / y;
}

/** g(u) = erf(u/√2). */
export function g(u: number): number {
  const y = Math.abs(u);
  if (y <= THRESHOLD) return 2 * centralPart(u);
  if (!(y < Infinity)) return u !== u ? NaN : u > 0 ? 1 : -1;
  const t = 2 * Math.exp(-0.5 * y * y) * tailFactor(y);
  return u > 0 ? 1 - t : t - 1;
}

/**
 * g(u) given e = exp(−u²/2) already computed (e.g. for g'(u) = √(2/π) e): saves the exp.
 * `e` must be Math.exp(-0.5 * u * u).
 */
export function gGivenExp(u: number, e: number): number {
  const y = Math.abs(u);
  if (y <= THRESHOLD) return 2 * centralPart(u);
  if (!(y < Infinity)) return u !== u ? NaN : u > 0 ? 1 : -1;
  const t = 2 * e * tailFactor(y);
  return u > 0 ? 1 - t : t - 1;
}

export function gPrime(u: number): number {
  return SQRT_2_OVER_PI * Math.exp(-0.5 * u * u);
}

/** g(u), with g'(u) written to gp[k]: one exp serves both (the SGD engines' hot path). */
export function gWithPrime(u: number, gp: Float64Array, k: number): number {
  const e = Math.exp(-0.5 * u * u);
  gp[k] = SQRT_2_OVER_PI * e;
  return gGivenExp(u, e);
}

/** The error function erf(x) = g(x√2), same approximation (accuracy ~1e-15 absolute). */
export function erf(x: number): number {
  return g(x * SQRT2);
}

/**
 * g, g' and I2 in WGSL (f32) for the GPU engine (src/gpu/wgsl.ts). g has no WGSL builtin: its
 * Maclaurin series for |u/√2| < 1 (13 terms, truncation < 10⁻⁹) and Abramowitz & Stegun
 * 7.1.26 beyond (|error| ≤ 1.5·10⁻⁷ where erf ≥ 0.84).
 */
export function erfWgsl(f32: (x: number) => string): string {
  const series = erfSeries(13);
  const horner = series
    .slice()
    .reverse()
    .reduce((acc, c, i) => (i === 0 ? f32(c) : `(${f32(c)} + x2 * ${acc})`), '');
  return `// g(u) = erf(u/√2).
fn act_g(u: f32) -> f32 {
  let x = abs(u) * ${f32(Math.SQRT1_2)};
  var r: f32 = 0.0;
  if (x < 1.0) {
    let x2 = x * x;
    r = x * ${horner};
  } else {
    let tt = 1.0 / (1.0 + 0.3275911 * x);
    r = 1.0 - tt * (0.254829592 + tt * (-0.284496736 + tt * (1.421413741 + tt * (-1.453152027 + tt * 1.061405429)))) * exp(-x * x);
  }
  return select(r, -r, u < 0.0);
}

// g'(u) = √(2/π) e^{−u²/2}.
fn act_gprime(u: f32) -> f32 {
  return ${f32(SQRT_2_OVER_PI)} * exp(-0.5 * u * u);
}

// I2 = (2/π) asin(C_ab/√((1+C_aa)(1+C_bb))); asin through atan2, because some drivers' asin
// builtin (Mesa's) is a coarse polynomial (~1e-4).
fn act_i2(caa: f32, cbb: f32, cab: f32) -> f32 {
  let x = clamp(cab / sqrt((1.0 + caa) * (1.0 + cbb)), -1.0, 1.0);
  return ${f32(2 / Math.PI)} * atan2(x, sqrt((1.0 - x) * (1.0 + x)));
}
`;
}

/** Maclaurin coefficients of erf(x)/x in powers of x²: (2/√π)(−1)ⁿ/(n!(2n+1)). */
function erfSeries(terms: number): number[] {
  const out: number[] = [];
  let fact = 1;
  for (let n = 0; n < terms; n++) {
    if (n > 0) fact *= n;
    out.push(((2 / Math.sqrt(Math.PI)) * (n % 2 ? -1 : 1)) / (fact * (2 * n + 1)));
  }
  return out;
}
