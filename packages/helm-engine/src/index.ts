export {
  type ChartSource,
  HelmError,
  mergeMaps,
  type RenderOptions,
  type RenderOutput,
  renderChart,
  splitManifests,
} from './chart.js';
export { fromGoJson, parseGoYaml, toGoJson, toGoYaml } from './goyaml.js';
export { readChartDir } from './load-chart.js';
export { ExecError, TemplateSet } from './template/exec.js';
export { TemplateParseError } from './template/parse.js';
export { type GoMap, type GoValue, formatV } from './template/values.js';
export {
  applySetValues,
  MAX_INDEX,
  MAX_NESTED_NAME_LEVEL,
  parseSet,
  parseSetFileInto,
  parseSetInto,
  parseSetStringInto,
  type SetValues,
  StrvalsError,
  setFilePaths,
  typedVal,
} from './strvals.js';
export { readSetFiles } from './set-files.js';
