import { existsSync } from 'node:fs';
import { ApiException, AppsV1Api, CustomObjectsApi, KubeConfig, type V1Deployment } from '@kubernetes/client-node';
import { UsageError } from '@cmsweb/toolkit';
import type { ObservedApp, ObservedWorkload } from '../core/cluster-compare.js';

// Reads what a cluster runs through @kubernetes/client-node (its kubeconfig loading, auth and HTTP): the
// Deployments of the namespaces asked for and the Argo CD Applications in `argocd`. Lists are paged (limit +
// continue token, as kubectl does); every call is bounded by a timeout. API errors become one clear line
// (ClusterError): 401/403 name the credentials, 404 the missing resource type, a timeout the server.

export class ClusterError extends Error {}

export interface ClusterReader {
  server: string;
  context: string;
  deployments(namespace: string): Promise<Map<string, ObservedWorkload>>;
  /** Applications by name; undefined when the cluster has no Argo CD (the CRD is not served). */
  applications(namespace: string): Promise<Map<string, ObservedApp> | undefined>;
}

const PAGE = 100;

export function openCluster(opts: { kubeconfig?: string; context?: string; timeoutMs: number }): ClusterReader {
  const kc = new KubeConfig();
  try {
    if (opts.kubeconfig !== undefined) {
      if (!existsSync(opts.kubeconfig))
        throw new UsageError(`--kubeconfig ${opts.kubeconfig}: no such file: expected a kubeconfig file`);
      kc.loadFromFile(opts.kubeconfig);
    } else kc.loadFromDefault();
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(
      `the kubeconfig ${opts.kubeconfig ?? '(default: $KUBECONFIG or ~/.kube/config)'} cannot be read: ${(e as Error).message.split('\n')[0]}`,
    );
  }
  if (opts.context !== undefined) {
    if (!kc.getContextObject(opts.context))
      throw new UsageError(
        `--context ${JSON.stringify(opts.context)} is not in the kubeconfig: expected one of ${kc.contexts.map((c) => c.name).join(', ') || '(none)'}`,
      );
    kc.setCurrentContext(opts.context);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster)
    throw new UsageError(
      `the kubeconfig has no cluster for context ${JSON.stringify(kc.getCurrentContext())}: expected a current-context naming a cluster`,
    );
  const apps = kc.makeApiClient(AppsV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const bounded = <T>(what: string, p: Promise<T>): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new ClusterError(`${cluster.server}: ${what} timed out after ${opts.timeoutMs / 1000} s`)),
        opts.timeoutMs,
      );
    });
    return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
  };
  const explain = (what: string, e: unknown): Error => {
    if (e instanceof ClusterError || e instanceof UsageError) return e;
    if (e instanceof ApiException) {
      const why =
        e.code === 401
          ? 'the credentials of the kubeconfig were refused (401 Unauthorized): renew the token or certificate'
          : e.code === 403
            ? 'the kubeconfig user may not read them (403 Forbidden): it needs get/list'
            : e.code === 410
              ? 'the list changed while it was read in pages (410 Gone: continue token expired): run again'
              : `the API server answered ${e.code}`;
      return new ClusterError(`${cluster.server}: ${what}: ${why}`);
    }
    const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as NodeJS.ErrnoException).code;
    return new ClusterError(
      `${cluster.server}: ${what}: cannot reach the API server (${cause ?? (e as Error).message.split('\n')[0]})`,
    );
  };

  return {
    server: cluster.server,
    context: kc.getCurrentContext(),
    async deployments(namespace) {
      const out = new Map<string, ObservedWorkload>();
      let token: string | undefined;
      const what = `listing Deployments in namespace ${namespace}`;
      do {
        const page = await bounded(
          what,
          apps.listNamespacedDeployment({ namespace, limit: PAGE, ...(token ? { _continue: token } : {}) }),
        ).catch((e) => {
          throw explain(what, e);
        });
        for (const d of page.items) out.set(d.metadata?.name ?? '', observeDeployment(d));
        token = page.metadata?._continue || undefined;
      } while (token);
      return out;
    },
    async applications(namespace) {
      const out = new Map<string, ObservedApp>();
      let token: string | undefined;
      const what = `listing Argo CD Applications in namespace ${namespace}`;
      do {
        let page: { items?: any[]; metadata?: { continue?: string } };
        try {
          page = await bounded(
            what,
            custom.listNamespacedCustomObject({
              group: 'argoproj.io',
              version: 'v1alpha1',
              namespace,
              plural: 'applications',
              limit: PAGE,
              ...(token ? { _continue: token } : {}),
            }),
          );
        } catch (e) {
          if (e instanceof ApiException && e.code === 404) return undefined; // no Argo CD on this cluster
          throw explain(what, e);
        }
        for (const a of page.items ?? [])
          out.set(String(a?.metadata?.name ?? ''), {
            sync: String(a?.status?.sync?.status ?? 'Unknown'),
            health: String(a?.status?.health?.status ?? 'Unknown'),
          });
        token = page.metadata?.continue || undefined;
      } while (token);
      return out;
    },
  };
}

function observeDeployment(d: V1Deployment): ObservedWorkload {
  const name = d.metadata?.name;
  const containers = d.spec?.template?.spec?.containers ?? [];
  const main = containers.find((c) => c.name === name) ?? containers[0];
  const progressing = d.status?.conditions?.find((c) => c.type === 'Progressing');
  return {
    image: main?.image ?? null,
    replicas: d.spec?.replicas ?? 1,
    readyReplicas: d.status?.readyReplicas ?? 0,
    updatedReplicas: d.status?.updatedReplicas ?? 0,
    availableReplicas: d.status?.availableReplicas ?? 0,
    generation: d.metadata?.generation ?? 0,
    observedGeneration: d.status?.observedGeneration ?? 0,
    ...(progressing?.reason ? { progressingReason: progressing.reason } : {}),
  };
}
