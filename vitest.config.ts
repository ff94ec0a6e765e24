import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Outside node_modules: a write there makes npm's hidden lockfile stale, and `npx alignboard` then
  // stops finding the project's own bin.
  cacheDir: '.cache/vitest',
  test: {
    include: ['src/**/*.test.ts', 'tests/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Engine kernels and browser tests compete for 2 cores; keep forks bounded.
    pool: 'forks',
    maxWorkers: 2,
  },
});
