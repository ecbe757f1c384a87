/**
 * The CLI as a user meets it: determinism, JSON shape, and one clear line + exit 1 for
 * every kind of bad input, with nothing left on disk.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../src/config.ts';
import { runOde, runSimulation } from '../src/engines.ts';
import { alignmentSummary } from '../src/metrics/alignment.ts';
import { estimateResources } from '../src/resources.ts';
import { runCli as run } from './helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'tsdyn-cli-'));
function config(obj: unknown, name = 'c.json'): string {
  const p = join(dir, name);
  writeFileSync(p, typeof obj === 'string' ? obj : JSON.stringify(obj));
  return p;
}
const small = { model: 'two-layer', N: 100, K: 2, M: 2, lr: 0.5, tMax: 2, recordEvery: 0.5, recordScale: 'linear', seed: 3, studentScale: 0.3, studentVScale: 0.5, sigma: 0.1 };

describe('tsdyn CLI', () => {
  it('sim and ode print the documented JSON, identically on every run', () => {
    const c = config(small);
    const a = run(['sim', '--config', c]);
    const b = run(['sim', '--config', c]);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    const j = JSON.parse(a.stdout);
    expect(j.t).toEqual([0, 0.5, 1, 1.5, 2]);
    expect(j.eg).toHaveLength(5);
    expect(j.Q[0]).toHaveLength(2);
    expect(j.R[0][0]).toHaveLength(2);
    expect(j.v[0]).toHaveLength(2);
    const o1 = run(['ode', '--config', c]);
    const o2 = run(['ode', '--config', c]);
    expect(o1.code).toBe(0);
    expect(o1.stdout).toBe(o2.stdout);
    // ode without init starts from the weights sim draws
    expect(JSON.parse(o1.stdout).Q[0]).toEqual(j.Q[0]);
    const other = run(['sim', '--config', config({ ...small, seed: 4 }, 'seed4.json')]);
    expect(other.stdout).not.toBe(a.stdout);
  });

  it('compare prints the alignment table and --out writes JSON', () => {
    const c = config(small);
    const r = run(['compare', '--config', c]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/min cos-alignment Q/);
    const out = join(dir, 'cmp.json');
    expect(run(['compare', '--config', c, '--out', out]).code).toBe(0);
    const j = JSON.parse(readFileSync(out, 'utf8'));
    expect(j.summary.minAlignR).toBeGreaterThan(0.9);
  });

  it('ode honours explicit init order parameters', () => {
    const c = config({ ...small, init: { Q: [[0.2, 0], [0, 0.3]], R: [[0.1, 0], [0, 0.1]], T: [[1, 0], [0, 1]], v: [0.1, 0.2], vTeacher: [1, 1] } });
    const r = run(['ode', '--config', c]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.Q[0]).toEqual([[0.2, 0], [0, 0.3]]);
    expect(j.v[0]).toEqual([0.1, 0.2]);
  });

  const bad: [string, unknown, RegExp][] = [
    ['K = 0', { ...small, K: 0 }, /config\.K: must be an integer ≥ 1/],
    ['negative N', { ...small, N: -5 }, /config\.N: must be an integer ≥ 1/],
    ['non-integer N', { ...small, N: 10.5 }, /config\.N/],
    ['unknown field', { ...small, learningRate: 1 }, /config\.learningRate: unknown field/],
    ['bad model', { ...small, model: 'three-layer' }, /config\.model/],
    ['lr ≤ 0', { ...small, lr: 0 }, /config\.lr: must be > 0/],
    ['string sigma', { ...small, sigma: 'big' }, /config\.sigma: must be a finite number/],
    ['asymmetric init.Q', { ...small, init: { Q: [[1, 0.5], [0, 1]], R: [[0, 0], [0, 0]], T: [[1, 0], [0, 1]] } }, /config\.init\.Q: must be symmetric/],
    ['wrong-shaped init.R', { ...small, init: { Q: [[1, 0], [0, 1]], R: [[0, 0]], T: [[1, 0], [0, 1]] } }, /config\.init\.R/],
    ['malformed JSON', '{"K": 3,', /not valid JSON/],
    ['root not an object', '[1,2]', /config\.\(root\): must be a JSON object/],
  ];
  it.each(bad)('rejects %s with one line naming the field', (_name, obj, pattern) => {
    const out = join(dir, 'never.json');
    const r = run(['sim', '--config', config(obj, 'bad.json'), '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toHaveLength(1);
    expect(r.stderr[0]).toMatch(pattern);
    expect(existsSync(out)).toBe(false);
  });

  it('rejects unknown options and commands', () => {
    const c = config(small);
    for (const args of [['sim', '--config', c, '--bogus'], ['fly', '--config', c], ['ode', '--config', c, '--engine', 'sgd'], ['ode', '--config', c, '--method', 'euler']]) {
      const r = run(args);
      expect(r.code).toBe(1);
      expect(r.stderr).toHaveLength(1);
      expect(r.stderr[0]).toMatch(/^tsdyn: /);
    }
  });

  it('a diverging learning rate stops with a message naming lr and t, leaving no output file', () => {
    const out = join(dir, 'div-out.json');
    const r = run(['sim', '--config', config({ ...small, lr: 400, tMax: 50, recordEvery: 1 }, 'div.json'), '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr[0]).toMatch(/diverged at t=[\d.]+ with lr=400/);
    expect(existsSync(out)).toBe(false);
    const o = run(['ode', '--config', config({ ...small, model: 'soft-committee', studentVScale: 0, lr: 60, tMax: 5000, recordEvery: 100 }, 'div2.json'), '--out', out]);
    expect(o.code).toBe(1);
    expect(o.stderr[0]).toMatch(/ODE diverged at t=[\d.]+ with lr=60/);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('the output records the validated config, engine, backend and version', () => {
    const c = config({ ...small, $schema: './tsdyn-config.schema.json' }, 'prov.json');
    const r = run(['sim', '--engine', 'sampler', '--config', c]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    const version = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')).version;
    expect(j.provenance).toEqual({ tool: 'tsdyn', version, engine: 'sampler', backend: 'cpu', activation: 'erf' });
    expect(j.config).toEqual(JSON.parse(JSON.stringify(validateConfig(small))));
    expect(j.engine).toBe('sampler');
  });

  it('compare integrates the ODE from init, where the simulation starts', () => {
    // A start far from what the seeded weights give (R ≈ 0 there): R = 0.5·I, Q = 0.5·I + 0.1.
    const init = { Q: [[0.6, 0.1], [0.1, 0.6]], R: [[0.5, 0], [0, 0.5]], T: [[1, 0], [0, 1]], v: [0.8, 0.4], vTeacher: [1.2, 0.6] };
    const cfg = { ...small, N: 2000, tMax: 4, recordEvery: 0.5, sigma: 0, init };
    const r = run(['compare', '--json', '--config', config(cfg, 'init.json')]);
    expect(r.code).toBe(0);
    const { summary } = JSON.parse(r.stdout);
    // At N = 2000 the simulation follows its ODE to O(1/√N) ≈ 0.02.
    expect(summary.minAlignR).toBeGreaterThan(0.99);
    expect(summary.minAlignQ).toBeGreaterThan(0.99);
    // Power: the old behaviour (ODE from the seeded weights, not init) fails that bound.
    const v = validateConfig(cfg);
    const wrong = alignmentSummary(runSimulation(v), runOde({ ...v, init: undefined }));
    expect(wrong.minAlignR).toBeLessThan(0.9);
  });

  it('the resource estimate bounds the record count and matches the printed size', () => {
    for (const [engine, cfg] of [['sgd', { ...small, tMax: 20, recordEvery: 0.1 }], ['ode', { ...small, K: 5, M: 3, recordScale: 'log', recordPoints: 300, tMax: 50 }]] as const) {
      const v = validateConfig(cfg);
      const est = estimateResources(engine, v);
      const r = run(engine === 'ode' ? ['ode', '--config', config(cfg, 'est.json')] : ['sim', '--config', config(cfg, 'est.json')]);
      expect(r.code).toBe(0);
      const j = JSON.parse(r.stdout);
      expect(est.records).toBeGreaterThanOrEqual(j.t.length);
      // An upper bound: log-grid points closer than one step coincide.
      expect(est.records).toBeLessThanOrEqual(1.05 * j.t.length + 2);
      // Printed size within a factor 2 of the estimate (digits per number vary).
      const ratio = r.stdout.length / est.outputBytes;
      expect(ratio).toBeGreaterThan(0.5);
      expect(ratio).toBeLessThan(1.5);
    }
  });

  it('the hidden worker answers JSON-line jobs in order, with the same result as the commands', () => {
    const cfg = validateConfig(small);
    const jobs = [
      { id: 'a', engine: 'sampler', config: small },
      { id: 'b', engine: 'warp', config: small },
      { id: 'c', engine: 'sgd', config: { ...small, lr: 400, tMax: 50, recordEvery: 1 } },
      { id: 'd', engine: 'ode', config: { ...small, K: 0 } },
    ];
    const r = run(['worker'], { input: `${jobs.map((j) => JSON.stringify(j)).join('\n')}\nnot json\n` });
    expect(r.code).toBe(0);
    const replies = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(replies.map((x) => x.id)).toEqual(['a', 'b', 'c', 'd', null]);
    expect(replies[0].result.status).toBe('completed');
    expect(replies[0].result.trajectory).toEqual(runSimulation(cfg, { engine: 'sampler' }));
    expect(replies[1].error).toMatch(/engine: must be one of ode, sgd, sampler/);
    expect(replies[2].result.status).toBe('diverged');
    expect(replies[2].result.reason).toMatch(/diverged at t=[\d.]+ with lr=400/);
    expect(replies[3].error).toMatch(/^config\.K: must be an integer ≥ 1/);
    expect(replies[4].error).toMatch(/not valid JSON/);
    expect(run(['--help']).stdout).not.toMatch(/worker/);
  });
});

