/**
 * GPU section of `npm run bench` (also `npx tsx bench/gpu.ts` alone): speed of the WebGPU
 * online-SGD engine (src/gpu/engine.ts) against the batch size R, at N = 784 for the soft
 * committee K = M = 4, K = 6, M = 4, and the same with two teachers (α = 0.5, the switch
 * halfway, a head per teacher: continual learning), B = 1; the step latency of one run; and
 * the ratio to the CPU engine (src/sim/sgd.ts, one core) measured in the same process. Results, with the
 * adapter's name, go to bench/results-gpu.json (merged with what bench/gpu-drift.ts wrote).
 *
 * Each row times one batch of S steps after a warm-up batch that compiled the pipeline; the
 * time includes the host's setup of the batch (initial weights, buffers: a few ms) and the
 * readback of two records. On a software adapter (llvmpipe, CPU threads) R is capped at 256
 * and S shrinks with R so the section ends in about two minutes; a hardware adapter runs
 * R = 1 … 4096 with S = 4N. Without a hardware GPU the hardware rows read "not yet measured".
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { validateConfig, type RunConfig } from '../src/config.ts';
import { runSgdBatch } from '../src/gpu/engine.ts';
import { openGpu } from '../src/gpu/node.ts';
import { runSimulation } from '../src/engines.ts';
import { ROOT } from '../src/root.ts';

// From the repository root, not this file's folder: the GPU-box bundle (pipeline/box.ts) lives elsewhere.
export const GPU_RESULTS = join(ROOT, 'bench', 'results-gpu.json');
const N = 784;

const CASES = [
  { name: 'soft committee K=M=4', model: 'soft-committee', K: 4, M: 4, teachers: 1 },
  { name: 'two-layer K=6 M=4', model: 'two-layer', K: 6, M: 4, teachers: 1 },
  // a step trains on one teacher whatever their number: this row should match the one above
  { name: 'two-layer K=6 M=4, 2 teachers', model: 'two-layer', K: 6, M: 4, teachers: 2 },
] as const;

function config(c: (typeof CASES)[number], steps: number, seed: number): RunConfig {
  const continual = c.teachers === 1 ? {} : { teachers: [{}, { featureSimilarity: 0.5 }], schedule: [{ teacher: 0, until: Math.ceil(steps / 2) / N }, { teacher: 1, until: steps / N }], heads: 'multi' };
  return validateConfig({ model: c.model, N, K: c.K, M: c.M, lr: 0.5, tMax: steps / N, recordScale: 'linear', recordEvery: steps / N, seed, studentVScale: c.model === 'two-layer' ? 0.1 : 0, ...continual });
}

/** Merge `part` into bench/results-gpu.json (the speed and drift sections are written by different scripts). */
export function writeGpuResults(part: Record<string, unknown>): void {
  const prev = existsSync(GPU_RESULTS) ? (JSON.parse(readFileSync(GPU_RESULTS, 'utf8')) as Record<string, unknown>) : {};
  writeFileSync(GPU_RESULTS, `${JSON.stringify({ ...prev, ...part }, null, 2)}\n`);
}

export async function benchGpu(log: (s: string) => void = console.log): Promise<Record<string, unknown>> {
  const gpu = await openGpu({ allowSoftware: true });
  const load0 = loadavg();
  log(`GPU bench on ${gpu.adapterName}${gpu.isSoftware ? ' (software adapter)' : ''}`);
  const sizes = gpu.isSoftware ? [1, 4, 16, 64, 256] : [1, 4, 16, 64, 256, 1024, 4096];
  const rows: Record<string, unknown>[] = [];
  try {
    for (const c of CASES) {
      // CPU engine, same case, one core, same process.
      const cpuSteps = 20 * N;
      const t0 = performance.now();
      runSimulation(config(c, cpuSteps, 0));
      const cpuRate = cpuSteps / ((performance.now() - t0) / 1000);
      await runSgdBatch(gpu.device, [config(c, 8, 0)]); // compile (a schedule of 8 steps: the same shader)
      for (const R of sizes) {
        const S = gpu.isSoftware ? Math.max(64, Math.min(4 * N, Math.round(60_000 / R))) : 4 * N;
        const configs = Array.from({ length: R }, (_, r) => config(c, S, r));
        const t1 = performance.now();
        const res = await runSgdBatch(gpu.device, configs);
        const sec = (performance.now() - t1) / 1000;
        if (res.some((x) => x.status !== 'completed')) throw new Error(`bench: a run of ${c.name} R=${R} did not complete`);
        const rate = (R * S) / sec;
        rows.push({ case: c.name, R, steps: S, seconds: sec, runStepsPerSecond: rate, cpuStepsPerSecond: cpuRate, ratioToCpuCore: rate / cpuRate, ...(R === 1 ? { oneRunStepLatencyUs: 1e6 / rate } : {}) });
        log(`${c.name.padEnd(22)} R=${String(R).padStart(4)} S=${String(S).padStart(5)}: ${rate.toExponential(2)} run-steps/s, ${(rate / cpuRate).toFixed(2)}× one CPU core (${cpuRate.toExponential(2)} steps/s)${R === 1 ? `, one-run step latency ${(1e6 / rate).toFixed(1)} µs` : ''}`);
      }
    }
  } finally {
    gpu.close();
  }
  const out: Record<string, unknown> = {
    adapter: gpu.adapterName,
    backend: gpu.backend,
    software: gpu.isSoftware,
    date: new Date().toISOString(),
    loadavg: { before: load0, after: loadavg() },
    note: gpu.isSoftware ? 'software adapter (Mesa llvmpipe on the CPU): R capped at 256, fewer steps for large R; not a GPU speed' : 'hardware adapter',
    speed: rows,
    hardwareGpu: gpu.isSoftware ? 'not yet measured (no GPU in this session); target on an H100: ≥ 1e8 run-steps/s at R ≥ 1000' : 'measured above',
  };
  writeGpuResults({ speed: out });
  log(`wrote ${GPU_RESULTS}`);
  return out;
}

if (process.argv[1]?.endsWith('bench/gpu.ts')) await benchGpu();
