/**
 * Sample statistics the figures report and their tolerances check: mean, sample standard
 * deviation, median and quantiles, and the least-squares line. Pure functions on plain
 * arrays; the order of the sums is fixed, so snapshots are byte-reproducible.
 */

export function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Sample standard deviation (n − 1), the deviations taken from the finished mean. */
export function sampleStd(xs: readonly number[]): number {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Quantile q of xs, interpolating linearly between order statistics. */
export function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = (s.length - 1) * q;
  const lo = Math.floor(h);
  return lo + 1 < s.length ? s[lo] + (h - lo) * (s[lo + 1] - s[lo]) : s[lo];
}

/** Least-squares slope and intercept of y on x, with the slope's standard error (NaN with ≤ 2 points). */
export function linearFit(x: readonly number[], y: readonly number[]): { slope: number; intercept: number; slopeSe: number } {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxx = 0, sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (x[i] - mx) ** 2;
    sxy += (x[i] - mx) * (y[i] - my);
  }
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  const resid = y.reduce((a, yi, i) => a + (yi - intercept - slope * x[i]) ** 2, 0);
  return { slope, intercept, slopeSe: n > 2 ? Math.sqrt(resid / (n - 2) / sxx) : NaN };
}
