// The vitest configuration of every package (packages/<p>/vitest.config.ts calls it), so that it is written once.
import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * @param {{ spawnsCli?: boolean }} [options] spawnsCli: the package's tests run its bin/ (compiled JS), so
 *   dist/ is brought up to date before they start (scripts/vitest-build-setup.mjs).
 */
export function packageVitestConfig(options = {}) {
  return defineConfig({
    // Workspace packages resolve to their TypeScript sources (the "source" export condition), not to dist/.
    resolve: { conditions: ['source'] },
    ssr: { resolve: { conditions: ['source'] } },
    test: {
      include: ['test/**/*.test.ts'],
      // vitest's default is one worker less than the cores: ONE on a 2-core machine, so a package's files ran
      // one after the other. Most test time is waiting on child processes (helm, git, node), not CPU: two
      // files per package at least (nx runs three packages at once), each a forked process.
      maxWorkers: Math.max(2, availableParallelism()),
      ...(options.spawnsCli ? { globalSetup: ['../../scripts/vitest-build-setup.mjs'] } : {}),
      // Generous: the machine is shared and a test must not fail for being slow (none measures speed).
      testTimeout: 120_000,
      hookTimeout: 120_000,
      reporters: ['default', '../../scripts/vitest-summary-reporter.mjs'],
    },
  });
}
