// The reference oracle: the official Kubernetes definitions in ../shared (not part of this repository).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createBuiltinSource } from '../src/index.js';
import { compareWithOracle, type OracleDiff } from './oracle.js';
import { TOLERATED, type ToleratedDiff } from './oracle-tolerance.js';

const ORACLE_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../../../shared/reference/kubernetes-openapi');

// Oracle kinds the built-in source does not have, and why that is right.
const NOT_IN_SOURCE_REASONS: [RegExp, string][] = [
  [/^v1 (APIGroup|APIGroupList|APIResourceList|APIVersions|Status)$/, 'discovery/status documents, not manifests'],
  [/^v1 ComponentStatus(List)?$/, 'read-only, deprecated API with no create endpoint'],
  [/^(authentication.k8s.io\/v1 TokenRequest|autoscaling\/v1 Scale|policy\/v1 Eviction)$/, 'subresource bodies, posted to another kind'],
  [/^resource.k8s.io\/v1alpha3 (DeviceClass|ResourceClaim|ResourceClaimTemplate|ResourceSlice)(List)?$/, 'alpha API dropped before 1.34'],
  [/^admissionregistration.k8s.io\/v1beta1 ValidatingAdmissionPolicy(Binding)?(List)?$/, 'beta API not in the 1.34 client'],
  [/^admissionregistration.k8s.io\/v1 MutatingAdmissionPolicy(Binding)?(List)?$/, 'GA after 1.34'],
  [/^certificates.k8s.io\/v1beta1 PodCertificateRequest(List)?$/, 'beta after 1.34'],
  [/^resource.k8s.io\/(v1alpha3 ResourcePoolStatusRequest|v1beta2 DeviceTaintRule)(List)?$/, 'added after 1.34'],
  [/^scheduling.k8s.io\/v1alpha2 (PodGroup|Workload)(List)?$/, 'added after 1.34'],
  [/^storagemigration.k8s.io\/v1beta1 StorageVersionMigration(List)?$/, 'beta after 1.34'],
];

const CORE_KINDS = [
  'apps/v1 Deployment', 'apps/v1 StatefulSet', 'apps/v1 DaemonSet', 'v1 Service', 'v1 ConfigMap', 'v1 Secret',
  'autoscaling/v2 HorizontalPodAutoscaler', 'policy/v1 PodDisruptionBudget', 'networking.k8s.io/v1 NetworkPolicy',
  'v1 Namespace', 'batch/v1 Job', 'batch/v1 CronJob', 'networking.k8s.io/v1 Ingress', 'v1 ServiceAccount',
  'rbac.authorization.k8s.io/v1 Role', 'rbac.authorization.k8s.io/v1 RoleBinding', 'rbac.authorization.k8s.io/v1 ClusterRole',
  'rbac.authorization.k8s.io/v1 ClusterRoleBinding', 'v1 PersistentVolumeClaim', 'apiextensions.k8s.io/v1 CustomResourceDefinition',
];

function normalize(d: OracleDiff | ToleratedDiff): string {
  return JSON.stringify({ extra: d.extra?.length ? d.extra : undefined, missing: d.missing?.length ? d.missing : undefined, required: d.required });
}

for (const version of Object.keys(TOLERATED)) {
  const file = join(ORACLE_DIR, `v${version}-definitions.json`);
  if (!existsSync(file)) {
    it.skip(`oracle v${version}: ${file} is absent (../shared not checked out), comparison skipped`, () => {});
    continue;
  }
  describe(`oracle v${version}`, () => {
    const oracle = JSON.parse(readFileSync(file, 'utf8')).definitions;
    const result = compareWithOracle(oracle, createBuiltinSource(), version);
    const tolerated = TOLERATED[version]!;

    it('covers the core kinds and most of the oracle', () => {
      for (const kind of CORE_KINDS) expect(result.kinds).toContain(kind);
      expect(result.kinds.length).toBeGreaterThan(150);
      expect(result.definitionsCompared).toBeGreaterThan(600);
    });

    it('every oracle kind we lack has a reason', () => {
      const unexplained = result.notInSource.filter((k) => !NOT_IN_SOURCE_REASONS.some(([re]) => re.test(k)));
      expect(unexplained).toEqual([]);
    });

    it('property names and required lists agree, apart from the documented version differences', () => {
      const unexpected = [...result.diffs.values()].filter((d) => normalize(d) !== normalize(tolerated[d.definition] ?? {}));
      expect(unexpected).toEqual([]);
      const stale = Object.keys(tolerated).filter((name) => !result.diffs.has(name));
      expect(stale).toEqual([]);
    });
  });
}
