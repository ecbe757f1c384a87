/**
 * The pipeline's side-effecting steps, called by pipeline/figures.mjs (zx):
 *
 *   tsx pipeline/tasks.ts plan  --preset full|ci [--only NAME]   → JSON list of runs (cached or not)
 *   tsx pipeline/tasks.ts serve                                   → read run keys from stdin, one per line;
 *                                                                   compute each into the cache and print "done KEY SECONDS"
 *   tsx pipeline/tasks.ts build --preset full|ci [--only NAME]   → figures/, snapshots/, gallery
 *
 * Cache: .cache/jobs/KEY.json (the job) and .cache/runs/KEY.json (its trajectory). KEY hashes
 * the engine, the full config and the engine's source files (see src/figures/runKey.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { executeRun, runCost, storedTrajectory } from '../src/figures/execute.ts';
import { FIGURES, figureByName } from '../src/figures/registry.ts';
import { runKey } from '../src/figures/runKey.ts';
import type { FigureDefinition, Preset, RunSpec } from '../src/figures/types.ts';
import { toJson, writeFileAtomic } from '../src/io.ts';
import { engineDigest, renderFigureOutputs, ROOT, snapshotPath } from './outputs.ts';
import type { Trajectory } from '../src/trajectory.ts';

const CACHE = join(ROOT, '.cache');

function figuresFor(only?: string): FigureDefinition[] {
  return only ? only.split(',').map(figureByName) : FIGURES;
}

interface PlannedRun {
  key: string;
  figure: string;
  id: string;
  engine: RunSpec['engine'];
  cost: number;
  cached: boolean;
}

function plan(preset: Preset, only?: string): PlannedRun[] {
  const digest = engineDigest();
  const seen = new Set<string>();
  const out: PlannedRun[] = [];
  for (const fig of figuresFor(only)) {
    for (const run of fig.runs(preset)) {
      const key = runKey(run, digest);
      if (seen.has(key)) continue; // figures share runs (e.g. the specialization figure reuses Figure 1's K = 4)
      seen.add(key);
      const jobPath = join(CACHE, 'jobs', `${key}.json`);
      if (!existsSync(jobPath)) writeFileAtomic(jobPath, toJson({ engine: run.engine, config: run.config, label: `${fig.name} ${run.id}` }));
      out.push({ key, figure: fig.name, id: run.id, engine: run.engine, cost: runCost(run), cached: existsSync(join(CACHE, 'runs', `${key}.json`)) });
    }
  }
  return out;
}

function runJob(key: string): void {
  const job = JSON.parse(readFileSync(join(CACHE, 'jobs', `${key}.json`), 'utf8')) as RunSpec;
  const traj = storedTrajectory(executeRun(job));
  writeFileAtomic(join(CACHE, 'runs', `${key}.json`), toJson(traj));
}

/**
 * A long-lived worker process: the orchestrator feeds it one key at a time (the next one when
 * it reports the last done), so every core stays busy whatever the runs cost, and tsx and the
 * modules load once per worker instead of once per run (~1 s each time, more than most sampler
 * runs take; the validity map alone has 768 runs).
 */
async function serve(): Promise<void> {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    const key = line.trim();
    if (!key) continue;
    const started = performance.now();
    runJob(key);
    process.stdout.write(`done ${key} ${((performance.now() - started) / 1000).toFixed(3)}\n`);
  }
}

export function loadResults(fig: FigureDefinition, preset: Preset): Map<string, Trajectory> {
  const digest = engineDigest();
  const results = new Map<string, Trajectory>();
  for (const run of fig.runs(preset)) {
    const path = join(CACHE, 'runs', `${runKey(run, digest)}.json`);
    if (!existsSync(path)) throw new Error(`run ${fig.name} ${run.id} is not in the cache: run the plan first`);
    results.set(run.id, JSON.parse(readFileSync(path, 'utf8')) as Trajectory);
  }
  return results;
}

async function build(preset: Preset, only?: string): Promise<void> {
  const built = [];
  for (const fig of figuresFor(only)) {
    const b = fig.build(loadResults(fig, preset), preset);
    writeFileAtomic(snapshotPath(fig.name, preset), toJson(b.snapshot, 2));
    built.push({ fig, b });
  }
  if (preset === 'full') await renderFigureOutputs(built.map(({ fig, b }) => ({ fig, built: b })));
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  const { values } = parseArgs({
    args: rest,
    options: { preset: { type: 'string', default: 'full' }, only: { type: 'string' } },
    strict: true,
  });
  const preset = values.preset as Preset;
  if (preset !== 'full' && preset !== 'ci') throw new Error(`--preset: must be full or ci, got ${JSON.stringify(preset)}`);
  if (command === 'plan') process.stdout.write(toJson(plan(preset, values.only)));
  else if (command === 'serve') await serve();
  else if (command === 'build') await build(preset, values.only);
  else throw new Error(`unknown task ${JSON.stringify(command)} (plan, serve, build)`);
}

if (process.argv[1]?.endsWith('tasks.ts')) {
  main().catch((e) => {
    process.stderr.write(`pipeline: ${(e as Error).message}\n`);
    process.exit(1);
  });
}
