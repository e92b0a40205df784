import { packageVitestConfig } from '../../scripts/vitest-package-config.mjs';

export default packageVitestConfig({ spawnsCli: true, shareModules: true, pool: 'forks' });
