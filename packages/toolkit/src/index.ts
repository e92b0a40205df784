export {
  type AtomicWriteOptions,
  atomicWriteTemp,
  fsyncDirectory,
  fsyncDirectorySync,
  writeFileAtomic,
  writeFileAtomicSync,
} from './atomic-write.js';
export { EXIT, colorWanted, helpFooter, listOption, oneOf, repeatOption } from './cli-options.js';
export { mapLimit } from './map-limit.js';
export {
  createActivity,
  createProgress,
  type Progress,
  type ProgressOptions,
  type ProgressStream,
} from './progress.js';
export { UsageError } from './usage-error.js';
export { packageVersion } from './version.js';
export { debugWanted } from './debug-flag.js';
export { processAlive } from './process-alive.js';
