import { groupOf, isRecord } from '../../resources.js';
import type { CheckTemplate, Issue } from '../check.js';
import { selectorMatches } from '../workloads.js';

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
  run(_params, objects, context) {
    const frontend = context.frontend;
    if (!frontend) return [];
    const routed = new Set(context.routedServices);
    const out: Issue[] = [];
    for (const np of objects.byKind('NetworkPolicy')) {
      if (!np.service || !routed.has(np.service)) continue;
      const spec = isRecord(np.object.spec) ? np.object.spec : {};
      const types = Array.isArray(spec.policyTypes) ? spec.policyTypes.map(String) : ['Ingress'];
      if (!types.includes('Ingress')) continue;
      const rules = Array.isArray(spec.ingress) ? spec.ingress : [];
      const admits = rules.some((rule) => {
        if (!isRecord(rule)) return false;
        const from = Array.isArray(rule.from) ? rule.from : [];
        return (
          from.length === 0 || from.some((p) => peerAdmits(p, np.ref.namespace, frontend.namespace, frontend.podLabels))
        );
      });
      if (admits) continue;
      out.push({
        resource: np,
        path: rules.length ? ['spec', 'ingress'] : ['spec'],
        message: `NetworkPolicy ${np.ref.name} does not admit the frontend (pods ${JSON.stringify(frontend.podLabels)} in namespace ${frontend.namespace}), but service ${np.service} is routed through it: expected an ingress rule from namespaceSelector kubernetes.io/metadata.name: ${frontend.namespace} with podSelector ${JSON.stringify(frontend.podLabels)}`,
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
