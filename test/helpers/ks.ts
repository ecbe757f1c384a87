/**
 * Two-sample Kolmogorov–Smirnov test. D = sup |F_a − F_b|; reject at level α when
 * D > c(α) √((n+m)/(nm)) with c(α) = √(−½ ln(α/2)) (asymptotic Kolmogorov distribution;
 * c(0.001) ≈ 1.949).
 */
export function ksStatistic(a: number[], b: number[]): number {
  if (![...a, ...b].every(Number.isFinite)) throw new Error('ksStatistic: samples must be finite');
  const x = [...a].sort((p, q) => p - q);
  const y = [...b].sort((p, q) => p - q);
  let i = 0, j = 0, d = 0;
  while (i < x.length && j < y.length) {
    const v = Math.min(x[i], y[j]);
    while (i < x.length && x[i] <= v) i++;
    while (j < y.length && y[j] <= v) j++;
    d = Math.max(d, Math.abs(i / x.length - j / y.length));
  }
  return d;
}

export function ksCritical(n: number, m: number, alpha: number): number {
  return Math.sqrt(-0.5 * Math.log(alpha / 2)) * Math.sqrt((n + m) / (n * m));
}
