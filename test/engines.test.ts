/**
 * The engine registry's output check: firstNonFinite names the first non-finite number by its
 * path and record, which runEngine uses to report a divergence and to keep only the records
 * before it.
 */
import { describe, expect, it } from 'vitest';
import { firstNonFinite } from '../src/engines.ts';
import { emptyTrajectory, appendRecord } from '../src/trajectory.ts';

function trajectory(bad?: { record: number; field: 'eg' | 'Q' | 'R' | 'v'; value: number }) {
  const traj = emptyTrajectory('sgd', { model: 'soft-committee', K: 2, M: 1, N: 10 }, [[1]], [1]);
  for (let r = 0; r < 4; r++) {
    const p = { Q: Float64Array.from([1, 0.1, 0.1, 1]), R: Float64Array.from([0.5, 0.4]), v: Float64Array.from([1, 1]) };
    let eg = 0.1 / (r + 1);
    if (bad?.record === r) {
      if (bad.field === 'eg') eg = bad.value;
      else if (bad.field === 'Q') p.Q[3] = bad.value;
      else if (bad.field === 'R') p.R[1] = bad.value;
      else p.v[0] = bad.value;
    }
    appendRecord(traj, 10 * r, eg, p);
  }
  return traj;
}

describe('firstNonFinite', () => {
  it('finds nothing in a finite trajectory', () => {
    expect(firstNonFinite(trajectory())).toBeNull();
  });
  it.each([
    [{ record: 2, field: 'eg' as const, value: NaN }, 'eg[2]'],
    [{ record: 1, field: 'Q' as const, value: Infinity }, 'Q[1][1][1]'],
    [{ record: 3, field: 'R' as const, value: -Infinity }, 'R[3][1][0]'],
    [{ record: 0, field: 'v' as const, value: NaN }, 'v[0][0]'],
  ])('names the first non-finite number and its record (%o)', (bad, path) => {
    expect(firstNonFinite(trajectory(bad))).toEqual({ path, record: bad.record });
  });
});
