import { packageVitestConfig } from '../../scripts/vitest-package-config.mjs';

// Modules shared between test files in forked workers: 253 CPU s for the suite, against 292 in worker threads
// and 344 with a fresh process per file (2026-12-01, README "Tests").
export default packageVitestConfig({ spawnsCli: true, shareModules: true, pool: 'forks' });
