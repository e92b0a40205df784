import type { ValidationResult } from '../findings.js';
import { CHECKS } from '../checks/registry.js';
import type { Reporter } from './reporter.js';

/** SARIF 2.1.0 (code scanning): rules from the check registry, one result per finding. */
export const sarifReporter: Reporter = {
  name: 'sarif',
  format(result: ValidationResult, options) {
    const ruleIndex = new Map<string, number>(CHECKS.map((c, i) => [c.id, i]));
    const sarif = {
      $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
      version: '2.1.0',
      runs: [
        {
          tool: {
            driver: {
              name: options.tool?.name ?? 'validator',
              ...(options.tool?.fullName ? { fullName: options.tool.fullName } : {}),
              ...(options.tool?.informationUri ? { informationUri: options.tool.informationUri } : {}),
              rules: CHECKS.map((c) => ({
                id: c.id,
                shortDescription: { text: c.description },
                help: { text: c.remediation },
                defaultConfiguration: { level: c.severity === 'error' ? 'error' : 'warning' },
              })),
            },
          },
          results: result.findings.map((f) => ({
            ruleId: f.check,
            ...(ruleIndex.has(f.check) ? { ruleIndex: ruleIndex.get(f.check) } : {}),
            level: f.severity === 'error' ? 'error' : 'warning',
            message: { text: f.message },
            locations: f.file
              ? [
                  {
                    physicalLocation: {
                      artifactLocation: { uri: f.file },
                      region: { startLine: f.line ?? 1, startColumn: f.column ?? 1 },
                    },
                  },
                ]
              : [],
            ...(f.related?.length
              ? {
                  relatedLocations: f.related.map((r, id) => ({
                    id,
                    physicalLocation: {
                      artifactLocation: { uri: r.file },
                      region: { startLine: r.line ?? 1, startColumn: r.column ?? 1 },
                    },
                    ...(r.message ? { message: { text: r.message } } : {}),
                  })),
                }
              : {}),
            properties: {
              ...(f.env ? { env: f.env } : {}),
              ...(f.service ? { service: f.service } : {}),
              ...(f.resource ? { resource: f.resource } : {}),
              ...(f.path ? { path: f.path } : {}),
            },
          })),
        },
      ],
    };
    return `${JSON.stringify(sarif, null, 2)}\n`;
  },
};
