/**
 * The SLURM client: the few commands the executor runs (scontrol, sinfo, sbatch, squeue,
 * scancel) and the parsing of their replies (pure functions, tested on their own). Every
 * command is run without a shell, with a time limit; a command that is missing or fails is a
 * SlurmError with one line: the command and the first line it printed.
 *
 * There may be no accounting database (sacct then answers nothing), so a task is followed with
 * squeue alone, which shows finished tasks only for MinJobAge seconds and a cancelled pending
 * task not at all: the executor decides from the task's files first (src/cluster/executor.ts).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export class SlurmError extends Error {}

/** How long one command may take (a busy controller answers slowly). */
const COMMAND_TIMEOUT_MS = 60_000;

export interface CommandResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Run a SLURM command; `missing` when the program is not on PATH. */
export function slurmCommand(cmd: string, args: readonly string[]): CommandResult | 'missing' {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: COMMAND_TIMEOUT_MS, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'missing';
    if (code === 'ETIMEDOUT') return { status: 124, stdout: r.stdout ?? '', stderr: `no answer within ${COMMAND_TIMEOUT_MS / 1000} s` };
    return { status: 127, stdout: '', stderr: r.error.message };
  }
  return { status: r.status ?? 128, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** The first line worth showing of a failed command's output. */
export function firstLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  return (lines.find((l) => /error|fatal|unable|invalid|unrecognized|not found|failure/i.test(l)) ?? lines[0] ?? '(no output)').replace(/^(sbatch|squeue|scontrol|sinfo|scancel): (error: )?/, '');
}

/** Run a command that must succeed; its stdout. */
function must(cmd: string, args: readonly string[], what: string): string {
  const r = slurmCommand(cmd, args);
  if (r === 'missing') throw new SlurmError(`${cmd} not found on PATH: run on a SLURM login node (or load the cluster's slurm module)`);
  if (r.status !== 0) throw new SlurmError(`${what}: ${cmd} failed: ${firstLine(r.stderr + '\n' + r.stdout)}`);
  return r.stdout;
}

/** `scontrol show config` as key → value. */
export function parseConfig(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^(\S+)\s+=\s+(.*)$/.exec(line.trim());
    if (m) out.set(m[1], m[2].trim());
  }
  return out;
}

export interface ClusterConfig {
  /** Array indices run from 0 to MaxArraySize − 1. */
  maxArraySize: number;
}

/**
 * The controller's configuration; fails when sbatch is not installed here, when SLURM_CONF
 * names no file (scontrol would retry for a minute), or when no controller answers.
 */
export function clusterConfig(env: NodeJS.ProcessEnv = process.env): ClusterConfig {
  if (slurmCommand('sbatch', ['--version']) === 'missing') throw new SlurmError('sbatch not found on PATH: run on a SLURM login node (or load the cluster\'s slurm module)');
  if (env.SLURM_CONF && !existsSync(env.SLURM_CONF)) throw new SlurmError(`SLURM_CONF=${env.SLURM_CONF}: no such file, so no controller to reach`);
  const cfg = parseConfig(must('scontrol', ['show', 'config'], 'cannot reach the SLURM controller'));
  const max = Number(cfg.get('MaxArraySize'));
  return { maxArraySize: Number.isInteger(max) && max > 0 ? max : 1001 };
}

export interface PartitionInfo {
  name: string;
  cpus: number;
  gpus: number;
}

/** GPUs in a sinfo %G field: `gpu:4`, `gpu:a100:4(S:0-1)`, `gpu:2,mps:100`; 0 for `(null)`. */
export function gpusOf(gres: string): number {
  let n = 0;
  for (const item of gres.split(',')) {
    const m = /^gpu(?::[^:(]+)?:(\d+)/.exec(item.trim());
    if (m) n += Number(m[1]);
  }
  return n;
}

/**
 * `sinfo -h -o '%P|%D|%c|%G'` lines → the partition's CPUs and GPUs (nodes × per node, summed
 * over its node configurations). `name` undefined: the default partition (marked `*`).
 */
export function parsePartitions(text: string, name?: string): PartitionInfo | null {
  let found: PartitionInfo | null = null;
  for (const line of text.split('\n')) {
    const [p, nodes, cpus, gres] = line.trim().split('|');
    if (p === undefined || nodes === undefined) continue;
    const isDefault = p.endsWith('*');
    const pname = isDefault ? p.slice(0, -1) : p;
    if (name === undefined ? !isDefault : pname !== name) continue;
    found ??= { name: pname, cpus: 0, gpus: 0 };
    found.cpus += Number(nodes) * Number(cpus);
    found.gpus += Number(nodes) * gpusOf(gres ?? '');
  }
  return found;
}

/** The one-line error for a partition sinfo does not list (`name` undefined: no default partition). */
function noPartition(text: string, name: string | undefined): SlurmError {
  const names = [...new Set(text.split('\n').map((l) => l.split('|')[0].trim().replace(/\*$/, '')).filter(Boolean))].join(', ');
  if (name === undefined) return new SlurmError(`the cluster has no default partition: give --partition (one of: ${names || 'none'})`);
  return new SlurmError(`--partition: no partition ${JSON.stringify(name)} on this cluster (it has: ${names || 'none'})`);
}

/** The partition the jobs go to (given, or the default), with its size; one line when there is none. */
export function partitionInfo(name: string | undefined): PartitionInfo {
  const text = must('sinfo', ['-h', '-o', '%P|%D|%c|%G'], 'cannot list the partitions');
  const info = parsePartitions(text, name);
  if (info) return info;
  throw noPartition(text, name);
}

/** The nodes' hosts of the partitions the jobs may go to, or the partition sinfo has no node in. */
export type PartitionHosts = { status: 'hosts'; hosts: string[] } | { status: 'missing'; partition: string | undefined };

/**
 * `sinfo -h -N -o '%P|%n'` lines (one per node and partition) → the host names of the nodes of
 * the partitions the jobs may go to: `partition` as --partition gives it (one name or several
 * separated by commas; sbatch runs a job in whichever starts it first), undefined for the
 * default one (marked `*`). Sorted, each once. 'missing': the first partition no line names
 * (partition undefined: no line is marked default).
 */
export function parsePartitionHosts(text: string, partition?: string): PartitionHosts {
  const wanted = partition === undefined ? undefined : partition.split(',');
  const hosts = new Set<string>();
  const seen = new Set<string>();
  for (const line of text.split('\n')) {
    const [p, host] = line.trim().split('|');
    if (!p || !host) continue;
    const isDefault = p.endsWith('*');
    const pname = isDefault ? p.slice(0, -1) : p;
    if (wanted === undefined ? !isDefault : !wanted.includes(pname)) continue;
    seen.add(pname);
    hosts.add(host.trim());
  }
  if (wanted === undefined && seen.size === 0) return { status: 'missing', partition: undefined };
  const missing = wanted?.find((w) => !seen.has(w));
  if (missing !== undefined) return { status: 'missing', partition: missing };
  return { status: 'hosts', hosts: [...hosts].sort() };
}

/**
 * The host names of the nodes the jobs may run on (see parsePartitionHosts), asking the
 * cluster as the submission will (sbatch on PATH, the controller answering, the partition
 * there), so that each of those problems is the same one line whichever check meets it first.
 * Empty: the partition exists but has no nodes.
 */
export function partitionHosts(partition: string | undefined): string[] {
  clusterConfig();
  const found = parsePartitionHosts(must('sinfo', ['-h', '-N', '-o', '%P|%n'], 'cannot list the nodes'), partition);
  if (found.status === 'hosts') return found.hosts;
  // No node in it: no partition by that name (one line), or one without nodes.
  const listed = must('sinfo', ['-h', '-o', '%P'], 'cannot list the partitions');
  const name = found.partition;
  const names = listed.split('\n').map((l) => l.trim()).filter(Boolean);
  if (names.some((n) => (name === undefined ? n.endsWith('*') : n.replace(/\*$/, '') === name))) return [];
  throw noPartition(listed, name);
}

/**
 * `sbatch --test-only`: would the cluster take a job with these options? Submits nothing.
 * `shown`: the options to name in the error (the user's, not the executor's own).
 */
export function testSubmit(args: readonly string[], shown: readonly string[]): void {
  const r = slurmCommand('sbatch', ['--test-only', ...args, '--wrap=true']);
  if (r === 'missing') throw new SlurmError('sbatch not found on PATH: run on a SLURM login node (or load the cluster\'s slurm module)');
  if (r.status !== 0) throw new SlurmError(`sbatch refuses the job${shown.length ? ` with ${shown.join(' ')}` : ''}: ${firstLine(r.stderr + '\n' + r.stdout)}`);
}

/** Submit; the job id (`--parsable` prints `id` or `id;cluster`). */
export function submit(args: readonly string[], script: string): string {
  const out = must('sbatch', ['--parsable', ...args, script], 'submitting the job array');
  const id = out.trim().split('\n').at(-1)!.split(';')[0];
  if (!/^\d+$/.test(id)) throw new SlurmError(`submitting the job array: sbatch printed no job id (${JSON.stringify(out.trim().slice(0, 80))})`);
  return id;
}

/** A task's state as squeue shows it. */
export interface TaskState {
  state: string;
  reason: string;
}

/** States after which a task does nothing more (squeue's long names). */
const FINISHED = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'NODE_FAIL', 'PREEMPTED', 'OUT_OF_MEMORY', 'BOOT_FAIL', 'DEADLINE', 'SPECIAL_EXIT', 'REVOKED']);

export function isFinished(state: string): boolean {
  return FINISHED.has(state.split(' ')[0]);
}

/**
 * `squeue -h -r -t all -o '%F|%K|%T|%r'` → `ARRAYJOB_TASK` → state, for the given array job
 * ids (-r lists each pending array task on its own line).
 */
export function parseQueue(text: string, arrayJobs: ReadonlySet<string>): Map<string, TaskState> {
  const out = new Map<string, TaskState>();
  for (const line of text.split('\n')) {
    const [job, task, state, reason] = line.trim().split('|');
    if (!job || !arrayJobs.has(job) || !/^\d+$/.test(task ?? '')) continue;
    out.set(`${job}_${task}`, { state: state ?? '', reason: reason ?? '' });
  }
  return out;
}

/** This user's tasks of the given array jobs; null when squeue does not answer (try again later). */
export function queue(arrayJobs: ReadonlySet<string>): Map<string, TaskState> | null {
  const r = slurmCommand('squeue', ['-h', '-r', '-t', 'all', '--me', '-o', '%F|%K|%T|%r']);
  if (r === 'missing' || r.status !== 0) return null;
  return parseQueue(r.stdout, arrayJobs);
}

/** Cancel jobs or tasks (`123`, `123_4`); best effort (used on a stop too). */
export function cancel(ids: readonly string[]): void {
  if (ids.length) slurmCommand('scancel', [...ids]);
}

/** `0-3,5,7-9` from sorted or unsorted indices. */
export function indexRanges(indices: readonly number[]): string {
  const sorted = [...new Set(indices)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(j === i ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}
