import { URL_PATH } from '@cmsweb/catalog';
import type { PathSegment } from '@cmsweb/yaml';
import { INFORMATION } from './import-network-policy.js';
import type { ManifestDocument } from './manifest-documents.js';
import { isPlain, rootField, Usage } from './tracked-field.js';

// Pure: Ingress objects (read by ingress-nginx) → the `urlPrefixes` of the imported workloads whose Service
// they route to. ingress-nginx matches Prefix paths, and ImplementationSpecific ones without
// nginx.ingress.kubernetes.io/use-regex, as path prefixes: those become urlPrefixes (the chart renders the
// backend cluster's Ingress of them, cluster.yaml ingress). Regular expressions, Exact paths, "/" (a whole
// host) and routes to Services no imported workload has are reported, as are the cluster-wide settings.

export interface IngressTarget {
  workload: string;
  namespace: string;
  /** The Service the workload's entry was built with. */
  service: string;
}

export interface ImportedIngresses {
  /** Per workload, its prefixes in the order of the input. */
  prefixes: Map<string, string[]>;
  used: Array<{ document: ManifestDocument; usage: Usage }>;
  information: Array<{ document: ManifestDocument; path: PathSegment[]; message: string }>;
}

const REGEX_CHARS = /[\^$*+?()[\]{}|\\]/;

export function importIngresses(
  ingresses: ManifestDocument[],
  targets: IngressTarget[],
  namespaceOf: (d: ManifestDocument) => string | undefined,
): ImportedIngresses {
  const prefixes = new Map<string, string[]>();
  const claimed = new Map<string, string>(); // path → workload
  const used: ImportedIngresses['used'] = [];
  const information: ImportedIngresses['information'] = [];
  for (const ing of ingresses) {
    const usage = new Usage();
    used.push({ document: ing, usage });
    const root = rootField(ing.object, usage);
    for (const k of ['apiVersion', 'kind']) root.get(k).take();
    const meta = root.get('metadata');
    meta.get('name').take();
    meta.get('namespace').take();
    const annotations = meta.get('annotations');
    // The backend cluster's class, hosts and source ranges are cluster-wide: cluster.yaml ingress.
    const clusterWide = [
      annotations.get('kubernetes.io/ingress.class'),
      root.get('spec').get('ingressClassName'),
      annotations.get('nginx.ingress.kubernetes.io/whitelist-source-range'),
      ...root
        .get('spec')
        .get('rules')
        .items()
        .map((r) => r.get('host')),
    ].filter((f) => f.present);
    for (const f of clusterWide) f.take();
    if (clusterWide.length)
      information.push({
        document: ing,
        path: clusterWide[0]!.path,
        message: `${INFORMATION}the ingress class, hosts and source ranges are cluster-wide: compare them with cluster.yaml ingress (className, hosts and sourceRanges per environment)`,
      });
    // ingress-nginx reads paths as regular expressions with use-regex, and with rewrite-target.
    const useRegex = annotations.get('nginx.ingress.kubernetes.io/use-regex');
    const regex =
      useRegex.value === 'true' ||
      useRegex.value === true ||
      annotations.get('nginx.ingress.kubernetes.io/rewrite-target').present;
    if (useRegex.present && !regex) useRegex.take();
    const ns = namespaceOf(ing);
    for (const rule of root.get('spec').get('rules').items()) {
      for (const p of rule.get('http').get('paths').items()) {
        const backend = p.get('backend');
        const name = backend.get('service').present
          ? backend.get('service').get('name').value
          : backend.get('serviceName').value;
        const target = targets.find((t) => t.namespace === ns && t.service === name);
        if (!target) {
          p.drop(`Service ${String(name)} is the Service of no imported workload (in namespace ${String(ns)})`);
          continue;
        }
        const path = p.get('path').value ?? '/';
        const type = p.get('pathType').value ?? 'ImplementationSpecific';
        const problem =
          type === 'Exact'
            ? 'an Exact path: urlPrefixes are prefixes'
            : type !== 'Prefix' && type !== 'ImplementationSpecific'
              ? `pathType ${String(type)} is not one of Prefix, ImplementationSpecific, Exact`
              : typeof path !== 'string' || (regex && REGEX_CHARS.test(path))
                ? 'a regular expression (use-regex or rewrite-target): urlPrefixes are plain prefixes'
                : path === '/'
                  ? "the whole host: not one service's URL prefix (cluster.yaml frontend.catchAll routes what no prefix claims)"
                  : !URL_PATH.test(path) || (regex && REGEX_CHARS.test(path))
                    ? 'not a plain URL path'
                    : claimed.has(path) && claimed.get(path) !== target.workload
                      ? `the path is ${claimed.get(path)}'s already (urlPrefixes are unique per environment)`
                      : undefined;
        if (problem) {
          p.drop(`${problem}: not imported as a urlPrefix of ${target.workload}`);
          continue;
        }
        p.take();
        const list = prefixes.get(target.workload) ?? [];
        if (!list.includes(path as string)) list.push(path as string);
        prefixes.set(target.workload, list);
        claimed.set(path as string, target.workload);
      }
    }
  }
  return { prefixes, used, information };
}

export const serviceOf = (entry: unknown, services: ManifestDocument[]): string | undefined =>
  isPlain(entry) && entry.ports && services[0] ? services[0].name : undefined;
