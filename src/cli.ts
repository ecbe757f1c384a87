/**
 * tsdyn command line: a table of commands (src/commands/*), one-line errors, exit codes.
 * All side effects of the library live in the commands and in pipeline/.
 *
 *   tsdyn ode|sim|compare --config FILE [options]     (tsdyn <cmd> --help for each)
 *
 * Exit codes: 0 done; 1 a problem the user can fix (bad option, config field, resource
 * limit, --out target, divergence, a stdout that cannot be written), printed as one line on
 * stderr; 2 an internal error.
 * Nothing is written unless the run completed. Installed as dist/cli.js (esbuild bundle,
 * `npm run build`); `npx tsx src/cli.ts` runs the sources directly.
 */
import type { Command } from './commands/types.ts';
import { ConfigError } from './config.ts';
import { UsageError } from './errors.ts';
import { VERSION } from './version.ts';

export { UsageError };
export type { Command };

/** A subcommand as the table lists it: its module is loaded only when it runs. */
export interface CommandEntry {
  /** One line for `tsdyn --help`. */
  summary: string;
  /** Left out of `tsdyn --help` (internal entry points). */
  hidden?: boolean;
  load(): Promise<Command>;
}

/**
 * Every subcommand; other streams add theirs here (one entry each). Modules load on demand
 * (esbuild splits them into chunks), so `tsdyn --help` and `--version` never evaluate the
 * engines (the RNG's ziggurat tables alone cost ~40 ms at load).
 */
export const COMMANDS: Record<string, CommandEntry> = {
  ode: { summary: 'integrate the order-parameter ODEs; print JSON', load: async () => (await import('./commands/run.ts')).odeCommand },
  sim: { summary: 'train the student by online SGD (or its exact order-parameter chain); print JSON', load: async () => (await import('./commands/run.ts')).simCommand },
  compare: { summary: 'run SGD and the ODEs from the same start; print the alignment metrics', load: async () => (await import('./commands/run.ts')).compareCommand },
  sweep: { summary: 'run every run of a sweep file (cached, in parallel); write a table and a plot', load: async () => { const m = await import('./commands/sweep.ts'); return { help: m.SWEEP_USAGE, run: m.sweepCommand }; } },
  batch: { summary: 'run a list of runs (any engine; webgpu ones batched on the GPU); write their results: the runner of a GPU box and of every SLURM task (also bundled alone: scripts/build-batch.mjs)', load: async () => { const m = await import('./commands/batch.ts'); return { help: m.BATCH_USAGE, run: m.batchCommand }; } },
  worker: { summary: 'run jobs read as JSON lines from stdin (for pipelines)', hidden: true, load: async () => (await import('./commands/worker.ts')).workerCommand },
};

export function usage(): string {
  const visible = Object.entries(COMMANDS).filter(([, c]) => !c.hidden);
  const w = Math.max(...visible.map(([n]) => n.length));
  return `usage: tsdyn <command> [options]      (tsdyn <command> --help for its options)
${visible.map(([n, c]) => `  ${n.padEnd(w)}  ${c.summary}`).join('\n')}
  --version  print the version`;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) {
    process.stderr.write(`${usage()}\n`);
    return 1;
  }
  if (command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${usage()}\n`);
    return 0;
  }
  if (command === '--version' || command === '-v') {
    process.stdout.write(`tsdyn ${VERSION}\n`);
    return 0;
  }
  const entry = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!entry) {
    const names = Object.entries(COMMANDS).filter(([, c]) => !c.hidden).map(([n]) => n);
    throw new UsageError(`unknown command ${JSON.stringify(command)} (expected ${names.join(', ')}; see tsdyn --help)`);
  }
  const cmd = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${cmd.help}\n`);
    return 0;
  }
  return cmd.run(rest);
}

/** One line per problem on stderr, never a stack trace unless TSDYN_DEBUG is set. */
export async function runCli(argv: string[]): Promise<number> {
  try {
    return await main(argv);
  } catch (e) {
    const err = e as Error;
    // RunDivergedError is matched by name: its module (commands/run.ts) loads lazily.
    if (e instanceof UsageError || e instanceof ConfigError || err?.name === 'RunDivergedError') {
      process.stderr.write(`tsdyn: ${oneLine(err.message)}\n`);
      return 1;
    }
    if (process.env.TSDYN_DEBUG) process.stderr.write(`${err?.stack ?? e}\n`);
    process.stderr.write(`tsdyn: internal error: ${oneLine(String(err?.message ?? e))} (TSDYN_DEBUG=1 shows the stack)\n`);
    return 2;
  }
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ');
}

/**
 * What a failed write to stdout means: `tsdyn ode … | head` closing the pipe early (EPIPE) is
 * not an error (exit 0); anything else (`> /dev/full`: ENOSPC, a failing device: EIO) is one
 * line on stderr and exit 1, since the output the user asked for was not written.
 */
export function stdoutError(e: NodeJS.ErrnoException): { code: number; line: string | null } {
  if (e.code === 'EPIPE') return { code: 0, line: null };
  return { code: 1, line: `tsdyn: cannot write to stdout (${e.code ?? e.message}); the output is incomplete` };
}

/** Process entry point (dist/cli.js and `tsx src/cli.ts`). */
export function start(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    const { code, line } = stdoutError(e);
    if (line) process.stderr.write(`${line}\n`);
    process.exit(code);
  });
  // No signal handlers on purpose: SIGINT/SIGTERM keep their default action and end the
  // process at once, even inside a long synchronous step, and since outputs are only
  // written after the run completes, nothing is written after a stop.
  void runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}

if (process.argv[1]?.endsWith('src/cli.ts')) start();
