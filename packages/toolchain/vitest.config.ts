import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Workspace packages resolve to their TypeScript sources (the "source" export condition), not to dist/.
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: ['test/**/*.test.ts'],
    // Generous: the machine is shared and a test must not fail for being slow (none measures speed).
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['default', '../../scripts/vitest-summary-reporter.mjs'],
  },
});
