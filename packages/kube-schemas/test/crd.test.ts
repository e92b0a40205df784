// The generated Argo CD and Flux objects (docs/contracts.md) against the bundled CRD schemas.
import { describe, expect, it } from 'vitest';
import { createCrdSource, createSchemaValidator } from '../src/index.js';

const v = createSchemaValidator({ kubernetesVersion: '1.33' });

function application(): Record<string, any> {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: 'dbs-dev', namespace: 'argocd' },
    spec: {
      project: 'cmsweb',
      source: {
        repoURL: 'https://gitlab.cern.ch/cmsweb-k8s/gitops.git',
        targetRevision: 'main',
        path: 'charts/dbs',
        helm: { releaseName: 'dbs', valueFiles: ['../../environments/dev/values/dbs.yaml'] },
      },
      destination: { name: 'cmsweb-dev', namespace: 'dbs' },
      syncPolicy: {
        automated: { prune: true, selfHeal: true },
        syncOptions: ['CreateNamespace=true'],
        retry: { limit: 3, backoff: { duration: '5s', factor: 2 } },
      },
    },
  };
}

const gitRepository = () => ({
  apiVersion: 'source.toolkit.fluxcd.io/v1',
  kind: 'GitRepository',
  metadata: { name: 'cmsweb', namespace: 'flux-system' },
  spec: {
    url: 'https://gitlab.cern.ch/cmsweb-k8s/gitops.git',
    interval: '1m',
    ref: { branch: 'main' },
    secretRef: { name: 'git' },
  },
});

const helmRelease = (): Record<string, any> => ({
  apiVersion: 'helm.toolkit.fluxcd.io/v2',
  kind: 'HelmRelease',
  metadata: { name: 'dbs', namespace: 'dbs' },
  spec: {
    interval: '5m',
    releaseName: 'dbs',
    chart: {
      spec: {
        chart: './charts/dbs',
        sourceRef: { kind: 'GitRepository', name: 'cmsweb', namespace: 'flux-system' },
        valuesFiles: ['charts/dbs/values.yaml', 'environments/dev/values/dbs.yaml'],
      },
    },
    install: { remediation: { retries: 3 }, strategy: { name: 'RetryOnFailure', retryInterval: '2m' } },
    upgrade: { cleanupOnFail: true },
    values: { anything: { goes: ['here'] } },
  },
});

describe('bundled CRDs', () => {
  it('the generated objects pass', () => {
    for (const o of [application(), gitRepository(), helmRelease()]) expect(v.validate(o)).toEqual([]);
    const project = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AppProject',
      metadata: { name: 'cmsweb' },
      spec: { sourceRepos: ['*'], destinations: [{ namespace: '*', server: 'https://kubernetes.default.svc' }] },
    };
    expect(v.validate(project)).toEqual([]);
  });

  it('typos and wrong values are found', () => {
    const app = application();
    app['spec'].source.helm.valueFile = ['x'];
    app['spec'].syncPolicy.automated.prune = 'yes';
    delete app['spec'].project;
    expect(v.validate(app)).toEqual([
      { path: '/spec/project', message: 'missing required field "project"', check: 'schema-required' },
      {
        path: '/spec/source/helm/valueFile',
        message: 'unknown field "valueFile" (did you mean "valueFiles"?)',
        check: 'schema-unknown-field',
      },
      { path: '/spec/syncPolicy/automated/prune', message: 'expected boolean, got string', check: 'schema-type' },
    ]);
    const repo = gitRepository() as any;
    repo.spec.url = 'git@gitlab.cern.ch:cmsweb-k8s/gitops.git';
    repo.spec.interval = 'often';
    expect(v.validateOrReport(repo).map((x) => [x.path, x.check])).toEqual([
      ['/spec/interval', 'schema-format'],
      ['/spec/url', 'schema-format'],
    ]);
    const hr = helmRelease();
    hr['spec'].chart.spec.sourceRef.kind = 'OCIRegistry';
    hr['spec'].chart.spec.valuesFile = 'old.yaml';
    expect(v.validate(hr)).toEqual([
      {
        path: '/spec/chart/spec/sourceRef/kind',
        message: 'value "OCIRegistry" is not one of: "HelmRepository", "GitRepository", "Bucket"',
        check: 'schema-enum',
      },
      {
        path: '/spec/chart/spec/valuesFile',
        message: 'unknown field "valuesFile" (did you mean "valuesFiles"?)',
        check: 'schema-unknown-field',
      },
    ]);
  });

  it('only the versions the repository generates are bundled', () => {
    const kinds = createCrdSource()
      .kinds()
      .map((k) => `${k.group}/${k.version} ${k.kind}`)
      .sort();
    expect(kinds).toEqual([
      'argoproj.io/v1alpha1 AppProject',
      'argoproj.io/v1alpha1 Application',
      'helm.toolkit.fluxcd.io/v2 HelmRelease',
      'kustomize.toolkit.fluxcd.io/v1 Kustomization',
      'source.toolkit.fluxcd.io/v1 GitRepository',
    ]);
    expect(v.validate({ apiVersion: 'helm.toolkit.fluxcd.io/v2beta1', kind: 'HelmRelease' })).toBe('unknown-kind');
  });

  it('non-strict mode relaxes unknown fields only', () => {
    const loose = createSchemaValidator({ kubernetesVersion: '1.33', strict: false });
    const app = application();
    app['spec'].source.helm.valueFile = ['x'];
    expect(loose.validate(app)).toEqual([]);
    delete app['spec'].destination;
    expect(loose.validate(app)).toEqual([
      { path: '/spec/destination', message: 'missing required field "destination"', check: 'schema-required' },
    ]);
  });
});
