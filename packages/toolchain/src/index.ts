export { helmBinary, runHelm, repoRoot } from './helm.js';
export type { HelmResult } from './helm.js';
