/**
 * tsdyn command line. All side effects of the library live here and in pipeline/.
 *
 *   tsdyn ode     --config FILE [--out FILE] [--method dopri5|rk4] [--rtol X]
 *   tsdyn sim     --config FILE [--out FILE] [--engine sgd|sampler]
 *   tsdyn compare --config FILE [--out FILE] [--json] [--escape-threshold X] [--eg-floor X]
 *
 * Errors (bad option, bad config field, divergence) print one line naming the culprit and
 * exit 1; outputs are written atomically, so a failed run leaves nothing behind.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, validateConfig, type RunConfig } from './config.ts';
import { runOde, runSimulation, type SimEngine } from './engines.ts';
import { toJson, writeFileAtomic } from './io.ts';
import { alignmentSummary, type AlignmentSummary } from './metrics/alignment.ts';
import { createProgress } from './progress.ts';
import { DivergenceError } from './theory/integrators.ts';
import type { Trajectory } from './trajectory.ts';

export class UsageError extends Error {}

const USAGE = `usage: tsdyn <ode|sim|compare> --config FILE [options]
  ode      integrate the order-parameter ODEs          [--method dopri5|rk4] [--rtol X]
  sim      train the student by online SGD             [--engine sgd|sampler]  (sampler: exact order-parameter chain)
  compare  run both and print the alignment metrics    [--json] [--escape-threshold X] [--eg-floor X]
  common:  --out FILE (write JSON atomically instead of printing)`;

const OPTIONS = {
  config: { type: 'string' },
  out: { type: 'string' },
  method: { type: 'string' },
  rtol: { type: 'string' },
  engine: { type: 'string' },
  json: { type: 'boolean' },
  'escape-threshold': { type: 'string' },
  'eg-floor': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const ALLOWED: Record<string, string[]> = {
  ode: ['config', 'out', 'method', 'rtol'],
  sim: ['config', 'out', 'engine'],
  compare: ['config', 'out', 'json', 'escape-threshold', 'eg-floor'],
};

export function loadConfigFile(path: string): RunConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UsageError(`--config: cannot read ${path}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new ConfigError('(file)', `${path} is not valid JSON (${(e as Error).message})`);
  }
  return validateConfig(parsed);
}

function positiveNumberOption(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const x = Number(raw);
  if (!Number.isFinite(x) || x <= 0) throw new UsageError(`--${name}: must be a positive number, got ${JSON.stringify(raw)}`);
  return x;
}

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

export function main(argv: string[]): number {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return command ? 0 : 1;
  }
  if (!(command in ALLOWED)) throw new UsageError(`unknown command ${JSON.stringify(command)} (expected ode, sim or compare)`);
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: rest, options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n')[0]);
  }
  for (const key of Object.keys(values)) {
    if (key !== 'help' && !ALLOWED[command].includes(key)) throw new UsageError(`option --${key} does not apply to ${command}`);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (typeof values.config !== 'string') throw new UsageError('--config FILE is required');
  const config = loadConfigFile(values.config);
  const out = values.out as string | undefined;
  const emit = (text: string) => (out ? writeFileAtomic(out, text) : process.stdout.write(text));

  if (command === 'ode') {
    const method = (values.method as string | undefined) ?? 'dopri5';
    if (method !== 'dopri5' && method !== 'rk4') throw new UsageError(`--method: must be dopri5 or rk4, got ${JSON.stringify(method)}`);
    const rtol = positiveNumberOption('rtol', values.rtol as string | undefined);
    emit(toJson(runOde(config, { method, rtol })));
    return 0;
  }
  if (command === 'sim') {
    const engine = (values.engine as string | undefined) ?? 'sgd';
    if (engine !== 'sgd' && engine !== 'sampler') throw new UsageError(`--engine: must be sgd or sampler, got ${JSON.stringify(engine)}`);
    emit(toJson(simulate(config, engine)));
    return 0;
  }
  // compare
  const escapeThreshold = positiveNumberOption('escape-threshold', values['escape-threshold'] as string | undefined);
  const egFloor = positiveNumberOption('eg-floor', values['eg-floor'] as string | undefined);
  const sim = simulate(config);
  const ode = runOde({ ...config, init: undefined });
  const summary = alignmentSummary(sim, ode, { escapeThreshold, egFloor });
  if (out || values.json) emit(toJson({ config, summary }, 2));
  else process.stdout.write(formatSummaryTable(summary));
  return 0;
}

function simulate(config: RunConfig, engine: SimEngine = 'sgd'): Trajectory {
  const progress = createProgress(`${engine} ${config.model} K=${config.K} N=${config.N} seed=${config.seed}`);
  const traj = runSimulation(config, { onProgress: progress.update, engine });
  progress.done();
  return traj;
}

export function runCli(argv: string[]): number {
  try {
    return main(argv);
  } catch (e) {
    if (e instanceof UsageError || e instanceof ConfigError || e instanceof DivergenceError) {
      process.stderr.write(`tsdyn: ${e.message}\n`);
      return 1;
    }
    process.stderr.write(`tsdyn: internal error: ${(e as Error).stack ?? e}\n`);
    return 2;
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('src/cli.ts')) {
  // `tsdyn ode ... | head` closes the pipe early: that is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  const [cmd, ...args] = process.argv.slice(2); // sweep: async, its own options (src/sweep/command.ts)
  if (cmd === 'sweep') void import('./sweep/command.ts').then((m) => m.sweepCommand(args)).then((code) => (process.exitCode = code));
  else process.exitCode = runCli(process.argv.slice(2));
}
