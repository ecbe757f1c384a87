/**
 * Test helper: truncated Gaussian moments E[u_c u_d ; u_s > 0 for s in S] by direct numerical
 * integration, as an independent check of the ReLU averages (src/activations/relu.ts), which use
 * Tallis' formula and Plackett's reduction instead.
 *
 * Method: condition on two fields α, β of S. Their joint density is integrated over the quadrant
 * u, v > 0 by nested adaptive Gauss–Legendre quadrature, in whitened coordinates; given (u, v) the
 * other fields of S are normal with mean linear in (u, v), so the probability that they are
 * positive is Φ (one field) or the bivariate normal CDF Φ₂(h, k; r) (two fields), the latter from
 * the one-dimensional integral
 *   Φ₂(h, k; r) = Φ(h)Φ(k) + (1/2π) ∫₀^{asin r} exp(−(h² + k² − 2hk sin θ)/(2 cos²θ)) dθ
 * (Plackett's ∂Φ₂/∂r = φ₂ integrated over r = sin θ; Drezner & Wesolowsky 1990), also by adaptive
 * quadrature. Slow (tens of ms per value) and meant for well-conditioned matrices: the two
 * conditioning fields and the conditional covariance of the others must be non-singular.
 */
import erf from '@stdlib/math-base-special-erf';

/** Gauss–Legendre nodes and weights on [−1, 1] (Newton's iteration on the three-term recurrence). */
function legendre(n: number): { x: number[]; w: number[] } {
  const x: number[] = [];
  const w: number[] = [];
  for (let i = 0; i < n; i++) {
    let z = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let dp = 1;
    for (let it = 0; it < 100; it++) {
      let p0 = 1;
      let p1 = z;
      for (let k = 2; k <= n; k++) [p0, p1] = [p1, ((2 * k - 1) * z * p1 - (k - 1) * p0) / k];
      dp = (n * (z * p1 - p0)) / (z * z - 1);
      const dz = p1 / dp;
      z -= dz;
      if (Math.abs(dz) < 1e-16) break;
    }
    x.push(z);
    w.push(2 / ((1 - z * z) * dp * dp));
  }
  return { x, w };
}

const GL = legendre(10);

function gl(f: (t: number) => number, a: number, b: number): number {
  const h = 0.5 * (b - a);
  const m = 0.5 * (a + b);
  let s = 0;
  for (let i = 0; i < GL.x.length; i++) s += GL.w[i] * f(m + h * GL.x[i]);
  return s * h;
}

/** Adaptive Gauss–Legendre: accept a panel when its 10-point value and the sum over its halves agree to tol. */
export function integrate(f: (t: number) => number, a: number, b: number, tol: number, whole = gl(f, a, b), depth = 0): number {
  const m = 0.5 * (a + b);
  const left = gl(f, a, m);
  const right = gl(f, m, b);
  if (Math.abs(left + right - whole) <= tol || depth > 40) return left + right;
  return integrate(f, a, m, tol / 2, left, depth + 1) + integrate(f, m, b, tol / 2, right, depth + 1);
}

function normalCdf(h: number): number {
  return 0.5 * (1 + erf(h / Math.SQRT2));
}

/** P(Z₁ < h, Z₂ < k) for standard normals with correlation r. */
export function bivariateNormalCdf(h: number, k: number, r: number): number {
  const base = normalCdf(h) * normalCdf(k);
  if (r === 0) return base;
  const f = (theta: number) => {
    const s = Math.sin(theta);
    const c2 = Math.cos(theta) ** 2;
    return c2 > 0 ? Math.exp(-(h * h + k * k - 2 * h * k * s) / (2 * c2)) : 0;
  };
  return base + integrate(f, 0, Math.asin(r), 1e-15) / (2 * Math.PI);
}

/**
 * E[u_c u_d ; u_s > 0 for s in S] for u ~ N(0, C) (C row-major L×L). The moment fields c, d must
 * lie in S unless S has at most two fields (then a free field enters through its conditional mean).
 */
export function truncatedMomentByQuadrature(C: ArrayLike<number>, L: number, c: number, d: number, S: number[], tol = 1e-12): number {
  const set = [...new Set(S)];
  if (set.length > 4) throw new Error('at most four truncated fields');
  const sig = (a: number) => Math.sqrt(C[a * L + a]);
  const R = (a: number, b: number) => C[a * L + b] / (sig(a) * sig(b));
  if (set.length === 1) {
    // E[u_c u_d ; u_s > 0] = C_cd / 2 (the product's conditional mean given u_s is odd in u_s otherwise)
    return C[c * L + d] / 2;
  }
  // conditioning pair: (c, d) when distinct and both truncated, else c (or d) and the field of S least correlated with it
  let alpha: number;
  let beta: number;
  if (c !== d && set.includes(c) && set.includes(d)) [alpha, beta] = [c, d];
  else {
    alpha = set.includes(c) ? c : set.includes(d) ? d : set[0];
    const others = set.filter((x) => x !== alpha);
    beta = others.reduce((b, x) => (Math.abs(R(alpha, x)) < Math.abs(R(alpha, b)) ? x : b), others[0]);
  }
  const rest = set.filter((x) => x !== alpha && x !== beta);
  const free = [c, d].filter((x) => x !== alpha && x !== beta);
  if (rest.length > 0 && free.length > 0) throw new Error('a moment field outside the conditioning pair must not be truncated');
  const rho = R(alpha, beta);
  const det = 1 - rho * rho;
  // regression of a field x on (u_α, u_β) in standard units: x = Bx·(u, v) + residual
  const coef = (x: number): [number, number] => {
    const ra = R(x, alpha);
    const rb = R(x, beta);
    return [(ra - rho * rb) / det, (rb - rho * ra) / det];
  };
  const restCoef = rest.map(coef);
  const restSd = rest.map((x, j) => Math.sqrt(1 - (restCoef[j][0] * R(x, alpha) + restCoef[j][1] * R(x, beta))));
  let restCorr = 0;
  if (rest.length === 2) {
    const [x, y] = rest;
    const cov = R(x, y) - (restCoef[0][0] * R(y, alpha) + restCoef[0][1] * R(y, beta));
    restCorr = cov / (restSd[0] * restSd[1]);
  }
  const freeCoef = free.map(coef);
  const freeCov =
    free.length === 2 ? R(free[0], free[1]) - (freeCoef[0][0] * R(free[1], alpha) + freeCoef[0][1] * R(free[1], beta)) : 0;
  const value = (x: number, u: number, v: number): number => {
    if (x === alpha) return u;
    if (x === beta) return v;
    const [p, q] = coef(x);
    return p * u + q * v;
  };
  // Whitened coordinates u = z₁, v = ρ z₁ + s z₂ (s = √(1 − ρ²)) with z₁, z₂ independent standard
  // normals: the density is φ(z₁)φ(z₂) however close ρ is to ±1 (in (u, v) it would be a ridge of
  // width s that an adaptive rule can miss), and the quadrant is z₁ > 0, z₂ > −ρ z₁/s.
  const s = Math.sqrt(det);
  const phi = (x: number) => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
  const integrand = (z1: number, z2: number): number => {
    const u = z1;
    const v = rho * z1 + s * z2;
    let prob = 1;
    if (rest.length === 1) prob = normalCdf((restCoef[0][0] * u + restCoef[0][1] * v) / restSd[0]);
    else if (rest.length === 2)
      prob = bivariateNormalCdf(
        (restCoef[0][0] * u + restCoef[0][1] * v) / restSd[0],
        (restCoef[1][0] * u + restCoef[1][1] * v) / restSd[1],
        restCorr,
      );
    const moment = value(c, u, v) * value(d, u, v) + (free.length === 2 ? freeCov : 0);
    return phi(z1) * phi(z2) * prob * moment;
  };
  const Z = 12;
  const outer = (z1: number) => {
    const lo = Math.max(-Z, (-rho * z1) / s);
    return lo < Z ? integrate((z2) => integrand(z1, z2), lo, Z, tol / 10) : 0;
  };
  return sig(c) * sig(d) * integrate(outer, 0, Z, tol);
}
