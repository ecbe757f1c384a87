/**
 * Deterministic LTTB (largest-triangle-three-buckets, Steinarsson 2013) downsampling.
 *
 * Why: long series make large SVGs (5 series × 2000 points ≈ 150 KB; ~50 KB at 400 points each)
 * while a line at figure size cannot show more detail. LTTB keeps the visually salient points
 * (peaks, plateau edges, steps) rather than every k-th one. On log axes the triangle areas are
 * computed in log space, where the line is actually drawn.
 *
 * Determinism: pure arithmetic in a fixed order, ties go to the earliest index.
 */

export interface LttbOptions {
  /** x is drawn on a log axis: compare log10(x). */
  logX?: boolean;
  /** y is drawn on a log axis: compare log10(y). */
  logY?: boolean;
}

/**
 * Indices of the points to keep, increasing, always including the first and the last.
 * Returns all indices when xs.length <= nOut. Otherwise exactly nOut indices.
 * Points whose (log-)coordinates are not finite (NaN, or <= 0 on a log axis) are not chosen
 * inside a bucket unless the whole bucket is like that (then its first point is kept).
 */
export function lttb(xs: ArrayLike<number>, ys: ArrayLike<number>, nOut: number, opts: LttbOptions = {}): number[] {
  const n = xs.length;
  if (ys.length !== n) throw new RangeError(`lttb: xs has ${n} values, ys ${ys.length}`);
  if (!Number.isInteger(nOut) || nOut < 2) throw new RangeError(`lttb: nOut must be an integer >= 2, got ${nOut}`);
  if (n <= nOut) return Array.from({ length: n }, (_, i) => i);

  const X = new Float64Array(n);
  const Y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    X[i] = opts.logX ? Math.log10(xs[i]) : xs[i];
    Y[i] = opts.logY ? Math.log10(ys[i]) : ys[i];
  }
  const ok = (i: number) => Number.isFinite(X[i]) && Number.isFinite(Y[i]);

  const kept: number[] = [0];
  // Interior points 1..n-2 are split into nOut-2 buckets of (fractional) size `every`.
  const every = (n - 2) / (nOut - 2);
  let a = 0; // previously kept point
  for (let b = 0; b < nOut - 2; b++) {
    const start = Math.floor(b * every) + 1;
    const end = Math.floor((b + 1) * every) + 1; // exclusive

    // Third vertex: the mean of the next bucket (the last point for the last bucket).
    const nStart = end;
    const nEnd = b + 1 < nOut - 2 ? Math.floor((b + 2) * every) + 1 : n;
    let cx = 0;
    let cy = 0;
    let cnt = 0;
    for (let i = nStart; i < nEnd; i++) {
      if (!ok(i)) continue;
      cx += X[i];
      cy += Y[i];
      cnt++;
    }
    if (cnt > 0) {
      cx /= cnt;
      cy /= cnt;
    } else {
      cx = X[n - 1];
      cy = Y[n - 1];
    }

    let best = start;
    let bestArea = -1;
    const ax = X[a];
    const ay = Y[a];
    for (let i = start; i < end; i++) {
      if (!ok(i)) continue;
      // Twice the triangle area; the factor does not change the argmax.
      const area = Math.abs((ax - cx) * (Y[i] - ay) - (ax - X[i]) * (cy - ay));
      const value = Number.isFinite(area) ? area : 0;
      if (value > bestArea) {
        bestArea = value;
        best = i;
      }
    }
    kept.push(best);
    a = best;
  }
  kept.push(n - 1);
  return kept;
}

/** Convenience: apply kept indices to parallel arrays or row objects. */
export function pick<T>(rows: ArrayLike<T>, indices: number[]): T[] {
  return indices.map((i) => rows[i]);
}
