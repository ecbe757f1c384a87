/**
 * make figures: plan every run of every figure, compute the missing ones in worker processes
 * (src/runs/scheduler.ts: one per core, costliest first), then build figures/, snapshots/ and
 * the gallery.
 *
 *   npx zx pipeline/figures.mjs [--only NAME[,NAME]] [--preset full|ci|ensemble] [--jobs N] [--backend auto|cpu|webgpu]
 *                               [--executor local|slurm [SLURM options]]
 *   npx tsx pipeline/figures.ts export-jobs|import-batch …   (a remote GPU box: pipeline/batch.ts)
 *
 * --executor slurm (make figures EXECUTOR=slurm SLURM='--partition …'): every preset's missing
 * runs, of every figure, go to the cluster as one job array first (src/cluster/executor.ts), and
 * are imported into the run cache; the presets are then built from the cache as locally.
 *
 * --backend (make figures BACKEND=…; default auto: a hardware GPU when found, else cpu): on
 * webgpu the sgd runs are batched on the GPU in this process while the CPU workers take the ode
 * and sampler runs; each run is its own cache file with its backend in the key. Snapshots get a
 * `backend` field and captions a sentence naming it.
 *
 * Without --preset the presets of the default build are built (PRESETS in
 * src/figures/types.ts): 'full' (published settings: SVGs, gallery, snapshots/) and 'ci' (the
 * reduced runs CI repeats: snapshots/ci/). '--preset ensemble' builds only the figures that
 * list that preset (SVGs, snapshots/ensemble/ and figures/ensemble.html, not the default gallery). Unchanged runs come from
 * the verified cache (src/runs/cache.ts); a damaged cache file is named and recomputed. On a
 * terminal a progress line shows what runs, how far and the ETA; in CI (CI set, or no TTY)
 * only one summary line per preset is printed. Every run of every preset is checked before the
 * first starts (limits as `tsdyn sim`, TSDYN_MAX_MEMORY / TSDYN_MAX_SAMPLES), and the output
 * folder too; a preset's snapshots, SVGs and specs are renamed into place together.
 * SIGINT/SIGTERM/SIGHUP stop the workers at once and nothing is written after the stop; after
 * SIGKILL the workers end themselves (src/runs/watchdog.mjs).
 */
import { UsageError } from '../src/errors.ts';
import { availableParallelism } from 'node:os';
import { resourceLimits } from '../src/commands/args.ts';
import { checkTargetFolder, StagedFiles } from '../src/outputFolder.ts';
import type { ResourceLimits } from '../src/resources.ts';
import { BACKENDS, runBackend, type Backend } from '../src/engineBackends.ts';
import { checkRuns } from '../src/runs/validate.ts';
import { parseArgs } from 'node:util';
import { ALL_FIGURES, figuresOfPreset } from '../src/figures/registry.ts';
import { DEFAULT_FIGURE_PRESETS, PRESETS, type FigureDefinition, type Preset } from '../src/figures/types.ts';
import { toJson } from '../src/io.ts';
import { formatSeconds, progressEnabled } from '../src/progress.ts';
import { BACKEND_CHOICES, CPU_SESSION, isBackendChoice, openBackendSession, type BackendChoice, type BackendSession } from '../src/backends.ts';
import { defaultCacheDir } from '../src/runs/digest.ts';
import { formatRunKey, RunResults } from '../src/runs/key.ts';
import { etaSeconds, installStopHandlers, parseWorkerCount, planJobs, plannedResult, runJobs, RunFailedError, type PlannedJob } from '../src/runs/scheduler.ts';
import { ClusterError } from '../src/cluster/errors.ts';
import { clusterSession, EXECUTOR_OPTIONS, executorFrom, joinSlurmArgs, type SlurmOptions } from '../src/cluster/options.ts';
import { OUT, renderFigureOutputs, snapshotPath, withBackend } from './figureFiles.ts';

export class PipelineUsageError extends UsageError {}

/** The figures to build per preset: each preset's own figures, narrowed to --only's names. */
export function figurePlan(only: string | undefined, presets: readonly Preset[]): { preset: Preset; figures: FigureDefinition[] }[] {
  const all = (p: Preset) => figuresOfPreset(p);
  if (only === undefined) return presets.map((preset) => ({ preset, figures: all(preset) }));
  const names = [...new Set(presets.flatMap((p) => all(p).map((f) => f.name)))].join(', ');
  if (only.trim() === '') throw new PipelineUsageError(`no figure named: use NAME=<figure> (one of: ${names})`);
  const wanted = only.split(',');
  for (const name of wanted) {
    const fig = ALL_FIGURES.find((f) => f.name === name);
    if (!fig) throw new PipelineUsageError(`unknown figure ${JSON.stringify(name)} (one of: ${names})`);
    if (!presets.some((p) => all(p).includes(fig)))
      throw new PipelineUsageError(`figure ${name} is not in preset ${presets.join(' or ')}: add --preset ${(fig.presets ?? DEFAULT_FIGURE_PRESETS)[0]}`);
  }
  return presets.map((preset) => ({ preset, figures: all(preset).filter((f) => wanted.includes(f.name)) })).filter((p) => p.figures.length > 0);
}

const runLabel = (fig: FigureDefinition, key: Parameters<typeof formatRunKey>[0]) => `${fig.name} ${formatRunKey(key)}`;

/** A preset's figures with their runs, expanded once (Figure 5's are thousands of sweep runs). */
export interface PresetPlan {
  preset: Preset;
  figures: FigureDefinition[];
  figureRuns: { fig: FigureDefinition; runs: ReturnType<FigureDefinition['runs']> }[];
}

export function expandPreset(preset: Preset, figures: FigureDefinition[]): PresetPlan {
  return { preset, figures, figureRuns: figures.map((fig) => ({ fig, runs: fig.runs(preset) })) };
}

/**
 * The plan's check before its first run (src/runs/validate.ts): every run of every preset
 * within the limits `tsdyn sim` applies (TSDYN_MAX_MEMORY, TSDYN_MAX_SAMPLES), its engine's
 * constraints, and the WebGPU engine's limits for the runs that go there. Errors name the run.
 */
export function checkPlan(plans: PresetPlan[], backend: Backend, limits: ResourceLimits): void {
  for (const { preset, figureRuns } of plans) {
    checkRuns(
      figureRuns.flatMap(({ fig, runs }) =>
        runs.map((r) => ({ engine: r.engine, config: r.config, label: `${runLabel(fig, r.key)} (preset ${preset})`, backend: runBackend(r, backend) })),
      ),
      limits,
    );
  }
}

/** Rough size of a preset's outputs (a snapshot, and for full/ensemble an SVG and specs, per figure, and a gallery). */
const OUTPUT_BYTES_PER_FIGURE = 4 << 20;

/**
 * The plan, printed before any run: how many runs, how many must be computed, and the cost
 * model's estimate of the time (src/runs/scheduler.ts expectedSeconds, measured on this
 * project's 2-core machine), with the quick preset offered before a long build.
 */
export function planLine(preset: Preset, runs: number, toCompute: number, coreSeconds: number, workers: number): string {
  const estimate = formatSeconds(coreSeconds / Math.max(1, workers));
  const quick = PRESETS[preset].scale !== 'reduced' && coreSeconds / Math.max(1, workers) > 60 ? '; for a quick first check, make figures PRESET=ci builds the reduced preset in seconds' : '';
  return `[${preset}] plan: ${runs} runs, ${toCompute} to compute (${runs - toCompute} cached), about ${estimate} on ${workers} worker${workers === 1 ? '' : 's'} (estimated from the cost model)${quick}`;
}

/** Compute what the figures of one preset need, then build them. */
export async function buildPreset(preset: Preset, figures: FigureDefinition[], workers: number | undefined, session: BackendSession = CPU_SESSION, planned?: PresetPlan): Promise<void> {
  const started = Date.now();
  const cacheDir = defaultCacheDir();
  const plan = planned ?? expandPreset(preset, figures);
  if (!planned) checkPlan([plan], session.backend, resourceLimits({}));
  // The outputs' folder can take them, before any run (they are written together at the end).
  checkTargetFolder(OUT, 'output folder', OUTPUT_BYTES_PER_FIGURE * (figures.length + 1));
  const figureRuns = plan.figureRuns;
  const runs = figureRuns.flatMap(({ fig, runs: rs }) => rs.map((r) => ({ ...r, label: runLabel(fig, r.key), figure: fig.name })));
  const { jobs, problems, jobOf } = planJobs(runs, { cacheDir, backend: session.backend });
  // The figure a computed run is charged to (the first that needs it) for the per-figure times.
  const figureOf = new Map<string, string>();
  runs.forEach((r, i) => figureOf.has(jobOf[i].key) || figureOf.set(jobOf[i].key, r.figure));
  for (const p of problems) process.stderr.write(`cache: ${p.path}: ${p.reason}; recomputing\n`);
  const todo = jobs.filter((j) => !j.cached);

  const tty = progressEnabled();
  const totalCost = todo.reduce((a, j) => a + j.cost, 0);
  if (todo.length > 0) process.stderr.write(`${planLine(preset, jobs.length, todo.length, totalCost, Math.min(workers ?? availableParallelism(), todo.length))}\n`);
  let doneCost = 0;
  let done = 0;
  const running = new Set<string>();
  const computeSeconds = new Map<string, number>(); // figure → seconds of run time (summed over workers)
  const show = () => {
    if (!tty) return;
    const computed = [...computeSeconds.values()].reduce((a, x) => a + x, 0);
    const eta = etaSeconds(computed, doneCost, totalCost, Math.min(workers ?? availableParallelism(), todo.length));
    process.stderr.write(`\r\x1b[K[${preset}] runs ${done}/${todo.length} (${jobs.length - todo.length} cached)  running: ${[...running].slice(0, 2).join(', ')}  ETA ${formatSeconds(eta)}`);
  };
  const timer = tty ? setInterval(show, 500) : null;
  try {
    await runJobs(todo, {
      cacheDir,
      workers,
      gpu: todo.some((j) => BACKENDS[j.backend].gpu) ? await gpuOf(session) : undefined,
      onStart: (job: PlannedJob) => {
        running.add(job.label);
        show();
      },
      onDone: (job: PlannedJob, seconds: number) => {
        running.delete(job.label);
        const figure = figureOf.get(job.key)!;
        computeSeconds.set(figure, (computeSeconds.get(figure) ?? 0) + seconds);
        done += 1;
        doneCost += job.cost;
        show();
      },
    });
  } finally {
    if (timer) clearInterval(timer);
  }
  if (tty) process.stderr.write(`\r\x1b[K[${preset}] building figures…`);

  // Snapshots, SVGs and specs are staged and renamed into place together (src/outputFolder.ts).
  const staged = new StagedFiles('pipeline');
  try {
    const built = [];
    let next = 0; // index into runs/jobOf, figure after figure
    for (const { fig, runs: figRuns } of figureRuns) {
      const results = new RunResults();
      const gpuLabels = new Set<string>();
      for (const run of figRuns) {
        const job = jobOf[next++];
        const lookup = plannedResult(job, cacheDir);
        if (BACKENDS[job.backend].gpu) gpuLabels.add(lookup.backend);
        results.set(run.key, lookup.trajectory);
      }
      const b = fig.build(results, preset);
      // 'cpu', or the GPU label(s) its SGD runs' cache entries carry ('webgpu: <adapter>').
      b.snapshot = withBackend(b.snapshot, gpuLabels.size ? [...gpuLabels].sort().join('; ') : 'cpu');
      staged.write(snapshotPath(fig.name, preset), toJson(b.snapshot, 2));
      built.push({ fig, built: b });
    }
    // A rendering preset writes its SVGs and specs and rebuilds its page; the others, snapshots only.
    const { render, gallery } = PRESETS[preset];
    if (render) await renderFigureOutputs(built, { gallery }, staged);
    else staged.commit();
  } finally {
    staged.abort(); // a no-op once committed
  }
  const line = `[${preset}] ${jobs.length} runs (${todo.length} computed, ${jobs.length - todo.length} cached) in ${formatSeconds((Date.now() - started) / 1000)}`;
  const perFigure = [...computeSeconds].map(([f, s]) => `${f} ${s.toFixed(0)}s`).join(', ');
  process.stderr.write(`${tty ? '\r\x1b[K' : ''}${line}${perFigure ? ` — run time per figure (one core): ${perFigure}` : ''}\n`);
}

/**
 * --executor slurm: every preset's missing runs as one job array, imported into the cache, so
 * that buildPreset then finds every run there. 'submitted' with --submit-only.
 */
async function computeOnSlurm(plans: PresetPlan[], backend: Backend, options: SlurmOptions): Promise<'done' | 'submitted'> {
  const cacheDir = defaultCacheDir();
  const runs = plans.flatMap(({ figureRuns }) => figureRuns.flatMap(({ fig, runs: rs }) => rs.map((r) => ({ ...r, label: runLabel(fig, r.key) }))));
  const { jobs, problems } = planJobs(runs, { cacheDir, backend });
  for (const p of problems) process.stderr.write(`cache: ${p.path}: ${p.reason}; recomputing\n`);
  const todo = jobs.filter((j) => !j.cached);
  const { runOnSlurm } = await import('../src/cluster/executor.ts');
  const announce = `pipeline: ${jobs.length} runs (${plans.map((p) => p.preset).join(', ')}), ${jobs.length - todo.length} in the cache, ${todo.length} to compute on SLURM`;
  const outcome = await runOnSlurm(todo, { cacheDir, what: 'figures', announce }, options);
  if (outcome.status === 'submitted') process.stderr.write('pipeline: submitted; run the same command again (without --submit-only) to collect the runs and build the figures\n');
  return outcome.status;
}

/** Resolve --backend once for the whole build (the GPU is opened at most once, and only when needed). */
async function openBackend(choice: BackendChoice, plans: PresetPlan[]): Promise<BackendSession> {
  const engines = [...new Set(plans.flatMap((p) => p.figureRuns.flatMap(({ runs }) => runs.map((r) => r.engine))))];
  return openBackendSession(choice, engines);
}

let announced = false;
async function gpuOf(session: BackendSession) {
  const gpu = await session.gpu();
  if (!announced) process.stderr.write(`pipeline: webgpu adapter: ${gpu.adapterName}\n`);
  announced = true;
  return gpu;
}

function presetsOf(raw: string | undefined): Preset[] {
  const known = Object.keys(PRESETS) as Preset[];
  const presets = raw === undefined ? [...DEFAULT_FIGURE_PRESETS] : [raw as Preset];
  for (const p of presets) if (!known.includes(p)) throw new PipelineUsageError(`--preset: must be one of ${known.map((k) => `${k} (${PRESETS[k].description})`).join(', ')}, got ${JSON.stringify(p)}`);
  return presets;
}

/** `export-jobs --out FILE` and `import-batch FILE` (pipeline/batch.ts), for a remote GPU box. */
async function batchSubcommand(sub: 'export-jobs' | 'import-batch', args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { only: { type: 'string' }, preset: { type: 'string' }, out: { type: 'string' } }, strict: true, allowPositionals: sub === 'import-batch' });
  const plan = figurePlan(values.only, presetsOf(values.preset));
  // The runs a GPU box would compute pass the same checks as a build's (limits, engine, GPU engine).
  checkPlan(plan.map((p) => expandPreset(p.preset, p.figures)), 'webgpu', resourceLimits({}));
  const { exportJobs, importBatch, BatchFileError } = await import('./batch.ts');
  if (sub === 'export-jobs') {
    if (!values.out) throw new PipelineUsageError('export-jobs: --out FILE is required');
    const n = exportJobs(plan, values.out);
    process.stderr.write(`pipeline: ${n} sgd runs not in the cache → ${values.out} (run: tsdyn batch --jobs ${values.out} --out results.json)\n`);
    return 0;
  }
  if (positionals.length !== 1) throw new PipelineUsageError('import-batch: give one results file (from tsdyn batch --out)');
  try {
    const n = importBatch(positionals[0], plan);
    process.stderr.write(`pipeline: ${n} runs imported into the cache (backend webgpu)\n`);
    return 0;
  } catch (e) {
    if (e instanceof BatchFileError) throw new PipelineUsageError(`import-batch: ${e.message}`);
    throw e;
  }
}

/** The pipeline's entry point; returns the exit status. */
export async function main(args: string[]): Promise<number> {
  installStopHandlers(() => process.stderr.write('\npipeline: stopped; nothing more is written (a rerun resumes from the cache)\n'));
  try {
    const sub = args[0] === 'export-jobs' || args[0] === 'import-batch' ? args[0] : null;
    if (sub) return await batchSubcommand(sub, args.slice(1));
    const { values } = parseArgs({ args: joinSlurmArgs(args), options: { only: { type: 'string' }, preset: { type: 'string' }, jobs: { type: 'string' }, backend: { type: 'string' }, ...EXECUTOR_OPTIONS }, strict: true });
    const choice = values.backend === undefined || values.backend === '' ? 'auto' : values.backend;
    if (!isBackendChoice(choice)) throw new PipelineUsageError(`--backend: must be ${BACKEND_CHOICES.join(', ')}, got ${JSON.stringify(values.backend)}`);
    const executor = executorFrom(values);
    if (executor.name === 'slurm' && values.jobs !== undefined) throw new PipelineUsageError('--jobs: the local executor\'s workers; with --executor slurm use --cpus-per-task');
    if (executor.name === 'slurm') (await import('../src/cluster/executor.ts')).checkClusterPaths(defaultCacheDir(), executor.slurm.partition);
    const presets = presetsOf(values.preset);
    const workers = parseWorkerCount(values.jobs);
    const limits = resourceLimits({});
    // Every preset's runs, expanded once and checked before the first run of the first preset.
    const plans = figurePlan(values.only, presets).map(({ preset, figures }) => expandPreset(preset, figures));
    checkPlan(plans, 'cpu', limits);
    const session = executor.name === 'slurm' ? clusterSession(choice) : await openBackend(choice, plans);
    try {
      if (session.backend !== 'cpu') checkPlan(plans, session.backend, limits);
      if (executor.name === 'slurm' && (await computeOnSlurm(plans, session.backend, executor.slurm)) === 'submitted') return 0;
      for (const plan of plans) await buildPreset(plan.preset, plan.figures, workers, session, plan);
    } finally {
      session.close();
    }
    return 0;
  } catch (e) {
    // The cluster's problems exit 1, as in every command (src/cluster/errors.ts).
    const usage = (e instanceof UsageError && !(e instanceof ClusterError)) || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`pipeline: ${(e as Error).message}\n`);
    return usage ? 2 : 1;
  }
}

if (process.argv[1]?.endsWith('figures.ts')) main(process.argv.slice(2)).then((code) => process.exit(code));
