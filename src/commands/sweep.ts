/**
 * tsdyn sweep --config sweep.json [--out DIR] [--jobs N] [--backend auto|cpu|webgpu] [--trajectories]
 *             [--plot-metric M] [--plot-x FIELD] [--plot-y FIELD] [--max-memory SIZE] [--max-samples X]
 *             [--executor local|slurm [SLURM options: src/cluster/options.ts]]
 *
 * Validates the sweep file, checks every run as `tsdyn sim` checks one and the output folder
 * (before any run starts), prints its plan (runs, steps, expected time), computes the runs
 * missing from the run cache in worker processes (the scheduler `make figures` uses), or with
 * `--executor slurm` as a SLURM job array imported into the cache (src/cluster/executor.ts), and
 * writes into DIR, all files together (staged, then renamed; src/outputFolder.ts):
 *   table.csv, table.jsonl   one row per run: varied parameters, seed, engine, metrics
 *   plot.svg, plot.vl.json   one metric over two varied parameters (Vega-Lite)
 *   trajectories.jsonl       with --trajectories: {key, trajectory} per run
 * An interrupted sweep resumes from the cache: rerun the same command.
 */
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { BACKEND_CHOICES, isBackendChoice, openBackendSession, type BackendSession } from '../backends.ts';
import { BACKENDS, ENGINE_NAMES, runBackend, type Backend } from '../engineBackends.ts';
import { ENGINES } from '../engines.ts';
import { readJsonFile, resourceLimits } from './args.ts';
import { ConfigError } from '../config.ts';
import { UsageError } from '../errors.ts';
import { toReviewJson } from '../io.ts';
import { OutputFolder, type FileContent } from '../outputFolder.ts';
import { formatSeconds, progressEnabled } from '../progress.ts';
import { renderSvg } from '../render/svg.ts';
import { estimateResources, type ResourceLimits } from '../resources.ts';
import { defaultCacheDir } from '../runs/digest.ts';
import { formatRunKey, RunResults } from '../runs/key.ts';
import { checkCacheFolder, etaSeconds, installStopHandlers, parseWorkerCount, planJobs, plannedResult, runJobs, RunFailedError, type PlannedJob } from '../runs/scheduler.ts';
import { checkHeldTogether, checkRuns, type RunToCheck } from '../runs/validate.ts';
import { clusterSession, EXECUTOR_HELP, EXECUTOR_OPTIONS, executorFrom, joinSlurmArgs } from '../cluster/options.ts';
import { sweepPlotSpec, type PlotChoice } from '../sweep/plot.ts';
import { expandSweep, SWEEP_METRICS, SweepError, sweepFieldPath, validateSweep, type SweepMetric, type SweepRun, type SweepSpec } from '../sweep/spec.ts';
import { sweepColumns, sweepRows, toCsv, toJsonLines } from '../sweep/table.ts';

export const SWEEP_USAGE = `usage: tsdyn sweep --config FILE [--out DIR] [--jobs N] [--backend ${BACKEND_CHOICES.join('|')}] [--trajectories]
                   [--plot-metric METRIC] [--plot-x FIELD] [--plot-y FIELD] [--max-memory SIZE] [--max-samples X]
  Runs every run of a sweep file (schema/sweep.schema.json) not yet in the run cache, then writes
  DIR/table.csv, DIR/table.jsonl, DIR/plot.svg (default DIR: out/<config name>).
  Every run is checked first as tsdyn sim checks one (engine constraints; memory and samples
  within --max-memory / --max-samples, or TSDYN_MAX_MEMORY / TSDYN_MAX_SAMPLES); the outputs
  appear together or not at all.
  --backend: where sgd runs go (default auto: a hardware GPU when one is found, else cpu; webgpu
  also takes the software adapter). On webgpu, sgd runs are batched on the GPU in this process
  while CPU workers take the ode and sampler runs. With --executor slurm, auto means cpu (the GPUs are
  the nodes'); webgpu asks each GPU task for --gres=gpu:1.
${EXECUTOR_HELP}`;

/** Every file a sweep may write into its folder (stale ones of an earlier run are removed). */
const OUTPUT_FILES = ['table.csv', 'table.jsonl', 'trajectories.jsonl', 'plot.vl.json', 'plot.svg'] as const;

function readSweepFile(path: string): SweepSpec {
  return validateSweep(readJsonFile(path, (m) => new SweepError('sweep', m), 'sweep'));
}

/** The runs as the validation pass sees them: each config field located in the sweep file. */
function runsToCheck(spec: SweepSpec, runs: SweepRun[], backendOf: (r: SweepRun) => Backend): RunToCheck[] {
  return runs.map((r) => ({ engine: r.engine, config: r.config, label: formatRunKey(r.key), backend: backendOf(r), where: (field: string) => sweepFieldPath(spec, r.key.params, field) }));
}

/**
 * Rough size of the outputs, for the free-space check before the work: the two tables
 * (~24 bytes a cell), the plot (~2 KiB a cell plus the Vega-Lite spec), and with
 * --trajectories every run's trajectory as JSON (the output estimate of src/resources.ts).
 */
function outputBytes(spec: SweepSpec, runs: SweepRun[], trajectories: boolean): number {
  const cells = runs.length * (sweepColumns(spec).length + 1);
  let total = 2 * 24 * cells + 2048 * runs.length + (1 << 16);
  if (trajectories) for (const r of runs) total += estimateResources(r.engine, r.config).outputBytes + 256;
  return total;
}

function plotChoice(spec: SweepSpec, values: { 'plot-metric'?: string; 'plot-x'?: string; 'plot-y'?: string }): PlotChoice | null {
  const fields = spec.axes.flatMap((a) => a.fields) as string[];
  const metric = (values['plot-metric'] ?? (spec.metrics.includes('maxAbsLogRatio') ? 'maxAbsLogRatio' : spec.metrics[0])) as SweepMetric;
  if (!spec.metrics.includes(metric)) throw new UsageError(`--plot-metric: must be one of the sweep's metrics (${spec.metrics.join(', ')}), got ${JSON.stringify(metric)}`);
  for (const opt of ['plot-x', 'plot-y'] as const) {
    const f = values[opt];
    if (f !== undefined && !fields.includes(f)) throw new UsageError(`--${opt}: must be a varied field (${fields.join(', ') || 'none'}), got ${JSON.stringify(f)}`);
  }
  const x = values['plot-x'] ?? fields[0];
  if (x === undefined) return null; // nothing varies but the seed: the table says it all
  const y = values['plot-y'] ?? fields.find((f) => f !== x);
  // The plot shows a simulation engine's rows when there is one (metrics that compare with the ODE need one).
  const simulation = spec.engines.find((e) => ENGINES[e].role === 'simulation');
  const engine = SWEEP_METRICS[metric].needsOde ? simulation! : (simulation ?? 'ode');
  return { metric, x, y, engine };
}

function describePlan(runs: SweepRun[], jobs: PlannedJob[], workers: number | null): string {
  const todo = jobs.filter((j) => !j.cached);
  const steps = (js: PlannedJob[]) => js.filter((j) => ENGINES[j.engine].role === 'simulation').reduce((a, j) => a + Math.round(j.config.tMax * j.config.N), 0);
  const count = (e: string) => runs.filter((r) => r.engine === e).length;
  const engines = ENGINE_NAMES.filter((e) => count(e) > 0).map((e) => `${count(e)} ${e}`).join(', ');
  // + ~1.5 s to start the worker processes (tsx and the modules load once per worker).
  const cost = todo.reduce((a, j) => a + j.cost, 0);
  const seconds = workers === null ? 0 : (todo.length ? 1.5 : 0) + cost / workers;
  return (
    `sweep plan: ${runs.length} runs (${engines}), ${steps(jobs).toLocaleString('en-US')} SGD steps in all; ` +
    `${jobs.length - todo.length} in the cache, ${todo.length} to compute (${steps(todo).toLocaleString('en-US')} steps) ` +
    (workers === null
      ? `on SLURM: about ${formatSeconds(cost)} of one core (rough estimate)`
      : `on ${workers} worker${workers === 1 ? '' : 's'}: about ${formatSeconds(seconds)} (rough estimate)`)
  );
}

/** `tsdyn sweep …`: returns the exit status; errors are one line on stderr. */
export async function sweepCommand(argv: string[]): Promise<number> {
  installStopHandlers(() => process.stderr.write('\ntsdyn sweep: stopped; rerun the same command to resume from the cache\n'));
  let session: BackendSession | null = null;
  try {
    const { values } = parseArgs({
      args: joinSlurmArgs(argv),
      options: {
        config: { type: 'string' },
        out: { type: 'string' },
        jobs: { type: 'string' },
        backend: { type: 'string', default: 'auto' },
        trajectories: { type: 'boolean' },
        'plot-metric': { type: 'string' },
        'plot-x': { type: 'string' },
        'plot-y': { type: 'string' },
        'max-memory': { type: 'string' },
        'max-samples': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        ...EXECUTOR_OPTIONS,
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) {
      process.stdout.write(`${SWEEP_USAGE}\n`);
      return 0;
    }
    if (!values.config) throw new UsageError('--config: required (a sweep file, see configs/*sweep*.json)');
    if (!isBackendChoice(values.backend)) throw new UsageError(`--backend: must be one of ${BACKEND_CHOICES.join(', ')}, got ${JSON.stringify(values.backend)}`);
    const executor = executorFrom(values);
    if (executor.name === 'slurm' && values.jobs !== undefined) throw new UsageError('--jobs: the local executor\'s workers; with --executor slurm use --cpus-per-task');
    if (executor.name === 'slurm') (await import('../cluster/executor.ts')).checkClusterPaths(defaultCacheDir(), executor.slurm.partition);
    const backendChoice = values.backend;
    const workersRaw = parseWorkerCount(values.jobs);
    const limits: ResourceLimits = resourceLimits(values);
    const outDir = values.out ?? join('out', basename(values.config).replace(/\.json$/, ''));
    if (outDir === '') throw new UsageError('--out: must name a folder');

    const spec = readSweepFile(values.config);
    const choice = plotChoice(spec, values);
    const runs = expandSweep(spec);
    // Every run checked as `tsdyn sim` checks one, before anything starts (src/runs/validate.ts).
    checkRuns(runsToCheck(spec, runs, () => 'cpu'), limits);
    checkHeldTogether(runs, limits, 'sweep');
    // The outputs' folder: usable and with room, before the work (written at the end, together).
    const folder = OutputFolder.check(outDir, '--out', outputBytes(spec, runs, Boolean(values.trajectories)));
    const cacheDir = defaultCacheDir();
    const labelled = runs.map((r) => ({ label: formatRunKey(r.key), engine: r.engine, config: r.config, allowDivergence: true }));
    // After every input check; the GPU opens only if a run must be computed on it (closed below).
    // With slurm nothing is computed here: auto is cpu, webgpu names the nodes' GPUs.
    session = executor.name === 'slurm' ? clusterSession(backendChoice) : await openBackendSession(backendChoice, [...new Set(runs.map((r) => r.engine))]);
    const backend = session.backend;
    if (backend !== 'cpu') checkRuns(runsToCheck(spec, runs, (r) => runBackend(r, backend)).filter((r) => r.backend !== 'cpu'), limits);
    const { jobs, problems, jobOf } = planJobs(labelled, { cacheDir, backend });
    for (const p of problems) process.stderr.write(`cache: ${p.path}: ${p.reason}; recomputing\n`);
    const todo = jobs.filter((j) => !j.cached);
    if (todo.length) checkCacheFolder(todo, cacheDir);
    const started = Date.now();
    if (executor.name === 'slurm') {
      const { runOnSlurm } = await import('../cluster/executor.ts');
      const outcome = await runOnSlurm(todo, { cacheDir, what: 'sweep', announce: describePlan(runs, jobs, null) }, executor.slurm);
      if (outcome.status === 'submitted') {
        process.stderr.write(`tsdyn sweep: submitted; rerun the same command (without --submit-only) to collect the results and write ${outDir}\n`);
        return 0;
      }
    }
    const workers = Math.max(1, Math.min(workersRaw ?? (await import('node:os')).availableParallelism(), todo.length || 1));
    const gpu = executor.name === 'local' && todo.some((j) => BACKENDS[j.backend].gpu) ? await session.gpu() : undefined;
    if (gpu) process.stderr.write(`sweep: webgpu adapter: ${gpu.adapterName}\n`);
    if (executor.name === 'local') process.stderr.write(`${describePlan(runs, jobs, workers)}\n`);

    const tty = progressEnabled();
    const totalCost = todo.reduce((a, j) => a + j.cost, 0);
    let doneCost = 0;
    let done = 0;
    let computeSeconds = 0;
    const show = (what: string) => {
      if (!tty) return;
      const eta = etaSeconds(computeSeconds, doneCost, totalCost, workers);
      process.stderr.write(`\r\x1b[Ksweep: ${done}/${todo.length} runs  ${what}  ETA ${formatSeconds(eta)}`);
    };
    try {
      if (executor.name === 'local') await runJobs(todo, {
        cacheDir,
        workers,
        gpu,
        onStart: (job) => show(job.label),
        onDone: (job, seconds) => {
          done += 1;
          computeSeconds += seconds;
          doneCost += job.cost;
          show(job.label);
        },
      });
    } finally {
      if (tty) process.stderr.write('\r\x1b[K');
    }

    // Every result, verified (a file damaged meanwhile fails loudly instead of feeding the table).
    const results = new RunResults();
    runs.forEach((run, i) => results.set(run.key, plannedResult(jobOf[i], cacheDir).trajectory));
    const trajectoryOf = (r: SweepRun) => results.get(r.key);
    const columns = sweepColumns(spec);
    const rows = sweepRows(spec, runs, trajectoryOf);
    const files = new Map<string, FileContent>([
      ['table.csv', toCsv(columns, rows)],
      ['table.jsonl', toJsonLines(columns, rows)],
    ]);
    // Line by line: all the trajectories together may pass the longest string V8 holds.
    if (values.trajectories) files.set('trajectories.jsonl', () => runs.map((r) => `${JSON.stringify({ key: r.key, trajectory: trajectoryOf(r) })}\n`));
    if (choice) {
      const plot = sweepPlotSpec(rows, choice, `sweep ${basename(values.config)}`);
      files.set('plot.vl.json', toReviewJson(plot));
      files.set('plot.svg', await renderSvg(plot as never));
    }
    folder.write(files, OUTPUT_FILES);
    const diverged = rows.filter((r) => r.divergedAt !== null && r.divergedAt !== undefined).length;
    process.stderr.write(
      `sweep: ${rows.length} rows → ${join(outDir, 'table.csv')}, table.jsonl${choice ? ', plot.svg' : ''}${values.trajectories ? ', trajectories.jsonl' : ''}` +
        ` (${todo.length} computed, ${jobs.length - todo.length} from the cache${diverged ? `, ${diverged} diverged` : ''}) in ${formatSeconds((Date.now() - started) / 1000)}\n`,
    );
    return 0;
  } catch (e) {
    const usage = e instanceof UsageError || Boolean((e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'));
    const internal = e instanceof RunFailedError ? e.internal : !(usage || e instanceof SweepError || e instanceof ConfigError);
    const message = String((e as Error)?.message ?? e).split('\n')[0];
    process.stderr.write(`tsdyn sweep: ${internal && !/internal error/.test(message) ? 'internal error: ' : ''}${message}\n`);
    // The CLI's contract (src/cli.ts): a problem the user can fix exits 1, a bug exits 2.
    return internal ? 2 : 1;
  } finally {
    session?.close();
  }
}
