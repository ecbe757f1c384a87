/**
 * `--executor local|slurm` and the SLURM executor's options, shared by `tsdyn sweep`, the
 * figure pipeline (`make figures` / `make figure`) and `make calibrate`. The executors are one
 * registry (EXECUTORS); parsing is pure and its errors are one-line UsageErrors naming the option.
 */
import type { Backend, BackendChoice, BackendSession } from '../backends.ts';
import { ClusterError } from './errors.ts';
import { parseSlurmArgs, SlurmArgsError } from './slurmArgs.ts';

export const EXECUTORS = {
  local: { summary: 'worker processes on this machine, one per core (the run scheduler)' },
  slurm: { summary: 'shards of runs as one SLURM job array, collected into the run cache (src/cluster/executor.ts)' },
} as const;
export type ExecutorName = keyof typeof EXECUTORS;

export interface SlurmOptions {
  partition?: string;
  time?: string;
  mem?: string;
  account?: string;
  /** --slurm-args, split into words and checked. */
  extraArgs: string[];
  /** Target wall time of one shard, minutes. */
  shardMinutes: number;
  /** Resubmissions of a failed shard before it is reported. */
  retries: number;
  /** Tasks at once (the array's %P); default: what the partition holds. */
  maxTasks?: number;
  cpusPerTask: number;
  /** Submit and exit; a rerun collects. */
  submitOnly: boolean;
}

export type Executor = { name: 'local' } | { name: 'slurm'; slurm: SlurmOptions };

/** The options as node:util parseArgs declares them. */
export const EXECUTOR_OPTIONS = {
  executor: { type: 'string' },
  'shard-minutes': { type: 'string' },
  partition: { type: 'string' },
  time: { type: 'string' },
  mem: { type: 'string' },
  account: { type: 'string' },
  'slurm-args': { type: 'string' },
  retries: { type: 'string' },
  'max-tasks': { type: 'string' },
  'cpus-per-task': { type: 'string' },
  'submit-only': { type: 'boolean' },
} as const;

export const EXECUTOR_HELP = `  --executor local|slurm   where the missing runs are computed (default local: worker processes here).
    slurm: shards of about --shard-minutes each, one sbatch job array, results imported into the
    run cache (which must be on a file system the nodes share); docs/cluster.md.
  --shard-minutes M        target wall time of one shard (default 20)
  --partition P  --time T  --mem M  --account A    passed to sbatch
  --slurm-args "…"         more sbatch options (e.g. "--qos=short --constraint=avx2")
  --cpus-per-task C        CPUs per task; the shard's cpu runs use C workers (default 1)
  --max-tasks P            tasks at once, the array's %P (default: the partition's CPUs / C; GPUs for webgpu)
  --retries R              resubmissions of a failed or timed-out shard (default 2)
  --submit-only            submit and exit; run the same command again to collect`;

const DEFAULTS = { shardMinutes: 20, retries: 2, cpusPerTask: 1 } as const;

function positive(option: string, raw: string | undefined, max: number, integer: boolean): number | undefined {
  if (raw === undefined) return undefined;
  const x = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(x) || x <= 0 || x > max || (integer && !Number.isInteger(x))) {
    throw new ClusterError(`--${option}: must be ${integer ? 'an integer' : 'a number'} from ${integer ? 1 : 'above 0'} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return x;
}

/** A value sbatch gets as one argument: printable, no newline (it is also written into the task script's comment). */
function sbatchValue(option: string, raw: string | undefined, pattern: RegExp, what: string): string | undefined {
  if (raw === undefined) return undefined;
  if (!pattern.test(raw)) throw new ClusterError(`--${option}: must be ${what}, got ${JSON.stringify(raw)}`);
  return raw;
}

type Values = { [K in keyof typeof EXECUTOR_OPTIONS]?: (typeof EXECUTOR_OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };

/** The executor the options ask for; the SLURM options only with --executor slurm. */
export function executorFrom(values: Values): Executor {
  const name = values.executor === undefined || values.executor === '' ? 'local' : values.executor;
  if (!Object.hasOwn(EXECUTORS, name)) throw new ClusterError(`--executor: must be ${Object.keys(EXECUTORS).join(' or ')}, got ${JSON.stringify(name)}`);
  const slurmOnly = (Object.keys(EXECUTOR_OPTIONS) as (keyof typeof EXECUTOR_OPTIONS)[]).filter((k) => k !== 'executor' && values[k] !== undefined);
  if (name === 'local') {
    if (slurmOnly.length) throw new ClusterError(`--${slurmOnly[0]}: only with --executor slurm`);
    return { name: 'local' };
  }
  let extraArgs: string[] = [];
  try {
    extraArgs = values['slurm-args'] === undefined ? [] : parseSlurmArgs(values['slurm-args']);
  } catch (e) {
    if (e instanceof SlurmArgsError) throw new ClusterError(e.message);
    throw e;
  }
  const name_ = /^[A-Za-z0-9_.+-]+$/;
  return {
    name: 'slurm',
    slurm: {
      partition: sbatchValue('partition', values.partition, /^[A-Za-z0-9_.+-]+(,[A-Za-z0-9_.+-]+)*$/, 'a partition name (letters, digits, _ . + -; several separated by commas)'),
      time: sbatchValue('time', values.time, /^[0-9:-]+$/, 'a SLURM time limit such as 30, 2:00:00 or 1-12:00:00'),
      mem: sbatchValue('mem', values.mem, /^[0-9]+[KMGT]?B?$/i, 'a memory size such as 4G or 500M'),
      account: sbatchValue('account', values.account, name_, 'an account name (letters, digits, _ . + -)'),
      extraArgs,
      shardMinutes: positive('shard-minutes', values['shard-minutes'], 7 * 24 * 60, false) ?? DEFAULTS.shardMinutes,
      retries: values.retries === '0' ? 0 : (positive('retries', values.retries, 20, true) ?? DEFAULTS.retries),
      maxTasks: positive('max-tasks', values['max-tasks'], 100_000, true),
      cpusPerTask: positive('cpus-per-task', values['cpus-per-task'], 1024, true) ?? DEFAULTS.cpusPerTask,
      submitOnly: values['submit-only'] === true,
    },
  };
}

/**
 * The backend of a study whose runs go to the cluster: `auto` is cpu (whether this machine has a
 * GPU says nothing of the nodes), `webgpu` the nodes' GPUs. No GPU is ever opened here.
 */
export function clusterSession(choice: BackendChoice): BackendSession {
  const backend: Backend = choice === 'auto' ? 'cpu' : choice;
  return { backend, gpu: () => Promise.reject(new Error('--executor slurm: runs are computed on the nodes, not here')), close: () => undefined };
}

/**
 * `--slurm-args --qos=x` as two words: node:util's parseArgs takes a value that starts with
 * `-` for an option of its own and refuses it. The word after --slurm-args is always its value.
 */
export function joinSlurmArgs(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--slurm-args' && i + 1 < argv.length) out.push(`--slurm-args=${argv[++i]}`);
    else out.push(argv[i]);
  }
  return out;
}
