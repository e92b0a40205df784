import type { Finding } from '../findings.js';
import type { Reporter } from './reporter.js';

// The stable, documented shape (README "JSON output"): keys in this order, absent fields omitted.
const ORDER: Array<keyof Finding> = [
  'check',
  'severity',
  'message',
  'file',
  'line',
  'column',
  'env',
  'service',
  'resource',
  'path',
  'related',
];

function ordered(f: Finding): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of ORDER) {
    if (f[k] === undefined) continue;
    out[k] =
      k === 'resource' && f.resource
        ? {
            apiVersion: f.resource.apiVersion,
            kind: f.resource.kind,
            ...(f.resource.namespace !== undefined ? { namespace: f.resource.namespace } : {}),
            name: f.resource.name,
          }
        : f[k];
  }
  return out;
}

export const jsonReporter: Reporter = {
  name: 'json',
  format(result) {
    const { resources, errors, warnings } = result.summary;
    return `${JSON.stringify({ summary: { resources, errors, warnings }, findings: result.findings.map(ordered) }, null, 2)}\n`;
  },
};
