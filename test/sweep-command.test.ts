/**
 * tsdyn sweep end to end: the table holds what an independent in-process computation gives,
 * divergence is a row (not a crash), bad input is one line with no output left behind, and a
 * sweep stopped by SIGTERM leaves no process and no table, then resumes from the cache to the
 * same table, computing only the runs that were missing.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { validateConfig } from '../src/config.ts';
import { executeRun } from '../src/engines.ts';
import { storedTrajectory } from '../src/runs/cache.ts';
import { alignmentSummary, escapeTime } from '../src/metrics/alignment.ts';
import { sweepCommand } from '../src/commands/sweep.ts';
import { run, start, terminate, TSX_CLI, waitFor } from './helpers/processes.ts';

const tmp = mkdtempSync(join(tmpdir(), 'tsdyn-sweep-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const base = { N: 100, K: 2, M: 2, tMax: 5, recordPoints: 12, studentScale: 0.5 };
const sweep = { base, grid: { lr: [0.5, 1, 1000], sigma: [0, 0.5] }, seeds: 2, engines: ['ode', 'sampler'] };

let stderr: string[] = [];
beforeEach(() => {
  stderr = [];
  process.env.TSDYN_CACHE_DIR = join(tmp, 'cache-inproc');
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (stderr.push(String(chunk)), true));
});
afterEach(() => {
  vi.restoreAllMocks();
  delete process.env.TSDYN_CACHE_DIR;
});

function writeSweep(name: string, content: unknown): string {
  const path = join(tmp, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

const parseCsv = (text: string) => {
  const [header, ...lines] = text.trim().split('\n');
  const cols = header.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v])));
};

describe('tsdyn sweep', () => {
  it('writes one row per run whose metrics equal an independent computation; divergence is a row', async () => {
    const out = join(tmp, 'out1');
    const code = await sweepCommand(['--config', writeSweep('s1.json', sweep), '--out', out, '--jobs', '2']);
    expect(code, stderr.join('')).toBe(0);
    expect(stderr[0]).toMatch(/^sweep plan: 24 runs \(12 ode, 12 sampler\), 6,000 SGD steps in all; 0 in the cache, 24 to compute/);
    const csv = readFileSync(join(out, 'table.csv'), 'utf8');
    const rows = parseCsv(csv);
    expect(rows).toHaveLength(24);
    expect(Object.keys(rows[0])).toEqual(['lr', 'sigma', 'seed', 'engine', 'finalEg', 'escapeTime', 'divergedAt', 'finalEgOde', 'escapeTimeOde', 'maxAbsLogRatio', 'minAlignQ', 'minAlignR', 'minAlignV']);
    const jsonl = readFileSync(join(out, 'table.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(jsonl.map((r) => String(r.maxAbsLogRatio ?? ''))).toEqual(rows.map((r) => r.maxAbsLogRatio));

    // Independent: run one row's pair in-process and compare.
    const cfg = validateConfig({ ...base, lr: 1, sigma: 0.5, seed: 2 });
    const sim = storedTrajectory(executeRun({ engine: 'sampler', config: cfg }));
    const ode = storedTrajectory(executeRun({ engine: 'ode', config: cfg }));
    const s = alignmentSummary(sim, ode, { escapeThreshold: 0.01, egFloor: 1e-5 });
    const row = jsonl.find((r) => r.lr === 1 && r.sigma === 0.5 && r.seed === 2 && r.engine === 'sampler');
    expect(row).toEqual({
      lr: 1, sigma: 0.5, seed: 2, engine: 'sampler',
      finalEg: sim.eg[sim.eg.length - 1], escapeTime: escapeTime(sim.t, sim.eg, 0.01), divergedAt: null,
      finalEgOde: ode.eg[ode.eg.length - 1], escapeTimeOde: s.escapeTimeOde,
      maxAbsLogRatio: s.maxAbsLogRatio, minAlignQ: s.minAlignQ, minAlignR: s.minAlignR, minAlignV: s.minAlignV,
    });

    // η = 1000 is far past the stability limit: every run there is a row with diverged-at and no metrics.
    const hot = jsonl.filter((r) => r.lr === 1000);
    expect(hot).toHaveLength(8);
    for (const r of hot) {
      expect(r.divergedAt).toBeGreaterThan(0);
      expect(r.finalEg).toBeNull();
      expect(r.maxAbsLogRatio).toBeNull();
    }
    expect(jsonl.filter((r) => r.lr !== 1000).every((r) => r.divergedAt === null)).toBe(true);
    expect(readFileSync(join(out, 'plot.svg'), 'utf8')).toMatch(/^<svg/);

    // A rerun computes nothing and gives the same bytes.
    stderr = [];
    expect(await sweepCommand(['--config', writeSweep('s1.json', sweep), '--out', out])).toBe(0);
    expect(stderr[0]).toContain('24 in the cache, 0 to compute');
    expect(readFileSync(join(out, 'table.csv'), 'utf8')).toBe(csv);
  });

  it('--trajectories writes every run with its key', async () => {
    const out = join(tmp, 'out-traj');
    const small = { base, grid: { lr: [0.5] }, seeds: [3], engines: ['ode', 'sgd'] };
    expect(await sweepCommand(['--config', writeSweep('s2.json', small), '--out', out, '--trajectories'])).toBe(0);
    const lines = readFileSync(join(out, 'trajectories.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.key)).toEqual([
      { params: { lr: 0.5 }, seed: 3, engine: 'ode' },
      { params: { lr: 0.5 }, seed: 3, engine: 'sgd' },
    ]);
    expect(lines[1].trajectory).toEqual(JSON.parse(JSON.stringify(storedTrajectory(executeRun({ engine: 'sgd', config: validateConfig({ ...base, lr: 0.5, seed: 3 }) })))));
  });

  const bad: [string, () => string[], RegExp, number][] = [
    ['no --config', () => [], /^tsdyn sweep: --config: required/, 1],
    ['unknown option', () => ['--config', 'x.json', '--fast'], /^tsdyn sweep: Unknown option '--fast'/, 1],
    ['unreadable config', () => ['--config', join(tmp, 'nope.json')], /^tsdyn sweep: --config: cannot read/, 1],
    ['invalid JSON', () => ['--config', writeSweep('bad.json', '{"base": ')], /^tsdyn sweep: sweep: .*bad\.json is not valid JSON/, 1],
    ['bad grid value', () => ['--config', writeSweep('bad2.json', { base, grid: { lr: [0.5, 1, 2, -1] } })], /^tsdyn sweep: sweep\.grid\.lr\[3\]: must be > 0, got -1$/, 1],
    ['gpu backend', () => ['--config', writeSweep('ok.json', sweep), '--backend', 'gpu'], /^tsdyn sweep: --backend: must be one of auto, cpu, webgpu, got "gpu"$/, 1],
    ['--jobs 0', () => ['--config', writeSweep('ok.json', sweep), '--jobs', '0'], /^tsdyn sweep: --jobs: must be an integer 1 … \d+ \(twice the \d+ cores\), got "0"$/, 1],
    ['--out is a file', () => ['--config', writeSweep('ok.json', sweep), '--out', writeSweep('afile', 'x')], /^tsdyn sweep: --out: .* exists and is not a folder$/, 1],
    ['bad plot metric', () => ['--config', writeSweep('ok.json', sweep), '--plot-metric', 'loss'], /^tsdyn sweep: --plot-metric: must be one of the sweep's metrics/, 1],
  ];
  it.each(bad)('bad input (%s): one line, non-zero exit, nothing written', async (_name, args, message, status) => {
    const out = join(tmp, 'out-bad');
    const argv = args();
    const code = await sweepCommand(argv.includes('--out') ? argv : [...argv, '--out', out]);
    expect(code).toBe(status);
    const text = stderr.join('');
    expect(text.trimEnd().split('\n')).toHaveLength(1);
    expect(text.trimEnd()).toMatch(message);
    expect(text).not.toMatch(/\n\s+at /);
    expect(existsSync(out)).toBe(false);
  });
});

describe('tsdyn sweep: SIGTERM, then resume', () => {
  const slow = { base: { ...base, N: 3000, tMax: 8 }, grid: { lr: [0.3, 0.6, 0.9] }, seeds: 8, engines: ['sampler'] };

  it('stops with no process left and no table, then resumes to the uninterrupted table computing only the missing runs', async () => {
    const config = writeSweep('slow.json', slow);
    // Reference: uninterrupted, in its own cache (in-process: no tsx start-up to pay).
    process.env.TSDYN_CACHE_DIR = join(tmp, 'cache-ref');
    expect(await sweepCommand(['--config', config, '--out', join(tmp, 'ref')]), stderr.join('')).toBe(0);

    const cache = join(tmp, 'cache-stop');
    const runsDir = join(cache, 'runs');
    mkdirSync(runsDir, { recursive: true });
    const cached = () => readdirSync(runsDir).filter((f) => f.endsWith('.json')).length;
    const out = join(tmp, 'stopped');
    const { child, done } = start([...TSX_CLI, 'sweep', '--config', config, '--out', out, '--jobs', '2'], { TSDYN_CACHE_DIR: cache });
    expect(await waitFor(() => cached() >= 4, 60_000)).toBe(true);
    const { result, workers, treeGone, atStop, later } = await terminate(child, done, cached);
    expect(workers).toBeGreaterThanOrEqual(2); // the two workers
    expect(result.code).toBe(143);
    expect(result.stderr).toContain('stopped; rerun the same command to resume');
    expect(treeGone).toBe(true);
    expect(atStop).toBeLessThan(24);
    expect(later).toBe(atStop); // nothing written after the stop
    expect(existsSync(join(out, 'table.csv'))).toBe(false);

    const resumed = await run([...TSX_CLI, 'sweep', '--config', config, '--out', out], { TSDYN_CACHE_DIR: cache });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`${atStop} in the cache, ${24 - atStop} to compute`);
    expect(resumed.stderr).toContain(`(${24 - atStop} computed, ${atStop} from the cache)`);
    expect(readFileSync(join(out, 'table.csv'), 'utf8')).toBe(readFileSync(join(tmp, 'ref', 'table.csv'), 'utf8'));
  });
});
