import { groupOf, isRecord } from '../../resources.js';
import type { CheckTemplate, Issue } from '../check.js';
import { podTemplateReads, selectorMatches } from '../workloads.js';

/** Does a NetworkPolicy `from` peer admit pods with `labels` in `namespace` (from a policy in `policyNamespace`)? */
function peerAdmits(
  peer: unknown,
  policyNamespace: string | undefined,
  namespace: string,
  labels: Record<string, string>,
): boolean {
  if (!isRecord(peer)) return false;
  if (peer.ipBlock !== undefined && peer.namespaceSelector === undefined && peer.podSelector === undefined)
    return false;
  const nsOk =
    peer.namespaceSelector !== undefined
      ? selectorMatches(peer.namespaceSelector, { 'kubernetes.io/metadata.name': namespace, name: namespace })
      : policyNamespace === namespace;
  const podOk = peer.podSelector === undefined || selectorMatches(peer.podSelector, labels);
  return nsOk && podOk;
}

/** NetworkPolicies of services the frontend forwards to admit the frontend's pods. */
export const networkPolicyAdmitsFrontend: CheckTemplate = {
  name: 'networkpolicy-admits-frontend',
  description: 'network policies of routed services admit the frontend',
  crossObject: true,
  params: {},
  reads: () => [
    {
      kinds: ['NetworkPolicy'],
      paths: [
        ['spec', 'policyTypes'],
        ['spec', 'ingress'],
      ],
    },
  ],
  run(_params, objects, context) {
    if (!context.frontend) return [];
    const { default: fallback, environments } = context.frontend;
    const routed = new Set(context.routedServices);
    const out: Issue[] = [];
    for (const np of objects.byKind('NetworkPolicy')) {
      if (!np.service || !routed.has(np.service)) continue;
      const spec = isRecord(np.object.spec) ? np.object.spec : {};
      const types = Array.isArray(spec.policyTypes) ? spec.policyTypes.map(String) : ['Ingress'];
      if (!types.includes('Ingress')) continue;
      const rules = Array.isArray(spec.ingress) ? spec.ingress : [];
      const peers = (np.env ? environments[np.env] : undefined) ?? fallback;
      for (const peer of peers) {
        const admits = rules.some((rule) => {
          if (!isRecord(rule)) return false;
          const from = Array.isArray(rule.from) ? rule.from : [];
          return from.length === 0 || from.some((p) => peerAdmits(p, np.ref.namespace, peer.namespace, peer.podLabels));
        });
        if (admits) continue;
        out.push({
          resource: np,
          path: rules.length ? ['spec', 'ingress'] : ['spec'],
          message: `NetworkPolicy ${np.ref.name} does not admit the frontend (pods ${JSON.stringify(peer.podLabels)} in namespace ${peer.namespace}${np.env ? `, the frontend's peers in ${np.env}` : ''}), but service ${np.service} is routed through it: expected an ingress rule from namespaceSelector kubernetes.io/metadata.name: ${peer.namespace} with podSelector ${JSON.stringify(peer.podLabels)}`,
        });
      }
    }
    return out;
  },
};

/** The namespace a peer's namespaceSelector names by `kubernetes.io/metadata.name` (matchLabels), if it names one. */
function namedNamespace(peer: Record<string, unknown>): string | undefined {
  const sel = peer.namespaceSelector;
  if (!isRecord(sel) || sel.matchExpressions !== undefined || !isRecord(sel.matchLabels)) return undefined;
  const keys = Object.keys(sel.matchLabels);
  const name = sel.matchLabels['kubernetes.io/metadata.name'];
  return keys.length === 1 && typeof name === 'string' ? name : undefined;
}

/**
 * An ingress peer selecting pods of a namespace whose workloads are all among the objects (a rendered
 * environment) must select at least one of them: the CNI matches pod labels, so a selector no pod carries
 * (the frontend's labels on a policy while the frontend's pods are labelled otherwise) admits nobody.
 */
export const networkPolicyPeerPods: CheckTemplate = {
  name: 'networkpolicy-peer-pods',
  description: 'network policy peers select pods some workload of that namespace runs',
  crossObject: true,
  params: {},
  reads: () => [{ kinds: ['NetworkPolicy'], paths: [['spec', 'ingress']] }, ...podTemplateReads([])],
  run(_params, objects, context) {
    if (!context.complete) return [];
    const podsByNamespace = new Map<string, Array<{ name: string; labels: Record<string, string> }>>();
    for (const pod of objects.pods()) {
      const r = pod.resource;
      if (!r.ref.namespace) continue;
      const list = podsByNamespace.get(r.ref.namespace) ?? [];
      list.push({ name: `${r.ref.kind} ${r.ref.name}`, labels: pod.labels });
      podsByNamespace.set(r.ref.namespace, list);
    }
    const out: Issue[] = [];
    for (const np of objects.byKind('NetworkPolicy')) {
      const spec = isRecord(np.object.spec) ? np.object.spec : {};
      const rules = Array.isArray(spec.ingress) ? spec.ingress : [];
      rules.forEach((rule, i) => {
        const from = isRecord(rule) && Array.isArray(rule.from) ? rule.from : [];
        from.forEach((peer, j) => {
          if (!isRecord(peer) || !isRecord(peer.podSelector)) return;
          const ns = peer.namespaceSelector === undefined ? np.ref.namespace : namedNamespace(peer);
          const pods = ns === undefined ? undefined : podsByNamespace.get(ns);
          // A namespace with no workload among the objects runs things this repository does not render.
          if (!pods?.length || pods.some((p) => selectorMatches(peer.podSelector, p.labels))) return;
          const shown = pods.slice(0, 5).map((p) => p.name);
          out.push({
            resource: np,
            path: ['spec', 'ingress', i, 'from', j, 'podSelector'],
            message: `NetworkPolicy ${np.ref.name} admits pods ${JSON.stringify(peer.podSelector)} of namespace ${ns}, but no workload of ${ns} in this environment has pods with those labels (${shown.join(', ')}${pods.length > shown.length ? `, and ${pods.length - shown.length} more` : ''}), so the policy admits nobody from there: select labels those pods carry`,
          });
        });
      });
    }
    return out;
  },
};

/** The same object (group, kind, namespace, name) twice: the second silently replaces the first. */
export const duplicateObject: CheckTemplate = {
  name: 'duplicate-object',
  description: 'each object identity appears once',
  crossObject: true,
  params: {},
  // Identity and file only.
  reads: () => [],
  run(_params, objects, context) {
    const seen = new Map<string, { file: string }>();
    const out: Issue[] = [];
    for (const r of objects.all) {
      if (!r.ref.name) continue;
      // In manifests mode, files are often per-environment alternatives: compare within a file only.
      const key = `${context.complete ? '' : r.source.file}|${r.env ?? ''}|${groupOf(r.ref.apiVersion)}|${r.ref.kind}|${r.ref.namespace ?? ''}|${r.ref.name}`;
      const first = seen.get(key);
      if (first) {
        out.push({
          resource: r,
          path: ['metadata', 'name'],
          message: `${r.ref.kind} ${r.ref.namespace ? `${r.ref.namespace}/` : ''}${r.ref.name} is defined twice (first in ${first.file}): the later one silently replaces the earlier; expected one definition`,
        });
      } else seen.set(key, { file: r.source.file });
    }
    return out;
  },
};
