/**
 * `tsdyn worker` (hidden): a long-lived run server for pipelines. It reads one job per line on
 * stdin, `{"id": any, "engine": "ode"|"sgd"|"sampler", "backend"?: "cpu", "config": {...}}`, runs it
 * through the engine table's dispatch (src/engineBackends.ts) and answers one line per job on
 * stdout, in order: `{"id", "result": RunResult}` (completed or diverged), or `{"id", "error":
 * "one line"}` for a job that failed — its config, engine or backend invalid, or (`"internal":
 * true`) the engine threw, e.g. an allocation that failed. Every job gets an answer, so the
 * caller never waits on a worker that has stopped answering.
 * The bundled CLI starts in a fraction of a second, so a pipeline can keep one per core without tsx.
 * It exits 0 at the end of stdin, and within WATCHDOG_INTERVAL_MS of its parent's death
 * (src/runs/watchdog.mjs); a stop signal ends it at once (nothing half-written to a file: the
 * caller owns the files).
 */
import { createInterface } from 'node:readline';
import { ConfigError, validateConfig } from '../config.ts';
import { backendRuns, BACKENDS, dispatch, isBackend } from '../engineBackends.ts';
import { ENGINE_NAMES, isEngineName } from '../engines.ts';
import { watchParent } from '../runs/watchdog.mjs';
import { parseOptions } from './args.ts';
import type { Command } from './types.ts';

/**
 * Answer one job line (pure apart from running the engine); never rejects. A worker runs the
 * pairs that do not batch (the cpu's), one job at a time; a batching pair needs the device the
 * orchestrating process holds.
 */
export async function answerJob(line: string): Promise<string> {
  let id: unknown = null;
  try {
    const job = JSON.parse(line) as { id?: unknown; engine?: unknown; backend?: unknown; config?: unknown };
    id = job.id ?? null;
    if (!isEngineName(job.engine)) throw new ConfigError('(job).engine', `must be one of ${ENGINE_NAMES.join(', ')}, got ${JSON.stringify(job.engine)}`);
    const backend = job.backend ?? 'cpu';
    if (!isBackend(backend) || BACKENDS[backend].gpu || !backendRuns(backend, job.engine)) throw new ConfigError('(job).backend', `must be a backend without a GPU that runs engine ${job.engine}, got ${JSON.stringify(job.backend)}`);
    const [result] = await dispatch(job.engine, backend, [validateConfig(job.config)]);
    return `${JSON.stringify({ id, result })}\n`;
  } catch (e) {
    if (e instanceof SyntaxError) return `${JSON.stringify({ id, error: `job is not valid JSON (${e.message})` })}\n`;
    if (e instanceof ConfigError) return `${JSON.stringify({ id, error: e.message })}\n`;
    const message = String((e as Error)?.message ?? e).split('\n')[0];
    return `${JSON.stringify({ id, error: `internal error: ${message}`, internal: true })}\n`;
  }
}

export const workerCommand: Command = {
  help: `usage: tsdyn worker < jobs.jsonl
Read one job per line, {"id", "engine", "config"}; print one line per job, in order:
{"id", "result": {"status": "completed"|"diverged", ...}} or {"id", "error": "...", "internal"?: true}.`,
  async run(argv) {
    parseOptions('worker', argv, {});
    watchParent();
    const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
    for await (const line of lines) {
      if (line.trim() === '') continue;
      process.stdout.write(await answerJob(line));
    }
    return 0;
  },
};
