import { existsSync } from 'node:fs';
import { configDefaults, defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

/**
 * Test tiers (vitest projects). `unit` is every test file no other tier names, so a new file
 * always lands in exactly one tier: the fast one, for the edit loop (`make test-fast`, under a
 * minute on 2 cores). The others, by what they need:
 *  - stats: Monte Carlo and distribution tests (KS, moments, power checks): CPU-heavy;
 *  - gpu: the WebGPU engine on Mesa's software adapters (llvmpipe, lavapipe);
 *  - pipeline: the CLI, figure and sweep pipelines as processes, and the committed outputs;
 *  - browser: pages driven in headless Chromium.
 * `make test` (CI) runs them all: `npx vitest run`. One tier: `npx vitest run --project stats`.
 */
const TIERS = {
  stats: ['integrals', 'random', 'sampler', 'ode-vs-sgd', 'ensemble', 'continual-ode-vs-sgd', 'continual-linear', 'activations-ode-vs-sgd'],
  gpu: ['gpu-batch', 'gpu-engine', 'gpu-ks', 'gpu-philox', 'gpu-shapes', 'gpu-vulkan', 'backend'],
  pipeline: ['cli', 'faults', 'faults-input', 'faults-runs', 'faults-outputs', 'faults-import', 'faults-signals', 'cache', 'pipeline', 'ensemble-pipeline', 'sweep-command', 'sweep-schema', 'bench-pool', 'render', 'figures', 'slurm'],
  browser: ['explorer-browser'],
} as const;

/** The tiers whose tests run the bundled CLI (dist/cli.js), built once by the global setup. */
const NEEDS_CLI: readonly (keyof typeof TIERS)[] = ['gpu', 'pipeline'];

const fileOf = (name: string) => `test/${name}.test.ts`;
const named = Object.values(TIERS).flat().map(fileOf);
// A stale name (a renamed or deleted file) would silently move its tests to `unit`; a name in
// two tiers would run twice.
const missing = named.filter((f) => !existsSync(new URL(f, import.meta.url)));
const twice = named.filter((f, i) => named.indexOf(f) !== i);
if (missing.length || twice.length) throw new Error(`vitest.config.ts tiers: ${[...missing.map((f) => `${f} does not exist`), ...twice.map((f) => `${f} is in two tiers`)].join('; ')}`);

const tier = (name: keyof typeof TIERS): TestProjectInlineConfiguration => ({
  extends: true,
  test: {
    name,
    include: TIERS[name].map(fileOf),
    ...(NEEDS_CLI.includes(name) ? { globalSetup: ['test/setup/build-cli.ts'] } : {}),
  },
});

export default defineConfig({
  test: {
    // Statistical tests (Monte Carlo, SGD vs ODE) are CPU-bound; two cores on CI.
    testTimeout: 600_000,
    hookTimeout: 600_000,
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, ...named] } },
      ...(Object.keys(TIERS) as (keyof typeof TIERS)[]).map(tier),
    ],
  },
});
