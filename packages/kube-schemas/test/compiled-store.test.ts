import { describe, expect, it } from 'vitest';
import { type CompiledSchemaStore, createSchemaValidator, type SchemaViolation } from '../src/index.js';
import { CLEAN, deployment, gitRepository, helmRelease } from './samples.js';

// Compiled schemas kept between processes (SchemaValidatorOptions.compiledSchemas): a validator that loads
// them finds exactly what one that compiles finds, on the built-in kinds and the bundled CRDs alike.

/** A store in memory that counts what it is asked. */
function memoryStore(): CompiledSchemaStore & { entries: Map<string, string>; hits: number; misses: number } {
  const entries = new Map<string, string>();
  const store = {
    entries,
    hits: 0,
    misses: 0,
    read(key: string) {
      const code = entries.get(key);
      if (code === undefined) store.misses++;
      else store.hits++;
      return code;
    },
    write(key: string, code: string) {
      entries.set(key, code);
    },
  };
  return store;
}

/** Objects with findings of every sort: types, unknown fields, formats, enums, required, a CRD's deferred field. */
function broken(): object[] {
  const d = deployment();
  const c = d['spec'].template.spec.containers[0];
  c.imagePullPolicyy = 'Always';
  c.resources = { limits: { cpu: 'lots' } };
  d['metadata'].labels = { app: 1 };
  delete d['spec'].selector;
  return [
    d,
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { type: 'Nowhere', ports: [{ port: 'x' }] } },
    {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'a' },
      spec: { project: 'p', destination: { server: 1 }, sourcee: {} },
      status: { sync: { status: 3 } },
    },
    // CRDs with CEL rules (x-kubernetes-validations), stored since their keyword is code ajv can write out:
    // a failed rule with its message, one with a messageExpression and fieldPath, one nested in a field.
    helmRelease({
      chartRef: { kind: 'OCIRepository', name: 'c' },
      install: { strategy: { name: 'RemediateOnFailure', retryInterval: '1m' } },
    }),
    gitRepository({ provider: 'github', serviceAccountName: 'sa' }),
  ];
}

const results = (v: ReturnType<typeof createSchemaValidator>, objects: object[]) =>
  objects.map((o) => v.validate(o) as SchemaViolation[] | 'unknown-kind');

describe('compiled schemas from a store', () => {
  const objects = [...CLEAN, ...broken()];
  const reference = results(createSchemaValidator({ kubernetesVersion: '1.33' }), objects);

  it('are written on the first run and read on the next, with the same findings', () => {
    expect(reference.flat().length, 'the broken objects have findings').toBeGreaterThan(8);
    const store = memoryStore();
    expect(results(createSchemaValidator({ kubernetesVersion: '1.33', compiledSchemas: store }), objects)).toEqual(
      reference,
    );
    expect(store.entries.size).toBeGreaterThan(3);
    expect(store.hits).toBe(0);
    // The CEL rules fired, and their schemas were stored with the code that makes their checks again.
    const cel = (message: string) => ({ path: '/spec', message, check: 'schema-format' });
    expect(reference.flat()).toContainEqual(cel('either chart or chartRef must be set'));
    expect(reference.flat()).toContainEqual(
      cel("serviceAccountName can only be set when provider is 'azure' or 'aws'"),
    );
    expect(reference.flat()).toContainEqual(expect.objectContaining({ path: '/spec/install/strategy' }));
    expect([...store.entries.values()].filter((c) => c.includes('@cmsweb/kube-schemas:cel-rules'))).toHaveLength(2);
    const written = store.entries.size;
    expect(results(createSchemaValidator({ kubernetesVersion: '1.33', compiledSchemas: store }), objects)).toEqual(
      reference,
    );
    expect(store.hits).toBe(written);
    expect(store.entries.size, 'nothing compiled again').toBe(written);
  });

  it('a stored entry that does not run is compiled again, never trusted', () => {
    const store = memoryStore();
    results(createSchemaValidator({ kubernetesVersion: '1.33', compiledSchemas: store }), objects);
    for (const key of store.entries.keys()) store.entries.set(key, 'throw new Error("torn")');
    expect(results(createSchemaValidator({ kubernetesVersion: '1.33', compiledSchemas: store }), objects)).toEqual(
      reference,
    );
    expect(
      [...store.entries.values()].every((c) => c.includes('module.exports')),
      'written again',
    ).toBe(true);
  });
});
