import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'tests/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Engine kernels and browser tests compete for 2 cores; keep forks bounded.
    pool: 'forks',
    maxWorkers: 2,
  },
});
