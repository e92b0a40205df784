export type { SourceLocation, SourceFinding } from './location.js';
export { formatLocation, sortFindings } from './location.js';
export type { ParsedYaml, ParseYamlOptions, PathSegment } from './parse-yaml.js';
export { parseYaml, locate, toJs } from './parse-yaml.js';
export { stringifyYaml, stringifyYamlScalar, orderKubernetesKeys } from './stringify-yaml.js';
export { needsQuotes, plainScalarReader } from './plain-scalar-types.js';
export type { YamlScalarEdit, EditYamlResult } from './edit-yaml.js';
export { editYamlScalars, readYamlScalar } from './edit-yaml.js';
export type { SafeBytes, SafeReadOptions, SafeDirEntry, ScannedFile } from './read-safe.js';
export {
  readSafeFile,
  readSafeBytes,
  scanSafeBytes,
  checkUtf8,
  checkRegularFile,
  listSafeDir,
  listSafeTree,
  lookupSafeDir,
  refusedFinding,
  RefusedFileError,
  decodeUtf8,
  firstInvalidUtf8,
  MAX_FILE_BYTES,
} from './read-safe.js';
export { YAML_LIMITS, depthMessage, jsonDepthFinding, tooDeepOffset } from './limits.js';
