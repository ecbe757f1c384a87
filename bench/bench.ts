/**
 * `npm run bench`: speed of the simulation and theory engines, against a native C reference
 * compiled and run in the same benchmark.
 *
 *  1. Online SGD, N = 784, M = 4, K ∈ {4, 6}, B = 1, two-layer and soft committee, erf; and
 *     K = 4 with the linear and ReLU activations (both models): steps/s of the TypeScript
 *     engine (src/sim/sgd.ts SgdStepper) and of bench/sgd_ref.c (same algorithm: xoshiro128** +
 *     256-layer ziggurat, the same g, interleaved weights with the deferred fused update),
 *     compiled here with `gcc -O3 -march=native`, K, M and the activation fixed at compile
 *     time. Both time only their step loop; best of REPS runs, TS and C interleaved.
 *     For context the same C is also built without SIMD and FMA (informational column).
 *  2. Honesty check: TS and C start from the same weights (written to bench/*.bin for C; both
 *     print the initial ε_g) and their final ε_g after a short run (t = 20) must agree
 *     statistically over SEEDS data seeds each (|z| < 4 for the difference of the means).
 *  3. ODE: right-hand-side evaluations/s and the time for the adaptive Dormand–Prince
 *     integrator to take the K = 6, M = 4 two-layer ODE to t = 1000 at rtol 1e-8. Per
 *     activation (erf, linear, ReLU; both models): K = M = 2 to t = 100 and K = M = 4 to
 *     t = 1000, with the RHS rate, each against erf's in the same run; and the cost of one ReLU
 *     I4 by the number |S| of distinct fields (the four-field orthant's path integral is the
 *     expensive part), at a generic covariance and at a nearly singular one.
 *  4. Parallel speed-up of 2 workers over 1 on 4 identical SGD jobs (bench/pool/pool.ts),
 *     wall-clock including worker start-up (~0.3 s), best of 2 each.
 *  5. Exact sampler vs full SGD (two-layer, K = M = 4): steps/s at N = 784 and N = 10⁴, the
 *     ratio measured in the same process (the sampler's cost does not depend on N).
 *  6. The heaviest simulation run of each figure (full preset, by the pipeline's cost estimate): its time.
 *  7. GPU (bench/gpu.ts): WebGPU run-steps/s against the batch size, into bench/results-gpu.json.
 *
 * Prints one table and writes bench/results.json (machine, Node, gcc, load, all numbers).
 * Timings on a shared machine vary; the load average is recorded with the results.
 * `--cpu-only` stops after bench/results.json (no GPU section, no explorer page in Chromium:
 * `npm run bench:gpu` and `npx tsx bench/explorer.ts` run those alone).
 */
import { formatRunKey } from '../src/runs/key.ts';
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateConfig, type RunConfig } from '../src/config.ts';
import { recordSteps } from '../src/recordTimes.ts';
import { executeRun, runCost, runSimulation } from '../src/engines.ts';
import { FIGURES } from '../src/figures/registry.ts';
import { runInWorkers, type PoolJob } from './pool/pool.ts';
import { benchGpu } from './gpu.ts';
import { createFiller, createRng } from '../src/sim/random.ts';
import { drive } from '../src/drive.ts';
import { sgdEngine, SgdStepper } from '../src/sim/sgd.ts';
import { drawInitialWeights, initialOrderParams, type Weights } from '../src/sim/weights.ts';
import { generalizationError } from '../src/theory/generalizationError.ts';
import { orderParamsFromWeights } from '../src/model/orderParams.ts';
import { packState, twoLayerRhs } from '../src/theory/rhs.ts';
import { odeParamsFor, solveOrderParameterOde } from '../src/theory/solve.ts';
import type { ActivationName } from '../src/activations/registry.ts';
import { benchActivationOdes } from './odeActivations.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const N = 784;
const M = 4;
const LR = 0.5;
const REPS = 3;
const TS_STEPS = 150_000;
const C_STEPS = 300_000;
const SEEDS = 10;
const CHECK_T = 20;

interface SgdCase {
  model: RunConfig['model'];
  K: number;
  activation: ActivationName;
  /** Learning rate (default LR). */
  lr?: number;
}
const SGD_CASES: SgdCase[] = [
  { model: 'two-layer', K: 4, activation: 'erf' },
  { model: 'soft-committee', K: 4, activation: 'erf' },
  { model: 'two-layer', K: 6, activation: 'erf' },
  { model: 'soft-committee', K: 6, activation: 'erf' },
  // η = 0.25 for linear: at Kη = 2 (η = 0.5, K = 4) the linear soft committee sits on its
  // stability edge and its ε_g drifts upward at finite N; Kη = 1 converges like the others.
  { model: 'two-layer', K: 4, activation: 'linear', lr: 0.25 },
  { model: 'soft-committee', K: 4, activation: 'linear', lr: 0.25 },
  { model: 'two-layer', K: 4, activation: 'relu' },
  { model: 'soft-committee', K: 4, activation: 'relu' },
];

/** The C reference's compile-time activation (-DACT). */
const C_ACT: Record<ActivationName, number> = { erf: 0, linear: 1, relu: 2 };

function configFor(c: SgdCase, extra: Partial<RunConfig> = {}): RunConfig {
  return validateConfig({ model: c.model, N, K: c.K, M, lr: c.lr ?? LR, seed: 0, studentScale: 1, studentVScale: c.model === 'two-layer' ? 1 : 0, activation: c.activation, ...extra });
}

// ------------------------------------------------------------------ C reference

function gccVersion(): string | null {
  try {
    return execFileSync('gcc', ['--version']).toString().split('\n')[0];
  } catch {
    return null;
  }
}

/** The reference build (`gcc -O3 -march=native`), or with `scalar` also no SIMD and no FMA contraction. */
function buildC(K: number, activation: ActivationName, scalar = false): string {
  const exe = join(HERE, `sgd_ref_k${K}m${M}_${activation}${scalar ? '_scalar' : ''}`);
  const extra = scalar ? ['-fno-tree-vectorize', '-fno-tree-slp-vectorize', '-ffp-contract=off'] : [];
  execFileSync('gcc', ['-O3', '-march=native', ...extra, `-DK_UNITS=${K}`, `-DM_UNITS=${M}`, `-DACT=${C_ACT[activation]}`, '-o', exe, join(HERE, 'sgd_ref.c'), '-lm']);
  return exe;
}

function writeWeights(w: Weights, path: string): void {
  const hdr = Buffer.alloc(12);
  hdr.writeInt32LE(w.N, 0);
  hdr.writeInt32LE(w.K, 4);
  hdr.writeInt32LE(w.M, 8);
  const parts = [w.W, w.Wt, w.v, w.vTeacher].map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength));
  writeFileSync(path, Buffer.concat([hdr, ...parts]));
}

interface CResult {
  steps: number;
  seconds: number;
  stepsPerSecond: number;
  eg0: number;
  eg: number;
  /** The activation the binary was compiled with. */
  act: ActivationName;
}

function runC(exe: string, weights: string, steps: number, trainV: boolean, seed: number, activation: ActivationName, lr: number): CResult {
  const out = execFileSync(exe, [weights, String(steps), String(lr), trainV ? '1' : '0', String(seed)]).toString();
  const res = JSON.parse(out) as CResult;
  // A binary built for another g would time (and check) the wrong computation.
  if (res.act !== activation) throw new Error(`bench: ${exe} computes ${res.act}, expected ${activation}`);
  return res;
}

// ------------------------------------------------------------------ TS SGD

function tsStepsPerSecond(cfg: RunConfig, w: Weights, steps: number, seed: number): number {
  const stepper = new SgdStepper(
    { N: cfg.N, K: cfg.K, M: cfg.M, lr: cfg.lr, sigma: 0, batchSize: 1, trainV: cfg.model === 'two-layer' && cfg.trainSecondLayer, activation: cfg.activation },
    { W: w.W.slice(), Wt: w.Wt, v: w.v.slice(), vTeacher: w.vTeacher },
    createRng(`bench:${seed}`),
  );
  for (let i = 0; i < 20_000; i++) stepper.step(); // JIT warm-up
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) stepper.step();
  const seconds = (performance.now() - t0) / 1000;
  stepper.flush();
  return steps / seconds;
}

/** Profile: the Gaussian fills alone (N draws per step, as a step makes them), per second. */
function tsFillsPerSecond(fills: number, seed: number): number {
  const fill = createFiller(createRng(`bench-fill:${seed}`), new Float64Array(N));
  for (let i = 0; i < 20_000; i++) fill();
  const t0 = performance.now();
  for (let i = 0; i < fills; i++) fill();
  return fills / ((performance.now() - t0) / 1000);
}

function runCFill(exe: string, weights: string, fills: number, seed: number): number {
  const out = execFileSync(exe, [weights, String(fills), String(LR), '0', String(seed), 'fill']).toString();
  return (JSON.parse(out) as { fillsPerSecond: number }).fillsPerSecond;
}

function meanSe(xs: number[]): { mean: number; se: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const v = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1);
  return { mean, se: Math.sqrt(v / xs.length) };
}

// ------------------------------------------------------------------ table

const rows: string[][] = [];
const row = (...cells: string[]) => rows.push(cells);
const fmtRate = (x: number) => (x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : `${(x / 1e3).toFixed(1)}k`);
const mark = (ok: boolean) => (ok ? 'yes' : 'NO');
/** ε_g in the check rows: fixed point, or an exponent once a run has converged far below 10⁻³. */
const fmtEg = (x: number) => (x !== 0 && Math.abs(x) < 1e-3 ? x.toExponential(2) : x.toFixed(5));

function printTable(): void {
  const header = ['benchmark', 'TypeScript', 'C reference', 'TS/C time', 'C scalar† (TS/C)', 'target', 'met'];
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => `| ${r.map((c, i) => (c ?? '').padEnd(widths[i])).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
}

// ------------------------------------------------------------------ main

async function main(): Promise<void> {
  const load0 = loadavg();
  const gcc = gccVersion();
  const results: Record<string, unknown> = {
    date: new Date().toISOString(),
    machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, availableParallelism: availableParallelism(), node: process.version, v8: process.versions.v8, gcc },
    settings: { N, M, lr: LR, reps: REPS, tsSteps: TS_STEPS, cSteps: C_STEPS, checkSeeds: SEEDS, checkT: CHECK_T },
  };
  const log = (s: string) => process.stderr.write(`${s}\n`);

  // 1 + 2: SGD speed and honesty check
  const sgd: Record<string, unknown>[] = [];
  for (const c of SGD_CASES) {
    const cfg = configFor(c);
    const trainV = cfg.model === 'two-layer';
    const w = drawInitialWeights(cfg);
    const weightsPath = join(HERE, `weights_${c.model}_k${c.K}.bin`);
    writeWeights(w, weightsPath);
    const exe = gcc ? buildC(c.K, c.activation) : null;
    const exeScalar = gcc ? buildC(c.K, c.activation, true) : null;
    const name = `${c.model} K=${c.K} ${c.activation}${c.lr === undefined ? '' : ` (η = ${c.lr})`}`;
    log(`SGD ${name}: timing…`);
    const ts: number[] = [];
    const cr: number[] = [];
    const cs: number[] = [];
    for (let r = 0; r < REPS; r++) {
      ts.push(tsStepsPerSecond(cfg, w, TS_STEPS, r));
      if (exe) cr.push(runC(exe, weightsPath, C_STEPS, trainV, r + 1, c.activation, cfg.lr).stepsPerSecond);
      if (exeScalar) cs.push(runC(exeScalar, weightsPath, C_STEPS, trainV, r + 1, c.activation, cfg.lr).stepsPerSecond);
    }
    // Profile: where a step's time goes, Gaussian fill vs the rest (fields, activations, update).
    const tsFill: number[] = [];
    const cFill: number[] = [];
    for (let r = 0; r < REPS; r++) {
      tsFill.push(tsFillsPerSecond(TS_STEPS, r));
      if (exe) cFill.push(runCFill(exe, weightsPath, C_STEPS, r + 1));
    }
    const tsBest = Math.max(...ts);
    const cBest = exe ? Math.max(...cr) : NaN;
    const cScalarBest = exeScalar ? Math.max(...cs) : NaN;
    const ratio = cBest / tsBest; // TS time per step / C time per step
    const ratioScalar = cScalarBest / tsBest;

    const us = (rate: number) => 1e6 / rate;
    const profile = {
      tsStepMicros: us(tsBest),
      tsFillMicros: us(Math.max(...tsFill)),
      cStepMicros: exe ? us(cBest) : NaN,
      cFillMicros: exe ? us(Math.max(...cFill)) : NaN,
    };
    const tsRest = profile.tsStepMicros - profile.tsFillMicros;
    const cRest = profile.cStepMicros - profile.cFillMicros;

    // honesty: same initial weights, final ε_g at t = CHECK_T over SEEDS seeds each
    log(`SGD ${name}: honesty check…`);
    const eg0 = generalizationError(orderParamsFromWeights(N, c.K, M, w.W, w.Wt, w.v, w.vTeacher), c.activation);
    const steps = Math.round(CHECK_T * N);
    const tsEg: number[] = [];
    const cEg: number[] = [];
    let cEg0 = NaN;
    for (let s = 0; s < SEEDS; s++) {
      const run = drive(sgdEngine(w), 'sgd', configFor(c, { seed: `check${s}`, tMax: CHECK_T, recordEvery: CHECK_T, recordScale: 'linear' }));
      tsEg.push(run.eg.at(-1)!);
      if (exe) {
        const res = runC(exe, weightsPath, steps, trainV, 1000 + s, c.activation, cfg.lr);
        cEg.push(res.eg);
        cEg0 = res.eg0;
      }
    }
    const a = meanSe(tsEg);
    const b = exe ? meanSe(cEg) : { mean: NaN, se: NaN };
    const z = (a.mean - b.mean) / Math.sqrt(a.se ** 2 + b.se ** 2);
    const sameStart = Math.abs(cEg0 - eg0) <= 1e-12 * eg0;
    const pass = sameStart && Math.abs(z) < 4;
    sgd.push({
      ...c,
      N,
      M,
      tsStepsPerSecond: ts,
      cStepsPerSecond: cr,
      cScalarStepsPerSecond: cs,
      tsBest,
      cBest,
      cScalarBest,
      tsOverCTime: ratio,
      tsOverCScalarTime: ratioScalar,
      profile: { ...profile, tsFillsPerSecond: tsFill, cFillsPerSecond: cFill },
      check: { eg0, cEg0, sameStart, tsEg, cEg, ts: a, c: b, z, pass },
    });
    row(
      `SGD steps/s, ${name}`,
      fmtRate(tsBest),
      exe ? fmtRate(cBest) : 'n/a',
      exe ? `${ratio.toFixed(2)}×` : 'n/a',
      exeScalar ? `${fmtRate(cScalarBest)} (${ratioScalar.toFixed(2)}×)` : 'n/a',
      '≤ 1.50×',
      exe ? mark(ratio <= 1.5) : 'n/a',
    );
    row(
      `  profile, µs per step: Gaussian fill (${N} draws) + rest (fields, ${c.activation}, update)`,
      `${profile.tsFillMicros.toFixed(2)} + ${tsRest.toFixed(2)}`,
      exe ? `${profile.cFillMicros.toFixed(2)} + ${cRest.toFixed(2)}` : 'n/a',
      exe ? `${(profile.tsFillMicros / profile.cFillMicros).toFixed(2)}× + ${(tsRest / cRest).toFixed(2)}×` : 'n/a',
      '',
      '',
      '',
    );
    row(
      `  check: ε_g(t=${CHECK_T}) from the same start (ε_g0 TS ${eg0.toFixed(6)}, C ${Number.isFinite(cEg0) ? cEg0.toFixed(6) : 'n/a'}), ${SEEDS} seeds`,
      `${fmtEg(a.mean)} ± ${fmtEg(a.se)}`,
      exe ? `${fmtEg(b.mean)} ± ${fmtEg(b.se)}` : 'n/a',
      exe ? `z = ${z.toFixed(2)}` : '',
      '',
      '|z| < 4',
      exe ? (pass ? 'PASS' : 'FAIL') : 'n/a',
    );
  }
  results.sgd = sgd;

  // 3: ODE
  log('ODE…');
  const odeCfg = validateConfig({ model: 'two-layer', N, K: 6, M: 4, lr: LR, tMax: 1000, studentVScale: 1 });
  const init = initialOrderParams(odeCfg);
  const params = odeParamsFor(odeCfg, init);
  const f = twoLayerRhs(params);
  const y = packState(init);
  const dy = new Float64Array(y.length);
  for (let i = 0; i < 20_000; i++) f(0, y, dy);
  let bestRhs = 0;
  for (let r = 0; r < REPS; r++) {
    const n = 50_000;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) f(0, y, dy);
    bestRhs = Math.max(bestRhs, n / ((performance.now() - t0) / 1000));
  }
  const steps = recordSteps(odeCfg);
  let bestSolve = Infinity;
  let stats: unknown = null;
  for (let r = 0; r < REPS; r++) {
    const t0 = performance.now();
    const traj = solveOrderParameterOde(odeCfg, init, steps, { method: 'dopri5', rtol: 1e-8 });
    const dt = (performance.now() - t0) / 1000;
    if (dt < bestSolve) {
      bestSolve = dt;
      stats = traj.stats;
    }
  }
  const st = stats as { accepted: number; rejected: number; rhsEvaluations: number };
  results.ode = {
    config: { model: 'two-layer', K: 6, M: 4, lr: LR, tMax: 1000, rtol: 1e-8, atol: 1e-10, studentScale: odeCfg.studentScale, studentVScale: 1, records: steps.length },
    rhsEvaluationsPerSecond: bestRhs,
    solveSeconds: bestSolve,
    stats: st,
  };
  row('ODE right-hand side evaluations/s, K=6 M=4', fmtRate(bestRhs), '', '', '', '', '');
  row(
    `ODE K=6 M=4 to t=1000, rtol 1e-8 (${st.accepted} steps, ${st.rhsEvaluations} evals)`,
    `${bestSolve.toFixed(3)} s`,
    '',
    '',
    '',
    '< 0.5 s',
    mark(bestSolve < 0.5),
  );

  // 3b: the ODE per activation, and the cost of one ReLU I4
  const acts = benchActivationOdes(log);
  results.odeActivations = acts;
  for (const c of acts.cases) {
    const target = c.targetSeconds === null ? '' : `≤ ${c.targetSeconds} s`;
    row(
      `ODE ${c.model} ${c.activation} K=M=${c.K} to t=${c.tMax} (${c.accepted} steps, ${c.rhsEvaluations} evals; RHS/s start ${fmtRate(c.rhsPerSecondStart)}, end ${fmtRate(c.rhsPerSecondEnd)})`,
      `${c.solveSeconds.toFixed(3)} s`,
      '',
      c.activation === 'erf' ? '' : `${c.vsErf.toFixed(1)}× erf`,
      '',
      target,
      c.targetSeconds === null ? '' : mark(c.solveSeconds <= c.targetSeconds),
    );
  }
  for (const state of ['start', 'end'] as const) {
    const per = (a: ActivationName) => acts.i4.filter((x) => x.state === state && x.activation === a);
    row(
      `one I4, µs by |S| = 1, 2, 3, 4 distinct fields, two-layer K=M=4 ${state === 'start' ? 'start' : `end (1 − max |ρ| = ${acts.i4States.minOneMinusCorrelationEnd.toExponential(1)})`}: ReLU (erf)`,
      per('relu').map((x) => x.microsPerCall.toFixed(2)).join(' / '),
      '',
      `(${per('erf').map((x) => x.microsPerCall.toFixed(2)).join(' / ')})`,
      '',
      '',
      '',
    );
  }

  // 4: parallel speed-up
  log('parallel speed-up…');
  const parCfg = configFor({ model: 'two-layer', K: 4, activation: 'erf' }, { tMax: 500, recordEvery: 1, recordScale: 'log', recordPoints: 50, seed: 'parallel' });
  const jobs: PoolJob[] = Array.from({ length: 4 }, () => ({ engine: 'sgd', config: parCfg }));
  const wall = async (workers: number) => {
    const t0 = performance.now();
    await runInWorkers(jobs, { workers });
    return (performance.now() - t0) / 1000;
  };
  const one: number[] = [];
  const two: number[] = [];
  for (let r = 0; r < 2; r++) {
    one.push(await wall(1));
    two.push(await wall(2));
  }
  const t1 = Math.min(...one);
  const t2 = Math.min(...two);
  const speedup = t1 / t2;
  results.parallel = { jobs: 4, stepsPerJob: Math.round(parCfg.tMax * N), oneWorkerSeconds: one, twoWorkersSeconds: two, speedup, cores: availableParallelism() };
  row(`parallel speed-up, 2 vs 1 workers, 4 SGD jobs (${t1.toFixed(2)} s → ${t2.toFixed(2)} s)`, `${speedup.toFixed(2)}×`, '', '', '', '≥ 1.8×', mark(speedup >= 1.8));

  // 5: exact sampler vs full SGD
  log('sampler vs SGD…');
  const samplerRows: Record<string, unknown>[] = [];
  for (const [n, tMax] of [[784, 100], [10_000, 8]] as const) {
    const cfg = validateConfig({ model: 'two-layer', N: n, K: 4, M, lr: LR, tMax, recordEvery: tMax, recordScale: 'linear', seed: 'sampler-bench', studentScale: 1, studentVScale: 1 });
    const rate = (engine: 'sgd' | 'sampler') => {
      let best = 0;
      for (let r = 0; r < 2; r++) {
        const t0 = performance.now();
        runSimulation(cfg, { engine });
        best = Math.max(best, (tMax * n) / ((performance.now() - t0) / 1000));
      }
      return best;
    };
    const sgdRate = rate('sgd');
    const samplerRate = rate('sampler');
    samplerRows.push({ N: n, steps: tMax * n, sgdStepsPerSecond: sgdRate, samplerStepsPerSecond: samplerRate, speedup: samplerRate / sgdRate });
    row(`exact sampler vs full SGD steps/s, two-layer K=4 M=4, N=${n}`, `${fmtRate(samplerRate)} (SGD ${fmtRate(sgdRate)})`, '', `sampler ${(samplerRate / sgdRate).toFixed(1)}× faster`, '', '', '');
  }
  results.sampler = samplerRows;

  // 6: the heaviest run of each figure
  log('heaviest run per figure…');
  const heaviest: Record<string, unknown>[] = [];
  for (const fig of FIGURES) {
    // Simulations dominate every figure; the cost model's ODE estimate is a constant, not comparable.
    const all = fig.runs('full');
    const sims = all.filter((r) => r.engine !== 'ode');
    const run = (sims.length ? sims : all).reduce((a, b) => (runCost(b) > runCost(a) ? b : a));
    const t0 = performance.now();
    executeRun(run);
    const seconds = (performance.now() - t0) / 1000;
    heaviest.push({ figure: fig.name, run: formatRunKey(run.key), engine: run.engine, seconds });
    row(`heaviest run of figure ${fig.name}: ${formatRunKey(run.key)}`, `${seconds.toFixed(2)} s`, '', '', '', '', '');
  }
  results.heaviestRunPerFigure = heaviest;

  results.loadavg = { before: load0, after: loadavg() };
  printTable();
  const la = loadavg();
  console.log('† same C source with -fno-tree-vectorize -fno-tree-slp-vectorize -ffp-contract=off: no SIMD, no FMA (what JavaScript can express); informational.');
  console.log(`${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.version}, ${gcc ?? 'no gcc'}; load average ${load0.map((x) => x.toFixed(2)).join(' ')} → ${la.map((x) => x.toFixed(2)).join(' ')}`);
  const out = join(HERE, 'results.json');
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`wrote ${out}`);
  if (!existsSync(out)) process.exitCode = 1;
}

await main();
if (!process.argv.includes('--cpu-only')) {
  await benchGpu();
  await (await import('./explorer.ts')).main(); // explorer page in headless Chromium → bench/explorer-results.json
}
