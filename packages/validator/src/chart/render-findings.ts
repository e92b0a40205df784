import type { Finding } from '../findings.js';
import { ENDLESS_LOOP_HINT, NATIVE_TIMEOUT_PREFIX, SELF_REFERENCE_HINT } from '../render/helm-errors.js';
import type { RenderError } from '../render/renderer.js';

/** Pure: a failed render as a finding, in the chart file the renderer names. */
export function renderErrorFinding(
  error: RenderError,
  chartPath: string,
  context: { env?: string; service?: string },
): Finding {
  const file = error.file
    ? `${chartPath}/${error.file}`
    : error.kind === 'values-schema'
      ? `${chartPath}/values.schema.json`
      : `${chartPath}/Chart.yaml`;
  const f: Finding = {
    check: error.kind === 'template-parse' ? 'chart-template-parse' : 'chart-render',
    severity: 'error',
    message:
      error.kind === 'chart'
        ? `helm cannot render the chart: ${error.message}`
        : error.kind === 'timeout'
          ? `${error.message} rendering ${chartPath}${context.env ? ` for environment ${context.env}` : ''} and was stopped: ${error.message.startsWith(NATIVE_TIMEOUT_PREFIX) ? ENDLESS_LOOP_HINT : SELF_REFERENCE_HINT}; if the chart is only slow, raise --render-timeout or renderTimeout in validator.yaml`
          : error.message,
    file,
    line: error.line ?? 1,
    column: error.column ?? 1,
  };
  // A template that does not parse fails the same way everywhere; other failures depend on the values.
  if (error.kind !== 'template-parse' && error.kind !== 'chart') {
    if (context.env) f.env = context.env;
    if (context.service) f.service = context.service;
  }
  return f;
}
