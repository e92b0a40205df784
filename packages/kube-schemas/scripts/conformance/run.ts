// Runs the generated cases through our validator and the oracle. Kubernetes: the oracle is ajv run
// directly on the official definitions made strict as kubeconform -strict does (additionalProperties:
// false on every object with properties). CRDs: the oracle is the upstream schema's own declaration, i.e.
// the verdict each case was constructed to have (plus hand-written cases for every CEL rule).
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Ajv } from 'ajv';
import addFormatsImport from 'ajv-formats';
import { parseAllDocuments } from 'yaml';
import { createSchemaValidator, type SchemaViolation } from '../../src/index.js';
import { kubernetesData } from '../../src/sources/kubernetes-data.js';
import { readReleases, UPSTREAM_CRD_DIR } from '../schema-files.js';
import { generateCases, type Case } from './cases.js';

const addFormats = addFormatsImport as unknown as typeof addFormatsImport.default;

export interface Difference {
  readonly target: string;
  readonly kind: string;
  readonly case: string;
  readonly oracle: boolean;
  readonly ours: boolean;
  readonly detail: string;
  readonly cause: string;
}

export interface Row {
  readonly target: string;
  readonly kinds: number;
  readonly cases: number;
  readonly agree: number;
  readonly differences: Difference[];
}

function strictify(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strictify);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'properties') out[k] = Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, strictify(s)]));
    else out[k] = strictify(v);
  }
  if (out['properties'] && out['additionalProperties'] === undefined) out['additionalProperties'] = false;
  return out;
}

const oursVerdict = (result: SchemaViolation[] | 'unknown-kind') => ({
  valid: result !== 'unknown-kind' && result.length === 0,
  detail: result === 'unknown-kind' ? 'unknown kind' : result.map((v) => `${v.path}: ${v.message}`).join('; '),
});

function causeOf(oracle: boolean, result: SchemaViolation[] | 'unknown-kind'): string {
  if (result === 'unknown-kind') return 'kind missing from the shipped data';
  if (!oracle) return 'UNEXPLAINED: we accept what the definitions refuse';
  if (result.every((v) => v.check === 'schema-enum'))
    return 'enum the API server enforces, absent from the definitions (enums.json)';
  if (result.every((v) => v.check === 'schema-format' && v.message.includes('quantity')))
    return 'Quantity grammar the API server enforces';
  return 'UNEXPLAINED: we refuse what the definitions accept';
}

export function kubernetesRows(
  referenceDir: string,
  versions?: readonly string[],
  kindFilter?: (key: string) => boolean,
): Row[] {
  const releases = readReleases(referenceDir);
  const data = kubernetesData();
  const rows: Row[] = [];
  for (const version of versions ?? Object.keys(releases)) {
    const defs = releases[version]!;
    const ajv = addFormats(new Ajv({ strict: false, allErrors: false, logger: false }));
    ajv.addSchema({ $id: 'k8s', definitions: strictify(defs) as object });
    const ours = createSchemaValidator({ kubernetesVersion: version });
    const index = data.release(version)!;
    const resolve = (n: Record<string, any>) =>
      defs[String(n['$ref']).replace('#/definitions/', '')] as Record<string, any>;
    const row: Row = { target: `Kubernetes ${version}`, kinds: 0, cases: 0, agree: 0, differences: [] };
    for (const [key, name] of Object.entries(index.kinds)) {
      if (kindFilter && !kindFilter(key)) continue;
      const [apiVersion, kind] = key.split(' ') as [string, string];
      const oracle = ajv.getSchema(`k8s#/definitions/${name}`)!;
      const cases = generateCases(apiVersion, kind, defs[name] as Record<string, any>, resolve);
      if (!cases.length) continue;
      (row as { kinds: number }).kinds++;
      for (const c of cases) {
        const expected = oracle(c.object) as boolean;
        const result = ours.validate(c.object);
        const mine = oursVerdict(result);
        (row as { cases: number }).cases++;
        if (expected === mine.valid) (row as { agree: number }).agree++;
        else
          row.differences.push({
            target: version,
            kind: key,
            case: c.name,
            oracle: expected,
            ours: mine.valid,
            detail: mine.detail,
            cause: causeOf(expected, result),
          });
      }
    }
    rows.push(row);
  }
  return rows;
}

/** Hand-written cases for the CEL rules of the bundled CRDs: [kind key, case name, spec patch, valid]. */
const RULE_CASES: [string, string, (o: Record<string, any>) => void, boolean][] = [
  [
    'helm.toolkit.fluxcd.io/v2 HelmRelease',
    'rule: chart and chartRef both set',
    (o) => (o['spec'].chartRef = { kind: 'OCIRepository', name: 'x' }),
    false,
  ],
  [
    'helm.toolkit.fluxcd.io/v2 HelmRelease',
    'rule: chartRef only',
    (o) => {
      delete o['spec'].chart;
      o['spec'].chartRef = { kind: 'OCIRepository', name: 'x' };
    },
    true,
  ],
  [
    'helm.toolkit.fluxcd.io/v2 HelmRelease',
    'rule: RetryOnFailure with retryInterval',
    (o) => (o['spec'].install = { strategy: { name: 'RetryOnFailure', retryInterval: '1m' } }),
    true,
  ],
  [
    'helm.toolkit.fluxcd.io/v2 HelmRelease',
    'rule: RemediateOnFailure with retryInterval',
    (o) => (o['spec'].install = { strategy: { name: 'RemediateOnFailure', retryInterval: '1m' } }),
    false,
  ],
  [
    'helm.toolkit.fluxcd.io/v2 HelmRelease',
    'rule: valuesFrom-like ref with neither configMapRef nor secretRef',
    (o) => (o['spec'].kubeConfig = {}),
    false,
  ],
  [
    'helm.toolkit.fluxcd.io/v2 HelmRelease',
    'rule: kubeConfig with secretRef',
    (o) => (o['spec'].kubeConfig = { secretRef: { name: 's' } }),
    true,
  ],
  [
    'helm.toolkit.fluxcd.io/v2 HelmRelease',
    'rule: kubeConfig with both refs',
    (o) => (o['spec'].kubeConfig = { secretRef: { name: 's' }, configMapRef: { name: 'c' } }),
    false,
  ],
  [
    'source.toolkit.fluxcd.io/v1 GitRepository',
    'rule: serviceAccountName with provider aws',
    (o) => Object.assign(o['spec'], { provider: 'aws', serviceAccountName: 'sa' }),
    true,
  ],
  [
    'source.toolkit.fluxcd.io/v1 GitRepository',
    'rule: serviceAccountName with provider github',
    (o) => Object.assign(o['spec'], { provider: 'github', serviceAccountName: 'sa' }),
    false,
  ],
  [
    'kustomize.toolkit.fluxcd.io/v1 Kustomization',
    'rule: kubeConfig with configMapRef',
    (o) => (o['spec'].kubeConfig = { configMapRef: { name: 'c' } }),
    true,
  ],
  [
    'kustomize.toolkit.fluxcd.io/v1 Kustomization',
    'rule: kubeConfig with neither ref',
    (o) => (o['spec'].kubeConfig = {}),
    false,
  ],
  [
    'kustomize.toolkit.fluxcd.io/v1 Kustomization',
    'rule: kubeConfig with both refs',
    (o) => (o['spec'].kubeConfig = { secretRef: { name: 's' }, configMapRef: { name: 'c' } }),
    false,
  ],
];

const VALID_BASES: Record<string, Record<string, unknown>> = {
  'helm.toolkit.fluxcd.io/v2 HelmRelease': {
    spec: { interval: '5m', chart: { spec: { chart: 'c', sourceRef: { kind: 'GitRepository', name: 'g' } } } },
  },
  'source.toolkit.fluxcd.io/v1 GitRepository': { spec: { url: 'https://example.org/r.git', interval: '1m' } },
  'argoproj.io/v1alpha1 Application': { spec: { project: 'p', destination: {} } },
  'kustomize.toolkit.fluxcd.io/v1 Kustomization': {
    spec: { interval: '10m', prune: true, sourceRef: { kind: 'GitRepository', name: 'g' } },
  },
};

export function crdRows(referenceDir: string): Row[] {
  const ours = createSchemaValidator({ kubernetesVersion: '1.33' });
  const rows: Row[] = [];
  for (const path of [
    join(referenceDir, 'crds', 'argocd-v3.5.1-application.yaml'),
    join(referenceDir, 'crds', 'argocd-v3.5.1-appproject.yaml'),
    join(referenceDir, 'crds', 'flux-source-controller-v1.9.1-gitrepositories.yaml'),
    join(referenceDir, 'crds', 'flux-helm-controller-v1.6.3-helmreleases.yaml'),
    join(UPSTREAM_CRD_DIR, 'flux-kustomize-controller-v1.9.4-kustomizations.yaml'),
  ]) {
    const file = basename(path);
    const crd = parseAllDocuments(readFileSync(path, 'utf8'))[0]!.toJS() as Record<string, any>;
    for (const version of crd['spec'].versions as Record<string, any>[]) {
      if (!version['served'] || version['deprecated']) continue;
      const key = `${crd['spec'].group}/${version['name']} ${crd['spec'].names.kind}`;
      const [apiVersion, kind] = key.split(' ') as [string, string];
      const root = version['schema'].openAPIV3Schema as Record<string, any>;
      const generated = generateCases(apiVersion, kind, root, (n) => n, VALID_BASES[key] ?? {});
      const base = generated[0]?.object;
      const rules: Case[] = base
        ? RULE_CASES.filter(([k]) => k === key).map(([, name, patch, valid]) => {
            const o = structuredClone(base) as Record<string, any>;
            patch(o);
            return { name, object: o, valid };
          })
        : [];
      const row: Row = { target: `${key} (${file})`, kinds: 1, cases: 0, agree: 0, differences: [] };
      for (const c of [...generated, ...rules]) {
        const result = ours.validate(c.object);
        const mine = oursVerdict(result);
        (row as { cases: number }).cases++;
        if (mine.valid === c.valid) (row as { agree: number }).agree++;
        else
          row.differences.push({
            target: key,
            kind: key,
            case: c.name,
            oracle: c.valid,
            ours: mine.valid,
            detail: mine.detail,
            cause: 'UNEXPLAINED',
          });
      }
      rows.push(row);
    }
  }
  return rows;
}
