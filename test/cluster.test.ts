/**
 * The SLURM executor's pure parts, without a cluster (unit tier; the real one-node cluster is
 * test/slurm.test.ts): the shard plan against brute-force optima, --slurm-args split as bash
 * splits them, the node-local path rule (and its exception: a partition whose nodes are all
 * this machine), the parsers of scontrol / sinfo / squeue replies, the
 * options, the task script (run by bash with a fake runner), and the refusal of results and
 * shard files made by another tsdyn build.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { executorFrom, joinSlurmArgs } from '../src/cluster/options.ts';
import { expectedWallSeconds, MIN_SHARD_SECONDS, planShards, shardCount, type ShardItem } from '../src/cluster/shardPlan.ts';
import { isThisHost, nodeLocalProblem, onlyThisHost } from '../src/cluster/sharedFs.ts';
import { gpusOf, indexRanges, isFinished, parseConfig, parsePartitionHosts, parsePartitions, parseQueue, SlurmError } from '../src/cluster/slurm.ts';
import { parseSlurmArgs, splitShellWords } from '../src/cluster/slurmArgs.ts';
import { checkClusterPaths, taskScript } from '../src/cluster/executor.ts';
import { validateConfig } from '../src/config.ts';
import { runEngine } from '../src/engines.ts';
import { batchResultChecksum, type BatchResultEntry } from '../src/runs/resultsFile.ts';
import { BatchUsageError, parseJobs } from '../src/commands/batch.ts';
import { provenance } from '../src/runs/provenance.ts';
import { checkResults, ResultsFileError, type ExpectedRun } from '../src/runs/resultsFile.ts';
import { runCacheKey } from '../src/runs/scheduler.ts';

const tmp = mkdtempSync(join(tmpdir(), 'tsdyn-cluster-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A deterministic stream of costs (xorshift), so failures reproduce. */
function costs(seed: number, n: number): number[] {
  let x = seed >>> 0 || 1;
  return Array.from({ length: n }, () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return 1 + (x % 1000);
  });
}

/** The best makespan of n jobs on S machines, by trying every assignment (S^n). */
function optimalMakespan(c: number[], S: number): number {
  let best = Infinity;
  const load = new Array<number>(S).fill(0);
  const go = (i: number) => {
    if (Math.max(...load) >= best) return;
    if (i === c.length) {
      best = Math.max(...load);
      return;
    }
    for (let s = 0; s < S; s++) {
      load[s] += c[i];
      go(i + 1);
      load[s] -= c[i];
      if (load[s] === 0) break; // empty machines are interchangeable
    }
  };
  go(0);
  return best;
}

const items = (c: number[]): ShardItem[] => c.map((cost) => ({ cost, bytes: 100 }));
const big = { targetSeconds: 1e12, cpusPerTask: 1, maxShardBytes: 1e12 };

describe('shard plan', () => {
  it('LPT: every run in exactly one shard, and the largest shard within 4/3 of the best possible (Graham) on 200 random instances', () => {
    let worstRatio = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const n = 4 + (seed % 6);
      const S = 2 + (seed % 3);
      const c = costs(seed, n);
      const shards = planShards(items(c), { ...big, slots: S, maxShards: S, targetSeconds: 1e-9 });
      expect(shards.length).toBeLessThanOrEqual(S);
      expect(shards.flatMap((s) => s.jobs).length).toBe(n);
      expect(new Set(shards.flatMap((s) => s.jobs)).size).toBe(n);
      for (const s of shards) expect(s.cost).toBe(s.jobs.reduce((a, j) => a + j.cost, 0));
      const ratio = Math.max(...shards.map((s) => s.cost)) / optimalMakespan(c, S);
      worstRatio = Math.max(worstRatio, ratio);
      expect(ratio).toBeLessThanOrEqual(4 / 3 - 1 / (3 * S) + 1e-12);
    }
    expect(worstRatio).toBeGreaterThan(1); // the instances are hard enough to tell packings apart
  });

  it('power: packing in the given order (round robin) breaks the same bound on these instances', () => {
    let broken = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const n = 4 + (seed % 6);
      const S = 2 + (seed % 3);
      const c = costs(seed, n);
      const load = new Array<number>(S).fill(0);
      c.forEach((x, i) => (load[i % S] += x));
      if (Math.max(...load) / optimalMakespan(c, S) > 4 / 3 - 1 / (3 * S) + 1e-12) broken++;
    }
    expect(broken).toBeGreaterThan(10);
  });

  it('the count: target wall time, at least the slots (not below MIN_SHARD_SECONDS of work), at most the runs and MaxArraySize', () => {
    const o = { targetSeconds: 1200, cpusPerTask: 1, maxShardBytes: 1e12, slots: 2, maxShards: 1001 };
    expect(shardCount(10 * 3600, 10_000, o)).toBe(30); // 10 core-hours in 20-minute shards
    expect(shardCount(10 * 3600, 10_000, { ...o, cpusPerTask: 4 })).toBe(8); // 4 CPUs a task: 4× the work per shard
    expect(shardCount(100, 1000, o)).toBe(2); // 100 s of short runs: one shard per slot
    expect(shardCount(100, 1000, { ...o, slots: 320 })).toBe(Math.ceil(100 / MIN_SHARD_SECONDS)); // not 320 tiny shards
    expect(shardCount(1e9, 10_000, o)).toBe(1001); // MaxArraySize
    expect(shardCount(1e9, 7, o)).toBe(7); // never more shards than runs
    expect(shardCount(5, 1, o)).toBe(1);
    expect(shardCount(1e6, 100, { ...o, slots: 4, maxShards: 1001 })).toBe(100);
  });

  it('a shard\'s results stay under the byte limit (more shards when needed); a run over it is refused', () => {
    const many = Array.from({ length: 10 }, () => ({ cost: 1, bytes: 40 }));
    const shards = planShards(many, { ...big, slots: 1, maxShards: 100, maxShardBytes: 100 });
    // 400 bytes are 4 shards' worth, but only two 40-byte runs fit in 100: the plan grows to 5.
    expect(shards.length).toBe(5);
    for (const s of shards) expect(s.bytes).toBeLessThanOrEqual(100);
    expect(() => planShards([{ cost: 1, bytes: 101 }], { ...big, slots: 1, maxShards: 10, maxShardBytes: 100 })).toThrow(/over the 100 a shard's results file may hold/);
    expect(() => planShards(many, { ...big, slots: 1, maxShards: 3, maxShardBytes: 100 })).toThrow(/more than 3 shards \(MaxArraySize\)/);
  });

  it('GPU shards: one per slot, cut at about equal cost, each group split at most where a cut falls', () => {
    const jobs = [...Array.from({ length: 30 }, (_, i) => ({ cost: 1 + (i % 3), bytes: 1, group: 'b' })), ...Array.from({ length: 10 }, () => ({ cost: 2, bytes: 1, group: 'a' }))];
    const shards = planShards(jobs, { ...big, slots: 4, maxShards: 1001, gpu: true });
    expect(shards.length).toBe(4);
    expect(shards.flatMap((s) => s.jobs).length).toBe(40);
    const total = jobs.reduce((a, j) => a + j.cost, 0);
    for (const s of shards) expect(Math.abs(s.cost - total / 4)).toBeLessThanOrEqual(3);
    // Sorted by group: the 'a' runs together in one shard (they are 20 of the 80).
    expect(shards.filter((s) => s.jobs.some((j) => j.group === 'a')).length).toBe(1);
    const groupsPerShard = shards.map((s) => new Set(s.jobs.map((j) => j.group)).size);
    expect(groupsPerShard.reduce((a, g) => a + g, 0)).toBeLessThanOrEqual(4 + 1);
  });

  it('expected wall time: list scheduling, costliest first, equals a hand computation', () => {
    expect(expectedWallSeconds([5, 4, 3, 3, 1], 2)).toBe(8); // slot A: 5+3, slot B: 4+3+1
    expect(expectedWallSeconds([10, 1, 1], 5)).toBe(10);
    expect(expectedWallSeconds([], 3)).toBe(0);
  });
});

describe('--slurm-args', () => {
  const bashWords = (text: string) => {
    const out = execFileSync('bash', ['-c', `printf '%s\\0' ${text}`], { encoding: 'utf8' });
    return out.split('\0').slice(0, -1);
  };
  it.each([
    '--qos=short --constraint=avx2',
    `--comment='two words' -x node1`,
    `--comment="a \\"quoted\\" \\$word" --exclusive`,
    `--comment=a\\ b   --nice=5`,
    `--comment='it'\\''s' --comment=""`,
  ])('splits %s as bash does', (text) => {
    expect(splitShellWords(text)).toEqual(bashWords(text));
  });

  it('accepts options with their values; refuses words that are no option, reserved options and bad quoting, naming the word', () => {
    expect(parseSlurmArgs('--qos short -x n1 --exclusive --gres=gpu:a100:1')).toEqual(['--qos', 'short', '-x', 'n1', '--exclusive', '--gres=gpu:a100:1']);
    expect(() => parseSlurmArgs('script.sh')).toThrow(/^--slurm-args: "script\.sh" is not an sbatch option/);
    expect(() => parseSlurmArgs('--exclusive script.sh')).toThrow(/"script\.sh" is not an sbatch option/);
    expect(() => parseSlurmArgs('--array=0-3')).toThrow(/^--slurm-args: --array=0-3: the executor sets the job array/);
    expect(() => parseSlurmArgs('-o log.txt')).toThrow(/^--slurm-args: -o: the executor writes each task's log/);
    expect(() => parseSlurmArgs('-pdebug')).toThrow(/^--slurm-args: -pdebug: use tsdyn's --partition/);
    expect(() => parseSlurmArgs('--time 10')).toThrow(/use tsdyn's --time/);
    expect(() => parseSlurmArgs('--test-only')).toThrow(/tests the options itself/);
    expect(() => parseSlurmArgs("--comment='x")).toThrow(/^--slurm-args: an unclosed ' at character 11$/);
    expect(() => parseSlurmArgs('--comment=x\\')).toThrow(/a backslash at the end/);
  });

  it('the word after --slurm-args is its value even when it starts with -', () => {
    expect(joinSlurmArgs(['--config', 'x', '--slurm-args', '--qos=a -x n'])).toEqual(['--config', 'x', '--slurm-args=--qos=a -x n']);
  });
});

describe('node-local paths', () => {
  it('refuses /tmp, /dev/shm, /run and paths below them (also through a link), and memory file systems; accepts others', () => {
    expect(nodeLocalProblem('/tmp/cache')).toMatch(/^is under \/tmp, which every node has its own of$/);
    expect(nodeLocalProblem('/tmp')).toMatch(/under \/tmp/);
    expect(nodeLocalProblem('/dev/shm/x/y')).toMatch(/under \/dev\/shm/);
    expect(nodeLocalProblem('/run/user/0/c')).toMatch(/under \/run/);
    // Elsewhere, on a disk file system (injected, so the answer does not depend on this machine's
    // mounts or on where the checkout lives): shared as far as can be told from here.
    const ext4 = () => 0xef53;
    expect(nodeLocalProblem('/var/tmp/not-yet/there', ext4)).toBeNull();
    expect(nodeLocalProblem('/home/u/project/cache', ext4)).toBeNull();
    expect(nodeLocalProblem('/tmpdata/cache', ext4)).toBeNull(); // a name that merely starts like /tmp
    expect(nodeLocalProblem('/runs/cache', ext4)).toBeNull();
    const real = mkdtempSync('/var/tmp/tsdyn-link-');
    try {
      symlinkSync(tmp, join(real, 'to-tmp'));
      expect(nodeLocalProblem(join(real, 'to-tmp', 'cache'))).toMatch(/under \/tmp/);
    } finally {
      rmSync(real, { recursive: true, force: true });
    }
    expect(nodeLocalProblem('/srv/x', () => 0x01021994)).toBe('is on a tmpfs (memory) file system, which is this machine\'s alone');
    expect(nodeLocalProblem('/srv/x', () => 0xef53)).toBeNull(); // ext4
  });
});

describe('node-local paths on a cluster that is this machine', () => {
  it('a node host name is this machine: the same name, or the same first label when one is bare', () => {
    expect(isThisHost('vm', 'vm')).toBe(true);
    expect(isThisHost('VM', 'vm')).toBe(true);
    expect(isThisHost('node7', 'node7.cluster.org')).toBe(true);
    expect(isThisHost('node7.cluster.org', 'node7')).toBe(true);
    expect(isThisHost('node7.cluster.org', 'node7.cluster.org')).toBe(true);
    expect(isThisHost('node7.a.org', 'node7.b.org')).toBe(false);
    expect(isThisHost('node70', 'node7')).toBe(false);
    expect(isThisHost('node', 'node7')).toBe(false);
    expect(isThisHost('', 'vm')).toBe(false);
    expect(onlyThisHost(['vm'], 'vm')).toBe(true);
    expect(onlyThisHost(['vm', 'vm.lab.org'], 'vm')).toBe(true);
    expect(onlyThisHost(['vm', 'ghost'], 'vm')).toBe(false);
    expect(onlyThisHost(['node1'], 'login1')).toBe(false);
    expect(onlyThisHost([], 'vm')).toBe(false); // no nodes: nothing known, nothing shared
  });

  it('checkClusterPaths: a node-local cache or checkout is refused only when the partition has a node other than this host; the cluster is asked only then', () => {
    const calls: (string | undefined)[] = [];
    const localProblem = (p: string) => (p.startsWith('/tmp/') ? 'is under /tmp, which every node has its own of' : null);
    const world = (hosts: string[], host = 'vm', root = '/home/u/tsdyn') => ({
      nodes: (p: string | undefined) => (calls.push(p), hosts),
      host,
      root,
      localProblem,
    });
    // Every node is this machine: its /tmp is what the tasks see.
    expect(() => checkClusterPaths('/tmp/c', undefined, world(['vm']))).not.toThrow();
    expect(() => checkClusterPaths('/tmp/c', 'debug', world(['vm.lab.org']))).not.toThrow();
    expect(() => checkClusterPaths('/home/u/c', 'debug', world(['vm'], 'vm', '/tmp/tsdyn'))).not.toThrow();
    expect(calls).toEqual([undefined, 'debug', 'debug']);
    // Another node (of the partition named, or of the default one), or none at all: refused, naming them.
    expect(() => checkClusterPaths('/tmp/c', 'wide', world(['tsdyn-ghost', 'vm']))).toThrow(
      /^--executor slurm: the run cache \/tmp\/c is under \/tmp, which every node has its own of: the compute nodes cannot see it \(partition wide has a node other than this host vm: tsdyn-ghost\); put it on a file system they share \(TSDYN_CACHE_DIR=/,
    );
    expect(() => checkClusterPaths('/tmp/c', undefined, world(['n1', 'n2', 'n3', 'n4'], 'login'))).toThrow(/\(the default partition has nodes other than this host login: n1, n2, n3, …\)/);
    expect(() => checkClusterPaths('/tmp/c', 'empty', world([]))).toThrow(/\(partition empty has no nodes\)/);
    expect(() => checkClusterPaths('/home/u/c', 'wide', world(['vm', 'ghost'], 'vm', '/tmp/tsdyn'))).toThrow(
      /^--executor slurm: the tsdyn checkout \/tmp\/tsdyn \(the runner dist\/cli\.js\) is under \/tmp, which every node has its own of: the compute nodes cannot run it \(partition wide has a node other than this host vm: ghost\); put the checkout on a file system they share$/,
    );
    // Cache and checkout shared: the cluster is not asked at all.
    calls.length = 0;
    expect(() => checkClusterPaths('/home/u/c', 'wide', world(['ghost']))).not.toThrow();
    expect(calls).toEqual([]);
    // The cluster cannot answer: its own one line is the refusal (the one the submission would give).
    const down = () => {
      throw new SlurmError('cannot reach the SLURM controller: scontrol failed: Unable to contact slurm controller (connect failure)');
    };
    expect(() => checkClusterPaths('/tmp/c', undefined, { ...world([]), nodes: down })).toThrow(/^--executor slurm: cannot reach the SLURM controller: scontrol failed: Unable to contact/);
  });
});

describe('SLURM replies', () => {
  it('scontrol show config, sinfo, squeue', () => {
    const cfg = parseConfig('Configuration data as of 2026-01-01T00:00:00\nMaxArraySize            = 1001\nMinJobAge               = 600 sec\n');
    expect(cfg.get('MaxArraySize')).toBe('1001');
    expect(cfg.get('MinJobAge')).toBe('600 sec');
    const sinfo = 'debug*|1|2|gpu:1\ngpu|4|32|gpu:a100:4(S:0-1)\ngpu|2|64|gpu:h100:8,mps:100\ncpu|10|32|(null)\n';
    expect(parsePartitions(sinfo)).toEqual({ name: 'debug', cpus: 2, gpus: 1 });
    expect(parsePartitions(sinfo, 'gpu')).toEqual({ name: 'gpu', cpus: 4 * 32 + 2 * 64, gpus: 16 + 16 });
    expect(parsePartitions(sinfo, 'cpu')).toEqual({ name: 'cpu', cpus: 320, gpus: 0 });
    expect(parsePartitions(sinfo, 'nope')).toBeNull();
    // sinfo -h -N -o '%P|%n': one line per node and partition (a node may be in several).
    const nodes = 'debug*|vm\nwide|tsdyn-ghost\nwide|vm\ngpu|g2.lab.org\ngpu|g1.lab.org\ngpu|g1.lab.org\n';
    expect(parsePartitionHosts(nodes)).toEqual({ status: 'hosts', hosts: ['vm'] });
    expect(parsePartitionHosts(nodes, 'debug')).toEqual({ status: 'hosts', hosts: ['vm'] });
    expect(parsePartitionHosts(nodes, 'wide')).toEqual({ status: 'hosts', hosts: ['tsdyn-ghost', 'vm'] });
    expect(parsePartitionHosts(nodes, 'gpu')).toEqual({ status: 'hosts', hosts: ['g1.lab.org', 'g2.lab.org'] });
    expect(parsePartitionHosts(nodes, 'debug,gpu')).toEqual({ status: 'hosts', hosts: ['g1.lab.org', 'g2.lab.org', 'vm'] });
    expect(parsePartitionHosts(nodes, 'debug,nope')).toEqual({ status: 'missing', partition: 'nope' });
    expect(parsePartitionHosts(nodes, 'debu')).toEqual({ status: 'missing', partition: 'debu' });
    expect(parsePartitionHosts('wide|vm\n')).toEqual({ status: 'missing', partition: undefined });
    expect(parsePartitionHosts('')).toEqual({ status: 'missing', partition: undefined });
    expect(gpusOf('(null)')).toBe(0);
    const q = parseQueue('12|0|RUNNING|None\n12|3|PENDING|JobArrayTaskLimit\n13|N/A|RUNNING|None\n99|1|RUNNING|None\n', new Set(['12', '13']));
    expect([...q.keys()]).toEqual(['12_0', '12_3']);
    expect(q.get('12_3')).toEqual({ state: 'PENDING', reason: 'JobArrayTaskLimit' });
    expect(isFinished('CANCELLED by 0')).toBe(true);
    expect(isFinished('COMPLETING')).toBe(false);
    expect(indexRanges([7, 0, 1, 2, 5, 8, 9, 3])).toBe('0-3,5,7-9');
  });
});

describe('executor options', () => {
  it('defaults, validation, and the SLURM options only with --executor slurm', () => {
    expect(executorFrom({})).toEqual({ name: 'local' });
    const e = executorFrom({ executor: 'slurm', partition: 'gpu', time: '2:00:00', 'slurm-args': '--qos=short' });
    expect(e).toMatchObject({ name: 'slurm', slurm: { partition: 'gpu', time: '2:00:00', extraArgs: ['--qos=short'], shardMinutes: 20, retries: 2, cpusPerTask: 1, submitOnly: false } });
    expect(() => executorFrom({ executor: 'pbs' })).toThrow(/^--executor: must be local or slurm, got "pbs"$/);
    expect(() => executorFrom({ partition: 'x' })).toThrow(/^--partition: only with --executor slurm$/);
    expect(() => executorFrom({ executor: 'slurm', 'shard-minutes': '0' })).toThrow(/^--shard-minutes: must be a number/);
    expect(() => executorFrom({ executor: 'slurm', retries: '1.5' })).toThrow(/^--retries: must be an integer/);
    expect(executorFrom({ executor: 'slurm', retries: '0' })).toMatchObject({ slurm: { retries: 0 } });
    expect(() => executorFrom({ executor: 'slurm', partition: 'a b' })).toThrow(/^--partition: must be a partition name/);
    expect(() => executorFrom({ executor: 'slurm', 'slurm-args': '--wrap=x' })).toThrow(/^--slurm-args: --wrap=x:/);
  });
});

describe('the task script', () => {
  /** Run run.sh as SLURM would for task `i`, with a fake runner `body` (bash) as "node". */
  function task(i: number, body: string | null, gpuFrom = 100): { code: number | null; dir: string } {
    const dir = mkdtempSync(join(tmp, 'task-'));
    writeFileSync(join(dir, `shard-000${i}.jobs.json`), '{}');
    const node = join(dir, 'fake-node');
    if (body !== null) writeFileSync(node, `#!/bin/bash\n${body}\n`, { mode: 0o755 });
    writeFileSync(join(dir, 'run.sh'), taskScript(dir, '/runner.js', gpuFrom), { mode: 0o755 });
    const r = spawnSync('bash', [join(dir, 'run.sh')], { env: { PATH: '/usr/bin:/bin', SLURM_ARRAY_TASK_ID: String(i), SLURM_CPUS_PER_TASK: '3', TSDYN_NODE: body === null ? '/no/such/node' : node }, encoding: 'utf8' });
    return { code: r.status, dir };
  }
  it('runs the runner on its shard with the task\'s CPUs; a failure leaves a one-line marker, no results', () => {
    const ok = task(2, 'echo "$@" > "$(dirname "$0")/args"; echo "{}" > "$6"');
    expect(ok.code).toBe(0);
    expect(readFileSync(join(ok.dir, 'args'), 'utf8').trim()).toBe(`/runner.js batch --jobs ${ok.dir}/shard-0002.jobs.json --out ${ok.dir}/shard-0002.results.json --workers 3`);
    expect(existsSync(join(ok.dir, 'shard-0002.failed'))).toBe(false);
    const gpu = task(2, 'echo "$@" > "$(dirname "$0")/args"', 2);
    expect(readFileSync(join(gpu.dir, 'args'), 'utf8').trim()).toMatch(/--workers 3 --software$/);
    const bad = task(1, 'echo "tsdyn batch: jobs[0].config.K: must be an integer" >&2; exit 1');
    expect(bad.code).toBe(1);
    expect(readFileSync(join(bad.dir, 'shard-0001.failed'), 'utf8')).toMatch(/^exit 1 on .*: tsdyn batch: jobs\[0\]\.config\.K: must be an integer\n$/);
    const noNode = task(0, null);
    expect(noNode.code).toBe(1);
    expect(readFileSync(join(noNode.dir, 'shard-0000.failed'), 'utf8')).toMatch(/^no node on .*: load a module that provides it or set TSDYN_NODE/);
  });
});

describe('another tsdyn build', () => {
  const config = validateConfig({ model: 'soft-committee', N: 40, K: 2, M: 2, tMax: 1, recordEvery: 0.25, seed: 3 });
  const job: ExpectedRun = { key: runCacheKey({ engine: 'ode', config }, 'cpu'), label: 'k', engine: 'ode', backend: 'cpu', config };
  const entry = (): BatchResultEntry => {
    const e = { id: job.key, ...runEngine('ode', config) } as BatchResultEntry;
    return { ...e, sha256: batchResultChecksum(e) };
  };
  const opts = { unknownId: 'is no run of shard 0', provenance: provenance(), complete: true };

  it('results: the same build is taken; another version or code digest, or none, is refused in one line', () => {
    expect(checkResults({ tsdyn: provenance(), adapter: null, results: [entry()] }, [job], opts).entries).toHaveLength(1);
    const other = (p: object) => () => checkResults({ tsdyn: p, adapter: null, results: [entry()] }, [job], opts);
    expect(other({ ...provenance(), version: '0.0.1' })).toThrow(/^results: made by tsdyn 0\.0\.1 \(cpu .*\), not by this tsdyn .*; refused/);
    expect(other({ ...provenance(), code: { ...provenance().code, cpu: 'f'.repeat(16) } })).toThrow(ResultsFileError);
    expect(() => checkResults({ adapter: null, results: [entry()] }, [job], opts)).toThrow(/^results: no tsdyn version and code digest/);
    expect(() => checkResults({ tsdyn: provenance(), adapter: null, results: [] }, [job], opts)).toThrow(/^results: no result for 1 of its 1 runs \(first: k\)$/);
  });

  it('a runner refuses a shard file written by another build', () => {
    const jobs = { tsdyn: { ...provenance(), version: '9.9.9' }, jobs: [{ id: 'a', engine: 'ode', config }] };
    expect(() => parseJobs(jobs)).toThrow(BatchUsageError);
    expect(() => parseJobs(jobs)).toThrow(/^jobs: made by tsdyn 9\.9\.9 .*the runner is another build/);
    expect(parseJobs({ tsdyn: provenance(), jobs: [{ id: 'a', engine: 'ode', config }] })[0]).toMatchObject({ id: 'a', engine: 'ode', backend: 'cpu', label: 'a' });
    expect(() => parseJobs([{ id: 'a', engine: 'ode', backend: 'webgpu', config }])).toThrow(/^jobs\[0\]\.backend: webgpu runs only engine sgd, not ode$/);
  });
});
