/**
 * `tsdyn worker` (hidden): a long-lived run server for pipelines. It reads one job per line on
 * stdin, `{"id": any, "engine": "ode"|"sgd"|"sampler", "config": {...}}`, and answers one line
 * per job on stdout, in order: `{"id", "result": RunResult}` (completed or diverged), or
 * `{"id", "error": "one line"}` for a job whose engine or config is invalid. The bundled CLI
 * starts in a fraction of a second, so a pipeline can keep one per core without tsx.
 * It exits 0 at the end of stdin; a stop signal ends it at once (nothing half-written to a file:
 * the caller owns the files).
 */
import { createInterface } from 'node:readline';
import { ConfigError, validateConfig } from '../config.ts';
import { ENGINE_NAMES, isEngineName, runEngine } from '../engines.ts';
import { parseOptions } from './args.ts';
import type { Command } from './types.ts';

/** Answer one job line (pure apart from running the engine). */
export function answerJob(line: string): string {
  let id: unknown = null;
  try {
    const job = JSON.parse(line) as { id?: unknown; engine?: unknown; config?: unknown };
    id = job.id ?? null;
    if (!isEngineName(job.engine)) throw new ConfigError('(job).engine', `must be one of ${ENGINE_NAMES.join(', ')}, got ${JSON.stringify(job.engine)}`);
    const result = runEngine(job.engine, validateConfig(job.config));
    return `${JSON.stringify({ id, result })}\n`;
  } catch (e) {
    if (e instanceof SyntaxError) return `${JSON.stringify({ id, error: `job is not valid JSON (${e.message})` })}\n`;
    if (e instanceof ConfigError) return `${JSON.stringify({ id, error: e.message })}\n`;
    throw e;
  }
}

export const workerCommand: Command = {
  help: `usage: tsdyn worker < jobs.jsonl
Read one job per line, {"id", "engine", "config"}; print one line per job, in order:
{"id", "result": {"status": "completed"|"diverged", ...}} or {"id", "error": "..."}.`,
  async run(argv) {
    parseOptions('worker', argv, {});
    const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
    for await (const line of lines) {
      if (line.trim() === '') continue;
      process.stdout.write(answerJob(line));
    }
    return 0;
  },
};
