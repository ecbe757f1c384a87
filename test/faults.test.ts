/**
 * Fault injection: every bad input, unusable --out target, resource limit and stop
 * signal gives a non-zero exit, exactly one line on stderr, no stack trace and nothing left
 * on disk, within seconds. The CLI runs as users run it: the bundled dist/cli.js.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, runCli } from './helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'tsdyn-faults-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const small = { model: 'two-layer', N: 60, K: 2, M: 2, lr: 0.5, tMax: 1, recordEvery: 0.5, recordScale: 'linear', seed: 1, studentScale: 0.3 };
const sc = { model: 'soft-committee', N: 60, K: 2, M: 2, tMax: 1, recordEvery: 0.5, recordScale: 'linear' };
const I2 = [[1, 0], [0, 1]];
/** Two teachers of M = 1 unit each, switched at t = 0.5. */
const cl = { ...small, M: 1, trainSecondLayer: true, teachers: [{}, { featureSimilarity: 0.5 }], schedule: [{ teacher: 0, until: 0.5 }, { teacher: 1, until: 1 }] };
const Z2 = [[0, 0], [0, 0]];

type Case = [name: string, config: unknown, args: string[], pattern: RegExp, env?: Record<string, string>];

// Config text is written as given when it is a string (for numbers JSON cannot round-trip, e.g. 1e400).
const cases: Case[] = [
  ['K = 0', { ...small, K: 0 }, ['sim'], /^tsdyn: config\.K: must be an integer ≥ 1, got 0$/],
  ['K = 1e400', '{"K": 1e400}', ['sim'], /^tsdyn: config\.K: must be finite, got Infinity/],
  ['N negative', { ...small, N: -5 }, ['sim'], /config\.N: must be an integer ≥ 1/],
  ['N fractional', { ...small, N: 10.5 }, ['sim'], /config\.N: must be an integer/],
  ['N a string', { ...small, N: '784' }, ['sim'], /config\.N: must be an integer ≥ 1, got "784"/],
  ['M null', { ...small, M: null }, ['sim'], /config\.M: must be an integer ≥ 1, got null/],
  ['lr 0', { ...small, lr: 0 }, ['sim'], /config\.lr: must be > 0/],
  ['lr negative', { ...small, lr: -1 }, ['ode'], /config\.lr: must be > 0/],
  ['lr 1e400', '{"lr": 1e400}', ['ode'], /config\.lr: must be finite, got Infinity/],
  ['lr 1e6', { ...small, lr: 1e6 }, ['sim'], /config\.lr: must be a number ≤ 1000/],
  ['sigma negative', { ...small, sigma: -0.1 }, ['sim'], /config\.sigma: must be ≥ 0/],
  ['sigma a string', { ...small, sigma: 'big' }, ['sim'], /config\.sigma: must be a finite number/],
  ['batchSize 0', { ...small, batchSize: 0 }, ['sim'], /config\.batchSize: must be an integer ≥ 1/],
  ['tMax 0', { ...small, tMax: 0 }, ['sim'], /config\.tMax: must be > 0/],
  ['tMax 1e300 on the log grid', { ...small, tMax: 1e300, recordScale: 'log' }, ['ode'], /config\.tMax: .*exceeds 2\^53/],
  ['recordEvery > tMax', { ...small, recordEvery: 5 }, ['sim'], /config\.recordEvery: must be ≤ tMax/],
  ['recordScale unknown', { ...small, recordScale: 'cubic' }, ['sim'], /config\.recordScale/],
  ['recordPoints 1', { ...small, recordScale: 'log', recordPoints: 1 }, ['sim'], /config\.recordPoints: must be an integer ≥ 2/],
  ['seed fractional', { ...small, seed: 1.5 }, ['sim'], /config\.seed: must be an integer/],
  ['seed an object', { ...small, seed: {} }, ['sim'], /config\.seed/],
  ['teacherScale 1e200', { ...small, teacherScale: 1e200 }, ['sim', '--engine', 'sampler'], /config\.teacherScale: must be a number ≤ 100/],
  ['teacherScale 0', { ...small, teacherScale: 0 }, ['sim'], /config\.teacherScale: must be > 0/],
  ['studentScale negative', { ...small, studentScale: -1 }, ['sim'], /config\.studentScale: must be ≥ 0/],
  ['vTeacher wrong length', { ...small, vTeacher: [1, 2, 3] }, ['sim'], /config\.vTeacher: must be an array of 2 numbers/],
  ['vTeacher entry 1e400', '{"model": "two-layer", "K": 2, "M": 2, "vTeacher": [1, 1e400]}', ['ode'], /config\.vTeacher\[1\]: must be finite/],
  ['vTeacher for soft committee', { ...sc, vTeacher: [1, 2] }, ['sim'], /config\.vTeacher: must be "ones"/],
  ['trainSecondLayer a string', { ...small, trainSecondLayer: 'yes' }, ['sim'], /config\.trainSecondLayer/],
  ['testSamples negative', { ...small, testSamples: -1 }, ['sim'], /config\.testSamples/],
  ['unknown field', { ...small, learningRate: 1 }, ['sim'], /config\.learningRate: unknown field/],
  ['unknown model', { ...small, model: 'three-layer' }, ['sim'], /config\.model/],
  ['root an array', '[1,2]', ['sim'], /config\.\(root\): must be a JSON object/],
  ['malformed JSON', '{"K": 3,', ['sim'], /not valid JSON/],
  ['empty config file', '', ['ode'], /not valid JSON/],
  ['init.T not PSD', { ...sc, init: { Q: I2, R: Z2, T: [[1, 2], [2, 1]] } }, ['ode'], /config\.init\.T: must be positive semi-definite/],
  ['init Gram matrix not PSD', { ...sc, init: { Q: I2, R: [[1, 0.9], [0.9, 1]], T: I2 } }, ['ode'], /config\.init: \[\[Q, R\], \[Rᵀ, T\]\] must be positive semi-definite/],
  ['init.Q asymmetric', { ...sc, init: { Q: [[1, 0.5], [0, 1]], R: Z2, T: I2 } }, ['ode'], /config\.init\.Q: must be symmetric/],
  ['init.R wrong shape', { ...sc, init: { Q: I2, R: [[0, 0]], T: I2 } }, ['ode'], /config\.init\.R: must be a 2×2 array/],
  ['init without T', { ...sc, init: { Q: I2, R: Z2 } }, ['ode'], /config\.init\.T: is required/],
  ['init unknown key', { ...sc, init: { Q: I2, R: Z2, T: I2, W: 1 } }, ['ode'], /config\.init\.W: unknown field/],
  ['init entry a string', { ...sc, init: { Q: [[1, 'x'], [0, 1]], R: Z2, T: I2 } }, ['ode'], /config\.init\.Q\[0\]\[1\]: must be a finite number/],
  ['init with N < K + M for sgd', { ...sc, N: 3, init: { Q: I2, R: Z2, T: I2 } }, ['sim'], /config\.N: must be ≥ K \+ M = 4 to build weights from init/],
  ['sampler with N < K + M + B', { ...sc, N: 4 }, ['sim', '--engine', 'sampler'], /config\.N: must be ≥ K \+ M \+ batchSize = 5/],
  ['tMax 1e12 (sgd)', { ...sc, N: 784, tMax: 1e12, recordScale: 'log' }, ['sim'], /config\.tMax: this run draws about 7\.8e14 samples/],
  ['tMax 1e12 (ode)', { ...sc, N: 784, tMax: 1e12, recordScale: 'log' }, ['ode'], /config\.tMax: the ODE would need about 6\.0e11 integrator steps/],
  ['recordEvery 1e-9 over a long run', { ...sc, tMax: 1e5, recordEvery: 1e-9 }, ['sim', '--engine', 'sampler'], /config\.recordEvery: the output would be about .* over the 512 MiB one JSON text can hold/],
  ['tMax 5e6 at recordEvery 1', { ...sc, N: 784, K: 4, M: 4, tMax: 5e6, recordEvery: 1 }, ['ode'], /config\.recordEvery: .*GiB/],
  ['K = 100000', { ...sc, K: 100000, recordScale: 'log' }, ['ode'], /config\.K: this run needs about .* TiB of memory/],
  ['N = 1e9 (ode: seeded start)', { ...sc, N: 1e9, recordScale: 'log', tMax: 10 }, ['ode'], /config\.N: this run needs about 30 GiB of memory \(mostly seeded starting weights/],
  ['N = 1e9 (sgd)', { ...sc, N: 1e9, recordScale: 'log', tMax: 1 }, ['sim'], /config\.N: this run needs about .* GiB of memory/],
  ['--max-memory 1K', small, ['sim', '--max-memory', '1K'], /config\.\w+: this run needs about .* over the limit 1\.0 KiB; raise it with --max-memory or TSDYN_MAX_MEMORY/],
  ['TSDYN_MAX_SAMPLES=10', small, ['sim'], /config\.tMax: this run draws about 60 samples .* over the limit 10/, { TSDYN_MAX_SAMPLES: '10' }],
  ['TSDYN_MAX_MEMORY garbage', small, ['sim'], /^tsdyn: TSDYN_MAX_MEMORY: must be a size like 8G/, { TSDYN_MAX_MEMORY: 'lots' }],
  ['--max-samples negative', small, ['sim', '--max-samples=-3'], /--max-samples: must be a positive number/],
  ['diverging lr (sgd)', { ...small, lr: 400, tMax: 50, recordEvery: 1 }, ['sim'], /SGD diverged at t=[\d.]+ with lr=400/],
  ['diverging lr (ode)', { ...sc, lr: 60, tMax: 5000, recordEvery: 100 }, ['ode'], /ODE diverged at t=[\d.]+ with lr=60/],
  ['no --config', null, ['sim'], /^tsdyn: --config FILE is required$/],
  ['missing config file', null, ['sim', '--config', '/nonexistent/tsdyn.json'], /^tsdyn: --config: cannot read \/nonexistent\/tsdyn\.json \(ENOENT\)$/],
  ['unknown option', small, ['sim', '--bogus'], /^tsdyn: sim: Unknown option '--bogus'/],
  ['unknown command', small, ['fly'], /^tsdyn: unknown command "fly"/],
  ['ode is not a simulation engine', small, ['sim', '--engine', 'ode'], /--engine: must be sgd or sampler, got "ode"/],
  ['option of another command', small, ['ode', '--engine', 'sgd'], /^tsdyn: ode: Unknown option '--engine'/],
  ['--method euler', small, ['ode', '--method', 'euler'], /--method: must be dopri5 or rk4/],
  ['--rtol negative', small, ['ode', '--rtol=-1'], /--rtol: must be a positive finite number/],
  ['--out empty', small, ['sim', '--out', ''], /^tsdyn: --out: must name a file/],
  // Continual learning: teachers, schedule, heads.
  ['schedule out of order', { ...cl, schedule: [{ teacher: 0, until: 0.8 }, { teacher: 1, until: 0.5 }] }, ['sim'], /^tsdyn: config\.schedule\[1\]\.until: phases must be in time order/],
  ['schedule until beyond tMax', { ...cl, schedule: [{ teacher: 0, until: 0.5 }, { teacher: 1, until: 3 }] }, ['ode'], /^tsdyn: config\.schedule\[1\]\.until: must be ≤ tMax \(1\), got 3$/],
  ['schedule ends before tMax', { ...cl, schedule: [{ teacher: 0, until: 0.5 }, { teacher: 1, until: 0.8 }] }, ['sim'], /^tsdyn: config\.schedule\[1\]\.until: the last phase must end at tMax/],
  ['schedule unknown teacher', { ...cl, schedule: [{ teacher: 0, until: 0.5 }, { teacher: 2, until: 1 }] }, ['sim', '--engine', 'sampler'], /^tsdyn: config\.schedule\[1\]\.teacher: unknown teacher 2/],
  ['schedule teacher without teachers', { ...small, schedule: [{ teacher: 0, until: 0.5 }, { teacher: 1, until: 1 }] }, ['ode'], /^tsdyn: config\.schedule\[1\]\.teacher: unknown teacher 1: only teacher 0 exists/],
  ['featureSimilarity above 1', { ...cl, teachers: [{}, { featureSimilarity: 1.5 }] }, ['sim'], /^tsdyn: config\.teachers\[1\]\.featureSimilarity: must be in \[0, 1\], got 1\.5$/],
  ['featureSimilarity negative', { ...cl, teachers: [{}, { featureSimilarity: -0.1 }] }, ['ode'], /^tsdyn: config\.teachers\[1\]\.featureSimilarity: must be in \[0, 1\], got -0\.1$/],
  ['init.R K×M with two teachers', { ...cl, init: { Q: I2, R: [[0], [0]], T: I2 } }, ['ode'], /^tsdyn: config\.init\.R\[0\]: must be an array of 2 numbers, got \[0\]$/],
  ['init.T M×M with two teachers', { ...cl, init: { Q: I2, R: Z2, T: [[1]] } }, ['sim', '--engine', 'sampler'], /^tsdyn: config\.init\.T: must be a 2×2 array/],
  ['init.vTeacher M entries with two teachers', { ...cl, init: { Q: I2, R: Z2, T: I2, vTeacher: [1] } }, ['sim'], /^tsdyn: config\.init\.vTeacher: must be an array of 2 numbers/],
  ['heads multi with the soft committee', { ...sc, M: 1, teachers: [{}, {}], heads: 'multi' }, ['ode'], /^tsdyn: config\.heads: "multi" .*needs model "two-layer" with trainSecondLayer$/],
  ['heads unknown', { ...cl, heads: 'several' }, ['sim'], /^tsdyn: config\.heads: must be "single" or "multi"/],
  // Activations, weight decay and the second layer's rate.
  ['activation unknown', { ...small, activation: 'tanh' }, ['sim'], /^tsdyn: config\.activation: must be one of "erf", "linear", "relu", got "tanh"$/],
  ['activation not a string', { ...sc, activation: 1 }, ['ode'], /^tsdyn: config\.activation: must be one of "erf", "linear", "relu", got 1$/],
  ['lr2 with the soft committee', { ...sc, lr2: 0.3 }, ['ode'], /^tsdyn: config\.lr2: applies to a trained second layer only: the soft committee machine keeps v = 1/],
  ['lr2 with a frozen second layer', { ...small, trainSecondLayer: false, lr2: 0.3 }, ['sim'], /^tsdyn: config\.lr2: applies to a trained second layer only, but trainSecondLayer is false$/],
  ['lr2 0', { ...small, lr2: 0 }, ['sim', '--engine', 'sampler'], /^tsdyn: config\.lr2: must be > 0, got 0$/],
  ['weightDecay negative', { ...small, weightDecay: -0.1 }, ['sim'], /^tsdyn: config\.weightDecay: must be ≥ 0, got -0\.1$/],
  ['weightDecay 1e400', '{"weightDecay": 1e400}', ['ode'], /^tsdyn: config\.weightDecay: must be finite, got Infinity/],
  ['weightDecay -1e400', '{"weightDecay": -1e400}', ['sim'], /^tsdyn: config\.weightDecay: must be finite, got -Infinity/],
  ['weightDecay a string', { ...sc, weightDecay: 'none' }, ['sim', '--engine', 'sampler'], /^tsdyn: config\.weightDecay: must be a finite number ≥ 0, got "none"$/],
];

describe('fault injection: bad inputs', () => {
  it('has at least 40 cases', () => expect(cases.length).toBeGreaterThanOrEqual(40));

  it.each(cases)('%s → one line, non-zero exit, nothing written', (name, config, args, pattern, env) => {
    const folder = join(dir, name.replace(/[^A-Za-z0-9]+/g, '_'));
    mkdirSync(folder, { recursive: true });
    const configPath = join(folder, 'c.json');
    if (config !== null) writeFileSync(configPath, typeof config === 'string' ? config : JSON.stringify(config));
    const out = join(folder, 'out.json');
    const withConfig = config !== null ? ['--config', configPath] : [];
    const hasOut = args.includes('--out');
    const r = runCli([...args, ...withConfig, ...(hasOut ? [] : ['--out', out])], { cwd: folder, env });
    expect(r.code, r.stderr.join('\n')).toBe(1);
    expect(r.stderr).toHaveLength(1);
    expect(r.stderr[0]).toMatch(pattern);
    expect(r.stderr[0]).not.toMatch(/\n|\s+at \S+ \(|internal error/);
    expect(r.stdout).toBe('');
    expect(readdirSync(folder).sort()).toEqual(config !== null ? ['c.json'] : []);
    expect(r.seconds).toBeLessThan(15);
  });
});

describe('fault injection: --out targets', () => {
  const cfgFolder = join(dir, 'out-targets');
  mkdirSync(cfgFolder, { recursive: true });
  const cfg = join(cfgFolder, 'c.json');
  writeFileSync(cfg, JSON.stringify(small));
  const expectRefused = (out: string, pattern: RegExp) => {
    const before = readdirSync(cfgFolder).sort();
    const r = runCli(['sim', '--config', cfg, '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toHaveLength(1);
    expect(r.stderr[0]).toMatch(pattern);
    expect(readdirSync(cfgFolder).sort()).toEqual(before);
    expect(r.seconds).toBeLessThan(15);
  };

  it('refuses a directory, a FIFO, the config itself, a missing folder, a path under a file, a dangling link', () => {
    const sub = join(cfgFolder, 'adir');
    mkdirSync(sub);
    expectRefused(sub, /--out: .*adir is a directory, not a regular file/);
    expectRefused(`${join(cfgFolder, 'new')}/`, /names a directory/);
    const fifo = join(cfgFolder, 'fifo');
    spawnSync('mkfifo', [fifo]);
    expect(existsSync(fifo)).toBe(true);
    expectRefused(fifo, /--out: .*fifo is a FIFO, not a regular file/);
    expectRefused(cfg, /--out: .*c\.json is the config file; refusing to overwrite it/);
    const link = join(cfgFolder, 'link-to-config');
    symlinkSync(cfg, link);
    expectRefused(link, /is the config file/);
    expectRefused(join(cfgFolder, 'missing', 'out.json'), /--out: folder .*missing does not exist/);
    expectRefused(join(cfg, 'out.json'), /--out: .*a parent of it is not a directory/);
    const dangling = join(cfgFolder, 'dangling');
    symlinkSync(join(cfgFolder, 'nowhere'), dangling);
    expectRefused(dangling, /symbolic link to a missing file/);
    expect(JSON.parse(readFileSync(cfg, 'utf8'))).toEqual(small);
  });

  it('refuses a read-only folder before computing (as an unprivileged user)', () => {
    const ro = join(cfgFolder, 'readonly');
    mkdirSync(ro);
    chmodSync(ro, 0o555);
    chmodSync(dir, 0o755);
    chmodSync(cfgFolder, 0o755);
    chmodSync(cfg, 0o644);
    // root ignores permissions: drop to `nobody` for this case (util-linux setpriv).
    const asUser = process.getuid?.() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : [];
    const started = performance.now();
    const big = join(cfgFolder, 'long.json');
    writeFileSync(big, JSON.stringify({ ...small, N: 784, tMax: 2000 }));
    chmodSync(big, 0o644);
    const cmd = [...asUser, process.execPath, CLI, 'sim', '--config', big, '--out', join(ro, 'out.json')];
    const r = spawnSync(cmd[0], cmd.slice(1), { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
    const lines = r.stderr.split('\n').filter(Boolean);
    expect(r.status).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/--out: cannot create files in .*readonly \((EACCES|EROFS)\)/);
    expect(readdirSync(ro)).toEqual([]);
    // Refused before the (minutes-long) run, not after it.
    expect((performance.now() - started) / 1000).toBeLessThan(15);
  });

  it('writes straight to stdout for -, /dev/stdout-like links, and a file that is already stdout', () => {
    const direct = runCli(['sim', '--config', cfg]);
    expect(direct.code).toBe(0);
    const dash = runCli(['sim', '--config', cfg, '--out', '-']);
    expect(dash.stdout).toBe(direct.stdout);
    const link = join(cfgFolder, 'stdout-link');
    symlinkSync('/dev/stdout', link);
    const viaLink = runCli(['sim', '--config', cfg, '--out', link]);
    expect(viaLink.code).toBe(0);
    expect(viaLink.stdout).toBe(direct.stdout);
    // stdout redirected to a file, and --out naming that same file: written once, not renamed over.
    const target = join(cfgFolder, 'captured.json');
    const sh = spawnSync('sh', ['-c', `"${process.execPath}" "${CLI}" sim --config "${cfg}" --out "${target}" > "${target}"`], { env: { ...process.env, CI: 'true' } });
    expect(sh.status).toBe(0);
    expect(readFileSync(target, 'utf8')).toBe(direct.stdout);
    expect(readdirSync(cfgFolder).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('replaces a regular file atomically and keeps a symlink a symlink', () => {
    const direct = runCli(['sim', '--config', cfg]).stdout;
    const real = join(cfgFolder, 'real.json');
    writeFileSync(real, 'old');
    const link = join(cfgFolder, 'real-link.json');
    symlinkSync(real, link);
    expect(runCli(['sim', '--config', cfg, '--out', link]).code).toBe(0);
    expect(readFileSync(real, 'utf8')).toBe(direct);
    expect(spawnSync('test', ['-L', link]).status).toBe(0);
  });
});

describe('fault injection: stop signals', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} during a long run stops it within a second, leaves no process and writes nothing`, async () => {
      const folder = join(dir, `signal-${signal}`);
      mkdirSync(folder, { recursive: true });
      const cfg = join(folder, 'c.json');
      // About a minute of SGD: long enough that only the signal can end it in time.
      writeFileSync(cfg, JSON.stringify({ ...small, N: 784, K: 4, M: 4, tMax: 20000, recordScale: 'log' }));
      const out = join(folder, 'out.json');
      const child = spawn(process.execPath, [CLI, 'sim', '--config', cfg, '--out', out], { detached: true, stdio: 'ignore', env: { ...process.env, CI: 'true' } });
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, sig) => resolve({ code, signal: sig })));
      await new Promise((r) => setTimeout(r, 1500));
      const sentAt = performance.now();
      process.kill(-child.pid!, signal);
      const result = await exited;
      const stopSeconds = (performance.now() - sentAt) / 1000;
      expect(result.signal ?? result.code).toBe(signal);
      expect(stopSeconds).toBeLessThan(1);
      // The process group is empty: no orphaned child keeps running.
      const ps = spawnSync('ps', ['-o', 'pid=', '-g', String(child.pid)], { encoding: 'utf8' });
      expect(ps.stdout.trim()).toBe('');
      await new Promise((r) => setTimeout(r, 500));
      expect(readdirSync(folder)).toEqual(['c.json']);
    });
  }
});

describe('usage', () => {
  it('bare tsdyn prints usage to stderr and exits non-zero; --help, --version and <cmd> --help exit 0', () => {
    const bare = runCli([]);
    expect(bare.code).toBe(1);
    expect(bare.stdout).toBe('');
    expect(bare.stderr[0]).toMatch(/^usage: tsdyn <command>/);
    const help = runCli(['--help']);
    expect(help.code).toBe(0);
    for (const cmd of ['ode', 'sim', 'compare']) expect(help.stdout).toMatch(new RegExp(`^  ${cmd} `, 'm'));
    const version = runCli(['--version']);
    expect(version.stdout).toBe(`tsdyn ${JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')).version}\n`);
    const sim = runCli(['sim', '--help']);
    expect(sim.code).toBe(0);
    expect(sim.stdout).toMatch(/^usage: tsdyn sim --config FILE/);
    expect(sim.stdout).toMatch(/--engine sampler/);
    expect(runCli(['ode', '--help']).stdout).toMatch(/--method/);
  });
});
