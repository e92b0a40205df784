export * from './schema.js';
export type { Catalog, LoadedCatalog, SourceFile } from './load-catalog.js';
export { loadCatalog } from './load-catalog.js';
export { readCatalog } from './read-catalog.js';
export type { EffectiveSettings } from './effective-settings.js';
export { effectiveSettings, parseQuantity } from './effective-settings.js';
export { knownKeys, zodIssuesToFindings } from './zod-findings.js';
export { hostPathAllowed } from './workload-rules.js';
export type { EnvironmentFile } from './environment-file.js';
export { environmentFile, loadEnvironmentFile, durationMs } from './environment-file.js';
export * from './grammar.js';
export type { FrontendRoute } from './frontend-routes.js';
export {
  backendHosts,
  catchAllHosts,
  frontendPeers,
  frontendRoutes,
  hostsIn,
  prefixPath,
  prefixRoutedIn,
  sampleUrl,
  serviceHost,
} from './frontend-routes.js';
