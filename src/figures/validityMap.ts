/**
 * Figure 5 — where the ODE theory holds: the learning-rate and noise bounds the blog's
 * draft asks for.
 *
 * Soft committee, K = M = 2, over a grid of η (up to and past divergence) and output noise σ,
 * at N = 200, 784 and 3000. Each cell: finite-N SGD (the exact order-parameter sampler, which
 * has the law of full SGD) against the ODE from the same initial order parameters, 4 seeds;
 * colour = mean over seeds of max_t |ln(ε_sim/ε_ode)| over t ≤ 20; crossed cells: SGD diverged
 * (Q_kk > 10⁴ or a non-finite state) for at least one seed.
 */
import type { RunConfig } from '../config.ts';
import { alignmentSummary } from '../metrics/alignment.ts';
import type { RunKey, RunResults } from '../runs/key.ts';
import { config, round } from './common.ts';
import type { FigureDefinition, Preset, RunSpec, Snapshot, Tolerance } from './types.ts';

export const VALIDITY_LRS = [0.25, 0.5, 1, 2, 3, 4, 6, 8];
export const VALIDITY_SIGMAS = [0, 0.5, 1, 2];

function grid(preset: Preset) {
  return preset === 'full'
    ? { Ns: [200, 784, 3000], lrs: VALIDITY_LRS, sigmas: VALIDITY_SIGMAS, seeds: [1, 2, 3, 4], tMax: 20 }
    : { Ns: [100, 400], lrs: [0.5, 2, 8], sigmas: [0, 1], seeds: [1, 2], tMax: 5 };
}

export function validityConfig(N: number, lr: number, sigma: number, seed: number, preset: Preset): RunConfig {
  return config({
    model: 'soft-committee',
    N,
    K: 2,
    M: 2,
    lr,
    sigma,
    batchSize: 1,
    tMax: grid(preset).tMax,
    recordEvery: 0.1,
    recordScale: 'log',
    recordPoints: 40,
    seed,
    teacherScale: 1,
    studentScale: 0.5,
  });
}

const cellKey = (N: number, lr: number, sigma: number, seed: number, engine: 'sampler' | 'ode'): RunKey => ({ params: { N, lr, sigma }, seed, engine });

function runs(preset: Preset): RunSpec[] {
  const g = grid(preset);
  const out: RunSpec[] = [];
  for (const N of g.Ns)
    for (const lr of g.lrs)
      for (const sigma of g.sigmas)
        for (const seed of g.seeds) {
          const cfg = validityConfig(N, lr, sigma, seed, preset);
          out.push({ key: cellKey(N, lr, sigma, seed, 'sampler'), engine: 'sampler', config: cfg, allowDivergence: true });
          out.push({ key: cellKey(N, lr, sigma, seed, 'ode'), engine: 'ode', config: cfg, allowDivergence: true });
        }
  return out;
}

interface Cell {
  N: number;
  lr: number;
  sigma: number;
  diverged: boolean;
  logRatio: number | null;
  minAlign: number | null;
}

function cells(results: RunResults, preset: Preset): Cell[] {
  const g = grid(preset);
  const out: Cell[] = [];
  for (const N of g.Ns)
    for (const lr of g.lrs)
      for (const sigma of g.sigmas) {
        let diverged = false;
        const ratios: number[] = [];
        const aligns: number[] = [];
        for (const seed of g.seeds) {
          const sim = results.get(cellKey(N, lr, sigma, seed, 'sampler'));
          const ode = results.get(cellKey(N, lr, sigma, seed, 'ode'));
          if (sim.divergedAt !== undefined || ode.divergedAt !== undefined) {
            diverged = true;
            continue;
          }
          const a = alignmentSummary(sim, ode);
          ratios.push(a.maxAbsLogRatio);
          aligns.push(Math.min(a.minAlignQ, a.minAlignR));
        }
        out.push({
          N,
          lr,
          sigma,
          diverged,
          logRatio: diverged ? null : round(ratios.reduce((a, b) => a + b, 0) / ratios.length, 4),
          minAlign: diverged ? null : round(aligns.reduce((a, b) => a + b, 0) / aligns.length, 4),
        });
      }
  return out;
}

/** Smallest η on the grid at which SGD diverged, per (N, σ); Infinity if none. */
function divergenceLr(cs: Cell[], N: number, sigma: number): number {
  const d = cs.filter((c) => c.N === N && c.sigma === sigma && c.diverged).map((c) => c.lr);
  return d.length ? Math.min(...d) : Infinity;
}

function build(results: RunResults, preset: Preset) {
  const g = grid(preset);
  const cs = cells(results, preset);
  const extra: Record<string, number> = {};
  for (const c of cs) {
    const key = `N=${c.N}/lr=${c.lr}/sigma=${c.sigma}`;
    extra[`${key}/logRatio`] = c.logRatio ?? -1;
    extra[`${key}/minAlign`] = c.minAlign ?? -1;
  }
  for (const N of g.Ns) for (const sigma of g.sigmas) extra[`N=${N}/sigma=${sigma}/divergenceLr`] = divergenceLr(cs, N, sigma) === Infinity ? -1 : divergenceLr(cs, N, sigma);
  const data = cs.map((c) => ({
    N: `N = ${c.N}`,
    lr: c.lr,
    sigma: c.sigma,
    discrepancy: c.logRatio === null ? null : Math.max(c.logRatio, 1e-3),
    alignment: c.minAlign,
    label: c.diverged ? '×' : c.logRatio !== null && c.logRatio < 0.1 ? '' : c.logRatio === null ? '' : c.logRatio.toFixed(1),
    diverged: c.diverged ? 'SGD diverged' : 'stable',
  }));
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'Where the ODEs follow finite-N SGD',
      subtitle: `soft committee K = M = 2, student scale 0.5; mean over ${g.seeds.length} seeds of max_t |ln(ε_sim/ε_ode)|, t ≤ ${g.tMax}; × = SGD diverged`,
    },
    data: { values: data },
    facet: { column: { field: 'N', type: 'ordinal', title: null, sort: g.Ns.map((N) => `N = ${N}`), header: { labelFontSize: 13 } } },
    spec: {
      width: 230,
      height: 130,
      encoding: {
        x: { field: 'lr', type: 'ordinal', title: 'learning rate η', sort: g.lrs },
        y: { field: 'sigma', type: 'ordinal', title: 'output noise σ', sort: 'descending' },
      },
      layer: [
        {
          mark: { type: 'rect' },
          encoding: {
            color: {
              field: 'discrepancy',
              type: 'quantitative',
              title: 'max |ln ε_sim/ε_ode|',
              scale: { type: 'log', domain: [0.01, 3], scheme: 'viridis', clamp: true },
              condition: { test: 'datum.discrepancy === null', value: '#dddddd' },
            },
          },
        },
        { mark: { type: 'text', fontSize: 11 }, encoding: { text: { field: 'label' }, color: { value: '#ffffff' } } },
      ],
    },
    config: { legend: { orient: 'right' }, view: { stroke: null } },
  };
  return { spec, snapshot: { figure: 'validity-map', preset, panels: [], extra } satisfies Snapshot };
}

const tolerances: Tolerance[] = [
  {
    name: 'theory holds at small η: discrepancy < 0.25 for η ≤ 0.5, σ ≤ 1, at every N',
    reason: 'For small η the ODE is the N → ∞ limit and ε_sim/ε_ode − 1 = O(1/√N) ≤ O(0.07) at N = 200 (measured prefactors 1.4–3.2 in test/ode-vs-sgd), so ln ratio ≲ 0.25.',
    check: (_p, s) => Object.entries(s.extra ?? {}).every(([k, v]) => {
      const m = /^N=(\d+)\/lr=([\d.]+)\/sigma=([\d.]+)\/logRatio$/.exec(k);
      return !m || Number(m[2]) > 0.5 || Number(m[3]) > 1 || (v >= 0 && v < 0.25);
    }),
    measured: (_p, s) => JSON.stringify(Object.fromEntries(Object.entries(s.extra ?? {}).filter(([k]) => /lr=0\.(25|5)\/.*logRatio/.test(k)))),
  },
  {
    name: 'discrepancy shrinks with N: at η = 2, σ = 1 it is smaller at N = 3000 than at N = 200',
    reason: 'Finite-size deviations scale as 1/√N: a factor √15 ≈ 3.9 between N = 200 and 3000, far beyond the seed-to-seed scatter of a 4-seed mean.',
    check: (_p, s) => (s.extra?.['N=3000/lr=2/sigma=1/logRatio'] ?? 9) < (s.extra?.['N=200/lr=2/sigma=1/logRatio'] ?? -1),
    measured: (_p, s) => `${s.extra?.['N=200/lr=2/sigma=1/logRatio']} → ${s.extra?.['N=3000/lr=2/sigma=1/logRatio']}`,
  },
  {
    name: 'SGD diverges inside the grid (η ≤ 8) for σ = 0 at every N',
    reason: 'The map must reach past the stability limit of online SGD for the erf committee (Saad & Solla 1995 find a maximal η of order a few for K = M = 2), so the × marks are part of the answer.',
    check: (_p, s) => [200, 784, 3000].every((N) => (s.extra?.[`N=${N}/sigma=0/divergenceLr`] ?? -1) > 0),
    measured: (_p, s) => [200, 784, 3000].map((N) => `N=${N}: ${s.extra?.[`N=${N}/sigma=0/divergenceLr`]}`).join(', '),
  },
];

export const validityMapFigure: FigureDefinition = {
  name: 'validity-map',
  title: 'Figure 5 — Learning-rate and noise bounds within which the ODEs follow SGD',
  caption: (preset) => {
    const g = grid(preset);
    return (
      `Discrepancy between finite-N SGD and the ODE for the soft committee machine (K = M = 2, student scale 0.5, ` +
      `t ≤ ${g.tMax}), as the mean over seeds ${g.seeds.join(', ')} of max_t |ln(ε_sim/ε_ode)|, over η ∈ {${g.lrs.join(', ')}} ` +
      `and σ ∈ {${g.sigmas.join(', ')}}, at N ∈ {${g.Ns.join(', ')}}. SGD is simulated with the exact order-parameter ` +
      `sampler (same law as full SGD; see test/sampler). Crossed cells: SGD diverged for at least one seed. ` +
      `The theory is accurate for small η at every σ; the discrepancy grows with η and σ, shrinks as 1/√N, and ` +
      `ends where SGD becomes unstable.`
    );
  },
  runs,
  build,
  tolerances,
};
