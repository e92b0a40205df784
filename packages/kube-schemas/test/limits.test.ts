import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { YAML_LIMITS } from '@cmsweb/yaml';
import { createLocationSource, readCrdManifests } from '../src/index.js';

// User-supplied schema files (--schema-location JSON) and CRD manifests (--crd, validator.yaml crds:) obey the
// repository's limits on nesting and aliases: a clear error naming file:line:column and the limit, never a
// stack overflow in JSON.parse, the YAML composer or the schema compiler.

const dir = mkdtempSync(join(tmpdir(), 'kube-schemas-limits-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const LIMIT = new RegExp(
  `nested more than ${YAML_LIMITS.maxDepth} levels deep here .*the limit is ${YAML_LIMITS.maxDepth}`,
);

describe('limits on schema files', () => {
  it('a schema-location JSON file nested 20,000 deep is refused at its line and column', () => {
    const n = 20_000;
    writeFileSync(
      join(dir, 'widget-example-v1.json'),
      `{"type": "object",\n "properties": ${'{"a": '.repeat(n)}{}${'}'.repeat(n)}}`,
    );
    const source = createLocationSource(join(dir, '{{ .ResourceKind }}{{ .KindSuffix }}.json'), { strict: true });
    expect(() => source.loadSync({ group: 'example', version: 'v1', kind: 'Widget' }, '1.33')).toThrow(
      new RegExp(`widget-example-v1\\.json:2:${16 + 6 * (YAML_LIMITS.maxDepth - 1)}: ${LIMIT.source}`),
    );
  });

  it('a CRD manifest nested 3,000 deep, or an alias bomb, is refused at its line and column', () => {
    const head = 'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: x}\nspec: ';
    writeFileSync(join(dir, 'deep.yaml'), `${head}${'{a: '.repeat(3000)}1${'}'.repeat(3000)}\n`);
    expect(() => readCrdManifests([join(dir, 'deep.yaml')])).toThrow(
      new RegExp(`deep\\.yaml:4:\\d+: not valid YAML: ${LIMIT.source}`),
    );
    writeFileSync(
      join(dir, 'bomb.yaml'),
      `${head}\n  a: &a [x, x, x, x, x, x, x, x, x]\n  b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n  c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n  d: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n`,
    );
    expect(() => readCrdManifests([join(dir, 'bomb.yaml')])).toThrow(
      /bomb\.yaml:6:\d+: not valid YAML: aliases expand too often .*the limit is 100/,
    );
  });
});
