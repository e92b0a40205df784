// The upstream CRDs (Argo CD v3.5.1, Flux source-controller v1.9.1, helm-controller v1.6.3, kustomize-controller
// v1.9.4) as the API
// server applies them: new fields pass, structural constraints and CEL rules fire.
import { describe, expect, it } from 'vitest';
import { convertCrd, convertStructural } from '../src/crd/convert-crd.js';
import { fieldPathPointer } from '../src/crd/cel-rules.js';
import { createSchemaValidator, type SchemaSource } from '../src/index.js';
import { gitRepository, helmRelease } from './samples.js';

const v = createSchemaValidator({ kubernetesVersion: '1.33' });

describe('fields of the upstream releases', () => {
  it('accepts what the hand-written schemas refused', () => {
    const project = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AppProject',
      metadata: { name: 'p' },
      spec: { syncWindows: [{ kind: 'allow', schedule: '* * * * *', duration: '1h', description: 'office hours' }] },
    };
    expect(v.validate(project)).toEqual([]);
    expect(v.validate(helmRelease({ install: { serverSideApply: true } }))).toEqual([]);
    const byRef = helmRelease();
    delete (byRef.spec as Record<string, unknown>)['chart'];
    (byRef.spec as Record<string, unknown>)['chartRef'] = { kind: 'ExternalArtifact', name: 'dbs' };
    expect(v.validate(byRef)).toEqual([]);
    expect(v.validate(gitRepository({ provider: 'aws' }))).toEqual([]);
  });
});

describe('structural constraints and CEL rules', () => {
  it('x-kubernetes-validations rules are evaluated with their messages', () => {
    expect(v.validate(gitRepository({ provider: 'github', serviceAccountName: 'sa' }))).toEqual([
      {
        path: '/spec',
        message: "serviceAccountName can only be set when provider is 'azure' or 'aws'",
        check: 'schema-format',
      },
    ]);
    const both = helmRelease({ chartRef: { kind: 'OCIRepository', name: 'dbs' } });
    expect(v.validate(both)).toEqual([
      { path: '/spec', message: 'either chart or chartRef must be set', check: 'schema-format' },
    ]);
    const strategy = helmRelease({ install: { strategy: { name: 'RemediateOnFailure', retryInterval: '1m' } } });
    expect(v.validate(strategy)).toEqual([
      { path: '/spec/install/strategy', message: expect.stringContaining('retryInterval'), check: 'schema-format' },
    ]);
  });

  it('maxLength, pattern (durations), required and enum', () => {
    const r = helmRelease({ releaseName: 'x'.repeat(54), interval: '5 minutes' });
    (r.spec.chart.spec.sourceRef as Record<string, unknown>)['kind'] = undefined;
    delete (r.spec.chart.spec.sourceRef as Record<string, unknown>)['kind'];
    expect(v.validate(r)).toEqual([
      { path: '/spec/chart/spec/sourceRef/kind', message: 'missing required field "kind"', check: 'schema-required' },
      { path: '/spec/interval', message: expect.stringContaining('must match pattern'), check: 'schema-format' },
      {
        path: '/spec/releaseName',
        message: expect.stringContaining('must NOT have more than 53 characters'),
        check: 'schema-format',
      },
    ]);
    expect(v.validate(gitRepository({ provider: 'gitlab' }))).toEqual([
      {
        path: '/spec/provider',
        message: 'value "gitlab" is not one of: "generic", "aws", "azure", "github"',
        check: 'schema-enum',
      },
    ]);
  });
});

describe("Flux's Kustomization (kustomize-controller v1.9.4, kept in upstream-crds/)", () => {
  // As chartgen writes them under environments/<env>/flux/.
  const kustomization = (spec: Record<string, unknown> = {}) => ({
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name: 'cmsweb-prod-services', namespace: 'flux-system' },
    spec: {
      dependsOn: [{ name: 'cmsweb-prod-cluster' }],
      interval: '10m',
      path: './environments/prod/flux/helmreleases',
      prune: true,
      sourceRef: { kind: 'GitRepository', name: 'cmsweb' },
      ...spec,
    },
  });

  it('accepts the objects chartgen writes', () => {
    expect(v.validate(kustomization())).toEqual([]);
    expect(v.validate(kustomization({ retryInterval: '1m', timeout: '3m', wait: true }))).toEqual([]);
  });

  it('required fields, enums, duration patterns and its CEL rules fire', () => {
    const noPrune = kustomization({ interval: '10 minutes' });
    delete (noPrune.spec as Record<string, unknown>)['prune'];
    expect(v.validate(noPrune)).toEqual([
      { path: '/spec/interval', message: expect.stringContaining('must match pattern'), check: 'schema-format' },
      { path: '/spec/prune', message: 'missing required field "prune"', check: 'schema-required' },
    ]);
    expect(v.validate(kustomization({ sourceRef: { kind: 'HelmRepository', name: 'x' } }))).toEqual([
      {
        path: '/spec/sourceRef/kind',
        message: expect.stringContaining('is not one of'),
        check: 'schema-enum',
      },
    ]);
    expect(v.validate(kustomization({ kubeConfig: {} }))).toEqual([
      {
        path: '/spec/kubeConfig',
        message: 'exactly one of spec.kubeConfig.configMapRef or spec.kubeConfig.secretRef must be specified',
        check: 'schema-format',
      },
    ]);
  });
});

describe('fields compiled on first use (status, operation)', () => {
  const app = (extra: Record<string, unknown>) => ({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: 'a', namespace: 'argocd' },
    spec: { project: 'p', destination: {}, source: { repoURL: 'r' } },
    ...extra,
  });

  it('an object carrying status or operation is still judged in full, at the right paths', () => {
    const w = createSchemaValidator({ kubernetesVersion: '1.33' });
    expect(w.validate(app({}))).toEqual([]);
    expect(w.validate(app({ status: { sync: { status: 'Synced' } } }))).toEqual([]);
    expect(w.validate(app({ status: { sync: { statuz: 'Synced' } }, operation: { sync: { prune: 'yes' } } }))).toEqual([
      { path: '/operation/sync/prune', message: 'expected boolean, got string', check: 'schema-type' },
      { path: '/status/sync/status', message: 'missing required field "status"', check: 'schema-required' },
      {
        path: '/status/sync/statuz',
        message: expect.stringMatching(/^unknown field "statuz"/),
        check: 'schema-unknown-field',
      },
    ]);
    // Root errors and deferred ones together, still ordered by path.
    expect(w.validate({ ...app({ status: { health: 3 } }), spek: {} })).toEqual([
      { path: '/spek', message: expect.stringMatching(/^unknown field "spek"/), check: 'schema-unknown-field' },
      { path: '/status/health', message: 'expected object, got integer', check: 'schema-type' },
    ]);
  });

  it('a deferred field whose schema does not compile fails closed on the objects that carry it', () => {
    const widget = {
      type: 'object',
      properties: {
        spec: { type: 'object' },
        status: { type: 'object', properties: { phase: { type: 'string', pattern: '([' } } },
      },
    };
    const source: SchemaSource = {
      name: 'test-crd',
      crdSchemas: true,
      load: async () => widget,
      loadSync: () => widget,
    };
    const w = createSchemaValidator({ kubernetesVersion: '1.33', sources: [source] });
    const obj = { apiVersion: 'example.org/v1', kind: 'Widget', metadata: { name: 'w' }, spec: {} };
    expect(w.validate(obj)).toEqual([]);
    expect(w.validate({ ...obj, status: { phase: 'x' } })).toEqual([
      {
        path: '/status',
        message: expect.stringMatching(
          /^the schema of field "status" does not compile \(.*\): the field was not validated$/,
        ),
        check: 'schema-format',
      },
    ]);
  });
});

describe('conversion semantics', () => {
  const kinds = (schema: Record<string, unknown>): SchemaSource => ({
    name: 'test-crd',
    load: async () => schema,
    loadSync: () => schema,
  });
  const crd = (schema: Record<string, unknown>) => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    spec: {
      group: 'example.org',
      names: { kind: 'Widget' },
      versions: [
        { name: 'v1', served: true, schema: { openAPIV3Schema: schema } },
        { name: 'v0', served: false },
      ],
    },
  });
  const widget = (spec: unknown) => ({ apiVersion: 'example.org/v1', kind: 'Widget', metadata: { name: 'w' }, spec });
  const validatorFor = (schema: Record<string, unknown>) => {
    const [converted] = convertCrd(crd(schema), 'widget.yaml');
    return createSchemaValidator({ kubernetesVersion: '1.33', sources: [kinds(converted!.schema)] });
  };

  it('preserve-unknown-fields, int-or-string, nullable, duration format', () => {
    const w = validatorFor({
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          required: ['port'],
          properties: {
            port: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
            free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
            note: { type: 'string', nullable: true },
            timeout: { type: 'string', format: 'duration' },
          },
        },
      },
    });
    expect(w.validate(widget({ port: 80, free: { any: 1 }, note: null, timeout: '1m30s' }))).toEqual([]);
    expect(w.validate(widget({ port: 'http', unknown: 1, timeout: 'P1D' }))).toEqual([
      {
        path: '/spec/timeout',
        message: 'value "P1D" is not a duration such as 30s, 5m or 1h30m',
        check: 'schema-format',
      },
      { path: '/spec/unknown', message: 'unknown field "unknown"', check: 'schema-unknown-field' },
    ]);
    expect(w.validate(widget({ port: null }))).toEqual([
      { path: '/spec/port', message: 'expected integer or string, got null', check: 'schema-type' },
    ]);
  });

  it('a rule CEL cannot evaluate is an error, never a pass (fail closed); transition rules wait for an update', () => {
    const w = validatorFor({
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: { url: { type: 'string' } },
          'x-kubernetes-validations': [
            { rule: 'isURL(self.url)', message: 'url must be a URL' },
            { rule: 'self.url == oldSelf.url', message: 'url is immutable' },
            {
              rule: 'self.url.startsWith("https://")',
              messageExpression: '"url " + self.url + " is not https"',
              fieldPath: '.url',
            },
            { rule: 'self.url +', message: 'broken' },
          ],
        },
      },
    });
    expect(w.validate(widget({ url: 'http://x' }))).toEqual([
      {
        path: '/spec',
        message: expect.stringMatching(/^rule "isURL\(self.url\)" cannot be evaluated: /),
        check: 'schema-format',
      },
      {
        path: '/spec',
        message: expect.stringMatching(/^rule "self.url \+" cannot be evaluated: /),
        check: 'schema-format',
      },
      { path: '/spec/url', message: 'url http://x is not https', check: 'schema-format' },
    ]);
  });

  it('refuses what is not a v1 CRD, naming the file', () => {
    expect(() => convertCrd({ kind: 'ConfigMap' }, 'x.yaml')).toThrow(
      'x.yaml: not a CustomResourceDefinition (kind: "ConfigMap")',
    );
    expect(() => convertCrd({ ...crd({}), apiVersion: 'apiextensions.k8s.io/v1beta1' }, 'x.yaml')).toThrow(
      'apiVersion "apiextensions.k8s.io/v1beta1" is not supported',
    );
    expect(() => convertStructural('nope', 'x.yaml spec', false)).toThrow('x.yaml spec: expected a schema object');
  });

  it('fieldPath to JSON pointer', () => {
    expect(fieldPathPointer('.spec.x')).toBe('/spec/x');
    expect(fieldPathPointer(".metadata['a/b'][2]")).toBe('/metadata/a~1b/2');
    expect(fieldPathPointer('not a path')).toBe('');
  });
});
