export * from './schema.js';
export type { Catalog, LoadedCatalog, SourceFile } from './load-catalog.js';
export { loadCatalog } from './load-catalog.js';
export { readCatalog } from './read-catalog.js';
export type { EffectiveSettings } from './effective-settings.js';
export { effectiveSettings, parseQuantity } from './effective-settings.js';
export { knownKeys } from './zod-findings.js';
export type { EnvironmentFile } from './environment-file.js';
export { environmentFile, loadEnvironmentFile, durationMs } from './environment-file.js';
