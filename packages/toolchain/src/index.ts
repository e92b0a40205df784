export {
  defaultHelmTimeoutSeconds,
  HELM_TIMEOUT_SECONDS,
  helmBinary,
  repoRoot,
  runHelm,
  scaleTimeoutForLoad,
} from './helm.js';
export type { HelmResult, HelmRunOptions } from './helm.js';
