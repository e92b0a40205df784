import { packageVitestConfig } from '../../scripts/vitest-package-config.mjs';

export default packageVitestConfig({ shareModules: true });
