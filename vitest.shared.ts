import { defineConfig } from 'vitest/config';

/** The test settings every tfjs workspace shares; each workspace's vitest.config.ts re-exports this. */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // tfjs keeps one global engine per process; files run in separate forks so their backends don't collide.
    pool: 'forks',
  },
});
