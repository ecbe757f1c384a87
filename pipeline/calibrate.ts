/**
 * Calibrate the replication tolerances: how far does one finite-N SGD run stray from its own
 * ODE when nothing is wrong?
 *
 *   npx tsx pipeline/calibrate.ts [--seeds 50] [--preset full|ci|both (default full)]   → snapshots/calibration.json
 *
 * For every panel setting of the three theory-vs-simulation figures (soft committee, two-layer,
 * large initial weights; each K, both presets) it runs S fresh seeds (1001 … 1000+S, disjoint
 * from the figures' own seeds) through the exact finite-N sampler (equal in distribution to full
 * SGD, test/sampler.test.ts) and the ODE from the same initial order parameters, and records the
 * per-panel metrics the tolerances check. The tolerances in src/figures/common.ts are set from
 * this file by the rule stated there; test/figures.test.ts checks that they still cover it.
 * Deterministic: the same seeds give the same file.
 */
import { parseArgs } from 'node:util';
import { panelMetrics } from '../src/figures/common.ts';
import type { Preset } from '../src/figures/types.ts';
import { calibrationConfigHash, calibrationPath, calibrationSettings, type CalibrationFile, type CalibrationSample } from '../src/figures/calibration.ts';
import { FIGURES } from '../src/figures/registry.ts';
import { runInWorkers, type PoolJob } from '../src/sim/pool.ts';
import { toJson, writeFileAtomic } from '../src/io.ts';

const ESCAPE_THRESHOLD = 1e-2; // the figures' own threshold

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { seeds: { type: 'string', default: '50' }, preset: { type: 'string', default: 'full' } }, strict: true });
  const S = Number(values.seeds);
  if (!Number.isInteger(S) || S < 2) throw new Error(`--seeds: must be an integer ≥ 2, got ${values.seeds}`);
  if (!['full', 'ci', 'both'].includes(values.preset!)) throw new Error(`--preset: must be full, ci or both, got ${values.preset}`);
  const presets: Preset[] = values.preset === 'both' ? ['full', 'ci'] : [values.preset as Preset];
  const seeds = Array.from({ length: S }, (_, i) => 1001 + i);
  const all = calibrationSettings(FIGURES, presets);
  const jobs: PoolJob[] = [];
  for (const s of all) for (const seed of seeds) {
    const cfg = s.config(seed);
    jobs.push({ engine: 'sampler', config: cfg }, { engine: 'ode', config: cfg });
  }
  const tty = Boolean(process.stderr.isTTY) && !process.env.CI;
  const started = Date.now();
  let finished = 0;
  const results = await runInWorkers(jobs, {
    onProgress: (_i, f) => {
      if (f < 1) return;
      finished++;
      if (tty) {
        const el = (Date.now() - started) / 1000;
        process.stderr.write(`\r\x1b[Kcalibrate: ${finished}/${jobs.length} runs, ETA ${Math.round((el * (jobs.length - finished)) / finished)}s`);
      }
    },
  });
  if (tty) process.stderr.write('\r\x1b[K');
  const file: CalibrationFile = { seeds, engine: 'sampler', settings: [] };
  let j = 0;
  for (const s of all) {
    const samples: CalibrationSample[] = [];
    for (const seed of seeds) {
      const cfg = s.config(seed);
      const p = panelMetrics(`seed=${seed}`, results[j], results[j + 1], cfg, { escapeThreshold: ESCAPE_THRESHOLD });
      j += 2;
      samples.push({
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
      });
    }
    file.settings.push({ figure: s.figure, preset: s.preset, K: s.K, configHash: calibrationConfigHash(s.config(seeds[0])), samples });
  }
  writeFileAtomic(calibrationPath(), toJson(file, 1));
  process.stderr.write(`calibrate: ${jobs.length} runs in ${Math.round((Date.now() - started) / 1000)}s → ${calibrationPath()}\n`);
}

main().catch((e) => {
  process.stderr.write(`calibrate: ${(e as Error).message}\n`);
  process.exit(1);
});
