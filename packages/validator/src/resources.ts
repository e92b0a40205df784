import type { RelatedLocation, ResourceRef } from './findings.js';

/** Where a resource came from and how to point at one of its fields. */
export interface ResourceSource {
  /** Repository-relative (or as given) path of the file a person edits: a manifest or a chart template. */
  file: string;
  /**
   * 1-based line and column of the field at `path` (segments of a JSON pointer), best effort; with `file`
   * when that line is written in another file (a named template the object's template includes).
   */
  locate(path: ReadonlyArray<string | number>): { line: number; column: number; file?: string };
  /**
   * Where the value at `path` was set when a person changes it elsewhere than `file` (repository mode: the
   * overlay, the generated values file or the catalog line it came from), with further places to show.
   */
  origin?(path: ReadonlyArray<string | number>): ValueSource | undefined;
}

/** The file and line that set a rendered value, and the places it went through (e.g. a generated values file). */
export interface ValueSource {
  file: string;
  line: number;
  column: number;
  via: RelatedLocation[];
}

/** A Kubernetes object under validation. */
export interface Resource {
  object: KubeObject;
  ref: ResourceRef;
  source: ResourceSource;
  /** Set in repository mode: the environment and catalog service that produced the object. */
  env?: string;
  service?: string;
}

export type KubeObject = Record<string, unknown> & {
  apiVersion?: unknown;
  kind?: unknown;
  metadata?: { name?: unknown; namespace?: unknown; labels?: unknown; annotations?: unknown };
};

export function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Identity of an object; `defaultNamespace` stands in for a namespaced object without one (helm --namespace). */
export function refOf(object: KubeObject, defaultNamespace?: string): ResourceRef {
  const meta = isRecord(object.metadata) ? object.metadata : {};
  const ns = typeof meta.namespace === 'string' && meta.namespace !== '' ? meta.namespace : undefined;
  const kind = typeof object.kind === 'string' ? object.kind : '';
  const ref: ResourceRef = {
    apiVersion: typeof object.apiVersion === 'string' ? object.apiVersion : '',
    kind,
    name: typeof meta.name === 'string' ? meta.name : '',
  };
  const namespace = ns ?? (CLUSTER_SCOPED.has(kind) ? undefined : defaultNamespace);
  if (namespace !== undefined) ref.namespace = namespace;
  return ref;
}

/** Kinds without a namespace (the common ones; an unknown kind is treated as namespaced). */
export const CLUSTER_SCOPED = new Set([
  'Namespace',
  'Node',
  'PersistentVolume',
  'StorageClass',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'PriorityClass',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'APIService',
  'CSIDriver',
  'CSINode',
  'RuntimeClass',
  'IngressClass',
  'VolumeAttachment',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'PodSecurityPolicy',
  'ComponentStatus',
]);

export function labelsOf(object: KubeObject): Record<string, string> {
  const l = isRecord(object.metadata) ? object.metadata.labels : undefined;
  return isRecord(l)
    ? (Object.fromEntries(Object.entries(l).map(([k, v]) => [k, String(v)])) as Record<string, string>)
    : {};
}

export function annotationsOf(object: KubeObject): Record<string, string> {
  const a = isRecord(object.metadata) ? object.metadata.annotations : undefined;
  return isRecord(a)
    ? (Object.fromEntries(Object.entries(a).map(([k, v]) => [k, String(v)])) as Record<string, string>)
    : {};
}

/** The group of an apiVersion ("" for the core group). */
export function groupOf(apiVersion: string): string {
  const i = apiVersion.indexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}
