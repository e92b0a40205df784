import type { Cluster } from '@cmsweb/catalog';

/**
 * Pure: a first environments/<env>/environment.yaml (only written when missing): the environment's
 * cluster and the one it promotes from, in catalog order. Release managers add tag policy, soak, freeze.
 */
export function buildEnvironmentFile(cluster: Cluster, index: number): object {
  const env = cluster.environments[index]!;
  return {
    name: env.name,
    cluster: env.cluster,
    promotesFrom: index === 0 ? null : cluster.environments[index - 1]!.name,
    ...(env.kubernetesVersion ? { kubernetesVersion: env.kubernetesVersion } : {}),
    promotion: { requireValidation: true },
  };
}
