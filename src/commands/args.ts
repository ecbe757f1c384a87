/**
 * Shared pieces of the run commands: strict option parsing into one-line UsageErrors, the
 * config file, the resource limits (flags, then environment, then defaults) and `--out`.
 */
import { getHeapStatistics } from 'node:v8';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError, validateConfig, type RunConfig } from '../config.ts';
import { UsageError } from '../errors.ts';
import { JsonContentError, JsonReadError, readJson, type JsonFileKindName } from '../jsonFile.ts';
import { DEFAULT_LIMITS, type ResourceLimits } from '../resources.ts';
import { parseByteSize } from '../sizes.ts';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** Options every run command takes. */
export const RUN_OPTIONS = {
  config: { type: 'string' },
  out: { type: 'string' },
  'max-memory': { type: 'string' },
  'max-samples': { type: 'string' },
} as const satisfies OptionSpec;

export const RUN_OPTIONS_HELP = `  --config FILE        the run's JSON config (required; fields in docs/cli.md, "Config")
  --out FILE           write the JSON atomically to FILE (- for stdout) instead of printing
  --max-memory SIZE    refuse runs estimated to need more (default 8G; env TSDYN_MAX_MEMORY)
  --max-samples X      refuse simulations drawing more samples (default 1e10; env TSDYN_MAX_SAMPLES)`;

export function parseOptions<O extends OptionSpec>(command: string, argv: string[], options: O): Record<string, string | boolean | undefined> {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values as Record<string, string | boolean | undefined>;
  } catch (e) {
    const msg = (e as Error).message.split('\n')[0].replace(/\. To specify .*$/, '');
    throw new UsageError(`${command}: ${msg} (see tsdyn ${command} --help)`);
  }
}

/**
 * Read and parse a JSON file named by `--config` through the bounded, strict reader
 * (src/jsonFile.ts: size and depth caps, UTF-8, duplicate keys); `invalidJson` makes the error
 * for content that is refused (each file kind names its own root: `config`, `sweep`).
 */
export function readJsonFile(path: string, invalidJson: (message: string) => Error, kind: JsonFileKindName = 'config'): unknown {
  try {
    return readJson(path, kind);
  } catch (e) {
    if (e instanceof JsonReadError) throw new UsageError(`--config: cannot read ${path} (${e.code})`);
    if (e instanceof JsonContentError) throw invalidJson(e.message);
    throw e;
  }
}

export function loadConfigFile(path: string): RunConfig {
  return validateConfig(readJsonFile(path, (m) => new ConfigError('(file)', m)));
}

export function requireConfig(values: Record<string, unknown>): string {
  if (typeof values.config !== 'string' || values.config === '') throw new UsageError('--config FILE is required');
  return values.config;
}

export function positiveNumberOption(name: string, raw: string | boolean | undefined): number | undefined {
  if (raw === undefined || typeof raw === 'boolean') return undefined;
  const x = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(x) || x <= 0) throw new UsageError(`--${name}: must be a positive finite number, got ${JSON.stringify(raw)}`);
  return x;
}

/** Limits: a flag wins over the environment variable, which wins over the default. */
export function resourceLimits(values: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): ResourceLimits {
  const memory = (source: string, raw: string) => {
    const x = parseByteSize(raw);
    if (x === null) throw new UsageError(`${source}: must be a size like 8G, 512M or 1e9, got ${JSON.stringify(raw)}`);
    return x;
  };
  const count = (source: string, raw: string) => {
    const x = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(x) || x <= 0) throw new UsageError(`${source}: must be a positive number, got ${JSON.stringify(raw)}`);
    return x;
  };
  const pick = (flag: string, envName: string, parse: (s: string, r: string) => number, fallback: number) => {
    const v = values[flag];
    if (typeof v === 'string') return parse(`--${flag}`, v);
    const e = env[envName];
    if (e !== undefined && e !== '') return parse(envName, e);
    return fallback;
  };
  return {
    maxMemoryBytes: pick('max-memory', 'TSDYN_MAX_MEMORY', memory, DEFAULT_LIMITS.maxMemoryBytes),
    maxSamples: pick('max-samples', 'TSDYN_MAX_SAMPLES', count, DEFAULT_LIMITS.maxSamples),
    heapBytes: getHeapStatistics().heap_size_limit,
  };
}
