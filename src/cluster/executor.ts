/**
 * The SLURM executor of the run scheduler (`--executor slurm`): compute the runs a sweep, the
 * figure pipeline or the calibration is missing from the run cache on a cluster, as one job
 * array, and import their results into the cache, after which the command builds its outputs
 * from the cache exactly as it does locally (the same cache entries, byte for byte).
 *
 * Plan. The runs are packed into shards by the scheduler's cost model (src/cluster/shardPlan.ts):
 * CPU shards of about --shard-minutes, never more than the cluster's MaxArraySize; webgpu runs
 * in GPU shards, one per GPU. A submission is a folder in the cache, CACHE/slurm/<id>/, written
 * whole (staged, then renamed): state.json, the task script run.sh, and per shard
 * shard-NNNN.jobs.json, a `tsdyn batch` jobs file that carries this tsdyn's version and code
 * digests (src/runs/provenance.ts).
 *
 * Submit. One `sbatch --array=0-(S−1)%P run.sh` per kind of shard (CPU; GPU with
 * --gres=gpu:1), after `sbatch --test-only` accepted the same options. Each task runs the
 * bundled runner, `node dist/cli.js batch` (src/commands/batch.ts), on its shard and writes
 * shard-NNNN.results.json beside it (atomically: its presence means done), or
 * shard-NNNN.failed (one line) when the runner fails; its log is shard-NNNN.log.
 *
 * Collect. The folder is listed every POLL_MS and squeue asked every QUEUE_MS. A shard is done
 * when its results file is there; it is imported at once: checked against its runs (every run,
 * once; checksums; status; integrity; the same tsdyn build: src/runs/resultsFile.ts) and written
 * into the cache one file per run, all or nothing. A shard failed when its failed marker is
 * there, when its results are refused, or when squeue shows its task ended (or no longer shows
 * it: a cancelled pending task vanishes, and there may be no accounting database) without
 * results on two looks QUEUE_MS apart (COMPLETED: for NFS_GRACE_MS, as a shared file system may
 * show a new file late). A failed shard is resubmitted up to --retries times, then reported by
 * shard and run. On a terminal a progress line shows shards done, failed, running and pending
 * and an ETA; in CI one line per event.
 *
 * Faults. A stop signal cancels the arrays (scancel) before the process exits. A submission's
 * folder stays until all its shards are imported, so a rerun (after a stop, a crash, or
 * --submit-only) adopts the folders no live collector owns: it imports what finished, follows
 * what still runs, and submits only what is still missing. Folders of another tsdyn build are
 * cancelled and removed, never imported.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { validateConfig } from '../config.ts';
import { ClusterError } from './errors.ts';
import { toJson, writeFileAtomic } from '../io.ts';
import { JsonContentError, JsonReadError, readJson } from '../jsonFile.ts';
import { formatSeconds, progressEnabled } from '../progress.ts';
import { estimateResources } from '../resources.ts';
import { MAX_OUTPUT_BYTES } from '../sizes.ts';
import { ROOT } from '../root.ts';
import { processAlive } from '../outputFolder.ts';
import { provenance, provenanceProblem, describeProvenance, type Provenance } from '../runs/provenance.ts';
import { checkResults, importEntries, ResultsFileError, type ExpectedRun } from '../runs/resultsFile.ts';
import { addStopHook, runCacheKey, RunFailedError } from '../runs/scheduler.ts';
import { BACKENDS, expectedSeconds, onBackend, type Backend } from '../engineBackends.ts';
import type { SlurmOptions } from './options.ts';
import { isThisHost, nodeLocalProblem, onlyThisHost } from './sharedFs.ts';
import { expectedWallSeconds, planShards, shardSeconds, ShardPlanError, type Shard } from './shardPlan.ts';
import { cancel, clusterConfig, indexRanges, isFinished, partitionHosts, partitionInfo, queue, SlurmError, submit, testSubmit, type TaskState } from './slurm.ts';

/** Folder listing interval: cheap (one readdir per submission). */
const POLL_MS = 500;
/** squeue interval: a controller serves many users. */
const QUEUE_MS = 2000;
/** A task that ended COMPLETED: how long its results file may take to show on a shared file system. */
const NFS_GRACE_MS = 60_000;
/** squeue failing this long in a row: the controller is gone. */
const QUEUE_LOST_MS = 5 * 60_000;
/** A collector that has not touched its owner file for this long (on another host) is gone. */
const OWNER_STALE_MS = 120_000;
/** How often a collector touches its owner file. */
const HEARTBEAT_MS = 15_000;
/** Most expected bytes of one shard's results (the file is read back as one string). */
const MAX_SHARD_BYTES = Math.floor(MAX_OUTPUT_BYTES / 2);

const STATE_FORMAT = 'tsdyn-slurm/1';

/** A run to compute, as the scheduler plans it (a PlannedJob fits). */
export interface SlurmJob extends ExpectedRun {
  cost: number;
}

export interface SlurmContext {
  cacheDir: string;
  /** For the job name and messages: 'sweep', 'figures', 'calibrate'. */
  what: string;
  /** One line to stderr. */
  log?: (line: string) => void;
  /** Printed once every check has passed, before the first submission (the caller's plan line). */
  announce?: string;
}

export type SlurmOutcome = { status: 'done'; imported: number; submitted: number } | { status: 'submitted'; submitted: number; jobs: string[] };

interface StateShard {
  index: number;
  runs: number;
  cost: number;
  seconds: number;
  gpu: boolean;
  /** The current attempt's task, `ARRAYJOB_INDEX`. */
  task?: string;
  attempts: number;
}

interface StateFile {
  format: typeof STATE_FORMAT;
  tsdyn: Provenance;
  what: string;
  created: string;
  /** The sbatch options of each kind of shard (without --array), reused by every resubmission. */
  sbatch: { cpu: string[]; gpu: string[] };
  /** Tasks at once per kind (the %P). */
  slots: { cpu: number; gpu: number };
  shards: StateShard[];
}

interface ShardRec {
  sub: Submission;
  s: StateShard;
  jobs: SlurmJob[];
  status: 'waiting' | 'retry' | 'done' | 'failed';
  /** squeue looks that saw the task ended or gone without results; since when. */
  deadLooks: number;
  deadSince: number;
  last?: string;
  running: boolean;
}

interface Submission {
  dir: string;
  state: StateFile;
}

const pad = (i: number) => String(i).padStart(4, '0');
const shardFile = (i: number, what: 'jobs.json' | 'results.json' | 'failed' | 'log') => `shard-${pad(i)}.${what}`;
const codeOf = (e: unknown) => (e as NodeJS.ErrnoException).code ?? (e as Error).message;

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}


/** The shell word for `s` in single quotes. */
function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The task script: run the shard of this array index with the bundled runner; a failed marker on failure. */
export function taskScript(dir: string, runner: string, gpuFromIndex: number): string {
  return `#!/bin/bash
# A task of tsdyn's SLURM executor (src/cluster/executor.ts): runs shard $SLURM_ARRAY_TASK_ID of
# this folder with the bundled runner and writes shard-NNNN.results.json beside it, or
# shard-NNNN.failed (one line) when it cannot. The node needs only node (TSDYN_NODE, else PATH).
dir=${shellQuote(dir)}
i=$(printf '%04d' "$SLURM_ARRAY_TASK_ID")
fail() { printf '%s\\n' "$1" > "$dir/.shard-$i.failed.tmp" && mv -f "$dir/.shard-$i.failed.tmp" "$dir/shard-$i.failed"; echo "tsdyn task: $1" >&2; exit 1; }
if [ ! -r "$dir/shard-$i.jobs.json" ]; then echo "tsdyn task: $dir/shard-$i.jobs.json is not visible on $(hostname): the cache must be on a file system the nodes share" >&2; exit 1; fi
node=\${TSDYN_NODE:-node}
command -v "$node" >/dev/null 2>&1 || fail "no node on $(hostname): load a module that provides it or set TSDYN_NODE (docs/cluster.md)"
gpu=; [ "$SLURM_ARRAY_TASK_ID" -ge ${gpuFromIndex} ] && gpu=--software
"$node" ${shellQuote(runner)} batch --jobs "$dir/shard-$i.jobs.json" --out "$dir/shard-$i.results.json" --workers "\${SLURM_CPUS_PER_TASK:-1}" $gpu 2> "$dir/.shard-$i.err"
code=$?
cat "$dir/.shard-$i.err" >&2
[ $code -eq 0 ] || fail "exit $code on $(hostname): $(tail -n 1 "$dir/.shard-$i.err")"
rm -f "$dir/.shard-$i.err"
`;
}

/** The runner every task starts: this checkout's bundled CLI. */
export function runnerPath(): string {
  return join(ROOT, 'dist', 'cli.js');
}

/** Why the runner cannot run this tsdyn's shards (missing, or another build), or null. */
export function runnerProblem(runner = runnerPath()): string | null {
  if (!existsSync(runner)) return `the runner ${runner} is missing: build it first (make build)`;
  const r = spawnSync(process.execPath, [runner, 'batch', '--provenance'], { encoding: 'utf8', timeout: 60_000 });
  let theirs: unknown;
  try {
    theirs = JSON.parse(r.stdout);
  } catch {
    return `the runner ${runner} does not answer (exit ${r.status}: ${(r.stderr || '').trim().split('\n').at(-1) ?? ''}): rebuild it (make build)`;
  }
  const p = provenanceProblem(theirs);
  return p ? `the runner ${runner} is another build: ${p}; rebuild it (make build)` : null;
}

/** What checkClusterPaths looks at; each defaults to the real one (given in the unit tests). */
export interface ClusterWorld {
  /** The host names of the nodes the jobs may run on; throws a SlurmError (one line) when the cluster cannot say. */
  nodes?: (partition: string | undefined) => string[];
  /** This machine's host name. */
  host?: string;
  /** The checkout the tasks run the runner from. */
  root?: string;
  /** Why the nodes cannot see a path, or null (src/cluster/sharedFs.ts). */
  localProblem?: (path: string) => string | null;
}

/**
 * The one-line refusals before anything is submitted, or even created: where the files live.
 * The commands call it first thing with --executor slurm; runOnSlurm again. A node-local cache
 * or checkout (src/cluster/sharedFs.ts) is refused unless every node of `partition` (the
 * --partition value; undefined: the default one) is this machine, whose node-local folders the
 * tasks then see. Only then is the cluster asked (`nodes`, sinfo by default); when it cannot
 * answer (no sbatch, no controller, no such partition) its own one line is the refusal, the one
 * the submission would give.
 */
export function checkClusterPaths(cacheDir: string, partition: string | undefined, world: ClusterWorld = {}): void {
  const { nodes = partitionHosts, host = hostname(), root = ROOT, localProblem = nodeLocalProblem } = world;
  const cache = localProblem(cacheDir);
  const checkout = localProblem(root);
  if (!cache && !checkout) return;
  let hosts: string[];
  try {
    hosts = nodes(partition);
  } catch (e) {
    if (e instanceof SlurmError) throw new ClusterError(`--executor slurm: ${e.message}`);
    throw e;
  }
  if (onlyThisHost(hosts, host)) return;
  const others = hosts.filter((h) => !isThisHost(h, host));
  const named = partition === undefined ? 'the default partition' : `partition ${partition}`;
  const where = others.length
    ? ` (${named} has ${others.length === 1 ? 'a node' : 'nodes'} other than this host ${host}: ${others.slice(0, 3).join(', ')}${others.length > 3 ? ', …' : ''})`
    : ` (${named} has no nodes)`;
  if (cache) throw new ClusterError(`--executor slurm: the run cache ${cacheDir} ${cache}: the compute nodes cannot see it${where}; put it on a file system they share (TSDYN_CACHE_DIR=<a folder under home, project or scratch>)`);
  throw new ClusterError(`--executor slurm: the tsdyn checkout ${root} (the runner dist/cli.js) ${checkout}: the compute nodes cannot run it${where}; put the checkout on a file system they share`);
}

/** The sbatch options of one kind of shard (without --array). */
function sbatchArgs(o: SlurmOptions, dir: string, what: string, gpu: boolean): string[] {
  const args = [`--job-name=tsdyn-${what}`, `--output=${join(dir, 'shard-%4a.log')}`, '--open-mode=append', `--chdir=${dir}`, `--cpus-per-task=${gpu ? 1 : o.cpusPerTask}`];
  if (o.partition) args.push(`--partition=${o.partition}`);
  if (o.time) args.push(`--time=${o.time}`);
  if (o.mem) args.push(`--mem=${o.mem}`);
  if (o.account) args.push(`--account=${o.account}`);
  // A GPU per GPU task, unless --slurm-args names the GPUs itself (a type: gpu:a100:1).
  if (gpu && !o.extraArgs.some((a) => a.startsWith('--gres') || a.startsWith('--gpus'))) args.push('--gres=gpu:1');
  return [...args, ...o.extraArgs];
}

/** Read a submission's state; null when it is not one (a stray folder) or cannot be read. */
function readState(dir: string): StateFile | null {
  try {
    const s = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as StateFile;
    return s?.format === STATE_FORMAT && Array.isArray(s.shards) ? s : null;
  } catch {
    return null;
  }
}

function writeState(sub: Submission): void {
  writeFileAtomic(join(sub.dir, 'state.json'), toJson(sub.state, 1));
}

/** Owner file: `{host, pid}`; its mtime is the owner's heartbeat. */
function claim(dir: string): void {
  writeFileAtomic(join(dir, 'owner.json'), toJson({ host: hostname(), pid: process.pid }));
}

function ownedByLiveCollector(dir: string): boolean {
  try {
    const path = join(dir, 'owner.json');
    const o = JSON.parse(readFileSync(path, 'utf8')) as { host?: string; pid?: number };
    if (o.pid === process.pid && o.host === hostname()) return false;
    if (o.host === hostname()) return typeof o.pid === 'number' && processAlive(o.pid);
    return Date.now() - statSync(path).mtimeMs < OWNER_STALE_MS;
  } catch {
    return false;
  }
}

/** A shard's runs, read back from its jobs file and re-keyed: null when they are not this build's runs. */
function readShardJobs(dir: string, index: number): SlurmJob[] | null {
  try {
    const raw = readJson(join(dir, shardFile(index, 'jobs.json')), 'jobs') as { jobs?: unknown[] };
    const jobs = (raw.jobs ?? []).map((x) => {
      const j = x as { id: string; label: string; engine: SlurmJob['engine']; backend: Backend; config: unknown; allowDivergence?: boolean };
      const config = validateConfig(j.config);
      const job: SlurmJob = { key: j.id, label: j.label, engine: j.engine, backend: j.backend, config, cost: expectedSeconds({ engine: j.engine, backend: j.backend, config }), ...(j.allowDivergence ? { allowDivergence: true } : {}) };
      if (runCacheKey(job, j.backend) !== j.id) throw new Error('stale');
      return job;
    });
    return jobs.length ? jobs : null;
  } catch {
    return null;
  }
}

/** Expected bytes of a run's entry in a results file. */
const resultBytes = (j: SlurmJob) => estimateResources(j.engine, j.config).outputBytes + 256;

/** Compute `todo` on the cluster into the cache (see the module comment). */
export async function runOnSlurm(todo: readonly SlurmJob[], ctx: SlurmContext, o: SlurmOptions): Promise<SlurmOutcome> {
  const log = ctx.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const root = join(ctx.cacheDir, 'slurm');
  const mine = provenance();
  checkClusterPaths(ctx.cacheDir, o.partition);
  const started = Date.now();

  // 1. Earlier submissions no live collector owns: import what finished, adopt what runs.
  const recs: ShardRec[] = [];
  const imported = new Set<string>();
  const importShard = (r: ShardRec): string | null => {
    const path = join(r.sub.dir, shardFile(r.s.index, 'results.json'));
    try {
      const raw = readJson(path, 'results');
      const { entries } = checkResults(raw, r.jobs, { unknownId: `is no run of shard ${r.s.index}`, provenance: mine, complete: true });
      importEntries(entries, ctx.cacheDir, statSync(path).size);
      for (const e of entries) imported.add(e.job.key);
      rmSync(path, { force: true });
      return null;
    } catch (e) {
      if (e instanceof ResultsFileError || e instanceof JsonReadError || e instanceof JsonContentError) return `results refused: ${e.message.replace(`${path} `, '')}`;
      throw e;
    }
  };
  const earlier = existsSync(root) ? readdirSync(root).filter((n) => !n.startsWith('.')).map((n) => join(root, n)) : [];
  removeStaleStaging(root);
  const adoptable: Submission[] = [];
  for (const dir of earlier) {
    if (ownedByLiveCollector(dir)) {
      log(`slurm: ${dir} belongs to another tsdyn still collecting it; leaving it alone`);
      continue;
    }
    const state = readState(dir);
    if (!state) continue;
    adoptable.push({ dir, state });
  }
  if (adoptable.length) {
    const states = queue(new Set(adoptable.flatMap((s) => s.state.shards.flatMap((sh) => (sh.task ? [sh.task.split('_')[0]] : [])))));
    for (const sub of adoptable) {
      const live = (sh: StateShard) => sh.task !== undefined && states !== null && states.has(sh.task) && !isFinished(states.get(sh.task)!.state);
      if (provenanceProblem(sub.state.tsdyn, mine)) {
        cancel(sub.state.shards.filter(live).map((sh) => sh.task!));
        log(`slurm: ${sub.dir} was submitted by ${describeProvenance(sub.state.tsdyn)}, not this build: its tasks cancelled and the folder removed, nothing imported`);
        rmSync(sub.dir, { recursive: true, force: true });
        continue;
      }
      claim(sub.dir);
      let adopted = 0;
      const names = new Set(readdirSync(sub.dir));
      for (const sh of sub.state.shards) {
        const jobs = readShardJobs(sub.dir, sh.index);
        if (!jobs) continue;
        const r: ShardRec = { sub, s: sh, jobs, status: 'waiting', deadLooks: 0, deadSince: 0, running: false };
        if (names.has(shardFile(sh.index, 'results.json'))) {
          const refused = importShard(r);
          if (refused) log(`slurm: earlier shard ${sh.index} (${sub.dir}): ${refused}; its runs are computed again`);
          else log(`slurm: earlier shard ${sh.index}: ${jobs.length} runs imported`);
          continue;
        }
        // Still in the queue (pending or running): follow it instead of submitting its runs again.
        if (states === null || live(sh)) {
          recs.push(r);
          adopted++;
        }
      }
      if (adopted === 0) rmSync(sub.dir, { recursive: true, force: true });
      else log(`slurm: following ${adopted} shard${adopted === 1 ? '' : 's'} still queued from ${sub.dir}`);
    }
  }

  // 2. What is still missing: not imported now, not in a shard that still runs.
  const following = new Set(recs.flatMap((r) => r.jobs.map((j) => j.key)));
  const missing = todo.filter((j) => !imported.has(j.key) && !following.has(j.key));
  let submitted = 0;
  const jobIds: string[] = [];
  // The arrays this process submitted are cancelled whole (from the moment sbatch answers, so a
  // stop while the submission is still being written down loses nothing); adopted shards by task.
  const ownArrays = new Set<string>();
  const cancelOwned = () => {
    const waiting = recs.filter((r) => r.status === 'waiting' && r.s.task);
    const ids = [...ownArrays, ...waiting.map((r) => r.s.task!).filter((t) => !ownArrays.has(t.split('_')[0]))];
    if (ids.length) {
      cancel(ids);
      process.stderr.write(`\nslurm: cancelled ${waiting.length} task${waiting.length === 1 ? '' : 's'} (scancel ${ids.join(' ')})\n`);
    }
  };
  const removeHook = addStopHook(cancelOwned);
  try {
    if (missing.length) {
      const { sub, jobsOf } = submitNew(missing, ctx, o, root, mine, log, ownArrays, ctx.announce);
      for (const sh of sub.state.shards) recs.push({ sub, s: sh, jobs: jobsOf[sh.index], status: 'waiting', deadLooks: 0, deadSince: 0, running: false });
      submitted = missing.length;
      jobIds.push(...new Set(sub.state.shards.map((sh) => sh.task!.split('_')[0])));
    } else if (!recs.length) {
      if (ctx.announce) log(ctx.announce);
      removeEmpty(root);
      log(`slurm: ${imported.size ? `${imported.size} runs imported from earlier shards; ` : ''}no run left to compute: nothing submitted`);
      return { status: 'done', imported: imported.size, submitted: 0 };
    }
    if (o.submitOnly) {
      removeHook();
      log(`slurm: submitted; run the same command again to collect the results (it follows the running shards)`);
      return { status: 'submitted', submitted, jobs: jobIds };
    }
    await collect(recs, o, log, importShard, started, ownArrays);
  } finally {
    removeHook();
  }
  const failed = recs.filter((r) => r.status === 'failed');
  for (const sub of new Set(recs.map((r) => r.sub))) {
    if (recs.every((r) => r.sub !== sub || r.status === 'done')) rmSync(sub.dir, { recursive: true, force: true });
  }
  removeEmpty(root);
  if (failed.length) {
    const runs = failed.reduce((a, r) => a + r.jobs.length, 0);
    const first = failed[0];
    throw new RunFailedError(
      `slurm: ${failed.length} shard${failed.length === 1 ? '' : 's'} (${runs} runs) failed after ${o.retries + 1} attempts: ` +
        failed.map((r) => `shard ${r.s.index} (runs ${r.jobs.slice(0, 2).map((j) => j.label).join(', ')}${r.jobs.length > 2 ? ', …' : ''}): ${r.last}`).join('; ') +
        `; logs: ${join(first.sub.dir, shardFile(first.s.index, 'log'))}; the rest is in the cache, a rerun computes only these`,
    );
  }
  const retried = recs.filter((r) => r.s.attempts > 1).length;
  log(`slurm: ${recs.length} shard${recs.length === 1 ? '' : 's'} done${retried ? ` (${retried} retried)` : ''}, ${imported.size} runs imported in ${formatSeconds((Date.now() - started) / 1000)}`);
  return { status: 'done', imported: imported.size, submitted };
}

/** Remove the submissions' folder once it holds none. */
function removeEmpty(root: string): void {
  try {
    if (readdirSync(root).length === 0) rmSync(root, { recursive: true, force: true });
  } catch {
    /* not there */
  }
}

/** Remove staging folders of submissions whose process died before renaming them. */
function removeStaleStaging(root: string): void {
  if (!existsSync(root)) return;
  for (const name of readdirSync(root)) {
    const m = /^\.staging-.*-(\d+)$/.exec(name);
    if (m && !processAlive(Number(m[1]))) rmSync(join(root, name), { recursive: true, force: true });
  }
}

/** Plan the missing runs into shards, write the submission folder and submit its arrays. */
function submitNew(missing: readonly SlurmJob[], ctx: SlurmContext, o: SlurmOptions, root: string, mine: Provenance, log: (l: string) => void, ownArrays: Set<string>, announce?: string): { sub: Submission; jobsOf: SlurmJob[][] } {
  let cfg, part;
  try {
    cfg = clusterConfig();
    part = partitionInfo(o.partition);
  } catch (e) {
    if (e instanceof SlurmError) throw new ClusterError(`--executor slurm: ${e.message}`);
    throw e;
  }
  const gpuJobs = missing.filter((j) => BACKENDS[j.backend].gpu);
  const cpuJobs = missing.filter((j) => !BACKENDS[j.backend].gpu);
  if (gpuJobs.length && part.gpus === 0 && !o.extraArgs.some((a) => a.startsWith('--gres') || a.startsWith('--gpus'))) {
    throw new ClusterError(`--backend webgpu: partition ${part.name} has no GPUs (no gres gpu on its nodes); choose one with --partition`);
  }
  const runnerWhy = runnerProblem();
  if (runnerWhy) throw new ClusterError(`--executor slurm: ${runnerWhy}`);

  const id = `${new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, '')}-${process.pid}`;
  const dir = join(root, id);
  const args = { cpu: sbatchArgs(o, dir, ctx.what, false), gpu: sbatchArgs(o, dir, ctx.what, true) };
  const slots = {
    cpu: o.maxTasks ?? Math.max(1, Math.floor(part.cpus / o.cpusPerTask)),
    gpu: o.maxTasks ?? Math.max(1, part.gpus),
  };
  // Would the cluster take these jobs? (unknown options, malformed values, resources it lacks)
  const shown = [...(o.partition ? [`--partition=${o.partition}`] : []), ...(o.time ? [`--time=${o.time}`] : []), ...(o.mem ? [`--mem=${o.mem}`] : []), ...(o.account ? [`--account=${o.account}`] : []), ...(o.cpusPerTask > 1 ? [`--cpus-per-task=${o.cpusPerTask}`] : []), ...o.extraArgs];
  try {
    if (cpuJobs.length) testSubmit(args.cpu, shown);
    if (gpuJobs.length) testSubmit(args.gpu, [...shown, '--gres=gpu:1']);
  } catch (e) {
    if (e instanceof SlurmError) throw new ClusterError(`--executor slurm: ${e.message}`);
    throw e;
  }

  const item = (j: SlurmJob) => ({ job: j, cost: j.cost, bytes: resultBytes(j), group: onBackend(j.engine, j.backend).batchGroup?.(j.config) });
  let cpuShards: Shard<ReturnType<typeof item>>[];
  let gpuShards: Shard<ReturnType<typeof item>>[];
  try {
    const common = { targetSeconds: o.shardMinutes * 60, cpusPerTask: o.cpusPerTask, maxShardBytes: MAX_SHARD_BYTES };
    cpuShards = planShards(cpuJobs.map(item), { ...common, slots: slots.cpu, maxShards: cfg.maxArraySize - (gpuJobs.length ? 1 : 0) });
    gpuShards = planShards(gpuJobs.map(item), { ...common, slots: slots.gpu, maxShards: cfg.maxArraySize - cpuShards.length, gpu: true });
  } catch (e) {
    if (e instanceof ShardPlanError) throw new ClusterError(`--executor slurm: ${e.message}; raise --shard-minutes or split the study`);
    throw e;
  }

  const shards: StateShard[] = [];
  const all = [...cpuShards.map((s) => ({ s, gpu: false })), ...gpuShards.map((s) => ({ s, gpu: true }))];
  all.forEach(({ s, gpu }, index) => shards.push({ index, runs: s.jobs.length, cost: s.cost, seconds: shardSeconds(s, gpu ? 1 : o.cpusPerTask), gpu, attempts: 0 }));
  const state: StateFile = { format: STATE_FORMAT, tsdyn: mine, what: ctx.what, created: new Date().toISOString(), sbatch: args, slots, shards };

  // The folder appears whole: staged beside, then renamed.
  const staging = join(root, `.staging-${id}`);
  try {
    mkdirSync(staging, { recursive: true });
    all.forEach(({ s }, index) => {
      const jobs = s.jobs.map(({ job: j }) => ({ id: j.key, label: j.label, engine: j.engine, backend: j.backend, config: j.config, ...(j.allowDivergence ? { allowDivergence: true } : {}) }));
      writeFileSync(join(staging, shardFile(index, 'jobs.json')), toJson({ tsdyn: mine, jobs }));
    });
    writeFileSync(join(staging, 'run.sh'), taskScript(dir, runnerPath(), cpuShards.length), { mode: 0o755 });
    writeFileSync(join(staging, 'state.json'), toJson(state, 1));
    writeFileSync(join(staging, 'owner.json'), toJson({ host: hostname(), pid: process.pid }));
    renameSync(staging, dir);
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    throw new ClusterError(`--executor slurm: cannot write the shards into ${root} (${codeOf(e)})`);
  }

  const sub: Submission = { dir, state };
  const submitted: string[] = [];
  if (announce) log(announce);
  try {
    for (const gpu of [false, true]) {
      const mineShards = shards.filter((s) => s.gpu === gpu);
      if (!mineShards.length) continue;
      const spec = `${indexRanges(mineShards.map((s) => s.index))}%${gpu ? slots.gpu : slots.cpu}`;
      const job = submit([`--array=${spec}`, ...(gpu ? args.gpu : args.cpu)], join(dir, 'run.sh'));
      submitted.push(job);
      ownArrays.add(job);
      for (const s of mineShards) {
        s.task = `${job}_${s.index}`;
        s.attempts = 1;
      }
      const secs = mineShards.map((s) => s.seconds);
      const wall = expectedWallSeconds(secs, gpu ? slots.gpu : slots.cpu);
      const runs = mineShards.reduce((a, s) => a + s.runs, 0);
      log(
        `slurm: submitted job ${job}: ${mineShards.length} ${gpu ? 'GPU ' : ''}shard${mineShards.length === 1 ? '' : 's'} of ${runs} runs (array ${spec}, partition ${part.name}; ` +
          `${gpu ? '' : `about ${formatSeconds(Math.max(...secs))} of work in the largest, `}expected wall ${gpu ? '(CPU-equivalent) ' : ''}${formatSeconds(wall)} from the cost model) → ${dir}`,
      );
    }
    writeState(sub);
  } catch (e) {
    cancel(submitted);
    rmSync(dir, { recursive: true, force: true });
    if (e instanceof SlurmError) throw new ClusterError(`--executor slurm: ${e.message}`);
    throw e;
  }
  return { sub, jobsOf: all.map(({ s }) => s.jobs.map((x) => x.job)) };
}

/** Follow every shard to done or given up (see the module comment). */
async function collect(recs: ShardRec[], o: SlurmOptions, log: (l: string) => void, importShard: (r: ShardRec) => string | null, started: number, ownArrays: Set<string>): Promise<void> {
  const tty = progressEnabled();
  let lastQueue = 0;
  let queueOkAt = Date.now();
  let lastBeat = Date.now();
  const totalRuns = recs.reduce((a, r) => a + r.jobs.length, 0);
  const fail = (r: ShardRec, why: string) => {
    r.last = why;
    r.deadLooks = 0;
    r.running = false;
    for (const f of ['results.json', 'failed'] as const) rmSync(join(r.sub.dir, shardFile(r.s.index, f)), { force: true });
    if (r.s.attempts <= o.retries) {
      r.status = 'retry';
      log(`${tty ? '\r\x1b[K' : ''}slurm: shard ${r.s.index} (task ${r.s.task}): ${why}; resubmitting (attempt ${r.s.attempts + 1} of ${o.retries + 1})`);
    } else {
      r.status = 'failed';
      log(`${tty ? '\r\x1b[K' : ''}slurm: shard ${r.s.index} (task ${r.s.task}) failed ${r.s.attempts} times; last: ${why}`);
    }
  };
  for (;;) {
    // Markers first, then the queue: a task seen ended has had its files written before.
    for (const sub of new Set(recs.filter((r) => r.status === 'waiting').map((r) => r.sub))) {
      let names: Set<string>;
      try {
        names = new Set(readdirSync(sub.dir));
      } catch (e) {
        throw new ClusterError(`--executor slurm: cannot list ${sub.dir} (${codeOf(e)})`);
      }
      for (const r of recs) {
        if (r.sub !== sub || r.status !== 'waiting') continue;
        if (names.has(shardFile(r.s.index, 'results.json'))) {
          const refused = importShard(r);
          if (refused) fail(r, refused);
          else {
            r.status = 'done';
            if (!tty) log(`slurm: shard ${r.s.index} done: ${r.jobs.length} runs imported`);
          }
        } else if (names.has(shardFile(r.s.index, 'failed'))) {
          let why = 'failed';
          try {
            why = readFileSync(join(sub.dir, shardFile(r.s.index, 'failed')), 'utf8').trim().split('\n')[0] || why;
          } catch {
            /* removed meanwhile */
          }
          fail(r, why);
        }
      }
    }
    const now = Date.now();
    if (now - lastQueue >= QUEUE_MS) {
      lastQueue = now;
      const waiting = recs.filter((r) => r.status === 'waiting');
      const states = waiting.length ? queue(new Set(waiting.map((r) => r.s.task!.split('_')[0]))) : new Map<string, TaskState>();
      if (states === null) {
        if (now - queueOkAt > QUEUE_LOST_MS) throw new RunFailedError(`slurm: squeue has not answered for ${formatSeconds(QUEUE_LOST_MS / 1000)}: lost the controller; rerun to resume (the shards keep running)`);
      } else {
        queueOkAt = now;
        for (const r of waiting) {
          const st = states.get(r.s.task!);
          r.running = st?.state === 'RUNNING' || st?.state === 'COMPLETING';
          if (st && !isFinished(st.state)) {
            r.deadLooks = 0;
            continue;
          }
          if (r.deadLooks++ === 0) r.deadSince = now;
          const completed = st?.state === 'COMPLETED';
          if (r.deadLooks >= 2 && (!completed || now - r.deadSince >= NFS_GRACE_MS)) {
            fail(r, st ? `task ended ${st.state}${st.reason && st.reason !== 'None' ? ` (${st.reason})` : ''} without results` : 'task gone from the queue without results (cancelled?)');
          }
        }
      }
    }
    // Resubmit the failed shards that have attempts left: one sbatch per submission and kind.
    const retry = recs.filter((r) => r.status === 'retry');
    for (const sub of new Set(retry.map((r) => r.sub))) {
      for (const gpu of [false, true]) {
        const group = retry.filter((r) => r.sub === sub && r.s.gpu === gpu);
        if (!group.length) continue;
        const P = gpu ? sub.state.slots.gpu : sub.state.slots.cpu;
        let job: string;
        try {
          job = submit([`--array=${indexRanges(group.map((r) => r.s.index))}%${P}`, ...(gpu ? sub.state.sbatch.gpu : sub.state.sbatch.cpu)], join(sub.dir, 'run.sh'));
        } catch (e) {
          if (e instanceof SlurmError) throw new RunFailedError(`slurm: resubmitting shards ${indexRanges(group.map((r) => r.s.index))}: ${e.message}`);
          throw e;
        }
        ownArrays.add(job);
        for (const r of group) {
          r.s.task = `${job}_${r.s.index}`;
          r.s.attempts++;
          r.status = 'waiting';
        }
        writeState(sub);
      }
    }
    if (now - lastBeat >= HEARTBEAT_MS) {
      lastBeat = now;
      for (const sub of new Set(recs.map((r) => r.sub))) {
        try {
          utimesSync(join(sub.dir, 'owner.json'), new Date(), new Date());
        } catch {
          /* the folder is being removed */
        }
      }
    }
    const waiting = recs.filter((r) => r.status === 'waiting');
    if (tty) process.stderr.write(`\r\x1b[K${progressLine(recs, totalRuns, started)}`);
    if (!waiting.length) break;
    await sleep(POLL_MS);
  }
  if (tty) process.stderr.write('\r\x1b[K');
}

/** `slurm: shards 3/10 done, 1 failed, 2 running, 4 pending; runs 300/1000; ETA 2m10s`. */
function progressLine(recs: ShardRec[], totalRuns: number, started: number): string {
  const done = recs.filter((r) => r.status === 'done');
  const failed = recs.filter((r) => r.status === 'failed').length;
  const running = recs.filter((r) => r.status === 'waiting' && r.running).length;
  const pending = recs.filter((r) => (r.status === 'waiting' && !r.running) || r.status === 'retry').length;
  const runs = done.reduce((a, r) => a + r.jobs.length, 0);
  // Before a shard is done: the model's expected wall time of what is left. After: the wall time
  // so far per expected second done (queue waits and task starts included), times what is left.
  const left = recs.filter((r) => r.status === 'waiting' || r.status === 'retry');
  const slots = Math.max(1, left[0]?.sub.state.slots.cpu ?? 1);
  const doneSeconds = done.reduce((a, r) => a + r.s.seconds, 0);
  const leftSeconds = left.reduce((a, r) => a + r.s.seconds, 0);
  const elapsed = (Date.now() - started) / 1000;
  const eta = !left.length ? 0 : doneSeconds > 0 ? (elapsed * leftSeconds) / doneSeconds : expectedWallSeconds(left.map((r) => r.s.seconds), slots);
  return `slurm: shards ${done.length}/${recs.length} done${failed ? `, ${failed} failed` : ''}, ${running} running, ${pending} pending; runs ${runs}/${totalRuns}; ${formatSeconds(elapsed)} elapsed, ETA ${formatSeconds(eta)}`;
}
