import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createLocationSource,
  createSchemaValidator,
  expandLocation,
  locationTemplateData,
  renderLocation,
} from '../src/index.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const KUBECONFORM_TEMPLATE =
  'https://kubernetesjsonschema.dev/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json';

describe('path templates (kubeconform registry semantics)', () => {
  it.each([
    [
      'Deployment',
      'apps/v1',
      '1.16.0',
      true,
      'https://kubernetesjsonschema.dev/v1.16.0-standalone-strict/deployment-apps-v1.json',
    ],
    [
      'Deployment',
      'apps/v1',
      '1.16.0',
      false,
      'https://kubernetesjsonschema.dev/v1.16.0-standalone/deployment-apps-v1.json',
    ],
    ['Service', 'v1', '1.18.0', false, 'https://kubernetesjsonschema.dev/v1.18.0-standalone/service-v1.json'],
    ['Service', 'v1', 'master', false, 'https://kubernetesjsonschema.dev/master-standalone/service-v1.json'],
    [
      'Ingress',
      'networking.k8s.io/v1',
      '1.33.0',
      true,
      'https://kubernetesjsonschema.dev/v1.33.0-standalone-strict/ingress-networking-v1.json',
    ],
  ])('%s %s %s strict=%s', (kind, apiVersion, version, strict, expected) => {
    expect(renderLocation(KUBECONFORM_TEMPLATE, locationTemplateData(kind, apiVersion, version, strict))).toBe(
      expected,
    );
  });

  it('Group and ResourceAPIVersion split the apiVersion ("v1" is its own group, as in kubeconform)', () => {
    const tpl = '{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json';
    expect(renderLocation(tpl, locationTemplateData('Application', 'argoproj.io/v1alpha1', '1.33', true))).toBe(
      'argoproj.io/application_v1alpha1.json',
    );
    expect(renderLocation(tpl, locationTemplateData('Service', 'v1', '1.33', true))).toBe('v1/service_v1.json');
  });

  it('accepts {{.Field}} without spaces and trims with {{- -}}', () => {
    const data = locationTemplateData('Service', 'v1', '1.33.0', true);
    expect(renderLocation('a/{{.ResourceKind}}.json', data)).toBe('a/service.json');
    expect(renderLocation('a/ {{- .ResourceKind -}} /b.json', data)).toBe('a/service/b.json');
  });

  it("a directory gets kubeconform's default layout; a .json path is a template", () => {
    expect(expandLocation('/schemas')).toBe(
      '/schemas/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json',
    );
    expect(expandLocation('/x/{{ .ResourceKind }}.json')).toBe('/x/{{ .ResourceKind }}.json');
  });

  it('rejects unknown fields, other actions, remote locations', () => {
    expect(() => createLocationSource('/x/{{ .Kind }}.json', { strict: true })).toThrow(/unknown field ".Kind"/);
    expect(() => createLocationSource('/x/{{ printf "%s" .ResourceKind }}.json', { strict: true })).toThrow(
      /unsupported action/,
    );
    expect(() => createLocationSource('https://example.org/schemas', { strict: true })).toThrow(/no network/);
  });
});

describe('schema locations on disk', () => {
  const dir = join(FIXTURES, 'schemas');

  it('a directory finds <version>-standalone-strict/<kind>-<group>-<version>.json, trying 1.33 then 1.33.0', () => {
    const source = createLocationSource(dir, { strict: true });
    expect(source.candidates({ group: 'apps', version: 'v1', kind: 'Deployment' }, '1.33')).toEqual([
      join(dir, 'v1.33-standalone-strict/deployment-apps-v1.json'),
      join(dir, 'v1.33.0-standalone-strict/deployment-apps-v1.json'),
    ]);
    expect(source.loadSync({ group: 'apps', version: 'v1', kind: 'Deployment' }, '1.33')).toMatchObject({
      required: ['apiVersion', 'kind', 'spec'],
    });
    expect(source.loadSync({ group: 'apps', version: 'v1', kind: 'DaemonSet' }, '1.33')).toBeUndefined();
  });

  it('validates through a directory location, strict and not', () => {
    const strict = createSchemaValidator({ kubernetesVersion: '1.33', schemaLocations: [dir] });
    const d = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      spec: { selector: {}, replicaz: 2, strategy: { rollingUpdate: { maxSurge: false } } },
    };
    expect(strict.validate(d)).toEqual([
      {
        path: '/spec/replicaz',
        message: 'unknown field "replicaz" (did you mean "replicas"?)',
        check: 'schema-unknown-field',
      },
      {
        path: '/spec/strategy/rollingUpdate/maxSurge',
        message: 'expected string or integer, got boolean false',
        check: 'schema-type',
      },
    ]);
    expect(strict.validate({ apiVersion: 'v1', kind: 'Service', spec: { type: 'Internal' } })).toEqual([
      {
        path: '/spec/type',
        message: 'value "Internal" is not one of: "ClusterIP", "NodePort", "LoadBalancer", "ExternalName"',
        check: 'schema-enum',
      },
    ]);
    // Only the directory was given: no built-in fallback, as with kubeconform -schema-location.
    expect(strict.validate({ apiVersion: 'v1', kind: 'ConfigMap' })).toBe('unknown-kind');
    const loose = createSchemaValidator({ kubernetesVersion: '1.33.0', schemaLocations: [dir], strict: false });
    expect(loose.validate(d)).toEqual([]);
    expect(loose.validate({ apiVersion: 'apps/v1', kind: 'Deployment', spec: {} })).toEqual([
      { path: '/spec/selector', message: 'missing required field "selector"', check: 'schema-required' },
    ]);
  });

  it('a path template for custom resources, after the defaults, relative to cwd', () => {
    const v = createSchemaValidator({
      kubernetesVersion: '1.33',
      schemaLocations: ['default', 'custom/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json'],
      cwd: FIXTURES,
    });
    expect(v.validate({ apiVersion: 'example.org/v1', kind: 'Widget', spec: { size: 0, color: 'red' } })).toEqual([
      { path: '/spec/color', message: 'value "red" must match pattern "^#[0-9a-f]{6}$"', check: 'schema-format' },
      { path: '/spec/size', message: 'value 0 must be >= 1', check: 'schema-format' },
    ]);
    expect(v.sourceOf('example.org/v1', 'Widget')).toBe(
      'schema location custom/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json',
    );
    expect(v.sourceOf('apps/v1', 'Deployment')).toBe('built-in');
  });

  it('references into sibling files are followed (the "-local" flavour)', async () => {
    const source = createLocationSource(join(FIXTURES, 'refs/{{ .ResourceKind }}.json'), { strict: true });
    const v = createSchemaValidator({ kubernetesVersion: '1.33', sources: [source] });
    const cm = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'x', labels: { a: 1 }, namespaec: 'y' },
      data: {},
    };
    expect(v.validate(cm)).toEqual([
      { path: '/metadata/labels/a', message: 'expected string, got integer', check: 'schema-type' },
      { path: '/metadata/namespaec', message: 'unknown field "namespaec"', check: 'schema-unknown-field' },
    ]);
    expect(await source.load({ group: '', version: 'v1', kind: 'ConfigMap' }, '1.33')).toEqual(
      source.loadSync({ group: '', version: 'v1', kind: 'ConfigMap' }, '1.33'),
    );
  });

  describe('broken files', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'kube-schemas-'));
    afterAll(() => rmSync(tmp, { recursive: true, force: true }));

    it('invalid JSON names the file; a remote $ref is refused', () => {
      mkdirSync(join(tmp, 'v1.33.0-standalone-strict'));
      writeFileSync(join(tmp, 'v1.33.0-standalone-strict/configmap-v1.json'), '{ nope');
      writeFileSync(
        join(tmp, 'v1.33.0-standalone-strict/secret-v1.json'),
        '{"properties":{"metadata":{"$ref":"https://example.org/x.json"}}}',
      );
      const source = createLocationSource(tmp, { strict: true });
      expect(() => source.loadSync({ group: '', version: 'v1', kind: 'ConfigMap' }, '1.33.0')).toThrow(
        /configmap-v1.json: not valid JSON/,
      );
      expect(() => source.loadSync({ group: '', version: 'v1', kind: 'Secret' }, '1.33.0')).toThrow(/remote \$ref/);
    });
  });
});
