// Oracle tests: generated valid/invalid objects judged by ajv on the official definitions (strict, as
// kubeconform) and by the upstream CRDs' declarations; our verdicts must agree, or differ for a listed cause.
// `npm run conformance` runs every kind of every version; this test pins the core kinds of each version.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { crdRows, kubernetesRows } from '../scripts/conformance/run.js';
import { REFERENCE_DIR } from '../scripts/schema-files.js';
import { KUBERNETES_VERSIONS } from '../src/index.js';

const CORE = new Set([
  'apps/v1 Deployment',
  'apps/v1 StatefulSet',
  'apps/v1 DaemonSet',
  'v1 Service',
  'v1 ConfigMap',
  'v1 Secret',
  'v1 Pod',
  'autoscaling/v2 HorizontalPodAutoscaler',
  'policy/v1 PodDisruptionBudget',
  'networking.k8s.io/v1 NetworkPolicy',
  'v1 Namespace',
  'batch/v1 Job',
  'batch/v1 CronJob',
  'networking.k8s.io/v1 Ingress',
  'v1 ServiceAccount',
  'rbac.authorization.k8s.io/v1 Role',
  'rbac.authorization.k8s.io/v1 RoleBinding',
  'v1 PersistentVolumeClaim',
  'discovery.k8s.io/v1 EndpointSlice',
]);

if (!existsSync(join(REFERENCE_DIR, 'kubernetes-openapi'))) {
  it.skip(`conformance with the official definitions and CRDs: ${REFERENCE_DIR} is absent (../shared not checked out), skipped`, () => {});
} else {
  describe('conformance', () => {
    it.each([...KUBERNETES_VERSIONS])('Kubernetes %s: core kinds agree with the official definitions', (version) => {
      const [row] = kubernetesRows(REFERENCE_DIR, [version], (key) => CORE.has(key));
      expect(row!.kinds).toBe(CORE.size);
      expect(row!.cases).toBeGreaterThan(100);
      // The one known difference: EndpointSlice addressType is an enum the API server enforces.
      expect(row!.differences.map((d) => `${d.kind}: ${d.case}: ${d.cause}`)).toEqual([
        'discovery.k8s.io/v1 EndpointSlice: valid minimal object: enum the API server enforces, absent from the definitions (enums.json)',
      ]);
    });

    it('the Argo CD and Flux CRDs agree with their upstream schemas and CEL rules', () => {
      const rows = crdRows(REFERENCE_DIR);
      expect(rows.map((r) => r.target.split(' (')[0])).toEqual([
        'argoproj.io/v1alpha1 Application',
        'argoproj.io/v1alpha1 AppProject',
        'source.toolkit.fluxcd.io/v1 GitRepository',
        'helm.toolkit.fluxcd.io/v2 HelmRelease',
        'kustomize.toolkit.fluxcd.io/v1 Kustomization',
      ]);
      expect(rows.flatMap((r) => r.differences)).toEqual([]);
      expect(rows.reduce((n, r) => n + r.cases, 0)).toBeGreaterThan(50);
    });
  });
}
