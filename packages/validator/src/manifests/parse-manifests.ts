import { locate, parseYaml, type ParsedYaml } from '@cmsweb/yaml';
import type { Finding } from '../findings.js';
import { isRecord, refOf, type KubeObject, type Resource, type ValueSource } from '../resources.js';
import { fromSourceFinding } from '../sources/yaml-findings.js';
import { keptTree } from '../sources/kept-tree.js';
import { fastLoad } from './fast-parse.js';
import { splitDocuments, type DocumentChunk } from './split-documents.js';
import { textLocator } from './text-locate.js';

export interface ParsedManifests {
  resources: Resource[];
  findings: Finding[];
}

type Position = { line: number; column: number };
/** A position, in another file than the parsed one when it says so (a line of an included template). */
type Located = Position & { file?: string };
type Path = ReadonlyArray<string | number>;

/** Where a field of one document is: 1-based line and column in the parsed text (the chunk's own lines). */
export type FindField = (path: Path) => Position;

export interface ParseManifestOptions {
  /** Namespace of objects that set none (helm --namespace); absent in manifests mode. */
  defaultNamespace?: string;
  /**
   * Where positions point (rendered output points back at its template). Default: the parsed text itself.
   * `position` maps a line/column of the parsed text; `locate` maps a field of a document, found by `find`
   * in the chunk (whose first line is line `lineOffset` + 1 of the text).
   */
  positions?: {
    position(at: Position): Located;
    locate(find: FindField, lineOffset: number, path: Path): Located;
    /** Where the value at `path` of the document (`value()`) was set, when elsewhere (see ResourceSource.origin). */
    origin?(find: FindField, value: () => unknown, path: Path): ValueSource | undefined;
  };
  /**
   * Hold no syntax tree (repository mode, where every rendered object is kept until the checks between
   * objects have run): documents the fast parser vouches for are loaded by it (fast-parse.ts) and their
   * fields found in their text (text-locate.ts); a tree is parsed again when a position needs it and kept
   * only while memory allows. The same resources, findings and positions as without; default false.
   */
  lean?: boolean;
}

const DIRECT: NonNullable<ParseManifestOptions['positions']> = {
  position: (at) => at,
  locate: (find, lineOffset, path) => {
    const loc = find(path);
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
  // No closure is made in this scope: one would keep the whole scope (the chunk's tree) alive with the resources.
  if (options.lean) {
    const loaded = fastLoad(chunk.text);
    if (loaded) {
      // Clean YAML by the fast parser's contract: no finding, one document, the value `yaml` would give.
      if (loaded.value === null) return { findings, resources };
      const tree = keptTree(chunk.text, file);
      const src = sourceOf(file, positions, offset, findInText(chunk.text, tree), fastValue(chunk.text));
      addObject(loaded.value, [], src, options, findings, collect(resources, 0));
      return { findings, resources };
    }
  }
  const parsed = parseYaml(chunk.text, file);
  for (const f of parsed.findings) {
    const g = fromSourceFinding(f, {}, offset);
    findings.push({ ...g, ...positions.position({ line: g.line!, column: g.column! }) });
  }
  if (parsed.findings.some((f) => f.severity === 'error')) return { findings, resources };
  const tree = options.lean ? keptTree(chunk.text, file, parsed) : constant(parsed);
  for (let docIndex = 0; docIndex < parsed.documents.length; docIndex++) {
    const value: unknown = parsed.documents[docIndex]!.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) continue;
    // Lean: the value is taken from the tree again when asked (the kept object may be cut down to facts).
    const readValue = options.lean ? valueIn(tree, docIndex) : constant(value);
    const src = sourceOf(file, positions, offset, findIn(tree, docIndex), readValue);
    addObject(value, [], src, options, findings, collect(resources, docIndex));
  }
  return { findings, resources };
}

// Closures made apart from parseChunk's scope, so that they hold only what they name (not the chunk's
// tree or values, which a closure created next to them would keep alive).
const constant =
  <T>(v: T) =>
  () =>
    v;
const collect = (resources: ResourceOrigin[], docIndex: number) => (resource: Resource, base: Array<string | number>) =>
  resources.push({ resource, docIndex, base });
function sourceOf(
  file: string,
  positions: NonNullable<ParseManifestOptions['positions']>,
  offset: number,
  find: FindField,
  readValue: () => unknown,
): Parameters<typeof addObject>[2] {
  const at = (path: Path) => positions.locate(find, offset, path);
  const origin = positions.origin;
  return origin ? { file, locate: at, origin: (path: Path) => origin(find, readValue, path) } : { file, locate: at };
}
const findIn =
  (tree: () => ParsedYaml, docIndex: number): FindField =>
  (path) =>
    locate(tree(), docIndex, path);
const valueIn = (tree: () => ParsedYaml, docIndex: number) => () =>
  tree().documents[docIndex]!.toJS({ maxAliasCount: 100 }) as unknown;
/** The value of a chunk the fast parser vouches for, loaded again by it (no tree needed). */
/**
 * The document's value, loaded again when asked (placing a finding on a value), and held weakly: the findings
 * of one object are placed one after another, and each loaded the whole document again. Callers only read it.
 */
const fastValue = (text: string) => {
  let ref: WeakRef<{ value: unknown }> | undefined;
  return () => {
    let held = ref?.deref();
    if (!held) ref = new WeakRef((held = { value: fastLoad(text)?.value }));
    return held.value;
  };
};
function findInText(text: string, tree: () => ParsedYaml): FindField {
  let inText: ReturnType<typeof textLocator> | undefined;
  return (path) => {
    inText ??= textLocator(text);
    return inText(path) ?? locate(tree(), 0, path);
  };
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
