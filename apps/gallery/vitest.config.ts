import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Builds the fixtures and the site when they are missing or stale, and serves the site on localhost.
    globalSetup: ['test/setup/global.ts'],
    // Making fixtures (~30 s) and building the site (1–3 min on a busy 2-core machine) happen in setup.
    hookTimeout: 600_000,
    testTimeout: 120_000,
    // One browser at a time: the machine has two cores and other test suites run beside this one.
    fileParallelism: false,
  },
});
