import { describe, expect, it } from 'vitest';
import { validateConfig } from '../src/config.ts';
import { expandSweep, MAX_SWEEP_RUNS, runKeyId, SweepError, sweepAxes, sweepPointCount, validateSweep, type SweepRun } from '../src/sweep/spec.ts';

const base = { N: 100, K: 2, M: 2, tMax: 5, recordPoints: 10 };

function sweepError(raw: unknown): string {
  try {
    validateSweep(raw);
  } catch (e) {
    expect(e).toBeInstanceOf(SweepError);
    const msg = (e as Error).message;
    expect(msg).not.toContain('\n');
    return msg;
  }
  throw new Error('expected a SweepError');
}

const byEngine = (runs: SweepRun[], engine: string) => runs.filter((r) => r.engine === engine);

describe('sweep expansion', () => {
  it('grid: cartesian product, first axis slowest, seeds then engines fastest', () => {
    const spec = validateSweep({ base, grid: { lr: [0.1, 0.5, 1], sigma: [0, 0.5] }, seeds: 2, engines: ['sgd'] });
    expect(sweepPointCount(spec)).toBe(6);
    const runs = expandSweep(spec);
    expect(runs).toHaveLength(12);
    expect(runs.map((r) => [r.key.params.lr, r.key.params.sigma, r.key.seed])).toEqual([
      [0.1, 0, 1], [0.1, 0, 2], [0.1, 0.5, 1], [0.1, 0.5, 2],
      [0.5, 0, 1], [0.5, 0, 2], [0.5, 0.5, 1], [0.5, 0.5, 2],
      [1, 0, 1], [1, 0, 2], [1, 0.5, 1], [1, 0.5, 2],
    ]);
    for (const r of runs) {
      // The config is the validated base with exactly the key's values on top.
      expect(r.config).toEqual(validateConfig({ ...base, lr: r.key.params.lr, sigma: r.key.params.sigma, seed: r.key.seed }));
      expect(Object.keys(r.key.params)).toEqual(['lr', 'sigma']);
    }
    // Keys are distinct.
    expect(new Set(runs.map((r) => runKeyId(r.key))).size).toBe(runs.length);
  });

  it('zip: fields varied together form one axis', () => {
    const spec = validateSweep({ base, grid: { lr: [0.1, 1] }, zip: [{ N: [200, 784], tMax: [10, 30] }], engines: ['sampler'] });
    const runs = expandSweep(spec);
    expect(runs).toHaveLength(4);
    expect(runs.map((r) => [r.config.lr, r.config.N, r.config.tMax])).toEqual([
      [0.1, 200, 10], [0.1, 784, 30], [1, 200, 10], [1, 784, 30],
    ]);
    expect(runs[1].key).toEqual({ params: { lr: 0.1, N: 784, tMax: 30 }, seed: 0, engine: 'sampler' });
  });

  it('seeds: a count means 1 … n, a list is taken as is, default is the base seed', () => {
    const seedsOf = (raw: Record<string, unknown>) => expandSweep(validateSweep({ base, engines: ['sgd'], ...raw })).map((r) => r.key.seed);
    expect(seedsOf({ seeds: 3 })).toEqual([1, 2, 3]);
    expect(seedsOf({ seeds: [7, 'a'] })).toEqual([7, 'a']);
    expect(seedsOf({})).toEqual([0]);
    expect(expandSweep(validateSweep({ base: { ...base, seed: 5 }, engines: ['sgd'] }))[0].config.seed).toBe(5);
  });

  it('the ODE runs once per distinct ODE input, shared by sgd and sampler of the same seed', () => {
    const spec = validateSweep({ base, grid: { lr: [0.5, 1] }, seeds: 3, engines: ['ode', 'sgd', 'sampler'] });
    const runs = expandSweep(spec);
    // Seeded initial weights: the ODE starts from each seed's own draw, so one per (lr, seed).
    expect(byEngine(runs, 'ode')).toHaveLength(6);
    expect(byEngine(runs, 'sgd')).toHaveLength(6);
    expect(byEngine(runs, 'sampler')).toHaveLength(6);
    const odeIds = new Set(byEngine(runs, 'ode').map((r) => runKeyId(r.key)));
    for (const r of runs.filter((x) => x.engine !== 'ode')) {
      expect(odeIds.has(runKeyId(r.ode!))).toBe(true);
      expect(r.ode).toEqual({ params: r.key.params, seed: r.key.seed, engine: 'ode' });
    }
    // Every referenced ODE appears before the runs that use it.
    const seen = new Set<string>();
    for (const r of runs) {
      if (r.engine === 'ode') seen.add(runKeyId(r.key));
      else expect(seen.has(runKeyId(r.ode!))).toBe(true);
    }
  });

  it('with an explicit init the seed does not enter the ODE: one ODE for all seeds', () => {
    const init = { Q: [[0.1, 0], [0, 0.1]], R: [[0.01, 0], [0, 0.01]], T: [[1, 0], [0, 1]] };
    const spec = validateSweep({ base: { ...base, init }, grid: { lr: [0.5, 1], testSamples: [0, 10] }, seeds: 20, engines: ['ode', 'sampler'] });
    const runs = expandSweep(spec);
    const odes = byEngine(runs, 'ode');
    // testSamples does not change the ODE either: 2 ODEs (one per lr), 2 × 2 × 20 sampler runs.
    expect(odes).toHaveLength(2);
    expect(byEngine(runs, 'sampler')).toHaveLength(80);
    expect(odes.map((r) => r.key)).toEqual([
      { params: { lr: 0.5 }, seed: null, engine: 'ode' },
      { params: { lr: 1 }, seed: null, engine: 'ode' },
    ]);
    expect(odes[0].config.seed).toBe(0);
    expect(odes[0].config.testSamples).toBe(0);
    for (const r of byEngine(runs, 'sampler')) expect(r.ode).toEqual({ params: { lr: r.key.params.lr }, seed: null, engine: 'ode' });
  });

  it('without the ode engine, runs name no ODE', () => {
    const runs = expandSweep(validateSweep({ base, seeds: 2, engines: ['sgd'] }));
    expect(runs.every((r) => r.ode === undefined)).toBe(true);
  });

  it('defaults: engines ode + sampler, every metric, thresholds', () => {
    const spec = validateSweep({ base });
    expect(spec.engines).toEqual(['ode', 'sampler']);
    expect(spec.metrics).toContain('maxAbsLogRatio');
    expect(spec.escapeThreshold).toBe(0.01);
    expect(spec.egFloor).toBe(1e-5);
    expect(validateSweep({ base, engines: ['sgd'] }).metrics).toEqual(['finalEg', 'escapeTime', 'divergedAt']);
  });

  it('the model can be varied (defaults of the base are filled per point, not frozen)', () => {
    const runs = expandSweep(validateSweep({ base, grid: { model: ['soft-committee', 'two-layer'] }, engines: ['sgd'] }));
    expect(runs.map((r) => r.config.trainSecondLayer)).toEqual([false, true]);
  });
});

describe('sweep designs declared in code (sweepAxes)', () => {
  const init = { Q: [[0.25, 0], [0, 0.25]], R: [[0.01, 0], [0, 0.01]], T: [[1, 0], [0, 1]] };

  it('expand to exactly the runs of the equivalent sweep file (keys, configs, ODE links, order)', () => {
    const file = validateSweep({ base: { ...base, init }, grid: { N: [100, 200], sigma: [0, 0.5] }, zip: [{ lr: [0.5, 1], tMax: [4, 2] }], seeds: 3, engines: ['ode', 'sampler'] });
    const design = { base: { ...base, init }, axes: sweepAxes([{ N: [100, 200] }, { sigma: [0, 0.5] }, { lr: [0.5, 1], tMax: [4, 2] }]), seeds: [1, 2, 3], engines: ['ode', 'sampler'] as const };
    const fromFile = expandSweep(file);
    expect(fromFile).toHaveLength(8 + 8 * 3); // one ODE per point (explicit init), a sampler run per point and seed
    expect(expandSweep(design)).toEqual(fromFile);
  });

  it('power: a zip group read as a grid (lr and tMax crossed) gives other runs', () => {
    const zipped = expandSweep({ base, axes: sweepAxes([{ lr: [0.5, 1], tMax: [4, 2] }]), seeds: [1], engines: ['sgd'] });
    const crossed = expandSweep({ base, axes: sweepAxes([{ lr: [0.5, 1] }, { tMax: [4, 2] }]), seeds: [1], engines: ['sgd'] });
    expect(zipped.map((r) => [r.config.lr, r.config.tMax])).toEqual([[0.5, 4], [1, 2]]);
    expect(crossed).toHaveLength(4);
  });

  it('an axis whose fields have different lengths, or none, is refused naming it', () => {
    expect(() => sweepAxes([{ N: [100] }, { lr: [0.5, 1], tMax: [4] }])).toThrow(/^axes\[1\]: /);
    expect(() => sweepAxes([{}])).toThrow(/^axes\[0\]: /);
  });

  it('a point whose config is invalid names the axis value and the run', () => {
    expect(() => expandSweep({ base, axes: sweepAxes([{ lr: [0.5, -1] }]), seeds: [1], engines: ['sgd'] })).toThrow(/^axes\[0\]\.lr\[1\]: .*run lr=-1/);
  });
});

describe('sweep validation: one line naming the path', () => {
  const cases: [string, unknown, string][] = [
    ['not an object', [1], 'sweep: must be a JSON object'],
    ['unknown top-level field', { base, gird: {} }, 'sweep.gird: unknown field'],
    ['bad base field', { base: { ...base, K: 0 } }, 'sweep.base.K: must be an integer ≥ 1, got 0'],
    ['base not an object', { base: 3 }, 'sweep.base: must be a run config object'],
    ['grid value out of range', { base, grid: { lr: [0.1, 0.2, 0.5, -1] } }, 'sweep.grid.lr[3]: must be > 0, got -1'],
    ['grid value of the wrong type', { base, grid: { N: [100, '200'] } }, 'sweep.grid.N[1]: must be an integer ≥ 1, got "200"'],
    ['grid value non-finite (null from JSON)', { base, grid: { lr: [null] } }, 'sweep.grid.lr[0]: must be a finite number'],
    ['grid vector of the wrong length', { base: { ...base, model: 'two-layer' }, grid: { vTeacher: [[1, 2, 3]] } }, 'sweep.grid.vTeacher[0]: must be an array of 2'],
    ['grid unknown field', { base, grid: { eta: [1] } }, 'sweep.grid.eta: unknown field'],
    ['grid seed', { base, grid: { seed: [1, 2] } }, 'sweep.grid.seed: vary seeds with sweep.seeds'],
    ['grid init', { base, grid: { init: [{}] } }, 'sweep.grid.init: init can only be set in sweep.base'],
    ['grid empty list', { base, grid: { lr: [] } }, 'sweep.grid.lr: must be a non-empty list of values'],
    ['grid not a list', { base, grid: { lr: 0.5 } }, 'sweep.grid.lr: must be a non-empty list of values'],
    ['grid duplicate value', { base, grid: { lr: [0.5, 0.5] } }, 'sweep.grid.lr[1]: value 0.5 is listed twice'],
    ['grid not an object', { base, grid: [] }, 'sweep.grid: must be an object of field → list of values'],
    ['zip lengths differ', { base, zip: [{ N: [200, 784], tMax: [10, 20, 30] }] }, 'sweep.zip[0].tMax: must have 2 values like sweep.zip[0].N, got 3'],
    ['zip bad value', { base, zip: [{ N: [200, 0] }] }, 'sweep.zip[0].N[1]: must be an integer ≥ 1, got 0'],
    ['zip empty group', { base, zip: [{}] }, 'sweep.zip[0]: must be a non-empty object of field → list of values'],
    ['zip not a list', { base, zip: { N: [1] } }, 'sweep.zip: must be a list of groups {field: [values], …}'],
    ['field varied twice', { base, grid: { N: [200] }, zip: [{ N: [300], tMax: [5] }] }, 'sweep.zip[0].N: already varied by sweep.grid.N'],
    ['seeds zero', { base, seeds: 0 }, 'sweep.seeds: must be a count (integer 1 … 100000) or a list of seeds, got 0'],
    ['seeds fractional', { base, seeds: 2.5 }, 'sweep.seeds: must be a count (integer 1 … 100000) or a list of seeds, got 2.5'],
    ['seeds bad entry', { base, seeds: [1, 1.5] }, 'sweep.seeds[1]: must be an integer (|seed| < 2^53) or a string, got 1.5'],
    ['seeds duplicate', { base, seeds: [1, 2, 1] }, 'sweep.seeds[2]: seed 1 is listed twice'],
    ['seeds 1 and "1" (one seed: streams are named by the text)', { base, seeds: [1, 2, '1'] }, 'sweep.seeds[2]: seed "1" is the same seed as 1 (sweep.seeds[0]): seeds are named by their text'],
    ['seeds 0 and -0', { base, seeds: [0, -0] }, 'sweep.seeds[1]: seed 0 is listed twice'],
    ['a grid list longer than the run limit is refused before its values are checked', { base, grid: { lr: Array.from({ length: 100_001 }, () => -1) } }, 'sweep.grid.lr: lists 100001 values, more than the limit of 100000 runs'],
    ['seeds and base.seed', { base: { ...base, seed: 3 }, seeds: 2 }, 'sweep.base.seed: remove it: the seeds are set by sweep.seeds'],
    ['unknown engine', { base, engines: ['ode', 'gpu'] }, 'sweep.engines[1]: must be one of ode, sgd, sampler, got "gpu"'],
    ['engines empty', { base, engines: [] }, 'sweep.engines: must be a non-empty list of ode, sgd, sampler'],
    ['engine twice', { base, engines: ['sgd', 'sgd'] }, 'sweep.engines[1]: "sgd" is listed twice'],
    ['unknown metric', { base, metrics: ['finalEg', 'loss'] }, 'sweep.metrics[1]: must be one of'],
    ['ODE metric without the ODE', { base, engines: ['sgd'], metrics: ['minAlignQ'] }, 'sweep.metrics[0]: minAlignQ compares with the ODE: add "ode" to sweep.engines'],
    ['escapeThreshold', { base, escapeThreshold: 0 }, 'sweep.escapeThreshold: must be a finite number > 0, got 0'],
    ['egFloor', { base, egFloor: 'x' }, 'sweep.egFloor: must be a finite number > 0, got "x"'],
    ['too many runs', { base, grid: { lr: Array.from({ length: 1000 }, (_, i) => 0.01 * (i + 1)) }, seeds: 200 }, 'sweep: expands to 400000 runs, more than the limit of 100000'],
  ];
  it.each(cases)('%s', (_name, raw, expected) => {
    expect(sweepError(raw)).toContain(expected);
  });

  it('a combination that only fails together names the run', () => {
    // recordEvery = 10 is fine with the base tMax (20) but not with tMax = 5.
    const spec = validateSweep({ base: { ...base, tMax: 20, recordEvery: 10 }, grid: { tMax: [20, 5] }, engines: ['sgd'] });
    expect(() => expandSweep(spec)).toThrow('sweep.base.recordEvery: must be ≤ tMax (5), got 10 (run tMax=5 seed=0)');
  });

  it('a combination of varied fields names the grid value that fails', () => {
    const spec = validateSweep({ base: { ...base, tMax: 20 }, grid: { tMax: [5, 20] }, zip: [{ recordEvery: [1, 10], recordPoints: [3, 4] }], engines: ['sgd'] });
    expect(() => expandSweep(spec)).toThrow('sweep.zip[0].recordEvery[1]: must be ≤ tMax (5), got 10 (run tMax=5 recordEvery=10 recordPoints=4 seed=0)');
  });

  it('the limit matches the documented constant', () => {
    expect(MAX_SWEEP_RUNS).toBe(100_000);
  });
});
