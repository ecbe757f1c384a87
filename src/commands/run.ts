/**
 * `tsdyn ode`, `tsdyn sim`, `tsdyn compare`: check everything (options, config, engine
 * constraints, resources, the --out target) before any work, run the engines, and write
 * nothing unless every run completed with finite output.
 */
import { type RunConfig } from '../config.ts';
import { checkEngineConfig, ENGINES, isEngineName, SIMULATION_ENGINES, type EngineName, type SimulationEngine } from '../engines.ts';
import { UsageError } from '../errors.ts';
import { BACKEND_CHOICES, isBackendChoice, resolveBackend, type BackendChoice } from '../backends.ts';
import { backendRuns, dispatch, onBackend, runBackend, type Backend } from '../engineBackends.ts';
import type { SolveOptions } from '../theory/solve.ts';
import { resolveOutTarget, writeOutTarget, type OutTarget } from '../io.ts';
import { alignmentSummary, teacherView, type AlignmentSummary } from '../metrics/alignment.ts';
import { compareJson, provenance, runJson } from '../runJson.ts';
import { createProgress } from '../progress.ts';
import { checkResources } from '../resources.ts';
import type { Trajectory } from '../trajectory.ts';
import { VERSION } from '../version.ts';
import { loadConfigFile, parseOptions, positiveNumberOption, requireConfig, resourceLimits, RUN_OPTIONS, RUN_OPTIONS_HELP } from './args.ts';
import type { Command } from './types.ts';

/** A run whose engine reported a divergence: one line, exit 1, nothing written. */
export class RunDivergedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunDivergedError';
  }
}

interface Prepared {
  config: RunConfig;
  target: OutTarget | null;
}

/** Everything that can fail before the computation: config, engine constraints, limits, --out. */
function prepare(values: Record<string, string | boolean | undefined>, engines: EngineName[]): Prepared {
  const configPath = requireConfig(values);
  const limits = resourceLimits(values);
  const config = loadConfigFile(configPath);
  for (const e of engines) checkEngineConfig(e, config);
  for (const e of engines) checkResources(e, config, limits);
  const target = typeof values.out === 'string' ? resolveOutTarget(values.out, configPath) : null;
  return { config, target };
}

function emit(target: OutTarget | null, text: string): void {
  if (target) writeOutTarget(target, text);
  else process.stdout.write(text);
}

function progressFor(engine: EngineName, config: RunConfig) {
  return ENGINES[engine].role === 'simulation' ? createProgress(`${engine} ${config.model} K=${config.K} N=${config.N} seed=${config.seed}`) : null;
}

const BACKEND_OPTION = { backend: { type: 'string' } } as const;
const BACKEND_HELP = `  --backend B          ${BACKEND_CHOICES.join('|')}: where SGD runs (default auto: a hardware GPU when
                       one is found, else cpu; webgpu also takes the software adapter and
                       names it on stderr; env TSDYN_NO_GPU=1 hides every adapter)`;

/** --backend, checked against the engine before any work (webgpu runs only engine sgd). */
function backendChoice(values: Record<string, unknown>, engine: EngineName): BackendChoice {
  const raw = values.backend ?? 'auto';
  if (!isBackendChoice(raw)) throw new UsageError(`--backend: must be ${BACKEND_CHOICES.join(', ')}, got ${JSON.stringify(raw)}`);
  if (raw !== 'auto' && !backendRuns(raw, engine)) throw new UsageError(`--backend ${raw}: does not run engine ${engine} (use --backend cpu)`);
  return raw;
}

/**
 * Run one config with `engine` on the chosen backend, through the engine table's dispatch;
 * returns the backend actually used. `auto` takes the GPU only for a run it computes (an
 * engine and config it supports). A GPU is opened only after every input check passed, and
 * closed before the output is written.
 */
async function runOn(engine: EngineName, choice: BackendChoice, config: RunConfig, ode?: SolveOptions): Promise<{ backend: Backend; trajectory: Trajectory }> {
  if (choice !== 'auto' && choice !== 'cpu') {
    const unsupported = onBackend(engine, choice).unsupported(config);
    if (unsupported) throw new UsageError(`--backend ${choice}: ${unsupported}`);
    const p = onBackend(engine, choice).limitProblem(config);
    if (p) throw new UsageError(`--backend ${choice}: config.${p.field}: ${p.message}`);
  }
  const resolved = await resolveBackend(choice === 'auto' && runBackend({ engine, config }, 'webgpu') === 'cpu' ? 'cpu' : choice, [engine]);
  const gpu = resolved.backend === 'cpu' ? undefined : resolved.gpu;
  try {
    if (gpu) {
      process.stderr.write(`tsdyn: ${resolved.backend} adapter: ${gpu.adapterName}\n`);
      const p = onBackend(engine, resolved.backend).deviceProblem?.(config, gpu);
      if (p) throw new UsageError(`--backend ${resolved.backend}: config.${p.field}: ${p.message} (adapter ${gpu.adapterName})`);
    }
    const progress = progressFor(engine, config);
    const [result] = await dispatch(engine, resolved.backend, [config], { gpu, onProgress: progress?.update, ode });
    progress?.done();
    if (result.status === 'diverged') throw new RunDivergedError(result.reason);
    return { backend: resolved.backend, trajectory: result.trajectory };
  } finally {
    gpu?.close();
  }
}

export const odeCommand: Command = {
  help: `usage: tsdyn ode --config FILE [--out FILE] [--method dopri5|rk4] [--rtol X]
Integrate the order-parameter ODEs from init (or the seeded weights' overlaps); print JSON.
  --method M           dopri5 (adaptive, default) or rk4 (fixed step 0.01)
  --rtol X             dopri5 relative tolerance (default 1e-8)
${RUN_OPTIONS_HELP}`,
  async run(argv) {
    const values = parseOptions('ode', argv, { ...RUN_OPTIONS, method: { type: 'string' }, rtol: { type: 'string' } });
    const method = (values.method as string | undefined) ?? 'dopri5';
    if (method !== 'dopri5' && method !== 'rk4') throw new UsageError(`--method: must be dopri5 or rk4, got ${JSON.stringify(method)}`);
    const rtol = positiveNumberOption('rtol', values.rtol);
    const { config, target } = prepare(values, ['ode']);
    const { backend, trajectory } = await runOn('ode', 'cpu', config, { method, rtol });
    emit(target, runJson({ provenance: provenance(VERSION, 'ode', backend, config), config, trajectory }));
    return 0;
  },
};

export const simCommand: Command = {
  help: `usage: tsdyn sim --config FILE [--out FILE] [--engine ${SIMULATION_ENGINES.join('|')}]
Train the student; print JSON with the order parameters at the record times.
${SIMULATION_ENGINES.map((e) => `  --engine ${e.padEnd(12)}${ENGINES[e].summary}`).join('\n')}
${BACKEND_HELP}
${RUN_OPTIONS_HELP}`,
  async run(argv) {
    const values = parseOptions('sim', argv, { ...RUN_OPTIONS, ...BACKEND_OPTION, engine: { type: 'string' } });
    const name = (values.engine as string | undefined) ?? 'sgd';
    if (!isEngineName(name) || ENGINES[name].role !== 'simulation') {
      throw new UsageError(`--engine: must be ${SIMULATION_ENGINES.join(' or ')}, got ${JSON.stringify(name)}`);
    }
    const engine = name as SimulationEngine;
    const choice = backendChoice(values, engine);
    const { config, target } = prepare(values, [engine]);
    const { backend, trajectory } = await runOn(engine, choice, config);
    emit(target, runJson({ provenance: provenance(VERSION, engine, backend, config), config, trajectory }));
    return 0;
  },
};

export const compareCommand: Command = {
  help: `usage: tsdyn compare --config FILE [--json] [--out FILE] [--escape-threshold X] [--eg-floor X]
Train by SGD and integrate the ODEs from the same initial order parameters (init when given,
else the seeded weights); print the theory-vs-simulation alignment metrics.
  --json               print the metrics as JSON (always JSON with --out)
  --escape-threshold X ε_g below which the plateau counts as escaped (default 0.01)
  --eg-floor X         ignore ε_g below X in the log-ratio (default 1e-5)
${BACKEND_HELP}
${RUN_OPTIONS_HELP}`,
  async run(argv) {
    const values = parseOptions('compare', argv, { ...RUN_OPTIONS, json: { type: 'boolean' }, 'escape-threshold': { type: 'string' }, 'eg-floor': { type: 'string' }, ...BACKEND_OPTION });
    const escapeThreshold = positiveNumberOption('escape-threshold', values['escape-threshold']);
    const egFloor = positiveNumberOption('eg-floor', values['eg-floor']);
    const choice = backendChoice(values, 'sgd');
    const { config, target } = prepare(values, ['sgd', 'ode']);
    const { backend, trajectory: sim } = await runOn('sgd', choice, config);
    // The ODE starts where the simulation starts: from `init` when the config has one.
    const { backend: odeBackend, trajectory: ode } = await runOn('ode', 'cpu', config);
    const summary = alignmentSummary(sim, ode, { escapeThreshold, egFloor });
    // With several teachers, the same metrics for each task (its ε_g, its R columns, its head).
    const teachers = sim.egTeachers?.map((_, q) => ({ teacher: q, ...alignmentSummary(teacherView(sim, q, config.M), teacherView(ode, q, config.M), { escapeThreshold, egFloor }) }));
    if (target || values.json) {
      const prov = [provenance(VERSION, 'sgd', backend, config), provenance(VERSION, 'ode', odeBackend, config)];
      emit(target, compareJson({ provenance: prov, config, summary, ...(teachers ? { teachers } : {}) }));
    } else {
      process.stdout.write(formatSummaryTable(summary));
      for (const t of teachers ?? []) process.stdout.write(`\nteacher ${t.teacher}:\n${formatSummaryTable(t)}`);
    }
    return 0;
  },
};

export function formatSummaryTable(s: AlignmentSummary): string {
  const f = (x: number | null) => (x === null ? 'never' : Number(x.toPrecision(4)).toString());
  const rows: [string, string][] = [
    ['min cos-alignment Q (sim vs ODE)', f(s.minAlignQ)],
    ['min cos-alignment R', f(s.minAlignR)],
    ['min cos-alignment v', f(s.minAlignV)],
    [`  … after relabelling students ${JSON.stringify(s.studentPermutation)}: Q, R, v`, `${f(s.minAlignQMatched)}, ${f(s.minAlignRMatched)}, ${f(s.minAlignVMatched)}`],
    [`max |log(eg_sim/eg_ode)| (eg ≥ ${s.egFloor})`, f(s.maxAbsLogRatio)],
    ['  … before the plateau escape', f(s.maxAbsLogRatioPreEscape)],
    [`plateau escape t (eg < ${s.escapeThreshold}), sim`, f(s.escapeTimeSim)],
    [`plateau escape t (eg < ${s.escapeThreshold}), ODE`, f(s.escapeTimeOde)],
    ['final eg, sim', f(s.finalEgSim)],
    ['final eg, ODE', f(s.finalEgOde)],
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n') + '\n';
}
