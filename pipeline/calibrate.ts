/**
 * Calibrate the replication tolerances: how far does one finite-N SGD run stray from its own
 * ODE when nothing is wrong?
 *
 *   npx tsx pipeline/calibrate.ts [--seeds S] [--preset full|ci|both|ensemble (default full)] [--out FILE]
 *                                 [--backend auto|cpu|webgpu (default auto)] [--jobs N] [--only NAME[,NAME]]
 *                                 [--executor local|slurm [SLURM options]]   (make calibrate EXECUTOR=slurm)
 *
 * For every panel setting of the figures that declare a calibration (soft committee, two-layer,
 * large initial weights, activations; each K, and each activation of Figure 7) it runs S fresh seeds (1001 … 1000+S, disjoint from the
 * figures' own seeds) and the ODE from the same initial order parameters, and records the
 * per-panel metrics the tolerances check:
 *  - full / ci / both: S = 50 seeds of the exact finite-N sampler (equal in distribution to full
 *    SGD, test/sampler.test.ts) → snapshots/calibration.json (`make calibrate`);
 *  - ensemble: S = 1000 seeds of full SGD (`engine: 'sgd'`) at the full preset's settings →
 *    snapshots/calibration-ensemble.json (`make calibrate PRESET=ensemble`; GPU-sized, docs/figures.md,
 *    "Ensemble preset (GPU)"). Where that file exists the bounds come from it
 *    (activeCalibrationPath in src/figures/calibration.ts).
 * It ends by printing the bounds the rule (boundsFromCalibration) gives on the new file: copy
 * them into src/figures/replicationBounds.ts. The tolerances in src/figures/common.ts are set
 * from the active file by that rule; test/figures.test.ts checks that they still equal it.
 * --only NAME[,NAME] (make calibrate ONLY=NAME) measures only those figures and merges their
 * entries into the existing file: every other entry is kept byte for byte, the named figures'
 * entries are replaced where they stood (or appended, for a figure new to the file). The file
 * must exist with the same seeds and engine, so one figure's calibration (a few minutes) need
 * not repeat all the others' (~20 min on 2 cores).
 * Runs go through the run scheduler and cache of `make figures` (src/runs/scheduler.ts): sgd
 * runs go to the GPU when the backend resolves to webgpu (the 1000-seed ensemble calibration is
 * sized for one), everything else to one CPU worker per core, and an interrupted calibration
 * resumes from the cache. Settings are run one at a time, so memory holds one setting's
 * trajectories (2·S runs). Deterministic: the same seeds and backend give the same file.
 * With --executor slurm every setting's missing runs go to the cluster first, as one job array
 * imported into the cache (src/cluster/executor.ts); the settings are then read from the cache.
 */
import { parseArgs } from 'node:util';
import { panelMetrics } from '../src/figures/common.ts';
import type { Preset } from '../src/figures/types.ts';
import { existsSync, readFileSync } from 'node:fs';
import {
  boundsFromCalibration,
  CALIBRATIONS,
  calibrationConfigHash,
  calibrationPath,
  calibrationSettings,
  figureSettings,
  mergeCalibrations,
  type CalibrationFile,
  type CalibrationName,
  type CalibrationSample,
} from '../src/figures/calibration.ts';
import type { FigureDefinition } from '../src/figures/types.ts';
import { FIGURES } from '../src/figures/registry.ts';
import { toJson, writeFileAtomic } from '../src/io.ts';
import { formatSeconds, progressEnabled } from '../src/progress.ts';
import { BACKEND_CHOICES, isBackendChoice, openBackendSession } from '../src/backends.ts';
import { defaultCacheDir } from '../src/runs/digest.ts';
import { installStopHandlers, parseWorkerCount, planJobs, plannedResult, runJobs, type PlannedJob } from '../src/runs/scheduler.ts';
import { clusterSession, EXECUTOR_OPTIONS, executorFrom, joinSlurmArgs } from '../src/cluster/options.ts';

const ESCAPE_THRESHOLD = 1e-2; // the figures' own threshold

/** 'K=4', or 'relu K=4' on a figure that compares activations. */
/**
 * The --preset choices: which calibration file each makes and over which figure presets. The
 * ensemble calibration measures the published (full) settings only.
 */
const CALIBRATE_PRESETS = {
  full: { calibration: 'sampler', presets: ['full'] },
  ci: { calibration: 'sampler', presets: ['ci'] },
  both: { calibration: 'sampler', presets: ['full', 'ci'] },
  ensemble: { calibration: 'ensemble', presets: ['full'] },
} as const satisfies Record<string, { calibration: CalibrationName; presets: readonly Preset[] }>;
type CalibratePreset = keyof typeof CALIBRATE_PRESETS;

const setting = (s: { K: number; activation?: string }) => `${s.activation === undefined ? '' : `${s.activation} `}K=${s.K}`;

function sample(seed: number, p: ReturnType<typeof panelMetrics>): CalibrationSample {
  return {
    seed,
    escapeTimeSim: p.escapeTimeSim,
    escapeTimeOde: p.escapeTimeOde,
    maxAbsLogRatioPreEscape: p.maxAbsLogRatioPreEscape,
    minAlignQPreEscape: p.minAlignQPreEscape,
    minAlignRPreEscape: p.minAlignRPreEscape,
    minAlignVPreEscape: p.minAlignVPreEscape,
    minAlignQ: p.minAlignQ,
    minAlignR: p.minAlignR,
    minAlignV: p.minAlignV,
    finalEgSim: p.finalEgSim,
    finalEgOde: p.finalEgOde,
    ...(p.plateauLogRatio === undefined ? {} : { plateauLogRatio: p.plateauLogRatio }),
  };
}

/** The calibrated figures --only names (all of them without it); an unknown or uncalibrated name is an error. */
function onlyFigures(only: string | undefined): FigureDefinition[] {
  const calibrated = FIGURES.filter((f) => f.calibration);
  if (only === undefined) return calibrated;
  const names = only.split(',').filter((n) => n !== '');
  if (names.length === 0) throw new Error(`--only: name a figure (one of: ${calibrated.map((f) => f.name).join(', ')})`);
  return names.map((n) => {
    const fig = calibrated.find((f) => f.name === n);
    if (!fig) throw new Error(`--only: no calibrated figure ${JSON.stringify(n)} (one of: ${calibrated.map((f) => f.name).join(', ')})`);
    return fig;
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: joinSlurmArgs(process.argv.slice(2)),
    options: {
      seeds: { type: 'string' },
      preset: { type: 'string', default: 'full' },
      out: { type: 'string' },
      backend: { type: 'string', default: 'auto' },
      jobs: { type: 'string' },
      only: { type: 'string' },
      ...EXECUTOR_OPTIONS,
    },
    strict: true,
  });
  if (!isBackendChoice(values.backend)) throw new Error(`--backend: must be ${BACKEND_CHOICES.join(', ')}, got ${JSON.stringify(values.backend)}`);
  const executor = executorFrom(values);
  if (executor.name === 'slurm' && values.jobs !== undefined) throw new Error('--jobs: the local executor\'s workers; with --executor slurm use --cpus-per-task');
  if (executor.name === 'slurm') (await import('../src/cluster/executor.ts')).checkClusterPaths(defaultCacheDir(), executor.slurm.partition);
  const workers = parseWorkerCount(values.jobs);
  installStopHandlers(() => process.stderr.write('\ncalibrate: stopped; nothing is written (a rerun resumes from the cache)\n'));
  if (!Object.hasOwn(CALIBRATE_PRESETS, values.preset!)) throw new Error(`--preset: must be full, ci, both or ensemble, got ${values.preset}`);
  const choice = CALIBRATE_PRESETS[values.preset as CalibratePreset];
  const which: CalibrationName = choice.calibration;
  const { engine, defaultSeeds } = CALIBRATIONS[which];
  const S = values.seeds === undefined ? defaultSeeds : Number(values.seeds);
  if (!Number.isInteger(S) || S < 2) throw new Error(`--seeds: must be an integer ≥ 2, got ${values.seeds}`);
  const out = values.out ?? calibrationPath(which);
  if (out.trim() === '') throw new Error('--out: must be a file path');
  const presets: readonly Preset[] = choice.presets;
  const seeds = Array.from({ length: S }, (_, i) => 1001 + i);
  const figures = onlyFigures(values.only);
  // Before any run: --only merges into a file that must already be there.
  const prior = values.only === undefined ? null : existsSync(out) ? (JSON.parse(readFileSync(out, 'utf8')) as CalibrationFile) : null;
  if (values.only !== undefined && !prior) throw new Error(`--only: ${out} does not exist; calibrate every figure first`);
  const all = calibrationSettings(figures, presets);
  const tty = progressEnabled();
  const started = Date.now();
  const total = all.length * seeds.length * 2;
  let finished = 0;
  const file: CalibrationFile = { seeds, engine, settings: [] };
  const cacheDir = defaultCacheDir();
  const session = executor.name === 'slurm' ? clusterSession(values.backend) : await openBackendSession(values.backend, [engine, 'ode']);
  const runsOf = (s: (typeof all)[number]) =>
    seeds.flatMap((seed) => [engine, 'ode' as const].map((e) => ({ label: `calibrate ${s.figure} ${setting(s)} seed=${seed} ${e}`, engine: e, config: s.config(seed) })));
  try {
    if (executor.name === 'slurm') {
      // Every setting's missing runs as one job array; a setting's cached trajectories are not kept meanwhile.
      const todo = new Map<string, PlannedJob>();
      for (const s of all) for (const j of planJobs(runsOf(s), { cacheDir, backend: session.backend }).jobs) if (!j.cached) todo.set(j.key, j);
      const { runOnSlurm } = await import('../src/cluster/executor.ts');
      const outcome = await runOnSlurm([...todo.values()], { cacheDir, what: 'calibrate', announce: `calibrate: ${total} runs, ${todo.size} to compute on SLURM` }, executor.slurm);
      if (outcome.status === 'submitted') {
        process.stderr.write('calibrate: submitted; run the same command again (without --submit-only) to collect the runs and write the file\n');
        return;
      }
    }
    for (const s of all) {
      const runs = runsOf(s);
      const { jobs, problems, jobOf } = planJobs(runs, { cacheDir, backend: session.backend });
      for (const p of problems) process.stderr.write(`cache: ${p.path}: ${p.reason}; recomputing\n`);
      const todo = jobs.filter((j) => !j.cached);
      finished += jobs.length - todo.length;
      await runJobs(todo, {
        cacheDir,
        workers,
        gpu: todo.some((j) => j.backend === 'webgpu') ? await session.gpu() : undefined,
        onDone: () => {
          finished++;
          if (tty) {
            const el = (Date.now() - started) / 1000;
            process.stderr.write(`\r\x1b[Kcalibrate (${engine}, ${session.backend}): ${s.figure} ${setting(s)}; ${finished}/${total} runs, ETA ${formatSeconds((el * (total - finished)) / finished)}`);
          }
        },
      });
      const results = jobOf.map((j) => plannedResult(j, cacheDir).trajectory);
      const samples = seeds.map((seed, i) =>
        sample(
          seed,
          panelMetrics({ K: s.K, seed, activation: s.activation }, results[2 * i], results[2 * i + 1], s.config(seed), { escapeThreshold: ESCAPE_THRESHOLD, plateau: s.plateau }),
        ),
      );
      file.settings.push({
        figure: s.figure,
        preset: s.preset,
        K: s.K,
        ...(s.activation === undefined ? {} : { activation: s.activation }),
        configHash: calibrationConfigHash(s.config(seeds[0])),
        samples,
      });
    }
  } finally {
    session.close();
  }
  if (tty) process.stderr.write('\r\x1b[K');
  const written = prior ? mergeCalibrations(prior, file) : file;
  writeFileAtomic(out, toJson(written, 1));
  process.stderr.write(`calibrate: ${total} ${engine}/ode runs (backend ${session.backend}) in ${formatSeconds((Date.now() - started) / 1000)} → ${out}${prior ? ` (merged: ${figures.map((f) => f.name).join(', ')})` : ''}\n`);
  if (!presets.includes('full')) return;
  for (const fig of figures) {
    const activations = [...new Set(calibrationSettings([fig], ['full']).map((s) => s.activation))];
    for (const activation of activations) {
      const { samples, tMax, seedsPerK } = figureSettings(written, fig, activation);
      process.stderr.write(`  ${fig.name}${activation === undefined ? '' : ` ${activation}`}: ${JSON.stringify(boundsFromCalibration(samples, tMax, seedsPerK))}\n`);
    }
  }
  process.stderr.write('  (the rule\'s bounds on this file: REPLICATION_BOUNDS (per activation: ACTIVATION_REPLICATION_BOUNDS) in src/figures/replicationBounds.ts must equal them)\n');
}

main().catch((e) => {
  process.stderr.write(`calibrate: ${(e as Error).message}\n`);
  process.exit(1);
});
