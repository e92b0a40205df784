import { isRecord, type KubeObject, type Resource } from '../resources.js';
import type { ObjectRead } from './check.js';

type Path = Array<string | number>;

/** Where the pod template sits in each workload kind. */
const POD_SPEC_PATHS: Record<string, Path> = {
  Pod: [],
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

/**
 * What podTemplateOf and containersOf(pod, false) read of each workload kind (as ObjectRead data): the pod
 * template's labels, that it has a spec, and the given fields of each container.
 */
export function podTemplateReads(containerFields: readonly string[]): ObjectRead[] {
  return Object.entries(POD_SPEC_PATHS).map(([kind, path]) => ({
    kinds: [kind],
    paths: [
      [...(path as string[]), 'metadata', 'labels'],
      // Walking into the spec keeps it (as a map) even when no field below is read.
      ...(containerFields.length ? containerFields : ['name']).map((f) => [
        ...(path as string[]),
        'spec',
        'containers',
        '*',
        f,
      ]),
    ],
  }));
}

/** The given paths inside the pod spec of each workload kind, as ObjectRead data (see object-facts.ts). */
export function podSpecReads(specPaths: ReadonlyArray<ReadonlyArray<string>>): ObjectRead[] {
  return Object.entries(POD_SPEC_PATHS).map(([kind, path]) => ({
    kinds: [kind],
    paths: specPaths.map((p) => [...(path as string[]), 'spec', ...p]),
  }));
}

/** Kinds whose pods run for good (probes make sense); Jobs and CronJobs run to completion. */
export const LONG_RUNNING = ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController'];

export interface PodTemplate {
  readonly resource: Resource;
  /** Path of the pod template (metadata + spec) inside the object. */
  readonly path: ReadonlyPath;
  readonly labels: Readonly<Record<string, string>>;
  readonly spec: Record<string, unknown>;
}

export interface ContainerRef {
  readonly pod: PodTemplate;
  readonly container: Record<string, unknown>;
  readonly name: string;
  /** Path of the container inside the object. */
  readonly path: ReadonlyPath;
  readonly init: boolean;
}

type ReadonlyPath = ReadonlyArray<string | number>;

export function getIn(value: unknown, path: ReadonlyPath): unknown {
  let v = value;
  for (const seg of path) {
    if (Array.isArray(v) && typeof seg === 'number') v = v[seg];
    else if (isRecord(v)) v = v[String(seg)];
    else return undefined;
  }
  return v;
}

/** Pure: the pod template of a workload; policy check templates get it from ObjectSetView.podTemplate (shared). */
export function podTemplateOf(resource: Resource): PodTemplate | undefined {
  const kind = String(resource.object.kind);
  const path = POD_SPEC_PATHS[kind];
  if (!path) return undefined;
  const template = getIn(resource.object, path);
  if (!isRecord(template) || !isRecord(template.spec)) return undefined;
  const meta = isRecord(template.metadata) ? template.metadata : {};
  const labels = isRecord(meta.labels)
    ? Object.fromEntries(Object.entries(meta.labels).map(([k, v]) => [k, String(v)]))
    : {};
  return { resource, path, labels, spec: template.spec };
}

/** Pure: the containers (and init containers unless `includeInit` is false) of a pod template. */
export function containersOf(pod: PodTemplate, includeInit = true): ContainerRef[] {
  const out: ContainerRef[] = [];
  const lists: Array<[string, boolean]> = includeInit
    ? [
        ['containers', false],
        ['initContainers', true],
      ]
    : [['containers', false]];
  for (const [field, init] of lists) {
    const list = pod.spec[field];
    if (!Array.isArray(list)) continue;
    list.forEach((c, i) => {
      if (!isRecord(c)) return;
      out.push({
        pod,
        container: c,
        name: typeof c.name === 'string' ? c.name : `#${i}`,
        path: [...pod.path, 'spec', field, i],
        init,
      });
    });
  }
  return out;
}

/** True when every matchLabels entry (and simple matchExpressions) of `selector` holds for `labels`. */
export function selectorMatches(selector: unknown, labels: Record<string, string>, plainMap = false): boolean {
  if (!isRecord(selector)) return false;
  const matchLabels = plainMap ? selector : isRecord(selector.matchLabels) ? selector.matchLabels : {};
  for (const [k, v] of Object.entries(matchLabels)) if (labels[k] !== String(v)) return false;
  const exprs = plainMap ? [] : Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [];
  for (const e of exprs) {
    if (!isRecord(e) || typeof e.key !== 'string') continue;
    const values = Array.isArray(e.values) ? e.values.map(String) : [];
    const has = Object.hasOwn(labels, e.key);
    const val = labels[e.key];
    if (e.operator === 'In' && !(has && values.includes(val!))) return false;
    if (e.operator === 'NotIn' && has && values.includes(val!)) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

/** An empty selector ({} or {matchLabels: {}}) selects every pod. */
export function isEmptySelector(selector: unknown, plainMap = false): boolean {
  if (!isRecord(selector)) return false;
  if (plainMap) return Object.keys(selector).length === 0;
  const ml = isRecord(selector.matchLabels) ? Object.keys(selector.matchLabels).length : 0;
  const me = Array.isArray(selector.matchExpressions) ? selector.matchExpressions.length : 0;
  return ml === 0 && me === 0;
}

export function kindOf(o: KubeObject): string {
  return typeof o.kind === 'string' ? o.kind : '';
}
