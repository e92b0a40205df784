import { describe, expect, it } from 'vitest';
import { createSchemaValidator, type SchemaSource, type SchemaViolation } from '../src/index.js';
import { CLEAN, deployment } from './samples.js';

const strict = createSchemaValidator({ kubernetesVersion: '1.33' });
const container = (d: Record<string, any>) => d['spec'].template.spec.containers[0];

function violations(resource: object): SchemaViolation[] {
  const result = strict.validate(resource);
  if (result === 'unknown-kind') throw new Error('unexpected unknown-kind');
  return result;
}

describe('clean resources', () => {
  it.each(CLEAN.map((r) => [`${r['apiVersion']} ${r['kind']}`, r]))('%s passes', (_name, resource) => {
    expect(violations(resource)).toEqual([]);
  });
});

describe('each violation kind', () => {
  it('unknown field, with did-you-mean', () => {
    const d = deployment();
    container(d).imagePullPolicyy = 'Always';
    expect(violations(d)).toEqual([
      {
        path: '/spec/template/spec/containers/0/imagePullPolicyy',
        message: 'unknown field "imagePullPolicyy" (did you mean "imagePullPolicy"?)',
        check: 'schema-unknown-field',
      },
    ]);
  });

  it('unknown field without a close match names no suggestion', () => {
    const d = deployment();
    d['spec'].flavour = 'vanilla';
    expect(violations(d)).toEqual([
      { path: '/spec/flavour', message: 'unknown field "flavour"', check: 'schema-unknown-field' },
    ]);
  });

  it('wrong type', () => {
    const d = deployment();
    d['spec'].replicas = '2';
    expect(violations(d)).toEqual([
      { path: '/spec/replicas', message: 'expected integer, got string', check: 'schema-type' },
    ]);
  });

  it('missing required field', () => {
    const d = deployment();
    delete container(d).name;
    expect(violations(d)).toEqual([
      {
        path: '/spec/template/spec/containers/0/name',
        message: 'missing required field "name"',
        check: 'schema-required',
      },
    ]);
  });

  it('value outside an enum', () => {
    const d = deployment();
    container(d).imagePullPolicy = 'Sometimes';
    expect(violations(d)).toEqual([
      {
        path: '/spec/template/spec/containers/0/imagePullPolicy',
        message: 'value "Sometimes" is not one of: "Always", "IfNotPresent", "Never"',
        check: 'schema-enum',
      },
    ]);
  });

  it('bad quantity, int32 overflow, bad base64 and bad date-time are format violations', () => {
    const d = deployment();
    container(d).resources.limits.cpu = '500mm';
    container(d).ports[0].containerPort = 2 ** 40;
    d['metadata'].creationTimestamp = 'yesterday';
    const found = violations(d).map((v) => [v.path, v.check]);
    expect(found).toEqual([
      ['/metadata/creationTimestamp', 'schema-format'],
      ['/spec/template/spec/containers/0/ports/0/containerPort', 'schema-format'],
      ['/spec/template/spec/containers/0/resources/limits/cpu', 'schema-format'],
    ]);
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { key: 'not base64!' } };
    expect(violations(secret)).toEqual([
      { path: '/data/key', message: 'value "not base64!" is not base64-encoded data', check: 'schema-format' },
    ]);
  });

  it('unknown kind: validate says so, validateOrReport explains it', () => {
    expect(strict.validate({ apiVersion: 'example.org/v1', kind: 'Widget' })).toBe('unknown-kind');
    const [v] = strict.validateOrReport({ apiVersion: 'autoscaling/v2beta2', kind: 'HorizontalPodAutoscaler' });
    expect(v).toMatchObject({ path: '/kind', check: 'schema-unknown-kind' });
    expect(v!.message).toContain('removed in Kubernetes 1.26');
    expect(v!.message).toContain('use autoscaling/v2');
    expect(v!.message).toContain(
      'known: autoscaling/v1 HorizontalPodAutoscaler, autoscaling/v2 HorizontalPodAutoscaler',
    );
    const [flow] = strict.validateOrReport({ apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta2', kind: 'FlowSchema' });
    expect(flow!.message).toMatch(/known: flowcontrol.apiserver.k8s.io\/v1 FlowSchema$/);
    const [typo] = strict.validateOrReport({ apiVersion: 'apps/v1', kind: 'Deploymnet' });
    expect(typo!.message).toBe(
      'no schema for apps/v1 Deploymnet in Kubernetes 1.33 (looked in: built-in, crd) (did you mean kind "Deployment"?)',
    );
  });

  it('a resource without apiVersion or kind reports the missing fields', () => {
    expect(strict.validate({ kind: 'Deployment' })).toEqual([
      { path: '/apiVersion', message: 'missing required field "apiVersion"', check: 'schema-required' },
    ]);
    expect(strict.validate({ apiVersion: 'v1', kind: 7 })).toEqual([
      { path: '/kind', message: 'expected string, got number', check: 'schema-type' },
    ]);
  });

  it('reports several violations of one document together', () => {
    const d = deployment();
    d['spec'].replicas = 'two';
    container(d).imagePullPolicyy = 'Always';
    delete d['spec'].selector;
    expect(
      violations(d)
        .map((v) => v.check)
        .sort(),
    ).toEqual(['schema-required', 'schema-type', 'schema-unknown-field']);
  });
});

describe('Kubernetes value forms', () => {
  it('int-or-string accepts both forms and rejects others', () => {
    for (const port of [8080, 'http']) {
      const d = deployment();
      container(d).livenessProbe.httpGet.port = port;
      d['spec'].strategy.rollingUpdate.maxSurge = typeof port === 'number' ? 1 : '30%';
      expect(violations(d)).toEqual([]);
    }
    const d = deployment();
    container(d).livenessProbe.httpGet.port = true;
    expect(violations(d)).toEqual([
      {
        path: '/spec/template/spec/containers/0/livenessProbe/httpGet/port',
        message: 'expected string or integer, got boolean',
        check: 'schema-type',
      },
    ]);
  });

  it('quantity accepts strings and numbers', () => {
    for (const cpu of ['250m', '0.5', '1', 1, 0.25, '1e3', '2Gi']) {
      const d = deployment();
      container(d).resources.requests.cpu = cpu;
      expect(violations(d)).toEqual([]);
    }
    const d = deployment();
    container(d).resources.requests.memory = ['1Gi'];
    expect(violations(d)[0]).toMatchObject({
      check: 'schema-type',
      path: '/spec/template/spec/containers/0/resources/requests/memory',
    });
  });

  it('null on optional fields means unset (as the API server reads it); required fields stay required', () => {
    const d = deployment();
    d['spec'].strategy = null;
    container(d).imagePullPolicy = null;
    expect(violations(d)).toEqual([]);
    const e = deployment();
    container(e).name = null;
    expect(violations(e)).toEqual([
      { path: '/spec/template/spec/containers/0/name', message: 'expected string, got null', check: 'schema-type' },
    ]);
  });
});

describe('options', () => {
  it('strict: false accepts unknown fields but keeps every other check', () => {
    const loose = createSchemaValidator({ kubernetesVersion: '1.33', strict: false });
    const d = deployment();
    container(d).imagePullPolicyy = 'Always';
    expect(loose.validate(d)).toEqual([]);
    d['spec'].replicas = 'x';
    expect(loose.validate(d)).toEqual([
      { path: '/spec/replicas', message: 'expected integer, got string', check: 'schema-type' },
    ]);
  });

  it('an empty schemaLocations list means the default sources, as no -schema-location does in kubeconform', () => {
    const v = createSchemaValidator({ kubernetesVersion: '1.33', schemaLocations: [] });
    expect(v.sources.map((s) => s.name)).toEqual(['built-in', 'crd']);
  });

  it('rejects an invalid Kubernetes version', () => {
    expect(() => createSchemaValidator({ kubernetesVersion: 'latest' })).toThrow(/invalid Kubernetes version "latest"/);
  });

  it('names the source of a schema', () => {
    expect(strict.sourceOf('apps/v1', 'Deployment')).toBe('built-in');
    expect(strict.sourceOf('argoproj.io/v1alpha1', 'Application')).toBe('crd');
    expect(strict.sourceOf('example.org/v1', 'Widget')).toBeUndefined();
  });

  it('warmUp loads kinds from a source that only loads asynchronously', async () => {
    const source: SchemaSource = {
      name: 'async-only',
      load: async (gvk) =>
        gvk.kind === 'Gadget'
          ? {
              type: 'object',
              properties: { apiVersion: {}, kind: {}, size: { type: 'integer' } },
              additionalProperties: false,
            }
          : undefined,
    };
    const v = createSchemaValidator({ kubernetesVersion: '1.33', sources: [source] });
    const gadget = { apiVersion: 'example.org/v1', kind: 'Gadget', size: 'big' };
    expect(v.validate(gadget)).toBe('unknown-kind');
    await v.warmUp([{ apiVersion: 'example.org/v1', kind: 'Gadget' }]);
    expect(v.validate(gadget)).toEqual([
      { path: '/size', message: 'expected integer, got string', check: 'schema-type' },
    ]);
    expect(v.sourceOf('example.org/v1', 'Gadget')).toBe('async-only');
  });

  it('a schema that does not compile or load is a schema-unusable violation naming kind and source, not a throw', async () => {
    const broken: SchemaSource = {
      name: 'broken',
      load: async () => {
        throw new Error('broken/configmap-v1.json: not valid JSON');
      },
      loadSync: () => ({ type: 'no-such-type' }),
    };
    const v = createSchemaValidator({ kubernetesVersion: '1.33', sources: [broken] });
    expect(v.validate({ apiVersion: 'v1', kind: 'ConfigMap' })).toEqual([
      {
        path: '/kind',
        check: 'schema-unusable',
        message: expect.stringMatching(
          /^the schema for v1 ConfigMap cannot be used \(schema for v1 ConfigMap from broken does not compile: .*\): the object was not validated/,
        ),
      },
    ]);
    expect(v.sourceOf('v1', 'ConfigMap')).toBeUndefined();
    const later = createSchemaValidator({ kubernetesVersion: '1.33', sources: [broken] });
    await later.warmUp([{ apiVersion: 'v1', kind: 'Secret' }]);
    expect(later.validate({ apiVersion: 'v1', kind: 'Secret' })).toEqual([
      expect.objectContaining({ check: 'schema-unusable', message: expect.stringContaining('not valid JSON') }),
    ]);
  });
});
