/**
 * Fault injection: outputs checked late and written partially, large
 * results and stdout errors. Outputs are checked before the work (read-only folder as an
 * unprivileged user, immutable folder, read-only filesystem, a regular file in the path, a full
 * disk), and written together or not at all when the disk fills during the work: the sweep's
 * folder, the run cache, `tsdyn batch --out`, import-batch, the pipeline's outputs.
 *
 * Full and read-only disks are small tmpfs mounts and the immutable folder uses chattr +i:
 * both need root, which CI has (.ci/run runs the suite as root). Outside CI, as another user,
 * these cases are skipped with a message; in CI they always run.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LineSplitter } from '../src/runs/lines.ts';
import { StagedFiles } from '../src/outputFolder.ts';
import { CLI, runCli } from './helpers/cli.ts';
import { start } from './helpers/processes.ts';

const tmp = mkdtempSync(join(tmpdir(), 'tsdyn-faults-outputs-'));
chmodSync(tmp, 0o755); // the unprivileged case reads the config from here
const mounts: string[] = [];
const immutable: string[] = [];
afterAll(() => {
  for (const m of immutable) spawnSync('chattr', ['-i', m]);
  for (const m of [...mounts].reverse()) spawnSync('umount', [m]);
  rmSync(tmp, { recursive: true, force: true });
});

const root = process.getuid?.() === 0;
const privileged = root || Boolean(process.env.CI);
if (!root) console.warn(`faults-outputs: not root: the tmpfs and chattr cases ${process.env.CI ? 'will fail (CI must run as root)' : 'are skipped'}`);

/** A fresh tmpfs of `size` (e.g. '256k') at a new folder; `fill` leaves about that many bytes free. */
function tmpfs(name: string, size: string, options = ''): string {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}${options ? `,${options}` : ''}`, 'tmpfs', dir]);
  mounts.push(dir);
  return dir;
}

/**
 * A new folder with the immutable attribute: under the test's temp folder, or, where that
 * filesystem has no such attribute (an overlay), on a tmpfs (which has it since Linux 6.0).
 */
function immutableDir(name: string): string {
  let dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  if (spawnSync('chattr', ['+i', dir]).status !== 0) {
    dir = join(tmpfs(`${name}-fs`, '1m'), 'dir');
    mkdirSync(dir);
    execFileSync('chattr', ['+i', dir]); // fails the test where neither filesystem has it
  }
  immutable.push(dir);
  return dir;
}

function fill(dir: string): void {
  // dd stops at ENOSPC: the filesystem is then full.
  spawnSync('dd', ['if=/dev/zero', `of=${join(dir, 'pad')}`, 'bs=4096'], { stdio: 'ignore' });
}

function file(name: string, value: unknown): string {
  const p = join(tmp, name);
  writeFileSync(p, JSON.stringify(value));
  chmodSync(p, 0o644);
  return p;
}

const small = { model: 'soft-committee', N: 60, K: 2, M: 2, tMax: 2, recordPoints: 5, studentScale: 0.5 };
/** A sweep whose runs take a few seconds (time to fill a disk while they run). */
const slowSweep = { base: { ...small, N: 784, K: 4, M: 4, tMax: 150 }, grid: { lr: [0.5, 0.6] }, engines: ['sgd'] };
/** A quick one (a couple of seconds in all). */
const quickSweep = { base: small, grid: { lr: [0.5, 1] }, seeds: 2, engines: ['ode', 'sgd'] };

const lines = (s: string) => s.split('\n').filter(Boolean);

describe('sweep --out: refused before any run', () => {
  const refuse = (out: string, pattern: RegExp, asUser: string[] = []) => {
    const cache = join(tmp, `cache-${Math.random().toString(36).slice(2)}`);
    const cmd = [...asUser, process.execPath, CLI, 'sweep', '--config', file('slow.json', slowSweep), '--out', out];
    const started = performance.now();
    const r = spawnSync(cmd[0], cmd.slice(1), { encoding: 'utf8', env: { ...process.env, CI: 'true', TSDYN_CACHE_DIR: cache } });
    expect(r.status, r.stderr).toBe(1);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr.trim()).toMatch(pattern);
    expect(existsSync(cache)).toBe(false); // no run started: the scheduler creates the cache first
    expect((performance.now() - started) / 1000).toBeLessThan(5);
  };

  it('a regular file in the path, and the target itself a file', () => {
    const f = join(tmp, 'a-file');
    writeFileSync(f, 'x');
    refuse(join(f, 'out'), /^tsdyn sweep: --out: .*a-file\/out: .*a-file is a file, not a folder$/);
    refuse(f, /^tsdyn sweep: --out: .*a-file exists and is not a folder$/);
    expect(readFileSync(f, 'utf8')).toBe('x');
  });

  it.runIf(privileged)('a read-only folder, as an unprivileged user', () => {
    const ro = join(tmp, 'readonly');
    mkdirSync(ro);
    chmodSync(ro, 0o555);
    refuse(join(ro, 'out'), /^tsdyn sweep: --out .*readonly\/out: cannot create files in .*readonly \(EACCES\)$/, ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups']);
    expect(readdirSync(ro)).toEqual([]);
  });

  it.runIf(privileged)('an immutable folder (chattr +i), as root', () => {
    const imm = immutableDir('immutable');
    refuse(join(imm, 'new'), /^tsdyn sweep: --out .*\/new: cannot create files in .*immutable.* \(EPERM\)$/);
    // An existing output folder that is itself immutable.
    const existing = immutableDir('immutable-out');
    refuse(existing, /^tsdyn sweep: --out .*immutable-out.*: cannot create files in .*immutable-out.* \(EPERM\)$/);
  });

  it.runIf(privileged)('a read-only filesystem', () => {
    const ro = tmpfs('rofs', '1m', 'ro');
    refuse(join(ro, 'out'), /cannot create files in .*rofs \(EROFS\)$/);
  });

  it.runIf(privileged)('a full disk', () => {
    const full = tmpfs('full', '256k');
    fill(full);
    refuse(join(full, 'out'), /^tsdyn sweep: --out .*full\/out: .*full has \d+(\.\d)? (B|KiB) free, the outputs need about .* \(no space left on its device\)$/);
    expect(readdirSync(full)).toEqual(['pad']);
  });
});

describe('the disk fills during the work: nothing partial', () => {
  /** Start the sweep, fill `disk` once its plan is printed (the runs then take seconds), and wait. */
  async function sweepWhileFilling(args: string[], env: Record<string, string>, disk: string) {
    const child = start([CLI, 'sweep', ...args], env);
    await new Promise<void>((resolve) => child.child.stderr!.on('data', (c: Buffer) => String(c).includes('sweep plan:') && resolve()));
    fill(disk);
    return child.done;
  }

  it.runIf(privileged)('sweep --out: the write fails, one line, no output file and no staging folder left', async () => {
    const disk = tmpfs('fills-out', '4m');
    const r = await sweepWhileFilling(['--config', file('slow2.json', slowSweep), '--out', join(disk, 'out')], { TSDYN_CACHE_DIR: join(tmp, 'cache-fills-out') }, disk);
    expect(r.code).toBe(1);
    expect(lines(r.stderr).at(-1)).toMatch(/^tsdyn sweep: --out: writing .*fills-out\/out failed \(ENOSPC\); nothing was written$/);
    expect(readdirSync(disk)).toEqual(['pad']);
  });

  it.runIf(privileged)('sweep --out into an existing folder: the earlier outputs stay as they were', async () => {
    const disk = tmpfs('fills-existing', '4m');
    const out = join(disk, 'out');
    const env = { TSDYN_CACHE_DIR: join(tmp, 'cache-fills-existing') };
    expect(runCli(['sweep', '--config', file('quick.json', quickSweep), '--out', out, '--trajectories'], { env }).code).toBe(0);
    const before = Object.fromEntries(readdirSync(out).map((f) => [f, readFileSync(join(out, f), 'utf8')]));
    expect(Object.keys(before).sort()).toEqual(['plot.svg', 'plot.vl.json', 'table.csv', 'table.jsonl', 'trajectories.jsonl']);
    const r = await sweepWhileFilling(['--config', file('slow3.json', slowSweep), '--out', out], env, disk);
    expect(r.code).toBe(1);
    expect(lines(r.stderr).at(-1)).toMatch(/failed \(ENOSPC\); nothing was written$/);
    expect(Object.fromEntries(readdirSync(out).map((f) => [f, readFileSync(join(out, f), 'utf8')]))).toEqual(before);
  });

  it.runIf(privileged)('the run cache fills: the run fails naming the cache file, no temp file left, no table', async () => {
    const cache = tmpfs('fills-cache', '4m');
    const out = join(tmp, 'out-fills-cache');
    const r = await sweepWhileFilling(['--config', file('slow4.json', slowSweep), '--out', out, '--jobs', '1'], { TSDYN_CACHE_DIR: cache }, cache);
    expect(r.code).toBe(1);
    expect(lines(r.stderr).at(-1)).toMatch(/^tsdyn sweep: cache: cannot write .*fills-cache\/runs\/[0-9a-f]{24}\.json \(ENOSPC\)$/);
    expect(readdirSync(join(cache, 'runs')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(existsSync(out)).toBe(false);
  });

  it.runIf(privileged)('a cache that cannot take the results is refused before any run', () => {
    const cache = tmpfs('full-cache', '256k');
    fill(cache);
    const r = runCli(['sweep', '--config', file('quick2.json', quickSweep), '--out', join(tmp, 'out-full-cache')], { env: { TSDYN_CACHE_DIR: cache } });
    expect(r.code).toBe(1);
    expect(r.stderr.at(-1)).toMatch(/^tsdyn sweep: cache(: cannot create .*|: .*full-cache\/runs has \d+(\.\d)? (B|KiB) free, the outputs need about .*)$/);
    expect(existsSync(join(tmp, 'out-full-cache'))).toBe(false);
  });

  it.runIf(privileged)('staged files: a full disk after two of three leaves every target as it was, and no temp file', () => {
    const disk = tmpfs('staged', '128k');
    writeFileSync(join(disk, 'c.txt'), 'old');
    const staged = new StagedFiles('test');
    staged.write(join(disk, 'a.txt'), 'a'.repeat(40_000));
    staged.write(join(disk, 'b.txt'), 'b'.repeat(40_000));
    expect(() => staged.write(join(disk, 'c.txt'), 'c'.repeat(80_000))).toThrow(/^test: writing .*c\.txt failed \(ENOSPC\); nothing was written$/);
    expect(readdirSync(disk)).toEqual(['c.txt']);
    expect(readFileSync(join(disk, 'c.txt'), 'utf8')).toBe('old');
  });
});

describe('tsdyn batch --out: checked before any GPU work', () => {
  // No --software: had the GPU been opened first, the line would be "no hardware WebGPU adapter found".
  const jobs = () => file('jobs.json', { jobs: [{ id: 'a', config: small }] });
  const refuse = (out: string, pattern: RegExp, asUser: string[] = []) => {
    const cmd = [...asUser, process.execPath, CLI, 'batch', '--jobs', jobs(), '--out', out];
    const r = spawnSync(cmd[0], cmd.slice(1), { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
    expect(r.status, r.stderr).toBe(1);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(r.stderr.trim()).toMatch(pattern);
  };
  it('under a regular file, a folder, the jobs file itself', () => {
    const f = join(tmp, 'batch-file');
    writeFileSync(f, 'x');
    refuse(join(f, 'r.json'), /^tsdyn batch: --out: .*a parent of it is not a directory$/);
    refuse(tmp, /^tsdyn batch: --out: .* is a directory, not a regular file/);
    refuse(join(tmp, 'jobs.json'), /^tsdyn batch: --out: .*jobs\.json is the config file; refusing to overwrite it$/);
  });
  it.runIf(privileged)('a read-only folder (unprivileged), an immutable folder, a full disk', () => {
    const ro = join(tmp, 'batch-ro');
    mkdirSync(ro);
    chmodSync(ro, 0o555);
    refuse(join(ro, 'r.json'), /^tsdyn batch: --out: cannot create files in .*batch-ro \(EACCES\)$/, ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups']);
    const imm = immutableDir('batch-imm');
    refuse(join(imm, 'r.json'), /^tsdyn batch: --out: cannot create files in .*batch-imm.* \(EPERM\)$/);
    const full = tmpfs('batch-full', '256k');
    fill(full);
    refuse(join(full, 'r.json'), /^tsdyn batch: --out: .*batch-full has \d+(\.\d)? (B|KiB) free, the outputs need about/);
  });
});

describe('the pipeline: its output folder is checked before any run', () => {
  it.runIf(privileged)('TSDYN_OUTPUT_DIR in an immutable folder: one line, no run', () => {
    const imm = immutableDir('pipe-imm');
    const cache = join(tmp, 'pipe-imm-cache');
    const r = spawnSync(process.execPath, ['node_modules/.bin/zx', 'pipeline/figures.mjs', '--only=two-layer', '--preset', 'ci'], {
      encoding: 'utf8',
      env: { ...process.env, CI: 'true', TSDYN_CACHE_DIR: cache, TSDYN_OUTPUT_DIR: join(imm, 'out') },
    });
    expect(r.status).toBe(2);
    expect(lines(r.stderr)).toEqual([expect.stringMatching(/^pipeline: output folder .*pipe-imm.*\/out: cannot create files in .*pipe-imm.* \(EPERM\)$/)]);
    expect(existsSync(cache)).toBe(false);
  });
});

describe('stdout that cannot be written (class 9)', () => {
  const cfg = () => file('c.json', small);
  it.each([['ode'], ['sim'], ['compare', '--json']])('tsdyn %s > /dev/full: one line, exit 1, no stack trace', (...args) => {
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${CLI}" ${args.join(' ')} --config "${cfg()}" > /dev/full`], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
    expect(r.status).toBe(1);
    expect(lines(r.stderr)).toEqual(['tsdyn: cannot write to stdout (ENOSPC); the output is incomplete']);
  });
  it('a pipe closed early (| head) is not an error: exit 0, nothing on stderr', () => {
    const r = spawnSync('bash', ['-o', 'pipefail', '-c', `"${process.execPath}" "${CLI}" ode --config "${cfg()}" | head -c 1 > /dev/null`], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
  });
});

describe('large results (class 8)', () => {
  it('the reply splitter gives the same lines whatever the chunking, each chunk searched once', () => {
    const text = ['{"a":1}', 'x'.repeat(3_000_000), '', '{"b":[1,2]}', 'tail'].join('\n');
    for (const size of [1, 7, 65536, text.length]) {
      const s = new LineSplitter();
      const out: string[] = [];
      for (let i = 0; i < text.length; i += size) out.push(...s.push(text.slice(i, i + size)));
      expect(out).toEqual(['{"a":1}', 'x'.repeat(3_000_000), '', '{"b":[1,2]}']);
      expect(s.pending).toBe(4);
    }
  });

  it('a reply longer than the limit is refused as soon as it passes it', () => {
    const s = new LineSplitter(10);
    expect(s.push('12345')).toEqual([]);
    expect(() => s.push('678901')).toThrow(/longer than 10 characters/);
    expect(new LineSplitter(10).push('1234567890\nabc')).toEqual(['1234567890']);
  });

  it('--trajectories streams one line per run (no single string holds them all)', () => {
    const out = join(tmp, 'traj-out');
    const r = runCli(['sweep', '--config', file('q3.json', quickSweep), '--out', out, '--trajectories'], { env: { TSDYN_CACHE_DIR: join(tmp, 'cache-traj') } });
    expect(r.code).toBe(0);
    const rows = readFileSync(join(out, 'trajectories.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(rows).toHaveLength(8);
    expect(rows.map((x) => x.key.engine)).toEqual(['ode', 'sgd', 'ode', 'sgd', 'ode', 'sgd', 'ode', 'sgd']);
  });
});
