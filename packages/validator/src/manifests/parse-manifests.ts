import { locate, parseYaml, type ParsedYaml } from '@cmsweb/yaml';
import type { Finding } from '../findings.js';
import { isRecord, refOf, type KubeObject, type Resource, type ValueSource } from '../resources.js';
import { fromSourceFinding } from '../sources/yaml-findings.js';
import { splitDocuments, type DocumentChunk } from './split-documents.js';

export interface ParsedManifests {
  resources: Resource[];
  findings: Finding[];
}

type Position = { line: number; column: number };
/** A position, in another file than the parsed one when it says so (a line of an included template). */
type Located = Position & { file?: string };
type Path = ReadonlyArray<string | number>;

export interface ParseManifestOptions {
  /** Namespace of objects that set none (helm --namespace); absent in manifests mode. */
  defaultNamespace?: string;
  /**
   * Where positions point (rendered output points back at its template). Default: the parsed text itself.
   * `position` maps a line/column of the parsed text; `locate` finds a field of document `docIndex`.
   */
  positions?: {
    position(at: Position): Located;
    locate(parsed: ParsedYaml, docIndex: number, lineOffset: number, path: Path): Located;
    /** Where the value at `path` of the document (`value`) was set, when elsewhere (see ResourceSource.origin). */
    origin?(parsed: ParsedYaml, docIndex: number, value: unknown, path: Path): ValueSource | undefined;
  };
}

const DIRECT: NonNullable<ParseManifestOptions['positions']> = {
  position: (at) => at,
  locate: (parsed, docIndex, lineOffset, path) => {
    const loc = locate(parsed, docIndex, path);
    return { line: loc.line + lineOffset, column: loc.column };
  },
};

/**
 * Pure: a YAML stream of Kubernetes objects → resources with positions, and every syntax or shape
 * problem as a finding. A document with YAML errors yields no resource (its content is not trustworthy).
 */
export function parseManifests(text: string, file: string, options: ParseManifestOptions = {}): ParsedManifests {
  const resources: Resource[] = [];
  const findings: Finding[] = [];
  for (const chunk of splitDocuments(text)) {
    const r = parseChunk(chunk, file, options);
    findings.push(...r.findings);
    for (const p of r.resources) resources.push(p.resource);
  }
  return { resources, findings };
}

/** Where in its chunk a resource sits: the document, and the path of a List item (else []). */
export interface ResourceOrigin {
  resource: Resource;
  docIndex: number;
  base: Array<string | number>;
}

/** Pure: one chunk of a stream (see splitDocuments) → resources with their origin, and findings. */
export function parseChunk(
  chunk: DocumentChunk,
  file: string,
  options: ParseManifestOptions = {},
): { findings: Finding[]; resources: ResourceOrigin[] } {
  const resources: ResourceOrigin[] = [];
  const findings: Finding[] = [];
  const positions = options.positions ?? DIRECT;
  const offset = chunk.startLine - 1;
  const parsed = parseYaml(chunk.text, file);
  for (const f of parsed.findings) {
    const g = fromSourceFinding(f, {}, offset);
    findings.push({ ...g, ...positions.position({ line: g.line!, column: g.column! }) });
  }
  if (parsed.findings.some((f) => f.severity === 'error')) return { findings, resources };
  parsed.documents.forEach((doc, docIndex) => {
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) return;
    const at = (path: Path) => positions.locate(parsed, docIndex, offset, path);
    const origin = positions.origin;
    const src = origin
      ? { file, locate: at, origin: (path: Path) => origin(parsed, docIndex, value, path) }
      : { file, locate: at };
    addObject(value, [], src, options, findings, (resource, base) => resources.push({ resource, docIndex, base }));
  });
  return { findings, resources };
}

/**
 * Pure: the Kubernetes objects of one document value (`kind: List` items included) through `add`, and
 * its shape problems as findings.
 */
export function addObject(
  value: unknown,
  base: Array<string | number>,
  src: {
    file: string;
    locate: (p: ReadonlyArray<string | number>) => Located;
    origin?: (p: ReadonlyArray<string | number>) => ValueSource | undefined;
  },
  options: ParseManifestOptions,
  findings: Finding[],
  add: (resource: Resource, base: Array<string | number>) => void,
): void {
  const shape = (message: string, path: Array<string | number> = []) =>
    findings.push({
      check: 'manifest-shape',
      severity: 'error',
      message,
      file: src.file,
      ...src.locate([...base, ...path]),
    });
  if (!isRecord(value)) {
    shape(
      `a Kubernetes manifest document must be a mapping with apiVersion, kind and metadata, found ${Array.isArray(value) ? 'a list' : `the scalar ${JSON.stringify(value)}`}`,
    );
    return;
  }
  // kubectl and kubeconform accept `kind: List` / `*List` wrappers: validate their items.
  if (typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items)) {
    value.items.forEach((item, i) => addObject(item, [...base, 'items', i], src, options, findings, add));
    return;
  }
  const missing = ['apiVersion', 'kind'].filter((k) => typeof value[k] !== 'string' || value[k] === '');
  if (missing.length) {
    shape(
      `missing ${missing.join(' and ')}: every Kubernetes object needs apiVersion (e.g. apps/v1) and kind (e.g. Deployment)`,
    );
    return;
  }
  const object = value as KubeObject;
  const meta = object.metadata;
  if (
    !isRecord(meta) ||
    (typeof meta.name !== 'string' && typeof (meta as Record<string, unknown>).generateName !== 'string')
  ) {
    shape(`${String(object.kind)} has no metadata.name: every object needs a name`, isRecord(meta) ? ['metadata'] : []);
  }
  const locateHere =
    base.length === 0 ? src.locate : (p: ReadonlyArray<string | number>) => src.locate([...base, ...p]);
  const origin = src.origin;
  const source: Resource['source'] = { file: src.file, locate: locateHere };
  if (origin) source.origin = base.length === 0 ? origin : (p) => origin([...base, ...p]);
  add({ object, ref: refOf(object, options.defaultNamespace), source }, base);
}
