import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each file starts its own app, fake Slack and database; files run in parallel processes.
    pool: 'forks',
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
