import { posix } from 'node:path';
import type { Finding } from '../findings.js';
import { type FindField, parseManifests } from '../manifests/parse-manifests.js';
import { splitDocuments } from '../manifests/split-documents.js';
import type { Resource } from '../resources.js';
import { chartRelative } from './helm-errors.js';
import {
  blockIncludes,
  definitions,
  expandIncludes,
  includeOfDocument,
  type Definitions,
  type ListedInclude,
} from './included-templates.js';
import { alignTemplate } from './template-lines.js';
import { catalogOrigin, type CatalogFile } from './catalog-origin.js';
import { getIn, mergeValues, namedTemplates, valueOrigin, type ValuesLayer } from './value-origin.js';
import type { ValueSource } from '../resources.js';

export interface RenderedInput {
  /** The renderer's output stream. */
  manifests: string;
  /** How the chart directory is shown (repository-relative, e.g. charts/dbs-global-r). */
  chartPath: string;
  /** Template sources by chart-relative path (templates/x.yaml; ../_library/templates/_x.tpl for a file:// dependency's), to map positions back. */
  templates: Record<string, string>;
  namespace: string;
  /** Hold no syntax trees (see ParseManifestOptions.lean): repository mode keeps every object until the end. */
  lean?: boolean;
  /**
   * The values files helm read, in order (the chart's values.yaml first), to report a finding on a value
   * at the file and line that set it; with the catalog files chartgen generated some of them from.
   */
  values?: {
    layers: ValuesLayer[];
    catalog?: {
      service: CatalogFile;
      cluster?: CatalogFile;
      env: string;
      /** Generated from the catalog: the chart's values.yaml, and values-<env>.yaml (environments.<env>). */
      chartValues: string;
      envValues?: string;
    };
  };
}

const SOURCE = /^# Source: (.+)$/m;

type Path = ReadonlyArray<string | number>;

const TOP = { line: 1, column: 1 };

/**
 * Pure: splits rendered output at `# Source:` comments, parses each document and points every
 * resource and finding at the template that produced it (charts/<svc>/templates/x.yaml:line:column).
 */
export function parseRenderedManifests(input: RenderedInput): { resources: Resource[]; findings: Finding[] } {
  const resources: Resource[] = [];
  const findings: Finding[] = [];
  let helpers: Record<string, string> | undefined;
  let merged: unknown;
  let defs: Definitions | undefined;
  // Per template file: its block includes when it is only those (undefined: it is not), and each include's
  // expansion, made once per chart for all the documents it wrote.
  const listed = new Map<string, ListedInclude[] | undefined>();
  const includeExpansions = new Map<string, ReturnType<typeof expandIncludes>>();
  const split = new Map<string, string[]>();
  const sourceLines = (rel: string) => {
    let lines = split.get(rel);
    if (!lines) split.set(rel, (lines = (input.templates[rel] ?? '').split('\n')));
    return lines;
  };
  for (const chunk of splitDocuments(input.manifests)) {
    const source = SOURCE.exec(chunk.text)?.[1]?.trim();
    if (!source && chunk.text.replace(/^---.*$/m, '').trim() === '') continue;
    const own = source ? chartRelative(source) : undefined;
    const ownText = own !== undefined ? input.templates[own] : undefined;
    defs ??= definitions(input.templates);
    // The template with its block includes expanded (nested ones too), each line knowing its file and line:
    // made when a position is first asked for (most kept objects never are).
    const expandable = own !== undefined && ownText !== undefined;
    let list: ListedInclude[] | undefined;
    if (expandable) {
      if (!listed.has(own)) listed.set(own, blockIncludes(ownText, defs));
      list = listed.get(own);
    }
    // A file of several includes (a service chart's templates/resources.yaml): the document is shown at, and
    // aligned with, the one include that wrote it, as if the file held only that include.
    const producer =
      list === undefined ? undefined : list.length === 1 ? list[0] : includeOfDocument(chunk.text, list, defs);
    let expandedOnce: ReturnType<typeof expandIncludes> | undefined;
    const expansion = () => {
      if (!expandable) return undefined;
      if (expandedOnce) return expandedOnce;
      if (producer === undefined || list!.length === 1)
        return (expandedOnce = expandIncludes(own, ownText, input.templates, defs!));
      const key = `${own}\0${producer.line}`;
      let e = includeExpansions.get(key);
      if (!e) {
        // The file with every other line blanked: line numbers stay those of the file.
        const only = ownText
          .split('\n')
          .map((l, i) => (i === producer.line ? l : ''))
          .join('\n');
        includeExpansions.set(key, (e = expandIncludes(own, only, input.templates, defs!)));
      }
      return (expandedOnce = e);
    };
    const rel = producer?.rel ?? own;
    const shown = (r: string) => posix.normalize(`${input.chartPath}/${r}`);
    const file = rel ? shown(rel) : `${input.chartPath} (rendered output)`;
    let alignment: Int32Array | undefined;
    /** The expanded template's line (0-based) a rendered line came from, and where that line is written. */
    const aligned = (renderedLine: number) => {
      const expanded = expansion();
      if (expanded === undefined) return undefined;
      alignment ??= alignTemplate(chunk.text, expanded.text);
      const j = alignment[renderedLine - 1];
      if (j === undefined || j < 0) return undefined;
      const from = expanded.origins[j];
      if (!from) return undefined;
      const written = sourceLines(from.rel)[from.line] ?? '';
      const column = /^\s*(?:-\s+)?/.exec(written)![0].length + 1;
      return { j, at: { file: shown(from.rel), line: from.line + 1, column } };
    };
    const toTemplate = (renderedLine: number) => aligned(renderedLine)?.at;
    /** The deepest part of the path that maps to a template line (values may come from toYaml), and that line. */
    const templateLine = (find: FindField, path: Path) => {
      for (let n = path.length; n >= 0; n--) {
        const mapped = aligned(find(path.slice(0, n)).line);
        if (mapped) return { n, mapped: mapped.at, j: mapped.j };
      }
      return undefined;
    };
    const values = input.values;
    const origin =
      values && expandable
        ? (find: FindField, value: () => unknown, path: Path): ValueSource | undefined => {
            const at = templateLine(find, path);
            if (!at) return undefined;
            helpers ??= namedTemplates(input.templates);
            merged ??= mergeValues(values.layers.map((l) => l.value));
            const o = valueOrigin({
              template: expansion()!.text,
              line: at.j,
              rest: [...path.slice(at.n)],
              rendered: getIn(value(), path),
              helpers,
              layers: values.layers,
              merged,
            });
            if (!o) return undefined;
            const c = values.catalog;
            if (c && (o.layer.file === c.chartValues || o.layer.file === c.envValues)) {
              const from = catalogOrigin({
                key: o.key,
                value: getIn(o.layer.value, o.key),
                env: o.layer.file === c.envValues ? c.env : undefined,
                service: c.service,
                cluster: c.cluster,
              });
              if (from)
                return {
                  file: from.file,
                  line: from.line,
                  column: from.column,
                  via: [{ file: o.layer.file, line: o.line, column: o.column, message: 'where chartgen wrote it' }],
                };
            }
            return { file: o.layer.file, line: o.line, column: o.column, via: [] };
          }
        : undefined;
    const parsed = parseManifests(chunk.text, file, {
      defaultNamespace: input.namespace,
      ...(input.lean ? { lean: true } : {}),
      positions: {
        position: (at) => toTemplate(at.line) ?? TOP,
        locate: (find, _offset, path) => templateLine(find, path)?.mapped ?? TOP,
        ...(origin ? { origin } : {}),
      },
    });
    findings.push(...parsed.findings);
    resources.push(...parsed.resources);
  }
  return { resources, findings };
}
