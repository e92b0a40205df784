import type { Cluster, HostsByEnvironment, Service, UrlPrefix } from './schema.js';

// What the CMSWEB frontend must do with each URL in an environment, from the catalog: the service that
// claims it (urlPrefixes, urlQuery) and the hosts it goes to. chartgen writes backends-k8s-<env>.txt from
// this; the validator routes sample URLs through that file and compares (one model, two consumers).

export interface FrontendRoute {
  service: string;
  /** URL prefix without trailing slash, e.g. /dbs/prod/global/DBSReader. */
  prefix: string;
  /** Query parameters the request must carry (empty: any). */
  query: Record<string, string>;
  hosts: string[];
  affinity: boolean;
}

/** The hosts of `hosts` in `env` (undefined when a per-environment map leaves it out). */
export function hostsIn(hosts: HostsByEnvironment, env: string): string[] | undefined {
  return Array.isArray(hosts) ? [...hosts] : hosts[env] ? [...hosts[env]] : undefined;
}

/** The path of a urlPrefixes entry. */
export function prefixPath(p: UrlPrefix): string {
  return typeof p === 'string' ? p : p.path;
}

/** Whether a urlPrefixes entry is routed in `env` (a plain path: in every environment). */
export function prefixRoutedIn(p: UrlPrefix, env: string): boolean {
  return typeof p === 'string' || p.environments.includes(env);
}

/** The Kubernetes Service a charted service is reached at. */
export function serviceHost(s: Service): string {
  return `${s.name}.${s.namespace}.svc.cluster.local`;
}

/** The hosts the frontend forwards `s` to in `env`. */
export function backendHosts(s: Service, env: string): string[] {
  return s.vm ? (hostsIn(s.vm.hosts, env) ?? []) : [serviceHost(s)];
}

/**
 * Pure: every route of `env` in the order the frontend must try them (it takes the first match): longer
 * prefixes first (so /a/b before /a), a prefix with query conditions before the same prefix without, then by
 * prefix and query for a stable file.
 */
export function frontendRoutes(services: readonly Service[], env: string): FrontendRoute[] {
  const routes: FrontendRoute[] = [];
  for (const s of services) {
    for (const entry of s.urlPrefixes ?? []) {
      if (!prefixRoutedIn(entry, env)) continue;
      routes.push({
        service: s.name,
        prefix: prefixPath(entry).replace(/\/+$/, ''),
        query: { ...(s.urlQuery ?? {}) },
        hosts: backendHosts(s, env),
        affinity: Boolean(s.vm?.affinity),
      });
    }
  }
  const q = (r: FrontendRoute) =>
    Object.entries(r.query)
      .map(([k, v]) => `${k}=${v}`)
      .sort()
      .join('&');
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return routes.sort(
    (a, b) =>
      b.prefix.length - a.prefix.length ||
      cmp(a.prefix, b.prefix) ||
      Object.keys(b.query).length - Object.keys(a.query).length ||
      cmp(q(a), q(b)),
  );
}

/** The catch-all hosts of `env` (undefined: no catch-all). */
export function catchAllHosts(cluster: Cluster, env: string): string[] | undefined {
  return cluster.frontend?.catchAll ? hostsIn(cluster.frontend.catchAll, env) : undefined;
}

/**
 * Pods that forward the frontend's traffic to the backends in `env`: every NetworkPolicy admits each of them.
 * None when the cluster has no frontend (its policies admit only what services declare).
 */
export function frontendPeers(
  cluster: Cluster,
  env: string,
): Array<{ namespace: string; podLabels: Record<string, string> }> {
  const f = cluster.frontend;
  if (!f) return [];
  return f.peers?.[env] ?? [{ namespace: f.namespace, podLabels: f.podLabels }];
}

/** A URL (path and query, as the frontend matches it) that must reach `route`. */
export function sampleUrl(rulePrefix: string, route: FrontendRoute): string {
  const base = `${rulePrefix.replace(/^\^/, '')}${route.prefix}/probe`;
  const query = Object.entries(route.query).map(([k, v]) => `${k}=${v}`);
  return query.length ? `${base}?other=1&${query.join('&')}` : base;
}
