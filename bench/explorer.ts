/**
 * Explorer benchmark (headless Chromium, figures/explorer.html built fresh from src/):
 *
 *  1. Time from a new setting to the first ODE curve on screen, and to the complete ODE curve,
 *     for the soft committee at N = 784, M = 4, K ∈ {2, 4, 6}, t ≤ 1000 (target: first curve
 *     < 300 ms). The SGD worker runs at the same time, as in normal use.
 *  2. SGD throughput (steps/s) of the page's engine (window.tsdyn.sim, same code as the CLI)
 *     against Node's engine in this process, N = 784, K = M = 4, t = 100; best of REPS each,
 *     alternated (target: page within 1.5× of Node).
 *  3. The page's size (target < 1.5 MB).
 *
 * Writes bench/explorer-results.json and prints a table. Run alone with
 * `npx tsx bench/explorer.ts`, or as the last part of `npm run bench`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildExplorer } from '../scripts/build-explorer.ts';
import { validateConfig } from '../src/config.ts';
import { runOde, runSimulation } from '../src/engines.ts';
import { chromiumAvailable, openExplorer, waitSettled } from '../src/explorer/chromium.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPS = 3;
const FIRST_CURVE_KS = [2, 4, 6];

export async function main(): Promise<void> {
  if (!chromiumAvailable()) {
    process.stdout.write('explorer bench skipped: /usr/bin/chromium not found\n');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'tsdyn-explorer-bench-'));
  const { html, bytes } = await buildExplorer();
  const path = join(dir, 'explorer.html');
  writeFileSync(path, html);
  const s = await openExplorer(path);
  try {
    await s.open('#N=100&tMax=1');
    await waitSettled(s.page);
    const curves: { K: number; firstOdeCurveMs: number; completeOdeCurveMs: number; nodeOdeSolveMs: number }[] = [];
    for (const K of FIRST_CURVE_KS) {
      const config = { K, M: 4, N: 784, lr: 0.5, tMax: 1000, seed: 1, studentScale: 0.5, recordEvery: 0.1, recordPoints: 200 };
      await s.page.evaluate((c) => (window as any).tsdyn.setConfig(c), config);
      await s.page.waitForFunction(() => (window as any).tsdyn.timings().completeOdeCurve !== undefined, undefined, { timeout: 60_000, polling: 20 });
      const t = await s.page.evaluate(() => (window as any).tsdyn.timings());
      // Reference on the same (shared, noisy) machine: Node solving the same ODE, no drawing.
      const t0 = performance.now();
      runOde(validateConfig(config));
      const nodeOdeSolveMs = Math.round(performance.now() - t0);
      curves.push({ K, firstOdeCurveMs: Math.round(t.firstOdeCurve), completeOdeCurveMs: Math.round(t.completeOdeCurve), nodeOdeSolveMs });
    }
    // Stop the last SGD worker so it does not compete with the throughput runs.
    await s.page.click('#stop');

    const sgd = { model: 'soft-committee', K: 4, M: 4, N: 784, lr: 0.5, tMax: 100, seed: 3, studentScale: 0.5, recordPoints: 50 };
    const steps = sgd.N * sgd.tMax;
    const page: number[] = [];
    const node: number[] = [];
    for (let r = 0; r < REPS; r++) {
      page.push(await s.page.evaluate((c) => {
        const t0 = performance.now();
        (window as any).tsdyn.sim(c);
        return (performance.now() - t0) / 1000;
      }, sgd));
      const cfg = validateConfig(sgd);
      const t0 = performance.now();
      runSimulation(cfg);
      node.push((performance.now() - t0) / 1000);
    }
    const pageRate = steps / Math.min(...page);
    const nodeRate = steps / Math.min(...node);
    const results = {
      date: new Date().toISOString(),
      loadavg: loadavg(),
      chromium: await s.page.evaluate(() => navigator.userAgent),
      node: process.version,
      pageBytes: bytes,
      firstOdeCurve: curves,
      sgd: { config: sgd, steps, pageStepsPerSec: Math.round(pageRate), nodeStepsPerSec: Math.round(nodeRate), nodeOverPage: Number((nodeRate / pageRate).toFixed(3)), pageSeconds: page, nodeSeconds: node },
    };
    writeFileSync(join(HERE, 'explorer-results.json'), `${JSON.stringify(results, null, 2)}\n`);
    const lines = [
      'explorer (headless Chromium)',
      `  page size                        ${(bytes.total / 1024).toFixed(0)} KiB (page ${(bytes.page / 1024).toFixed(0)}, worker ${(bytes.worker / 1024).toFixed(0)}, vega ${(bytes.libraries / 1024).toFixed(0)} KiB)`,
      ...curves.map((c) => `  ODE curve K=${c.K}, t ≤ 1000, N=784    first ${c.firstOdeCurveMs} ms, complete ${c.completeOdeCurveMs} ms (Node solve alone ${c.nodeOdeSolveMs} ms)`),
      `  load average                     ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${availableParallelism()} cores`,
      `  SGD steps/s N=784 K=M=4           page ${results.sgd.pageStepsPerSec}, Node ${results.sgd.nodeStepsPerSec} (Node/page ${results.sgd.nodeOverPage})`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
