/**
 * The one check every multi-run entry makes before its first run starts (`tsdyn sweep`, the
 * figure pipeline's plan, `tsdyn batch`, export-jobs / import-batch): each run's engine
 * constraints (checkEngineConfig), the resource guard `tsdyn sim` applies (checkResources,
 * with the same limits: flags, then TSDYN_MAX_MEMORY / TSDYN_MAX_SAMPLES, then the defaults),
 * and what the backend each run goes to can hold on any device (the engine table's
 * limitProblem: for webgpu, src/gpu/limits.ts). So a sweep whose 40th grid point needs 28 GiB,
 * 20 hours, or N < K + M + B for the sampler is refused in a second with one line naming that
 * point, not after 39 runs.
 *
 * Each entry says where a config field of a run comes from (`where`): a sweep names the grid
 * point (`sweep.grid.N[2]`), a jobs file the job (`jobs[3].config.N`), the pipeline the run.
 */
import { ConfigError, type RunConfig } from '../config.ts';
import { onBackend, type Backend } from '../engineBackends.ts';
import { checkEngineConfig, type EngineName } from '../engines.ts';
import { UsageError } from '../errors.ts';
import { checkResources, estimateResources, type ResourceLimits } from '../resources.ts';
import { bytes } from '../sizes.ts';

export interface RunToCheck {
  engine: EngineName;
  config: RunConfig;
  /** For people: the run's label (`N=784 seed=1 sgd`). */
  label: string;
  /** The backend the run goes to (default cpu): its limits apply too. */
  backend?: Backend;
  /** Where `field` of this run's config is set, e.g. `sweep.grid.N[2]` (default `config.FIELD`). */
  where?: (field: string) => string;
}

/** A run that would be refused: one line naming where its config is set and the run. */
export class RunCheckError extends UsageError {
  constructor(
    readonly where: string,
    readonly label: string,
    readonly reason: string,
  ) {
    super(`${where}: ${reason} (run ${label})`);
    this.name = 'RunCheckError';
  }
}

/** The message of a ConfigError without its `config.<field>: ` prefix. */
function reasonOf(e: ConfigError): string {
  const prefix = `config.${e.field}: `;
  return e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
}

/** The first problem of one run, or null. */
export function runProblem(run: RunToCheck, limits: ResourceLimits): { field: string; reason: string } | null {
  try {
    checkEngineConfig(run.engine, run.config);
    checkResources(run.engine, run.config, limits);
  } catch (e) {
    if (e instanceof ConfigError) return { field: e.field, reason: reasonOf(e) };
    throw e;
  }
  const p = onBackend(run.engine, run.backend ?? 'cpu').limitProblem(run.config);
  return p ? { field: p.field, reason: p.message } : null;
}

/** Check every run (in order); throws RunCheckError for the first that would be refused. */
export function checkRuns(runs: Iterable<RunToCheck>, limits: ResourceLimits): void {
  for (const run of runs) {
    const p = runProblem(run, limits);
    if (p) throw new RunCheckError(run.where?.(p.field) ?? `config.${p.field}`, run.label, p.reason);
  }
}

/**
 * Bytes the runs' records take as JS values when one process holds them all at once (a sweep
 * keeps every trajectory to build its table), and whether that fits the heap. Each run alone
 * passed checkResources; this is their sum.
 */
export function checkHeldTogether(runs: Iterable<{ engine: EngineName; config: RunConfig }>, limits: ResourceLimits, what: string): void {
  let total = 0;
  let count = 0;
  for (const r of runs) {
    // The records' part of the estimate (the output text is never built for them all at once).
    total += estimateResources(r.engine, r.config).parts[0].bytes;
    count++;
  }
  if (total > 0.8 * limits.heapBytes) {
    throw new UsageError(`${what}: its ${count} runs' records take about ${bytes(total)} in memory together, over the ${bytes(0.8 * limits.heapBytes)} of JavaScript heap available; record fewer times (recordPoints, recordEvery) or split it`);
  }
}
