/**
 * The SLURM executor on a real one-node cluster (Debian's slurmctld, slurmd and munge, started
 * here by scripts/slurm/cluster.sh in a temp folder under /var/tmp, stopped by PID at the end;
 * .ci/run installs the packages). If the daemons cannot start, every test fails with the reason.
 *
 * - a sweep through --executor slurm writes the same bytes as the local one (table, plot and
 *   every cache entry), and a second run submits nothing (an earlier submission of another
 *   tsdyn build is removed, not imported);
 * - --backend webgpu through SLURM (--gres=gpu:1; the node's GPU is Mesa's software adapter):
 *   the same bytes as the local webgpu sweep;
 * - a tiny figure preset builds through SLURM while one array task is cancelled (scancel of
 *   one index): the task is resubmitted and the snapshot equals the committed one;
 * - a corrupted shard result is refused and recomputed (--submit-only, then collect);
 * - SIGINT cancels the array (scancel), and a rerun resumes;
 * - a cache under /tmp is accepted on the default partition, whose one node is this host (the
 *   tasks see this machine's /tmp): the same bytes as the local sweep;
 * - bad input (unreachable sbatch or controller, missing partition, a cache under /tmp on the
 *   partition `wide`, which has a second node that never comes up, bad --slurm-args): one
 *   line, exit 1, nothing submitted.
 * ≈ 1–1½ minutes on 2 cores: SLURM starts a task ≈ 1–3 s after the one before it ends.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ROOT, runCli } from './helpers/cli.ts';
import { sleep, start, waitFor, ZX } from './helpers/processes.ts';

const base = mkdtempSync('/var/tmp/tsdyn-slurm-test-');
const state = join(base, 'cluster');
const env: Record<string, string> = { SLURM_CONF: join(state, 'slurm.conf'), TSDYN_NODE: process.execPath };

beforeAll(() => {
  const r = spawnSync('bash', [join(ROOT, 'scripts', 'slurm', 'cluster.sh'), 'start', state], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) {
    const why = `${r.error?.message ?? ''} ${r.stderr ?? ''}`.trim().split('\n').join('; ');
    throw new Error(`the one-node SLURM cluster did not start (scripts/slurm/cluster.sh start ${state}; needs root and slurmctld slurmd slurm-client munge): ${why}`);
  }
}, 90_000);

afterAll(() => {
  spawnSync('bash', [join(ROOT, 'scripts', 'slurm', 'cluster.sh'), 'stop', state], { timeout: 30_000 });
  rmSync(base, { recursive: true, force: true });
});

/** Every array job the cluster knows (any state), for "nothing submitted". */
function jobIds(): string[] {
  const r = spawnSync('squeue', ['-h', '-t', 'all', '--me', '-o', '%F'], { encoding: 'utf8', env: { ...process.env, ...env } });
  return [...new Set(r.stdout.split('\n').filter(Boolean))].sort();
}

/** name → content of every file under `dir` (relative names). */
function files(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string, rel: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name), join(rel, e.name));
      else out.set(join(rel, e.name), readFileSync(join(d, e.name), 'utf8'));
    }
  };
  walk(dir, '');
  return out;
}

function expectSameFiles(a: string, b: string): void {
  const fa = files(a);
  const fb = files(b);
  expect([...fb.keys()].sort()).toEqual([...fa.keys()].sort());
  for (const [name, text] of fa) expect(fb.get(name) === text, `${name} differs`).toBe(true);
}

const sweepFile = join(base, 'sweep.json');
writeFileSync(
  sweepFile,
  JSON.stringify({
    base: { model: 'soft-committee', N: 300, K: 2, M: 2, tMax: 20, recordPoints: 12, studentScale: 0.5 },
    grid: { lr: [0.5, 1], sigma: [0, 0.5] },
    seeds: 3,
    engines: ['ode', 'sampler'],
  }),
);
const local = { out: join(base, 'local-out'), cache: join(base, 'local-cache') };
/** Many small shards, so a task can be cancelled and the array followed over several waves. */
const SHARDS = ['--shard-minutes', '0.002'];

const sweep = (out: string, cache: string, extra: string[], more: Record<string, string> = {}) =>
  runCli(['sweep', '--config', sweepFile, '--out', out, ...extra], { env: { ...env, TSDYN_CACHE_DIR: cache, ...more }, timeout: 120_000 });

describe('SLURM executor on a one-node cluster', () => {
  it('a sweep through --executor slurm is byte-identical to the local one; a second run submits nothing', () => {
    const l = sweep(local.out, local.cache, []);
    expect(l.code, l.stderr.join('\n')).toBe(0);
    const s = { out: join(base, 'slurm-out'), cache: join(base, 'slurm-cache') };
    const r = sweep(s.out, s.cache, ['--executor', 'slurm', ...SHARDS]);
    expect(r.code, r.stderr.join('\n')).toBe(0);
    expect(r.stderr.join('\n')).toMatch(/slurm: submitted job \d+: [2-9]\d* shards of 24 runs/);
    expect(r.stderr.join('\n')).toMatch(/sweep: 24 rows .* \(24 computed, 0 from the cache\)/);
    expectSameFiles(local.out, s.out);
    expectSameFiles(join(local.cache, 'runs'), join(s.cache, 'runs'));
    expect(existsSync(join(s.cache, 'slurm'))).toBe(false); // every shard imported: its folder removed

    // An earlier submission of another tsdyn build, with a results file: removed, never imported.
    const foreign = join(s.cache, 'slurm', '20000101T000000-1');
    mkdirSync(foreign, { recursive: true });
    writeFileSync(join(foreign, 'state.json'), JSON.stringify({ format: 'tsdyn-slurm/1', tsdyn: { version: '0.0.0', code: { cpu: 'x', webgpu: 'y' } }, shards: [] }));
    writeFileSync(join(foreign, 'shard-0000.results.json'), '{}');
    const before = jobIds();
    const again = sweep(s.out, s.cache, ['--executor', 'slurm', ...SHARDS]);
    expect(again.code, again.stderr.join('\n')).toBe(0);
    const text = again.stderr.join('\n');
    expect(text).toMatch(/was submitted by tsdyn 0\.0\.0 .*not this build: .*removed, nothing imported/);
    expect(text).toMatch(/no run left to compute: nothing submitted/);
    expect(text).toMatch(/\(0 computed, 24 from the cache\)/);
    expect(jobIds()).toEqual(before);
    expect(existsSync(foreign)).toBe(false);
    expectSameFiles(local.out, s.out);
  });

  it('--backend webgpu: GPU shards with --gres=gpu:1, batched on the node\'s GPU; the same bytes as the local webgpu sweep', () => {
    const gpuSweep = join(base, 'gpu.json');
    writeFileSync(gpuSweep, JSON.stringify({ base: { model: 'two-layer', N: 60, K: 2, M: 2, tMax: 2, recordPoints: 5 }, grid: { lr: [0.5, 1] }, seeds: 2, engines: ['ode', 'sgd'] }));
    const run = (out: string, cache: string, extra: string[]) =>
      runCli(['sweep', '--config', gpuSweep, '--out', out, '--backend', 'webgpu', ...extra], { env: { ...env, TSDYN_CACHE_DIR: cache }, timeout: 120_000 });
    const l = run(join(base, 'gpu-local-out'), join(base, 'gpu-local-cache'), []);
    expect(l.code, l.stderr.join('\n')).toBe(0);
    const r = run(join(base, 'gpu-slurm-out'), join(base, 'gpu-slurm-cache'), ['--executor', 'slurm']);
    expect(r.code, r.stderr.join('\n')).toBe(0);
    expect(r.stderr.join('\n')).toMatch(/submitted job \d+: 1 GPU shard of 4 runs/);
    expectSameFiles(join(base, 'gpu-local-out'), join(base, 'gpu-slurm-out'));
    expectSameFiles(join(base, 'gpu-local-cache', 'runs'), join(base, 'gpu-slurm-cache', 'runs'));
    const entries = [...files(join(base, 'gpu-slurm-cache', 'runs')).values()].map((t) => JSON.parse(t) as { engine: string; backend: string });
    expect(entries.filter((e) => e.engine === 'sgd').every((e) => e.backend.startsWith('webgpu: '))).toBe(true);
  });

  it('a figure preset builds through SLURM; one array task cancelled (scancel of its index) is resubmitted and the build completes', async () => {
    const out = join(base, 'fig-out');
    const { child, done } = start([ZX, 'pipeline/figures.mjs', '--only=finite-size', '--preset', 'ci', '--executor', 'slurm', '--shard-minutes', '0.001', '--max-tasks', '1'], {
      ...env,
      TSDYN_CACHE_DIR: join(base, 'fig-cache'),
      TSDYN_OUTPUT_DIR: out,
    });
    let stderr = '';
    child.stderr!.on('data', (c) => (stderr += c));
    expect(await waitFor(() => /submitted job \d+: \d+ shards .*\(array 0-\d+%1/.test(stderr), 60_000), stderr).toBe(true);
    const [, job, last] = /submitted job (\d+): .*\(array 0-(\d+)%1/.exec(stderr)!;
    // With one task at a time, the last shard is still pending: cancelling it removes it from the queue.
    spawnSync('scancel', [`${job}_${last}`], { env: { ...process.env, ...env } });
    const r = await done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`slurm: shard ${last} \\(task ${job}_${last}\\): task gone from the queue without results \\(cancelled\\?\\); resubmitting \\(attempt 2 of 3\\)`));
    expect(r.stderr).toMatch(/slurm: \d+ shards done \(1 retried\), 39 runs imported/);
    expect(r.stderr).toMatch(/\[ci\] 39 runs \(0 computed, 39 cached\)/);
    // The committed snapshot is the local build's: the same bytes.
    expect(readFileSync(join(out, 'snapshots', 'ci', 'finite-size.json'), 'utf8')).toBe(readFileSync(join(ROOT, 'snapshots', 'ci', 'finite-size.json'), 'utf8'));
  });

  it('a corrupted shard result is refused and its runs recomputed; the outputs are the local ones', async () => {
    const s = { out: join(base, 'corrupt-out'), cache: join(base, 'corrupt-cache') };
    const sub = sweep(s.out, s.cache, ['--executor', 'slurm', ...SHARDS, '--submit-only']);
    expect(sub.code, sub.stderr.join('\n')).toBe(0);
    const shards = Number(/submitted job \d+: (\d+) shards/.exec(sub.stderr.join('\n'))![1]);
    expect(existsSync(s.out)).toBe(false);
    const folder = join(s.cache, 'slurm', readdirSync(join(s.cache, 'slurm'))[0]);
    const results = () => readdirSync(folder).filter((f) => f.endsWith('.results.json'));
    expect(await waitFor(() => results().length === shards, 90_000)).toBe(true);
    // One number changed, its checksum not redone (a damaged file).
    const path = join(folder, 'shard-0001.results.json');
    const file = JSON.parse(readFileSync(path, 'utf8'));
    file.results[0].trajectory.eg[1] *= 1.001;
    writeFileSync(path, JSON.stringify(file));
    const r = sweep(s.out, s.cache, ['--executor', 'slurm', ...SHARDS]);
    expect(r.code, r.stderr.join('\n')).toBe(0);
    const text = r.stderr.join('\n');
    expect(text).toMatch(/earlier shard 1 .*: results refused: results\[0\]: checksum mismatch \(the entry was edited, damaged, or moved from another id\); its runs are computed again/);
    expect(text).toMatch(/slurm: submitted job \d+: 1 shard of \d+ runs/);
    expectSameFiles(local.out, s.out);
    expectSameFiles(join(local.cache, 'runs'), join(s.cache, 'runs'));
  });

  it('SIGINT cancels the array (scancel); a rerun resumes and writes the local outputs', async () => {
    const s = { out: join(base, 'int-out'), cache: join(base, 'int-cache') };
    const { child, done } = start([CLI, 'sweep', '--config', sweepFile, '--out', s.out, '--executor', 'slurm', ...SHARDS, '--max-tasks', '1'], { ...env, TSDYN_CACHE_DIR: s.cache });
    let stderr = '';
    child.stderr!.on('data', (c) => (stderr += c));
    expect(await waitFor(() => /submitted job \d+/.test(stderr), 60_000), stderr).toBe(true);
    const job = /submitted job (\d+)/.exec(stderr)![1];
    child.kill('SIGINT');
    const r = await done;
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(new RegExp(`slurm: cancelled \\d+ tasks? \\(scancel ${job}\\)`));
    expect(existsSync(s.out)).toBe(false);
    const alive = () => spawnSync('squeue', ['-h', '-r', '--me', '-j', job, '-o', '%T'], { encoding: 'utf8', env: { ...process.env, ...env } }).stdout.split('\n').filter((l) => /PENDING|RUNNING|CONFIGURING/.test(l));
    expect(await waitFor(() => alive().length === 0, 10_000), alive().join(',')).toBe(true);
    const again = sweep(s.out, s.cache, ['--executor', 'slurm', ...SHARDS]);
    expect(again.code, again.stderr.join('\n')).toBe(0);
    expectSameFiles(local.out, s.out);
  });

  it('a cache under /tmp on the default partition (every node is this host): accepted, and the outputs are the local ones', () => {
    const cache = mkdtempSync('/tmp/tsdyn-slurm-onehost-');
    try {
      const out = join(base, 'onehost-out');
      const r = sweep(out, cache, ['--executor', 'slurm']);
      expect(r.code, r.stderr.join('\n')).toBe(0);
      expect(r.stderr.join('\n')).toMatch(/slurm: submitted job \d+: 1 shard of 24 runs .*partition debug/);
      expectSameFiles(local.out, out);
      expectSameFiles(join(local.cache, 'runs'), join(cache, 'runs'));
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });

  it('bad input: one line naming the cause, exit 1, nothing submitted', async () => {
    const deadConf = join(base, 'dead.conf');
    writeFileSync(deadConf, readFileSync(env.SLURM_CONF, 'utf8').replace(/^SlurmctldPort=\d+$/m, 'SlurmctldPort=1'));
    const cases: [string, string[], Record<string, string>, RegExp][] = [
      ['missing partition', ['--partition', 'nope'], {}, /^tsdyn sweep: --executor slurm: --partition: no partition "nope" on this cluster \(it has: debug, wide\)$/],
      // wide: this host and a node that is not it, whose /tmp the tasks there would not see.
      ['cache under /tmp, partition with another node', ['--partition', 'wide'], { TSDYN_CACHE_DIR: '/tmp/tsdyn-slurm-test-cache' }, /^tsdyn sweep: --executor slurm: the run cache \/tmp\/tsdyn-slurm-test-cache is under \/tmp, which every node has its own of: the compute nodes cannot see it \(partition wide has a node other than this host [^ ]+: tsdyn-ghost\); put it on a file system they share/],
      ['--slurm-args sbatch refuses', ['--slurm-args', '--bogus-option'], {}, /^tsdyn sweep: --executor slurm: sbatch refuses the job with --bogus-option: unrecognized option '--bogus-option'$/],
      ['--slurm-args setting the array', ['--slurm-args', '--array=0-3'], {}, /^tsdyn sweep: --slurm-args: --array=0-3: the executor sets the job array/],
      ['--slurm-args with a script', ['--slurm-args', 'job.sh'], {}, /^tsdyn sweep: --slurm-args: "job\.sh" is not an sbatch option/],
      ['no sbatch on PATH', [], { PATH: '/nonexistent' }, /^tsdyn sweep: --executor slurm: sbatch not found on PATH/],
      ['no controller', [], { SLURM_CONF: deadConf }, /^tsdyn sweep: --executor slurm: cannot reach the SLURM controller: scontrol failed: .*Unable to contact slurm controller/],
    ];
    const before = jobIds();
    for (const [name, extra, more, message] of cases) {
      const cache = more.TSDYN_CACHE_DIR ?? join(base, `bad-${name.replace(/\W+/g, '-')}`);
      const r = sweep(join(base, 'bad-out'), cache, ['--executor', 'slurm', ...extra], { ...more, TSDYN_CACHE_DIR: cache });
      expect(r.code, name).toBe(1);
      expect(r.stderr, name).toHaveLength(1);
      expect(r.stderr[0], name).toMatch(message);
      expect(existsSync(join(cache, 'slurm')), name).toBe(false);
      expect(existsSync(join(base, 'bad-out')), name).toBe(false);
    }
    expect(existsSync('/tmp/tsdyn-slurm-test-cache')).toBe(false);
    await sleep(0);
    expect(jobIds()).toEqual(before);
  });
});
