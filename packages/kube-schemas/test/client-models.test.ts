// The parts that turn installed package files into schemas, on small inputs, and the built-in source.
import { describe, expect, it } from 'vitest';
import { parseModel, type ModelInfo } from '../src/generate/client-models/client-node-models.js';
import { kindOfModel, kindsOfApiSource } from '../src/generate/client-models/client-node-kinds.js';
import { literalUnion, parseDtsInterface, referencedInterface } from '../src/generate/client-models/models-dts.js';
import { modelToJsonSchema } from '../src/generate/client-models/to-json-schema.js';
import { createBuiltinSource } from '../src/generate/client-models/builtin-source.js';
import { didYouMean, isQuantity, relaxSchema } from '../src/index.js';

describe('client model files', () => {
  it('reads the attribute map and required markers', () => {
    const js =
      'V1Thing.attributeTypeMap = [\n    {\n        "name": "ref",\n        "baseName": "$ref",\n        "type": "string",\n        "format": ""\n    },\n    {\n        "name": "size",\n        "baseName": "size",\n        "type": "number",\n        "format": "int32"\n    }\n];\n';
    const dts = "export declare class V1Thing {\n    'ref'?: string;\n    'size': number;\n}\n";
    expect(parseModel('V1Thing', js, dts)).toEqual({
      name: 'V1Thing',
      fields: [
        { json: '$ref', type: 'string', format: '', required: false },
        { json: 'size', type: 'number', format: 'int32', required: true },
      ],
    });
  });

  it('derives kinds from create requests on collection paths', () => {
    const api = `
    async createNamespacedDeployment(namespace, body, _options) {
        const localVarPath = '/apis/apps/v1/namespaces/{namespace}/deployments'
        const serializedBody = ObjectSerializer.stringify(ObjectSerializer.serialize(body, "V1Deployment", ""), contentType);
    }
    async createNamespacedPodEviction(name, namespace, body, _options) {
        const localVarPath = '/api/v1/namespaces/{namespace}/pods/{name}/eviction'
        const serializedBody = ObjectSerializer.stringify(ObjectSerializer.serialize(body, "V1Eviction", ""), contentType);
    }
    async createNamespacedEvent(namespace, body, _options) {
        const localVarPath = '/api/v1/namespaces/{namespace}/events'
        const serializedBody = ObjectSerializer.stringify(ObjectSerializer.serialize(body, "CoreV1Event", ""), contentType);
    }`;
    const models = new Set(['V1Deployment', 'V1DeploymentList', 'V1Eviction', 'CoreV1Event', 'CoreV1EventList']);
    expect(kindsOfApiSource(api, (m) => models.has(m))).toEqual([
      { gvk: { group: 'apps', version: 'v1', kind: 'Deployment' }, model: 'V1Deployment' },
      { gvk: { group: 'apps', version: 'v1', kind: 'DeploymentList' }, model: 'V1DeploymentList' },
      { gvk: { group: '', version: 'v1', kind: 'Event' }, model: 'CoreV1Event' },
      { gvk: { group: '', version: 'v1', kind: 'EventList' }, model: 'CoreV1EventList' },
    ]);
    expect(kindOfModel('V2HorizontalPodAutoscaler')).toBe('HorizontalPodAutoscaler');
    expect(kindOfModel('ResourceV1ResourceClaim')).toBe('ResourceClaim');
    expect(kindOfModel('V1beta2DeviceClass')).toBe('DeviceClass');
  });

  it('reads kubernetes-models interfaces: enums, maps, references', () => {
    const text = [
      'import { IIoK8sApiCoreV1Probe } from "./Probe";',
      'export interface IContainer {',
      '    /**',
      '     * doc; with "quotes": and braces {}',
      '     */',
      '    "imagePullPolicy"?: "Always" | "IfNotPresent" | "Never";',
      '    "limits"?: {',
      '        [key: string]: IIoK8sApimachineryPkgApiResourceQuantity;',
      '    };',
      '    "livenessProbe"?: IIoK8sApiCoreV1Probe;',
      '    "name": string;',
      '}',
    ].join('\n');
    const parsed = parseDtsInterface('/m/v1/Container.d.ts', text, (spec) => `/m/v1/${spec}.d.ts`);
    expect([...parsed.fields.keys()]).toEqual(['imagePullPolicy', 'limits', 'livenessProbe', 'name']);
    expect(literalUnion(parsed.fields.get('imagePullPolicy')!.type)).toEqual(['Always', 'IfNotPresent', 'Never']);
    expect(literalUnion('string')).toBeUndefined();
    expect(referencedInterface(parsed.fields.get('limits')!.type)).toBe('IIoK8sApimachineryPkgApiResourceQuantity');
    expect(parsed.imports.get('IIoK8sApiCoreV1Probe')).toBe('/m/v1/./Probe.d.ts');
  });
});

describe('model → JSON Schema', () => {
  const models: Record<string, ModelInfo> = {
    V1Box: {
      name: 'V1Box',
      fields: [
        { json: 'name', type: 'string', format: '', required: true },
        { json: 'items', type: 'Array<V1Box>', format: '', required: false },
        { json: 'port', type: 'IntOrString', format: 'int-or-string', required: false },
        { json: 'labels', type: '{ [key: string]: string; }', format: '', required: false },
        { json: 'at', type: 'Date', format: 'date-time', required: false },
      ],
    },
  };
  const read = (n: string) => models[n];

  it('strict: every model closed, optional fields nullable, recursion through definitions', () => {
    expect(modelToJsonSchema('V1Box', read, new Map(), { strict: true })).toEqual({
      $ref: '#/definitions/V1Box',
      definitions: {
        V1Box: {
          type: ['object', 'null'],
          properties: {
            name: { type: 'string' },
            items: { type: ['array', 'null'], items: { $ref: '#/definitions/V1Box' } },
            port: { type: ['string', 'integer', 'null'] },
            labels: { type: ['object', 'null'], additionalProperties: { type: 'string' } },
            at: { type: ['string', 'null'], format: 'date-time' },
          },
          required: ['name'],
          additionalProperties: false,
        },
      },
    });
  });

  it('hints add enums and quantities; non-strict leaves models open', () => {
    const hints = new Map([
      [
        'V1Box',
        new Map([
          ['name', { enum: ['a', 'b'] }],
          ['labels', { quantity: true }],
        ]),
      ],
    ]);
    const schema = modelToJsonSchema('V1Box', read, hints, { strict: false }) as any;
    expect(schema.definitions.V1Box.additionalProperties).toBeUndefined();
    expect(schema.definitions.V1Box.properties.name).toEqual({ type: 'string', enum: ['a', 'b'] });
    expect(schema.definitions.V1Box.properties.labels).toEqual({
      type: ['object', 'null'],
      additionalProperties: { type: ['string', 'number'], format: 'quantity' },
    });
  });
});

describe('built-in source', () => {
  const source = createBuiltinSource();

  it('knows the workload kinds and their lists', () => {
    const kinds = source.kinds().map((k) => `${k.group}/${k.version} ${k.kind}`);
    expect(kinds).toEqual(
      expect.arrayContaining([
        'apps/v1 Deployment',
        'apps/v1 DeploymentList',
        '/v1 Pod',
        'autoscaling/v2 HorizontalPodAutoscaler',
      ]),
    );
  });

  it('answers nothing for an API the target version no longer serves', () => {
    const flow = { group: 'flowcontrol.apiserver.k8s.io', version: 'v1beta3', kind: 'FlowSchema' };
    expect(source.loadSync(flow, '1.31')).toBeDefined();
    expect(source.loadSync(flow, '1.32')).toBeUndefined();
  });

  it('carries enums and quantities from kubernetes-models', () => {
    const schema = source.loadSync({ group: '', version: 'v1', kind: 'Pod' }, '1.33') as any;
    expect(schema.definitions.V1PodSpec.properties.restartPolicy.enum).toEqual(['Always', 'Never', 'OnFailure', null]);
    expect(schema.definitions.V1ResourceRequirements.properties.requests.additionalProperties.format).toBe('quantity');
  });
});

describe('small helpers', () => {
  it('didYouMean', () => {
    expect(didYouMean('imagePullPolicyy', ['image', 'imagePullPolicy'])).toBe('imagePullPolicy');
    expect(didYouMean('Replicas', ['replicas'])).toBe('replicas');
    expect(didYouMean('flavour', ['replicas', 'selector'])).toBeUndefined();
    expect(didYouMean('x', [])).toBeUndefined();
  });

  it('isQuantity', () => {
    for (const q of ['1', '500m', '0.5', '.5', '1.', '2Gi', '1e3', '+1Ki', '-2', '100n'])
      expect(isQuantity(q), q).toBe(true);
    for (const q of ['', 'm', '500mm', '1 Gi', '2GB', '1.2.3', 'e3']) expect(isQuantity(q), q).toBe(false);
  });

  it('relaxSchema removes only additionalProperties: false', () => {
    const strict = {
      type: 'object',
      additionalProperties: false,
      properties: { a: { type: 'object', additionalProperties: { type: 'string' } } },
    };
    expect(relaxSchema(strict)).toEqual({
      type: 'object',
      properties: { a: { type: 'object', additionalProperties: { type: 'string' } } },
    });
  });
});
