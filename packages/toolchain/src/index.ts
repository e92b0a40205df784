export {
  defaultHelmTimeoutSeconds,
  HELM_TIMEOUT_SECONDS,
  helmBinary,
  repoRoot,
  runHelm,
  scaleTimeoutForLoad,
} from './helm.js';
export type { HelmResult, HelmRunOptions } from './helm.js';
export { accessOf, startCacheServer } from './nx-cache-server.js';
export type { CacheServer, CacheServerOptions } from './nx-cache-server.js';
export { innerNxEnv } from './inner-nx-env.js';
// The workspace's CLIs as child processes: nx in a throwaway workspace, the validator (tests, benchmarks).
export * from './workspace-cli.js';
