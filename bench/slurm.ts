/**
 * `npx tsx bench/slurm.ts` (root, Debian's slurmctld slurmd slurm-client munge; run
 * `node scripts/build.mjs` first): the SLURM executor's overhead against the local one, and
 * the paper study of docs/cluster.md. Writes bench/results-slurm.json.
 *
 *  1. Overhead. A one-node cluster on this machine (scripts/slurm/cluster.sh, 2 CPUs) and two
 *     sweeps of 1000 short sampler runs (K = M = 2, N = 300; t = 20 and t = 100): wall time of
 *     `tsdyn sweep` (the bundled CLI) from an empty cache with --executor local (one worker per
 *     core) and --executor slurm (default options: the shard plan, one array, collection and the
 *     verified import of every run), interleaved, REPS times each; the best of each and their
 *     ratio. The outputs of the two must be byte-identical (checked).
 *  2. Paper study (no cluster): Figure 5's complete grid (the ensemble preset's
 *     ensemble-validity-map) with the K = M = 4 cells at N = 10⁴ added, planned by the executor's
 *     shard plan (src/cluster/shardPlan.ts) for 10 nodes × 32 cores (320 one-CPU tasks at once,
 *     20-minute shards, MaxArraySize 1001): the shard count, the longest run, the work and the
 *     expected wall time, from the cost model, and scaled by the cost model's error measured
 *     here on a sample of the grid's runs.
 *     `npx tsx bench/slurm.ts --study-only` runs this part alone.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { expectedWallSeconds, planShards, shardSeconds } from '../src/cluster/shardPlan.ts';
import { validateConfig } from '../src/config.ts';
import { runEngine } from '../src/engines.ts';
import { ensembleValidityMapFigure } from '../src/figures/validityMap/index.ts';
import { estimateResources } from '../src/resources.ts';
import { ROOT } from '../src/root.ts';
import { formatRunKey } from '../src/runs/key.ts';
import { planJobs } from '../src/runs/scheduler.ts';

const REPS = 2;
const CLI = join(ROOT, 'dist', 'cli.js');

function sweepOverhead(work: string, tMax: number, env: NodeJS.ProcessEnv) {
  const cfg = join(work, `sweep-t${tMax}.json`);
  writeFileSync(
    cfg,
    JSON.stringify({
      base: { model: 'soft-committee', N: 300, K: 2, M: 2, tMax, recordPoints: 10, studentScale: 0.5 },
      grid: { lr: [0.5, 0.75, 1, 1.5, 2], sigma: [0, 0.5, 1, 1.5] },
      seeds: 50,
      engines: ['sampler'],
    }),
  );
  const times: Record<'local' | 'slurm', number[]> = { local: [], slurm: [] };
  let shards = '';
  for (let rep = 0; rep < REPS; rep++) {
    for (const executor of ['local', 'slurm'] as const) {
      const cache = join(work, `cache-${tMax}-${executor}-${rep}`);
      const out = join(work, `out-${tMax}-${executor}-${rep}`);
      const t0 = performance.now();
      const r = spawnSync(process.execPath, [CLI, 'sweep', '--config', cfg, '--out', out, '--executor', executor], { encoding: 'utf8', env: { ...env, TSDYN_CACHE_DIR: cache, CI: 'true' } });
      const seconds = (performance.now() - t0) / 1000;
      if (r.status !== 0) throw new Error(`sweep --executor ${executor} failed: ${r.stderr}`);
      if (executor === 'slurm') shards = /submitted job \d+: (\d+ shards?)/.exec(r.stderr)?.[1] ?? '?';
      times[executor].push(seconds);
      process.stderr.write(`  t=${tMax} ${executor} rep ${rep + 1}: ${seconds.toFixed(1)} s\n`);
    }
    for (const f of ['table.csv', 'table.jsonl', 'plot.svg']) {
      const a = readFileSync(join(work, `out-${tMax}-local-${rep}`, f), 'utf8');
      const b = readFileSync(join(work, `out-${tMax}-slurm-${rep}`, f), 'utf8');
      if (a !== b) throw new Error(`t=${tMax}: ${f} differs between local and slurm`);
    }
    const runs = (ex: string) => readdirSync(join(work, `cache-${tMax}-${ex}-${rep}`, 'runs')).sort();
    for (const name of runs('local')) {
      if (readFileSync(join(work, `cache-${tMax}-local-${rep}`, 'runs', name), 'utf8') !== readFileSync(join(work, `cache-${tMax}-slurm-${rep}`, 'runs', name), 'utf8')) throw new Error(`t=${tMax}: cache entry ${name} differs`);
    }
  }
  const local = Math.min(...times.local);
  const slurm = Math.min(...times.slurm);
  return { runs: 1000, tMax, localSeconds: times.local, slurmSeconds: times.slurm, shards, bestLocal: local, bestSlurm: slurm, ratio: slurm / local };
}

function overhead() {
  const work = mkdtempSync('/var/tmp/tsdyn-bench-slurm-');
  const state = join(work, 'cluster');
  const start = spawnSync('bash', [join(ROOT, 'scripts', 'slurm', 'cluster.sh'), 'start', state], { encoding: 'utf8' });
  if (start.status !== 0) throw new Error(`cluster.sh start: ${start.stderr}`);
  const env = { ...process.env, SLURM_CONF: join(state, 'slurm.conf'), TSDYN_NODE: process.execPath };
  try {
    results.slurm = spawnSync('sbatch', ['--version'], { encoding: 'utf8', env }).stdout?.trim() || null;
    return [sweepOverhead(work, 20, env), sweepOverhead(work, 100, env)];
  } finally {
    spawnSync('bash', [join(ROOT, 'scripts', 'slurm', 'cluster.sh'), 'stop', state]);
    rmSync(work, { recursive: true, force: true });
  }
}

/** Figure 5's complete grid with the K = 4, N = 10⁴ cells: the ensemble preset's runs, K = 4 at N = 3000 copied to N = 10⁴. */
function completeGrid() {
  const runs = ensembleValidityMapFigure.runs('ensemble');
  const extra = runs
    .filter((r) => r.config.K === 4 && r.config.N === 3000)
    .map((r) => ({ ...r, key: { ...r.key, params: { ...r.key.params, N: 10000 } }, config: validateConfig({ ...r.config, N: 10000 }) }));
  return [...runs, ...extra].map((r) => ({ ...r, label: `ensemble-validity-map ${formatRunKey(r.key)}` }));
}

/** Measured seconds / model seconds on a sample of the grid's sampler runs (one core, in this process). */
function costModelError(jobs: { engine: string; config: import('../src/config.ts').RunConfig; cost: number }[]) {
  const sampler = jobs.filter((j) => j.engine === 'sampler').sort((a, b) => a.cost - b.cost);
  // 41 runs at evenly spaced quantiles of the cost (both K, every N), each of at most 10 s by the model.
  const sample = [...new Set(Array.from({ length: 41 }, (_, i) => sampler[Math.round((i / 40) * (sampler.length - 1))]))].filter((j) => j.cost <= 10);
  let measured = 0;
  let model = 0;
  for (const j of sample) {
    const t0 = performance.now();
    runEngine('sampler', j.config);
    measured += (performance.now() - t0) / 1000;
    model += j.cost;
  }
  return { runs: sample.length, measuredSeconds: measured, modelSeconds: model, ratio: measured / model };
}

function study() {
  const grid = completeGrid();
  const { jobs } = planJobs(grid, { cacheDir: join(ROOT, '.bench-no-cache'), backend: 'cpu' });
  const items = jobs.map((j) => ({ job: j, cost: j.cost, bytes: estimateResources(j.engine, j.config).outputBytes + 256 }));
  const o = { targetSeconds: 20 * 60, cpusPerTask: 1, slots: 320, maxShards: 1001, maxShardBytes: 2 ** 28 };
  const shards = planShards(items, o);
  const secs = shards.map((s) => shardSeconds(s, 1));
  const work = jobs.reduce((a, j) => a + j.cost, 0);
  const wall = expectedWallSeconds(secs, o.slots);
  const err = costModelError(jobs);
  const part = (f: (j: (typeof jobs)[number]) => boolean) => ({ runs: jobs.filter(f).length, modelSeconds: jobs.filter(f).reduce((a, j) => a + j.cost, 0) });
  return {
    runs: jobs.length,
    parts: {
      K2: part((j) => j.config.K === 2),
      K4upTo3000: part((j) => j.config.K === 4 && j.config.N <= 3000),
      addedK4N1e4: part((j) => j.config.K === 4 && j.config.N === 10000),
    },
    modelCoreSeconds: work,
    longestRunSeconds: Math.max(...jobs.map((j) => j.cost)),
    cluster: '10 nodes × 32 cores: 320 one-CPU tasks at once, 20-minute shards, MaxArraySize 1001',
    shards: shards.length,
    largestShardSeconds: Math.max(...secs),
    expectedWallSeconds: wall,
    costModelError: err,
    expectedWallSecondsCorrected: wall * err.ratio,
    twoCoreHours: (work * err.ratio) / 2 / 3600,
  };
}

const studyOnly = process.argv.includes('--study-only');
const results: Record<string, unknown> = {
  date: new Date().toISOString(),
  machine: { cpu: cpus()[0]?.model, cores: availableParallelism(), loadavg: loadavg() },
  node: process.version,
  slurm: null,
};
if (!studyOnly) {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { stdio: 'inherit' });
  results.overhead = overhead();
}
results.study = study();
const fmt = (s: number) => (s < 120 ? `${s.toFixed(1)} s` : s < 7200 ? `${(s / 60).toFixed(1)} min` : `${(s / 3600).toFixed(2)} h`);
if (results.overhead) {
  for (const r of results.overhead as ReturnType<typeof sweepOverhead>[]) {
    console.log(`overhead, ${r.runs} sampler runs to t = ${r.tMax}: local ${fmt(r.bestLocal)}, slurm ${fmt(r.bestSlurm)} (${r.shards}) → ${r.ratio.toFixed(2)}× (target ≤ 1.2×)`);
  }
}
const s = results.study as ReturnType<typeof study>;
console.log(
  `study: Figure 5's complete grid + K = 4 at N = 10⁴: ${s.runs} runs, ${fmt(s.modelCoreSeconds)} of one core by the cost model ` +
    `(K = 2: ${s.parts.K2.runs} runs, ${fmt(s.parts.K2.modelSeconds)}; K = 4, N ≤ 3000: ${s.parts.K4upTo3000.runs}, ${fmt(s.parts.K4upTo3000.modelSeconds)}; K = 4, N = 10⁴: ${s.parts.addedK4N1e4.runs}, ${fmt(s.parts.addedK4N1e4.modelSeconds)}); ` +
    `on ${s.cluster}: ${s.shards} shards, largest ${fmt(s.largestShardSeconds)}, longest run ${fmt(s.longestRunSeconds)}, expected wall ${fmt(s.expectedWallSeconds)}; ` +
    `cost model error here ×${s.costModelError.ratio.toFixed(2)} (${s.costModelError.runs} runs) → ${fmt(s.expectedWallSecondsCorrected)} (2 cores: ${s.twoCoreHours.toFixed(1)} h)`,
);
writeFileSync(join(ROOT, 'bench', 'results-slurm.json'), `${JSON.stringify(results, null, 1)}\n`);
