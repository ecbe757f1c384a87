/**
 * The 'ensemble' preset: its statistics, its figures' build on a tiny instance of the same
 * machinery (real sgd and ode runs through executeRun, the figure pipeline's run path), and
 * the preset plumbing (the default build's plan is untouched; the ensemble plan's size).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { snapshotPath } from '../pipeline/figureFiles.ts';
import { activeCalibrationPath, CALIBRATIONS, calibrationPath, readCalibration } from '../src/figures/calibration.ts';
import { figurePlan } from '../pipeline/figures.ts';
import { checkSnapshot } from '../src/figures/checks.ts';
import { ensembleFigure, meanAgreementTolerance, SPREAD_TIMES } from '../src/figures/ensemble/index.ts';
import { tinyEnsembleSettings } from './helpers/ensembleTiny.ts';
import { ENSEMBLE_SEEDS, ENSEMBLE_T_MAX, ensembleSoftCommitteeFigure, ensembleTwoLayerFigure } from '../src/figures/ensemble/index.ts';
import { acrossSeeds, recordsAt } from '../src/metrics/ensembleStats.ts';
import { executeRun } from '../src/engines.ts';
import { storedTrajectory } from '../src/runs/cache.ts';
import { ALL_FIGURES, FIGURES } from '../src/figures/registry.ts';
import { softCommitteeConfig } from '../src/figures/softCommittee/index.ts';
import { twoLayerConfig } from '../src/figures/twoLayer/index.ts';
import type { EnsembleSnapshot, FigureDefinition } from '../src/figures/types.ts';
import { renderSvg } from '../src/render/svg.ts';
import { RunResults } from '../src/runs/key.ts';
import type { Trajectory } from '../src/trajectory.ts';

describe('ensemble statistics', () => {
  it('mean and std across seeds match a one-pass (Welford) computation on data with known moments', () => {
    // Independent computation: Welford's update, on values with a large common offset (where
    // Σx² − n·x̄² would lose digits), and the exact answer for an arithmetic sequence.
    const S = 37;
    const series = Array.from({ length: S }, (_, s) => [1e6 + s, Math.sin(s) * 1e-3, s % 2]);
    const { mean, std } = acrossSeeds(series);
    for (let j = 0; j < 3; j++) {
      let m = 0;
      let m2 = 0;
      series.forEach((row, i) => {
        const d = row[j] - m;
        m += d / (i + 1);
        m2 += d * (row[j] - m);
      });
      expect(mean[j]).toBeCloseTo(m, 9);
      expect(std[j]).toBeCloseTo(Math.sqrt(m2 / (S - 1)), 9);
    }
    // 0, 1, …, S−1: mean (S−1)/2, sample variance S(S+1)/12.
    expect(mean[0] - 1e6).toBeCloseTo((S - 1) / 2, 9);
    expect(std[0]).toBeCloseTo(Math.sqrt((S * (S + 1)) / 12), 9);
  });

  it('rejects ragged or single-seed ensembles', () => {
    expect(() => acrossSeeds([[1, 2]])).toThrow(/at least 2 seeds/);
    expect(() => acrossSeeds([[1, 2], [1]])).toThrow(/record counts/);
  });

  it('recordsAt picks the first record at or after each time, past the end dropped', () => {
    expect(recordsAt([0, 0.5, 1, 3, 10], [1, 2, 10, 100])).toEqual([2, 3, 4]);
  });
});

function runAll(fig: FigureDefinition): { results: RunResults; trajectories: Map<string, Trajectory> } {
  const results = new RunResults();
  const trajectories = new Map<string, Trajectory>();
  for (const run of fig.runs('ensemble')) {
    const t = storedTrajectory(executeRun(run));
    results.set(run.key, t);
    trajectories.set(`${run.engine}:${run.key.seed}`, t);
  }
  return { results, trajectories };
}

/** Excess kurtosis-aware standard error of ln(sample std) (delta method: Var ≈ (κ − 1)/(4n)). */
function logStdSe(xs: number[]): number {
  const n = xs.length;
  const m = xs.reduce((a, x) => a + x, 0) / n;
  const v = xs.reduce((a, x) => a + (x - m) ** 2, 0) / n;
  const kurt = xs.reduce((a, x) => a + (x - m) ** 4, 0) / n / v ** 2;
  return Math.sqrt((kurt - 1) / (4 * (n - 1)));
}

describe('ensemble figure on a tiny instance (N = 100 and 900, t ≤ 2)', () => {
  // 40 seeds at N = 100 and 160 at N = 900: ≈ 0.4 M SGD steps and 200 short ODEs, a few seconds.
  const small = { N: 100, S: 40 };
  const large = { N: 900, S: 160 };
  const build = ({ N, S }: { N: number; S: number }) => {
    const fig = ensembleFigure(tinyEnsembleSettings(N, S));
    const { results, trajectories } = runAll(fig);
    const built = fig.build(results, 'ensemble');
    return { fig, built, snapshot: built.snapshot as EnsembleSnapshot, trajectories };
  };
  const a = build(small);
  const b = build(large);

  it('the snapshot has the typed shape and its mean/std equal an independent computation from the runs', () => {
    const { snapshot, trajectories } = a;
    expect(snapshot.N).toBe(100);
    const p = snapshot.panels[0];
    expect(p.seeds).toBe(40);
    // The first record at or after each of SPREAD_TIMES within t ≤ 2 (a log grid: t = 1 falls between records).
    expect(p.spread.length).toBe(SPREAD_TIMES.filter((t) => t <= 2).length);
    expect(p.spread[0].t).toBeGreaterThanOrEqual(1);
    const sims = [...Array(40).keys()].map((i) => trajectories.get(`sgd:${i + 1}`)!);
    const odes = [...Array(40).keys()].map((i) => trajectories.get(`ode:${i + 1}`)!);
    for (const r of p.records) {
      const j = sims[0].t.findIndex((t) => Math.abs(t - r.t) <= 1e-6 * t);
      expect(j).toBeGreaterThanOrEqual(0);
      const xs = sims.map((s) => s.eg[j]);
      const os = odes.map((o) => o.eg[j]);
      const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
      const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1));
      const dm = xs.reduce((s, x, i) => s + x - os[i], 0) / xs.length;
      const dsd = Math.sqrt(xs.reduce((s, x, i) => s + (x - os[i] - dm) ** 2, 0) / (xs.length - 1));
      expect(r.meanSim).toBeCloseTo(mean, 5);
      expect(r.stdSim).toBeCloseTo(sd, 5);
      expect(r.meanOde).toBeCloseTo(os.reduce((s, x) => s + x, 0) / os.length, 5);
      expect(r.stdDiff).toBeCloseTo(dsd, 5);
    }
    // Seeds differ in their starts (O(1/√N)), so neither spread is zero.
    expect(p.records.at(-1)!.stdSim).toBeGreaterThan(0);
    expect(p.records.at(-1)!.stdOde).toBeGreaterThan(0);
  });

  it('the plotted band contains the plotted mean at every record', () => {
    const rows = (a.built.spec.data as { values: Record<string, number | string>[] }).values.filter((r) => r.source === 'simulation');
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(r.lo as number).toBeLessThanOrEqual(r.eg as number);
      expect(r.hi as number).toBeGreaterThanOrEqual(r.eg as number);
      expect(r.hi as number).toBeGreaterThan(r.lo as number);
    }
  });

  it('the spread scales like 1/√N between N = 100 and 900; std of the mean (a wrong variant) is rejected', () => {
    // std·√N/mean is N-independent to leading order (fluctuations of Q, R, T are O(1/√N)). Test
    // ln of its ratio between the two N against its standard error from the samples themselves.
    const at = (x: typeof a, seeds: number) => {
      const p = x.snapshot.panels[0];
      const s = p.spread[0];
      const t = [...x.trajectories.values()][0].t;
      const j = recordsAt(t, [SPREAD_TIMES[0]])[0];
      expect(t[j]).toBeCloseTo(s.t, 6);
      const xs = [...Array(seeds).keys()].map((i) => x.trajectories.get(`sgd:${i + 1}`)!.eg[j]);
      return { spread: s.simSpreadSqrtN, se: logStdSe(xs), N: x.snapshot.N };
    };
    const sa = at(a, small.S);
    const sb = at(b, large.S);
    const se = Math.hypot(sa.se, sb.se);
    const z = (x: number, y: number) => Math.abs(Math.log(x / y)) / se;
    expect(z(sa.spread, sb.spread), `spread·√N: ${sa.spread} at N=100, ${sb.spread} at N=900, se ${se}`).toBeLessThan(3.29);
    // Power: the std of the mean (std/√S) at the two ensembles' sizes differs by √(160/40) = 2
    // from the std across seeds; the same check must reject it.
    expect(z(sa.spread / Math.sqrt(small.S), sb.spread / Math.sqrt(large.S))).toBeGreaterThan(3.29);
    // And so must a spread that does not shrink with N (√N-scaled as if it did not: ratio √9 = 3).
    expect(z(sa.spread / Math.sqrt(sa.N), sb.spread / Math.sqrt(sb.N))).toBeGreaterThan(3.29);
  });

  it("the ensemble figures' checks run on the snapshot and pass: the mean of the SGD runs follows the mean of their ODEs", () => {
    for (const fig of [ensembleSoftCommitteeFigure, ensembleTwoLayerFigure])
      for (const x of [a, b]) {
        const { ran, failures } = checkSnapshot(fig.tolerances, x.snapshot);
        expect(failures, `${fig.name} on N = ${x.snapshot.N}`).toEqual([]);
        expect(ran).toBeGreaterThan(0);
      }
  });

  it('power: the mean-agreement check rejects an ODE with a 30% learning-rate error, and a planted 5% error in the mean ODE', () => {
    // The wrong theory: every seed's ODE from its own start, at η × 1.3, against the same SGD runs.
    const fig = ensembleFigure(tinyEnsembleSettings(large.N, large.S));
    const wrong = new RunResults();
    for (const run of fig.runs('ensemble')) {
      const traj = run.engine === 'ode' ? storedTrajectory(executeRun({ ...run, config: { ...run.config, lr: run.config.lr * 1.3 } })) : b.trajectories.get(`sgd:${run.key.seed}`)!;
      wrong.set(run.key, traj);
    }
    const wrongSnapshot = fig.build(wrong, 'ensemble').snapshot as EnsembleSnapshot;
    expect(meanAgreementTolerance.check(b.snapshot)).toBe(true);
    expect(meanAgreementTolerance.check(wrongSnapshot), meanAgreementTolerance.measured(wrongSnapshot)).toBe(false);
    const planted: EnsembleSnapshot = {
      ...b.snapshot,
      panels: b.snapshot.panels.map((p) => ({ ...p, spread: p.spread.map((r) => ({ ...r, meanOde: r.meanOde * 1.05 })) })),
    };
    expect(checkSnapshot(ensembleSoftCommitteeFigure.tolerances, planted).failures.length).toBeGreaterThan(0);
  });

  it('the spec renders to the same SVG twice', async () => {
    const one = await renderSvg(a.built.spec as never);
    const two = await renderSvg(a.built.spec as never);
    expect(one.startsWith('<svg')).toBe(true);
    expect(one).toBe(two);
    expect(one).toContain('mean ± 1 std');
  });
});

describe('ensemble preset plumbing', () => {
  it('the default build (full, ci) plans exactly the figures it planned before: those without a presets field', () => {
    const plan = figurePlan(undefined, ['full', 'ci']);
    expect(plan.map((p) => p.preset)).toEqual(['full', 'ci']);
    const defaults = ALL_FIGURES.filter((f) => f.presets === undefined);
    for (const p of plan) expect(p.figures).toEqual(defaults);
    expect(FIGURES).toEqual(defaults);
    expect(plan.flatMap((p) => p.figures).some((f) => f.name.startsWith('ensemble'))).toBe(false);
  });

  it('the ensemble plan has the two SGD figures (100 seeds per K, 1200 runs at t = 10⁴ with the default figures’ other settings) and the complete validity map', () => {
    const [plan] = figurePlan(undefined, ['ensemble']);
    expect(plan.figures.map((f) => f.name)).toEqual(['ensemble-soft-committee', 'ensemble-two-layer', 'ensemble-validity-map']);
    const runs = plan.figures.filter((f) => f.name !== 'ensemble-validity-map').flatMap((f) => f.runs('ensemble'));
    expect(runs.length).toBe(2 * 3 * 100 * 2);
    expect(ENSEMBLE_SEEDS.length).toBeGreaterThanOrEqual(100);
    for (const r of runs) {
      expect(r.config.tMax).toBe(ENSEMBLE_T_MAX);
      expect(r.config.N * r.config.tMax).toBe(7_840_000);
    }
    const sc = ensembleSoftCommitteeFigure.runs('ensemble')[0].config;
    expect({ ...sc, tMax: 0, seed: 0 }).toEqual({ ...softCommitteeConfig(2, 'full'), tMax: 0, seed: 0 });
    const tl = ensembleTwoLayerFigure.runs('ensemble')[0].config;
    expect({ ...tl, tMax: 0 }).toEqual({ ...twoLayerConfig(2, 1, 'full'), tMax: 0 });
  });

  it('--only with an ensemble figure needs --preset ensemble; unknown names are one-line errors', () => {
    expect(() => figurePlan('ensemble-two-layer', ['full', 'ci'])).toThrow(/not in preset full or ci: add --preset ensemble/);
    expect(figurePlan('ensemble-two-layer', ['ensemble'])[0].figures.map((f) => f.name)).toEqual(['ensemble-two-layer']);
    expect(() => figurePlan('nope', ['ensemble'])).toThrow(/unknown figure "nope"/);
  });
});

describe('which calibration the replication bounds come from', () => {
  it('the sampler file until an ensemble file exists, then the ensemble file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsdyn-cal-'));
    try {
      writeFileSync(calibrationPath('sampler', dir), JSON.stringify({ seeds: [1001, 1002], engine: 'sampler', settings: [] }));
      expect(activeCalibrationPath(dir)).toBe(join(dir, 'calibration.json'));
      expect(readCalibration(dir)!.engine).toBe('sampler');
      writeFileSync(calibrationPath('ensemble', dir), JSON.stringify({ seeds: [1001, 1002], engine: 'sgd', settings: [] }));
      expect(activeCalibrationPath(dir)).toBe(join(dir, 'calibration-ensemble.json'));
      expect(readCalibration(dir)!.engine).toBe('sgd');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the repository's bounds check (test/figures.test.ts, readCalibration) reads the active file, made by its calibration's engine", () => {
    // test/figures.test.ts requires REPLICATION_BOUNDS to equal boundsFromCalibration on
    // readCalibration(): with this, that is whichever calibration file is present.
    const active = activeCalibrationPath();
    expect(readCalibration()).toEqual(JSON.parse(readFileSync(active, 'utf8')));
    const name = (Object.keys(CALIBRATIONS) as (keyof typeof CALIBRATIONS)[]).find((k) => active.endsWith(CALIBRATIONS[k].file))!;
    expect(readCalibration()!.engine).toBe(CALIBRATIONS[name].engine);
    expect(readCalibration()!.seeds.length).toBeGreaterThanOrEqual(CALIBRATIONS[name].defaultSeeds);
  });

  it('ensemble snapshots go to snapshots/ensemble/', () => {
    expect(snapshotPath('ensemble-two-layer', 'ensemble')).toMatch(/snapshots\/ensemble\/ensemble-two-layer\.json$/);
    expect(snapshotPath('two-layer', 'ci')).toMatch(/snapshots\/ci\/two-layer\.json$/);
  });
});
