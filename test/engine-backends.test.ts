/**
 * The engine table keyed by (engine, backend): every engine and backend named has its entries,
 * the derived choices (where a run goes, a jobs file's default backend, expected seconds) are
 * the table's, and the cpu dispatch is the engines' own runEngine, result for result, with its
 * groups reported in order and its progress reaching 1.
 */
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../src/config.ts';
import {
  BACKEND_NAMES,
  BACKENDS,
  backendRuns,
  defaultBatchBackend,
  dispatch,
  ENGINE_BACKENDS,
  ENGINE_NAMES,
  enginePairs,
  enginesOn,
  expectedSeconds,
  onBackend,
  runBackend,
} from '../src/engineBackends.ts';
import { ENGINES, runCost, runEngine } from '../src/engines.ts';

const config = validateConfig({ model: 'two-layer', N: 60, K: 2, M: 2, lr: 0.5, tMax: 1, recordEvery: 0.25, recordScale: 'linear', seed: 4, studentScale: 0.3 });

describe('the engine table', () => {
  it('has every engine (each with a cpu entry) and every backend, and nothing else', () => {
    expect(Object.keys(ENGINES)).toEqual([...ENGINE_NAMES]);
    expect(Object.keys(ENGINE_BACKENDS)).toEqual([...ENGINE_NAMES]);
    expect(Object.keys(BACKENDS)).toEqual([...BACKEND_NAMES]);
    for (const e of ENGINE_NAMES) expect(backendRuns('cpu', e)).toBe(true);
    expect(enginePairs()).toEqual([
      { engine: 'ode', backend: 'cpu' },
      { engine: 'sgd', backend: 'cpu' },
      { engine: 'sgd', backend: 'webgpu' },
      { engine: 'sampler', backend: 'cpu' },
    ]);
    expect(enginesOn('webgpu')).toEqual(['sgd']);
    // A pair batches exactly when its backend holds a device in the orchestrating process.
    for (const { engine, backend } of enginePairs()) expect(onBackend(engine, backend).batches).toBe(BACKENDS[backend].gpu);
    expect(() => onBackend('ode', 'webgpu')).toThrow(/does not run on backend webgpu/);
  });

  it('sends a run to its study backend only when that backend runs the engine and supports the config', () => {
    expect(runBackend({ engine: 'sgd', config }, 'webgpu')).toBe('webgpu');
    expect(runBackend({ engine: 'sgd', config }, 'cpu')).toBe('cpu');
    expect(runBackend({ engine: 'ode', config }, 'webgpu')).toBe('cpu');
    expect(runBackend({ engine: 'sampler', config }, 'webgpu')).toBe('cpu');
    // The GPU engine has no test-set ε_g.
    expect(runBackend({ engine: 'sgd', config: { ...config, testSamples: 10 } }, 'webgpu')).toBe('cpu');
    expect(defaultBatchBackend('sgd')).toBe('webgpu');
    expect(defaultBatchBackend('ode')).toBe('cpu');
    expect(defaultBatchBackend('sampler')).toBe('cpu');
  });

  it('expected seconds are the engine cost times the pair’s seconds per unit', () => {
    for (const { engine, backend } of enginePairs()) {
      expect(expectedSeconds({ engine, backend, config })).toBe(runCost({ engine, config }) * onBackend(engine, backend).secondsPerCost);
    }
    expect(expectedSeconds({ engine: 'sgd', config })).toBe(expectedSeconds({ engine: 'sgd', backend: 'cpu', config }));
  });

  it('the cpu dispatch is runEngine, result for result, in order, with progress to 1', async () => {
    const configs = [config, { ...config, seed: 5 }, { ...config, lr: 0.2 }];
    for (const engine of ENGINE_NAMES) {
      const done: number[] = [];
      const progress: number[] = [];
      const results = await dispatch(engine, 'cpu', configs, { onDone: (indices) => done.push(...indices), onProgress: (f) => progress.push(f) });
      expect(results).toEqual(configs.map((c) => runEngine(engine, c)));
      expect(done).toEqual([0, 1, 2]);
      if (ENGINES[engine].role === 'simulation') {
        expect(progress.at(-1)).toBeCloseTo(1, 12);
        expect(progress.every((f, i) => i === 0 || f >= progress[i - 1])).toBe(true);
      }
    }
    // Power: the three configs give three different trajectories, so an index mix-up would show.
    const sgd = await dispatch('sgd', 'cpu', configs);
    expect(new Set(sgd.map((r) => JSON.stringify(r))).size).toBe(3);
  });

  it('passes the ODE its integrator options', async () => {
    const [rk4] = await dispatch('ode', 'cpu', [config], { ode: { method: 'rk4' } });
    expect(rk4).toEqual(runEngine('ode', config, { ode: { method: 'rk4' } }));
    expect(rk4).not.toEqual(runEngine('ode', config));
  });
});
