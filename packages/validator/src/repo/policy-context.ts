import type { Catalog } from '@cmsweb/catalog';
import type { PolicyContext } from '../checks/check.js';

/** Pure: what the catalog tells policy checks (allowed host paths, privileges, the frontend). */
export function policyContextFromCatalog(catalog: Catalog, complete: boolean, clusterObjects = complete): PolicyContext {
  const allowances: PolicyContext['allowances'] = {};
  for (const s of catalog.services) {
    const sc = s.securityContext ?? {};
    allowances[s.name] = { privileged: sc.privileged === true, runAsRoot: sc.runAsUser === 0 };
  }
  return {
    complete,
    clusterObjects,
    allowedHostPaths: catalog.cluster.allowedHostPaths,
    allowances,
    frontend: { namespace: catalog.cluster.frontend.namespace, podLabels: catalog.cluster.frontend.podLabels },
    routedServices: catalog.services.filter((s) => !s.vm && (s.urlPrefixes?.length ?? 0) > 0).map((s) => s.name),
  };
}
