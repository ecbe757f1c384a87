/**
 * What a divergence is, for every engine: the error an engine stops with, and the bound on the
 * self-overlaps past which a run counts as diverged. Below the engines (and the integrators)
 * so that the simulations, the ODE and the GPU engine share one test without importing each
 * other.
 */

export class DivergenceError extends Error {
  constructor(
    readonly t: number,
    message: string,
  ) {
    super(message);
    this.name = 'DivergenceError';
  }
}

/**
 * Self-overlaps beyond this mean the student's units have saturated and the run has
 * diverged: with η above the stability limit, Q grows without bound rather than turning
 * NaN in finite time (Saad & Solla 1995, Sec. IV), so a NaN check alone never fires.
 */
export const Q_DIVERGENCE_BOUND = 1e4;

export function assertBounded(Q: ArrayLike<number>, K: number, t: number): void {
  for (let k = 0; k < K; k++) {
    const q = Q[k * K + k];
    if (!(q <= Q_DIVERGENCE_BOUND)) {
      throw new DivergenceError(t, `Q[${k}][${k}] = ${Number(q.toPrecision(3))} exceeds the bound ${Q_DIVERGENCE_BOUND} (units saturated)`);
    }
  }
}
