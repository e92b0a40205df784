import type { AllowFrom, Cluster } from '@cmsweb/catalog';
import { LABEL_KEY, LABEL_VALUE } from '@cmsweb/catalog';
import type { PathSegment } from '@cmsweb/yaml';
import type { ManifestDocument } from './manifest-documents.js';
import { type Field, isPlain, openDocument, takeIdentity, type UsedDocuments } from './tracked-field.js';

// Pure: the NetworkPolicies that select an imported workload's pods → the entry's `allowFrom`. The chart's
// own policy (read by the cluster's CNI, which matches peers by namespace and pod labels) admits the
// frontend's pods (cluster.yaml frontend.podLabels / frontend.peers), Prometheus on the metrics port and the
// `allowFrom` clients on the service ports. A peer selecting the frontend or Prometheus needs nothing (an
// information line); a peer selecting another imported workload becomes `{service}`, other pods of a namespace
// `{namespace, podLabels}`, a whole namespace `{namespace}`. Everything else is reported with its location.

/** Lines of the report that say what needs nothing, as opposed to what is lost. */
export const INFORMATION = 'information: ';

const NAMESPACE_NAME = 'kubernetes.io/metadata.name';

export interface PolicyContext {
  /** The workload's namespace and catalog name. */
  namespace: string;
  workload: string;
  /** Container ports the chart's Service exposes (the chart admits allowFrom clients on them). */
  servicePorts: readonly number[];
  cluster: Cluster;
  /** The imported workloads (the one of the policy included): catalog name, namespace, pod template labels. */
  workloads: ReadonlyArray<{ name: string; namespace: string; labels: unknown }>;
}

export interface ImportedPolicies {
  allowFrom: AllowFrom[];
  /** Per policy, one line on the peers that need no entry (the frontend, Prometheus). */
  information: Array<{ document: ManifestDocument; path: PathSegment[]; message: string }>;
  /** Namespaces allowFrom names that cluster.yaml does not declare (people add them). */
  undeclared: string[];
}

/** `selector` (matchLabels) selects pods with `labels`: every pair is there. An empty selector selects all. */
const selects = (selector: Record<string, string>, labels: unknown) =>
  isPlain(labels) && Object.entries(selector).every(([k, v]) => labels[k] === v);

const isLabelMap = (v: unknown): v is Record<string, string> =>
  isPlain(v) &&
  Object.entries(v).every(
    ([k, x]) => LABEL_KEY.test(k) && typeof x === 'string' && LABEL_VALUE.test(x) && x.length <= 63,
  );

export function importNetworkPolicies(
  policies: ManifestDocument[],
  ctx: PolicyContext,
  used: UsedDocuments,
): ImportedPolicies {
  const allowFrom = new Map<string, AllowFrom>();
  const undeclared = new Set<string>();
  const information: ImportedPolicies['information'] = [];
  const declared = new Set(ctx.cluster.namespaces.map((n) => n.name));
  const frontend = ctx.cluster.frontend;
  // Without a frontend in the target cluster, every peer is an allowFrom client.
  const frontends = frontend
    ? [
        { namespace: frontend.namespace, podLabels: frontend.podLabels, what: 'frontend.podLabels' },
        ...Object.entries(frontend.peers ?? {}).flatMap(([env, list]) =>
          list.map((p) => ({ ...p, what: `frontend.peers.${env}` })),
        ),
      ]
    : [];
  for (const policy of policies) {
    const root = openDocument(policy, used);
    takeIdentity(root);
    const spec = root.get('spec');
    spec.get('podSelector').take();
    const types = spec.get('policyTypes');
    if (Array.isArray(types.value) && types.value.every((t) => t === 'Ingress')) types.take();
    else if (types.present)
      types.drop("the chart's NetworkPolicy restricts ingress only (egress stays open): policyTypes [Ingress]");
    const needNothing: Array<{ path: PathSegment[]; what: string }> = [];
    for (const rule of spec.get('ingress').items()) {
      const from = rule.get('from');
      if (!from.present) {
        rule.drop(
          "a rule without from admits every client: the chart's policy admits the frontend, Prometheus and allowFrom",
        );
        continue;
      }
      // Ports: the chart admits allowFrom clients on the service ports, Prometheus on the metrics port.
      let servicePort = !rule.get('ports').present;
      for (const p of rule.get('ports').items()) {
        const port = p.get('port').value;
        if (ctx.servicePorts.includes(port as number)) {
          servicePort = true;
          p.take();
        } else
          p.drop(
            `port ${String(port)} is not a service port: the chart admits allowFrom clients on the service ports (${ctx.servicePorts.join(', ') || 'none'}) and Prometheus on the metrics port`,
          );
      }
      for (const peer of from.items()) {
        const entry = importPeer(peer, ctx, frontends, servicePort);
        if (typeof entry === 'string') needNothing.push({ path: peer.path, what: entry });
        if (!entry || typeof entry === 'string') continue;
        if (entry.namespace && !declared.has(entry.namespace)) undeclared.add(entry.namespace);
        allowFrom.set(JSON.stringify(entry), entry);
      }
    }
    if (needNothing.length)
      information.push({
        document: policy,
        path: needNothing[0]!.path,
        message: `${INFORMATION}${needNothing.length === 1 ? 'a peer selects' : `${needNothing.length} peers select`} ${[...new Set(needNothing.map((n) => n.what))].join(', ')}, which the chart's NetworkPolicy admits: no entry needed`,
      });
  }
  return { allowFrom: [...allowFrom.values()], information, undeclared: [...undeclared].sort() };
}

function importPeer(
  peer: Field,
  ctx: PolicyContext,
  frontends: Array<{ namespace: string; podLabels: Record<string, string>; what: string }>,
  servicePort: boolean,
): AllowFrom | string | undefined {
  for (const k of ['ipBlock']) peer.get(k).drop('an address block is not expressible: allowFrom admits pods');
  const nsSel = peer.get('namespaceSelector');
  const podSel = peer.get('podSelector');
  if (!nsSel.present && !podSel.present) return undefined;
  let namespace = ctx.namespace;
  if (nsSel.present) {
    const labels = nsSel.get('matchLabels').value;
    const name = isPlain(labels) ? labels[NAMESPACE_NAME] : undefined;
    if (
      nsSel.get('matchExpressions').present ||
      typeof name !== 'string' ||
      Object.keys(labels as object).length !== 1
    ) {
      peer.drop(
        `selects namespaces by other labels than ${NAMESPACE_NAME} (or all namespaces): allowFrom names one namespace`,
      );
      return undefined;
    }
    namespace = name;
  }
  if (podSel.get('matchExpressions').present) {
    peer.drop('a pod selector with matchExpressions is not expressible: allowFrom podLabels are matchLabels');
    return undefined;
  }
  const podLabels = podSel.present ? (podSel.get('matchLabels').value ?? {}) : {};
  if (!isLabelMap(podLabels)) {
    podSel.drop('not a map of label keys to label values');
    return undefined;
  }
  const empty = Object.keys(podLabels).length === 0;
  const frontend = empty
    ? undefined
    : frontends.find((f) => f.namespace === namespace && selects(podLabels, f.podLabels));
  if (frontend) {
    peer.take();
    return `the frontend's pods (cluster.yaml ${frontend.what})`;
  }
  const prometheus = ctx.cluster.prometheus;
  if (!empty && namespace === prometheus.namespace && selects(podLabels, prometheus.podLabels)) {
    peer.take();
    return 'Prometheus (cluster.yaml prometheus.podLabels; admitted on the metrics port)';
  }
  if (!servicePort) {
    peer.drop(
      ctx.servicePorts.length
        ? 'admitted on no service port: allowFrom admits clients on the service ports'
        : 'the entry has no service ports (a worker): allowFrom admits clients on service ports',
    );
    return undefined;
  }
  peer.take();
  if (empty) return { namespace };
  const clients = ctx.workloads.filter((w) => w.namespace === namespace && selects(podLabels, w.labels));
  // One imported workload: its catalog name (the chart selects it by its own labels); else the labels.
  if (clients.length === 1) return { service: clients[0]!.name };
  return { namespace, podLabels };
}
