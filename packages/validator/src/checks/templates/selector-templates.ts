import { isRecord, type Resource } from '../../resources.js';
import type { CheckTemplate, Issue, ObjectSetView } from '../check.js';
import { sameNamespace } from '../object-set.js';
import { getIn, isEmptySelector, podTemplateReads, selectorMatches, type PodTemplate } from '../workloads.js';

// Cross-object templates over label selectors: Services, PodDisruptionBudgets and NetworkPolicies
// must select pods of their own namespace.

/** Pods by label: key → value → pods, in the order they have in the list the index was built from. */
type LabelIndex = Map<string, Map<string, PodTemplate[]>>;

/** Pod templates of the object set, grouped by namespace and indexed by label (computed once per set). */
export interface PodIndex {
  all: PodTemplate[];
  byNamespace: Map<string | undefined, PodTemplate[]>;
  labels: LabelIndex;
  labelsByNamespace: Map<string | undefined, LabelIndex>;
}

/** What podIndex and the containers' ports of its pods read (see CheckTemplate.reads). */
const POD_INDEX_READS = podTemplateReads(['ports']);

const indexes = new WeakMap<ObjectSetView, PodIndex>();

function addToLabelIndex(index: LabelIndex, p: PodTemplate): void {
  for (const [k, v] of Object.entries(p.labels)) {
    let values = index.get(k);
    if (!values) index.set(k, (values = new Map()));
    const list = values.get(v);
    if (list) list.push(p);
    else values.set(v, [p]);
  }
}

export function podIndex(objects: ObjectSetView): PodIndex {
  let index = indexes.get(objects);
  if (index) return index;
  index = { all: [], byNamespace: new Map(), labels: new Map(), labelsByNamespace: new Map() };
  for (const p of objects.pods()) {
    index.all.push(p);
    addToLabelIndex(index.labels, p);
    const ns = p.resource.ref.namespace;
    (index.byNamespace.get(ns) ?? index.byNamespace.set(ns, []).get(ns)!).push(p);
    let nsLabels = index.labelsByNamespace.get(ns);
    if (!nsLabels) index.labelsByNamespace.set(ns, (nsLabels = new Map()));
    addToLabelIndex(nsLabels, p);
  }
  indexes.set(objects, index);
  return index;
}

const describe = (r: Resource) => `${r.ref.kind} ${r.ref.namespace ? `${r.ref.namespace}/` : ''}${r.ref.name}`;

export interface SelectorMatch {
  here: PodTemplate[];
  /** Only computed when nothing matches here. */
  elsewhere: PodTemplate[];
}

/**
 * The pods of `list` that may match: those carrying the rarest of the labels the selector requires (in
 * their order in `list`), or all of `list` when it requires none. selectorMatches decides.
 */
function candidatesOf(
  list: PodTemplate[],
  labels: LabelIndex | undefined,
  required: Array<[string, string]>,
): PodTemplate[] {
  if (!required.length) return list;
  let best: PodTemplate[] | undefined;
  for (const [k, v] of required) {
    const posting = labels?.get(k)?.get(v);
    if (!posting) return [];
    if (!best || posting.length < best.length) best = posting;
  }
  return best!;
}

export function matchPods(
  index: PodIndex,
  selector: unknown,
  namespace: string | undefined,
  plainMap: boolean,
): SelectorMatch {
  const matchLabels = !isRecord(selector)
    ? {}
    : plainMap
      ? selector
      : isRecord(selector.matchLabels)
        ? selector.matchLabels
        : {};
  const required = Object.entries(matchLabels).map(([k, v]): [string, string] => [k, String(v)]);
  const inNamespace = (ns: string | undefined) =>
    candidatesOf(index.byNamespace.get(ns) ?? [], index.labelsByNamespace.get(ns), required);
  const candidates =
    namespace === undefined
      ? candidatesOf(index.all, index.labels, required)
      : [...inNamespace(namespace), ...inNamespace(undefined)];
  const here = candidates.filter((p) => selectorMatches(selector, p.labels, plainMap));
  if (here.length) return { here, elsewhere: [] };
  const others = candidatesOf(index.all, index.labels, required);
  return {
    here,
    elsewhere: others.filter(
      (p) => !sameNamespace(p.resource.ref.namespace, namespace) && selectorMatches(selector, p.labels, plainMap),
    ),
  };
}

/** Params: kinds, selector (path segments), plainMap (Service selectors are plain maps), role (what the selection is for). */
export const selectorMatchesPods: CheckTemplate = {
  name: 'selector-matches-pods',
  description: 'a label selector selects pods in the same namespace',
  crossObject: true,
  params: {
    kinds: { type: 'string[]', required: true, description: 'kinds whose selector is checked' },
    selector: { type: 'string[]', required: true, description: 'path of the selector in the object' },
    plainMap: { type: 'boolean', description: 'the selector is a plain label map (a Service), not a LabelSelector' },
  },
  reads: (params) => [{ kinds: params.kinds as string[], paths: [params.selector as string[]] }, ...POD_INDEX_READS],
  run(params, objects, context) {
    const kinds = params.kinds as string[];
    const selectorPath = params.selector as string[];
    const plainMap = Boolean(params.plainMap);
    const pods = podIndex(objects);
    const out: Issue[] = [];
    for (const kind of kinds) {
      for (const r of objects.byKind(kind)) {
        const selector = getIn(r.object, selectorPath);
        if (!isRecord(selector) || isEmptySelector(selector, plainMap)) continue;
        const m = matchPods(pods, selector, r.ref.namespace, plainMap);
        if (m.here.length) continue;
        const other = m.elsewhere[0];
        if (!context.complete && !other) continue;
        const shown = JSON.stringify(plainMap ? selector : (selector.matchLabels ?? selector));
        const hint = other
          ? `; it matches ${describe(other.resource)} in namespace ${other.resource.ref.namespace ?? '(none)'}: move one of them so both share a namespace`
          : ': expected the labels of a pod template in the same namespace';
        out.push({
          resource: r,
          path: selectorPath,
          message: `${kind} selector ${shown} selects no pods in namespace ${r.ref.namespace ?? '(none)'}${hint}`,
        });
      }
    }
    return out;
  },
};

/** Every Service port's targetPort is a container port (number or name) of the pods it selects. */
export const serviceTargetPort: CheckTemplate = {
  name: 'service-target-port',
  description: "a Service's target ports are ports of the containers it selects",
  crossObject: true,
  params: {},
  reads: () => [
    {
      kinds: ['Service'],
      paths: [
        ['spec', 'selector'],
        ['spec', 'ports'],
      ],
    },
    ...POD_INDEX_READS,
  ],
  run(_params, objects) {
    const pods = podIndex(objects);
    const out: Issue[] = [];
    for (const svc of objects.byKind('Service')) {
      const spec = isRecord(svc.object.spec) ? svc.object.spec : {};
      if (!isRecord(spec.selector) || isEmptySelector(spec.selector, true) || !Array.isArray(spec.ports)) continue;
      const selected = matchPods(pods, spec.selector, svc.ref.namespace, true).here;
      if (!selected.length) continue;
      const numbers = new Set<number>();
      const names = new Set<string>();
      for (const p of selected) {
        for (const c of objects.containers(p, false)) {
          for (const port of Array.isArray(c.container.ports) ? c.container.ports : []) {
            if (!isRecord(port)) continue;
            if (typeof port.containerPort === 'number') numbers.add(port.containerPort);
            if (typeof port.name === 'string') names.add(port.name);
          }
        }
      }
      spec.ports.forEach((port, i) => {
        if (!isRecord(port)) return;
        const target = port.targetPort ?? port.port;
        const numeric = typeof target === 'number' || /^[0-9]+$/.test(String(target));
        // Containers need not declare ports for traffic to a number; a name needs a declared port.
        if (numeric && numbers.size === 0) return;
        const ok = numeric ? numbers.has(Number(target)) : names.has(String(target));
        if (ok) return;
        const known = [...[...numbers].sort((a, b) => a - b).map(String), ...[...names].sort()].join(', ');
        const expected = known ? `expected one of ${known}` : 'its containers declare no ports; declare the named port';
        out.push({
          resource: svc,
          path: ['spec', 'ports', i, port.targetPort !== undefined ? 'targetPort' : 'port'],
          message: `Service port ${String(port.name ?? port.port)} targets ${String(target)}, which is not a container port of ${describe(selected[0]!.resource)}: ${expected}`,
        });
      });
    }
    return out;
  },
};

/**
 * An Ingress backend names a Service of the Ingress's namespace and one of its ports: ingress-nginx answers 503
 * for a path whose Service or port does not exist. Judged where the objects are a whole environment.
 */
export const ingressBackend: CheckTemplate = {
  name: 'ingress-backend',
  description: "an Ingress backend is a Service of its namespace and one of that Service's ports",
  crossObject: true,
  params: {},
  reads: () => [
    {
      kinds: ['Ingress'],
      paths: [
        ['spec', 'defaultBackend'],
        ['spec', 'rules'],
      ],
    },
    { kinds: ['Service'], paths: [['spec', 'ports']] },
  ],
  run(_params, objects, context) {
    if (!context.complete) return [];
    const services = new Map(objects.byKind('Service').map((s) => [`${s.ref.namespace ?? ''}/${s.ref.name}`, s]));
    const out: Issue[] = [];
    for (const ing of objects.byKind('Ingress')) {
      const spec = isRecord(ing.object.spec) ? ing.object.spec : {};
      const backends: Array<{ path: Array<string | number>; backend: unknown }> = [];
      if (spec.defaultBackend !== undefined)
        backends.push({ path: ['spec', 'defaultBackend'], backend: spec.defaultBackend });
      (Array.isArray(spec.rules) ? spec.rules : []).forEach((rule, i) => {
        const paths = isRecord(rule) && isRecord(rule.http) && Array.isArray(rule.http.paths) ? rule.http.paths : [];
        paths.forEach((p, j) => {
          if (isRecord(p))
            backends.push({ path: ['spec', 'rules', i, 'http', 'paths', j, 'backend'], backend: p.backend });
        });
      });
      for (const { path, backend } of backends) {
        const svc = isRecord(backend) && isRecord(backend.service) ? backend.service : undefined;
        if (!svc || typeof svc.name !== 'string') continue;
        const target = services.get(`${ing.ref.namespace ?? ''}/${svc.name}`);
        if (!target) {
          out.push({
            resource: ing,
            path: [...path, 'service', 'name'],
            message: `Ingress ${ing.ref.name} sends traffic to Service ${svc.name}, which is not in namespace ${ing.ref.namespace ?? '(none)'} of this environment: ingress-nginx answers 503; expected a Service of the Ingress's namespace`,
          });
          continue;
        }
        const port = isRecord(svc.port) ? svc.port : {};
        const ports =
          isRecord(target.object.spec) && Array.isArray(target.object.spec.ports) ? target.object.spec.ports : [];
        const known = ports.filter(isRecord);
        const ok =
          typeof port.number === 'number'
            ? known.some((p) => p.port === port.number)
            : typeof port.name === 'string'
              ? known.some((p) => p.name === port.name)
              : true;
        if (ok) continue;
        out.push({
          resource: ing,
          path: [...path, 'service', 'port'],
          message: `Ingress ${ing.ref.name} sends traffic to port ${String(port.number ?? port.name)} of Service ${svc.name}, which has no such port: expected one of ${known.map((p) => `${String(p.port)}${p.name ? ` (${String(p.name)})` : ''}`).join(', ') || 'its ports (it declares none)'}`,
        });
      }
    }
    return out;
  },
};
