/**
 * One entry point for a GPU box that has a `node` binary but no npm install (the device
 * machine of a GPU-lent session; docs/gpu.md, "A GPU session in one call"). scripts/build-gpu-box.mjs
 * bundles this file with esbuild into .gpu/box/box.mjs, with Dawn's addon loaded from
 * `dawn.node` beside it; the CPU workers are the repository's dist/cli.js. Outputs go where the
 * sources would write them (ROOT: figures/, snapshots/, bench/, .cache/).
 *
 *   node box.mjs figures [pipeline/figures.ts arguments]
 *   node box.mjs calibrate [pipeline/calibrate.ts arguments]
 *   node box.mjs bench-gpu            (bench/gpu.ts → bench/results-gpu.json)
 *   node box.mjs bench-gpu-drift [tMax]
 */
const [sub, ...rest] = process.argv.slice(2);
// The scripts below read their own arguments from process.argv.slice(2).
process.argv.splice(2, process.argv.length - 2, ...rest);
switch (sub) {
  case 'figures': {
    const { main } = await import('./figures.ts');
    process.exit(await main(rest));
    break;
  }
  case 'calibrate':
    await import('./calibrate.ts');
    break;
  case 'bench-gpu': {
    const { benchGpu } = await import('../bench/gpu.ts');
    await benchGpu();
    process.exit(0);
    break;
  }
  case 'bench-gpu-drift':
    await import('../bench/gpu-drift.ts');
    process.exit(0);
    break;
  default:
    process.stderr.write(`box: unknown command ${JSON.stringify(sub)} (figures, calibrate, bench-gpu, bench-gpu-drift)\n`);
    process.exit(2);
}
