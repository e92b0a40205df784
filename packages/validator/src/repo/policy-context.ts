import {
  annotationDomain,
  catchAllHosts,
  frontendPeers,
  frontendRoutes,
  sampleUrl,
  type Catalog,
} from '@cmsweb/catalog';
import type { FrontendTable, PolicyContext } from '../checks/check.js';

/** A URL under the frontend's rule prefix that no catalog prefix can claim. */
export const UNCLAIMED_PATH = '/frontend-routes-probe-unclaimed-url';

/** Pure: the URLs the frontend of each environment must route, and where, from the catalog (none without a frontend). */
export function frontendTables(catalog: Catalog): Record<string, FrontendTable> | undefined {
  if (!catalog.cluster.frontend) return undefined;
  const prefix = catalog.cluster.frontend.rulePrefix;
  return Object.fromEntries(
    catalog.cluster.environments.map((e) => [
      e.name,
      {
        routes: frontendRoutes(catalog.services, e.name)
          .filter((r) => r.hosts.length)
          .map((r) => ({ service: r.service, url: sampleUrl(prefix, r), hosts: r.hosts })),
        unclaimed: {
          url: `${prefix.replace(/^\^/, '')}${UNCLAIMED_PATH}`,
          hosts: catchAllHosts(catalog.cluster, e.name) ?? [],
        },
      },
    ]),
  );
}

/** Pure: what the catalog tells policy checks (allowed host paths, privileges, the frontend). */
export function policyContextFromCatalog(
  catalog: Catalog,
  complete: boolean,
  clusterObjects = complete,
): PolicyContext {
  const allowances: PolicyContext['allowances'] = {};
  const frontend = catalog.cluster.frontend;
  for (const s of catalog.services) {
    const sc = s.securityContext ?? {};
    allowances[s.name] = { privileged: sc.privileged === true, runAsRoot: sc.runAsUser === 0 };
  }
  return {
    complete,
    clusterObjects,
    allowedHostPaths: catalog.cluster.allowedHostPaths,
    ignoreAnnotation: `validator.${annotationDomain(catalog.cluster)}/ignore`,
    allowances,
    // Without a frontend (an optional feature) the checks that need one stand down.
    ...(frontend
      ? {
          frontend: {
            default: [{ namespace: frontend.namespace, podLabels: frontend.podLabels }],
            environments: Object.fromEntries(
              catalog.cluster.environments.map((e) => [e.name, frontendPeers(catalog.cluster, e.name)]),
            ),
          },
        }
      : {}),
    routedServices: catalog.services.filter((s) => !s.vm && (s.urlPrefixes?.length ?? 0) > 0).map((s) => s.name),
    frontendRoutes: frontendTables(catalog),
  };
}
