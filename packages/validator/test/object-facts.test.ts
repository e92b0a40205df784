import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseYaml, toJs } from '@cmsweb/yaml';
import { EMPTY_CONTEXT, type PolicyContext } from '../src/checks/check.js';
import { crossObjectReads, projectorFor } from '../src/checks/object-facts.js';
import { CHECKS } from '../src/checks/registry.js';
import { runPolicyChecks } from '../src/checks/run-policy-checks.js';
import { TEMPLATES } from '../src/checks/templates/index.js';
import { parseManifests } from '../src/manifests/parse-manifests.js';
import { generateDocs } from '../bench/generate-docs.js';
import { FIXTURES } from './helpers.js';

// Manifests mode keeps of each object only what the cross-object checks declare they read
// (src/checks/object-facts.ts). These tests hold the declarations to what the checks really read: the
// cross-object findings on the kept parts equal those on whole objects, on every fixture and more.

const project = projectorFor(
  crossObjectReads(() => true),
  EMPTY_CONTEXT.ignoreAnnotation,
);

function crossFindings(text: string, file: string, context: PolicyContext, projected: boolean, service?: string) {
  const resources = parseManifests(text, file).resources.map((r) => (service ? { ...r, service } : r));
  const objects = projected ? resources.map((r) => ({ ...r, object: project(r.object) })) : resources;
  return runPolicyChecks(objects, context, () => true, 'cross-object');
}

describe('object facts', () => {
  it('every cross-object template declares what it reads', () => {
    const undeclared = Object.values(TEMPLATES).filter((t) => t.crossObject && !t.reads);
    expect(undeclared.map((t) => t.name)).toEqual([]);
    expect(crossObjectReads(() => true)).toBeDefined();
  });

  it('keeps identity, the ignore annotation and the declared reads, with the types on the way', () => {
    const svc = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 's',
        namespace: 'n',
        labels: { a: 'b' },
        annotations: { 'validator.cmsweb.cern.ch/ignore': 'x', other: 'y' },
      },
      spec: { selector: { app: 's' }, ports: [{ port: 80 }], type: 'ClusterIP' },
    };
    expect(project(svc)).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's', namespace: 'n', annotations: { 'validator.cmsweb.cern.ch/ignore': 'x' } },
      spec: { selector: { app: 's' }, ports: [{ port: 80 }] },
    });
    const deploy = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd', labels: { a: 'b' } },
      spec: {
        replicas: 2,
        template: {
          metadata: { labels: { app: 'd' }, annotations: { z: 'z' } },
          spec: {
            containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 8080 }] }, 'not a container'],
            volumes: [{ name: 'v' }],
          },
        },
      },
    };
    expect(project(deploy)).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd' },
      spec: {
        template: {
          metadata: { labels: { app: 'd' } },
          spec: { containers: [{ name: 'c', ports: [{ containerPort: 8080 }] }, 'not a container'] },
        },
      },
    });
    // A pod template whose spec has no containers still has a spec (podTemplateOf requires one).
    const bare = { kind: 'Pod', metadata: { name: 'p', labels: { x: '1' } }, spec: { nodeName: 'n' } };
    expect(project(bare)).toEqual({ kind: 'Pod', metadata: { name: 'p', labels: { x: '1' } }, spec: {} });
  });

  it("keeps the ignore annotation of the catalog's domain, not another domain's", () => {
    const shop = projectorFor(
      crossObjectReads(() => true),
      'validator.shop.example.com/ignore',
    );
    const svc = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 's',
        annotations: { 'validator.shop.example.com/ignore': 'x', 'validator.cmsweb.cern.ch/ignore': 'y' },
      },
    };
    expect(shop(svc)).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's', annotations: { 'validator.shop.example.com/ignore': 'x' } },
    });
  });

  it('keeps whole objects when a cross-object template does not declare its reads (fail closed)', () => {
    const whole = { kind: 'Service', metadata: { name: 's' }, spec: { type: 'ClusterIP' } };
    expect(projectorFor(undefined, EMPTY_CONTEXT.ignoreAnnotation)(whole)).toBe(whole);
  });

  const dir = join(FIXTURES, 'checks');
  const cross = CHECKS.filter((c) => c.template && TEMPLATES[c.template]?.crossObject);
  it.each(cross.flatMap((c) => ['fires', 'passes'].map((kind) => [c.id, kind] as const)))(
    'fixture %s/%s: the same cross-object findings on the kept parts as on whole objects',
    (id, kind) => {
      const file = join(dir, id, `${kind}.yaml`);
      const ctxFile = join(dir, id, `${kind}.context.yaml`);
      const ctx = (existsSync(ctxFile) ? toJs(parseYaml(readFileSync(ctxFile, 'utf8'), ctxFile))[0] : {}) as
        | (Partial<PolicyContext> & { service?: string })
        | undefined;
      for (const complete of [false, true]) {
        const context: PolicyContext = { ...EMPTY_CONTEXT, ...ctx, complete };
        const text = readFileSync(file, 'utf8');
        const whole = crossFindings(text, file, context, false, ctx?.service);
        expect(crossFindings(text, file, context, true, ctx?.service)).toEqual(whole);
        if (kind === 'fires' && complete) expect(whole.length).toBeGreaterThan(0);
      }
    },
  );

  it('the same cross-object findings on every object fixture together and on generated documents', () => {
    const texts: Array<[string, string]> = [['bench.yaml', generateDocs(200).replaceAll('8080', '8081')]];
    for (const id of readdirSync(dir))
      for (const kind of ['fires', 'passes'])
        if (existsSync(join(dir, id, `${kind}.yaml`)))
          texts.push([`${id}/${kind}.yaml`, readFileSync(join(dir, id, `${kind}.yaml`), 'utf8')]);
    const all = texts.map(([, t]) => (t.endsWith('\n') ? t : `${t}\n`)).join('---\n');
    for (const complete of [false, true]) {
      const context = { ...EMPTY_CONTEXT, complete };
      const whole = crossFindings(all, 'all.yaml', context, false);
      expect(whole.length).toBeGreaterThan(10);
      expect(crossFindings(all, 'all.yaml', context, true)).toEqual(whole);
    }
  });
});
