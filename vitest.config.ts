import { defineConfig } from 'vitest/config';

// One config that runs every package: unit tests sit beside the code, cross-package suites under test/.
export default defineConfig({
  test: {
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      { test: { name: 'shared', include: ['shared/src/**/*.test.ts'] } },
      { test: { name: 'companion', include: ['companion/src/**/*.test.ts'], testTimeout: 20_000 } },
      'extension/vitest.config.ts',
      {
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // Integration suites start real servers and browsers; run files one at a time on 2 cores.
          fileParallelism: false,
        },
      },
    ],
  },
});
