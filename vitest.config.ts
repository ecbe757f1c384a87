import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Builds dist/cli.js, which the CLI and fault-injection tests run.
    globalSetup: ['test/setup/build-cli.ts'],
    // Statistical tests (Monte Carlo, SGD vs ODE) are CPU-bound; two cores on CI.
    testTimeout: 600_000,
    hookTimeout: 600_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
