// The vitest configuration of every package (packages/<p>/vitest.config.ts calls it), so that it is written once.
import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * @param {{ spawnsCli?: boolean, shareModules?: boolean, pool?: 'threads' | 'forks' }} [options]
 *   spawnsCli: the package's tests run its bin/ (compiled JS), so dist/ is brought up to date before they start
 *   (scripts/vitest-build-setup.mjs).
 *   shareModules: the package's test files neither mock modules nor change process-wide state (environment,
 *   working directory, globals) and its sources keep no module-level state, so a worker keeps the modules it
 *   imported from one file to the next (isolate: false): a file no longer pays for importing and transforming
 *   the package and its dependencies again (kube-schemas: 21 CPU s with a fresh fork per file, 8 shared).
 *   pool: with shareModules, worker threads unless said otherwise ('forks' where a test relies on the
 *   worker being a process: process 'exit' handlers).
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
      ...(options.shareModules ? { pool: options.pool ?? 'threads', isolate: false } : {}),
      // Generous: the machine is shared and a test must not fail for being slow (none measures speed).
      testTimeout: 120_000,
      hookTimeout: 120_000,
      reporters: ['default', '../../scripts/vitest-summary-reporter.mjs'],
    },
  });
}
