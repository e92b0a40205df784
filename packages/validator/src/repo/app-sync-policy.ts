import type { Finding } from '../findings.js';
import { isRecord } from '../resources.js';
import type { RepoEnvironment, RepoYaml } from './repo-snapshot.js';
import { applicationErrors } from './app-finding.js';

// What Argo CD does with a service's Application (argo-cd docs "Automated Sync Policy", "App Deletion"):
// without spec.syncPolicy.automated it never deploys a commit by itself; without prune it leaves what git
// removed; without selfHeal it leaves a `kubectl edit` in place; without retry one failed sync stays failed;
// without the resources finalizer, deleting the Application leaves its workload running, unmanaged.

export const RESOURCES_FINALIZER = 'resources-finalizer.argocd.argoproj.io';

/** Pure: the sync-policy findings of one service Application against its environment's argocd.sync. */
export function checkAppSyncPolicy(app: RepoYaml, env: RepoEnvironment, service: string): Finding[] {
  const out: Finding[] = [];
  const mode = env.file?.argocd?.sync ?? 'automated';
  const bad = applicationErrors(app, 'app-sync-policy', { env: env.name, service }, out);
  const value = isRecord(app.value) ? app.value : {};
  const spec = isRecord(value.spec) ? value.spec : {};
  const policy = isRecord(spec.syncPolicy) ? spec.syncPolicy : undefined;
  const automated = policy && isRecord(policy.automated) ? policy.automated : undefined;
  const where = `environments/${env.name}/environment.yaml argocd.sync is ${mode}${env.file?.argocd?.sync ? '' : ' (the default)'}`;
  if (mode === 'automated') {
    if (!automated)
      bad(
        policy ? ['spec', 'syncPolicy'] : ['spec'],
        `the Application has no syncPolicy.automated, so Argo CD never deploys a merged change by itself; ${where}: expected syncPolicy.automated: {prune: true, selfHeal: true} (regenerate)`,
      );
    else if (automated.prune !== true || automated.selfHeal !== true || automated.enabled === false) {
      bad(
        ['spec', 'syncPolicy', 'automated'],
        `syncPolicy.automated is ${JSON.stringify(automated)}; ${where}: expected {prune: true, selfHeal: true} (objects removed from git are deleted, changes made in the cluster are reverted)`,
      );
    }
  } else if (automated && automated.enabled !== false) {
    bad(
      ['spec', 'syncPolicy', 'automated'],
      `the Application syncs automatically, but ${where}: expected no syncPolicy.automated (a person syncs)`,
    );
  }
  const retry = policy && isRecord(policy.retry) ? policy.retry : undefined;
  if (!retry || !(Number(retry.limit) > 0 || Number(retry.limit) < 0)) {
    bad(
      retry ? ['spec', 'syncPolicy', 'retry'] : policy ? ['spec', 'syncPolicy'] : ['spec'],
      'the Application does not retry a failed sync: expected syncPolicy.retry with a limit and a backoff (regenerate)',
    );
  }
  const meta = isRecord(value.metadata) ? value.metadata : {};
  const finalizers = Array.isArray(meta.finalizers) ? meta.finalizers : [];
  if (!finalizers.includes(RESOURCES_FINALIZER)) {
    bad(
      ['metadata'],
      `the Application lacks the finalizer ${RESOURCES_FINALIZER}: deleting it (a service removed from the catalog) would leave its workload running, unmanaged`,
    );
  }
  return out;
}
