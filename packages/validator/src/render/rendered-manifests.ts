import { posix } from 'node:path';
import { locate } from '@cmsweb/yaml';
import type { Finding } from '../findings.js';
import { parseManifests } from '../manifests/parse-manifests.js';
import { splitDocuments } from '../manifests/split-documents.js';
import type { Resource } from '../resources.js';
import { chartRelative } from './helm-errors.js';
import { includedTemplate } from './included-templates.js';
import { alignTemplate, templatePosition } from './template-lines.js';

export interface RenderedInput {
  /** The renderer's output stream. */
  manifests: string;
  /** How the chart directory is shown (repository-relative, e.g. charts/dbs-global-r). */
  chartPath: string;
  /** Template sources by chart-relative path (templates/x.yaml; ../_library/templates/_x.tpl for a file:// dependency's), to map positions back. */
  templates: Record<string, string>;
  namespace: string;
}

const SOURCE = /^# Source: (.+)$/m;
const TOP = { line: 1, column: 1 };

/**
 * Pure: splits rendered output at `# Source:` comments, parses each document and points every
 * resource and finding at the template that produced it (charts/<svc>/templates/x.yaml:line:column).
 */
export function parseRenderedManifests(input: RenderedInput): { resources: Resource[]; findings: Finding[] } {
  const resources: Resource[] = [];
  const findings: Finding[] = [];
  for (const chunk of splitDocuments(input.manifests)) {
    const source = SOURCE.exec(chunk.text)?.[1]?.trim();
    if (!source && chunk.text.replace(/^---.*$/m, '').trim() === '') continue;
    const own = source ? chartRelative(source) : undefined;
    const included =
      own !== undefined && input.templates[own] !== undefined
        ? includedTemplate(input.templates[own]!, input.templates)
        : undefined;
    const rel = included?.rel ?? own;
    const file = included
      ? posix.normalize(`${input.chartPath}/${included.rel}`)
      : rel
        ? `${input.chartPath}/${rel}`
        : `${input.chartPath} (rendered output)`;
    const template = included?.text ?? (rel !== undefined ? input.templates[rel] : undefined);
    let alignment: Int32Array | undefined;
    const toTemplate = (renderedLine: number) => {
      if (template === undefined) return undefined;
      alignment ??= alignTemplate(chunk.text, template);
      return templatePosition(alignment, renderedLine, template);
    };
    const parsed = parseManifests(chunk.text, file, {
      defaultNamespace: input.namespace,
      positions: {
        position: (at) => toTemplate(at.line) ?? TOP,
        locate: (doc, docIndex, _offset, path) => {
          // The deepest part of the path that maps to a template line (values may come from toYaml).
          for (let n = path.length; n >= 0; n--) {
            const mapped = toTemplate(locate(doc, docIndex, path.slice(0, n)).line);
            if (mapped) return mapped;
          }
          return TOP;
        },
      },
    });
    findings.push(...parsed.findings);
    resources.push(...parsed.resources);
  }
  return { resources, findings };
}
