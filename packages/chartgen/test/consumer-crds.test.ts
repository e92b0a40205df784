import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Ajv, type ValidateFunction } from 'ajv';
import { parse, parseAllDocuments } from 'yaml';
import { consumerCatalogs, planFrom, repoRoot } from './helpers.js';
import type { K8sObject } from './render.js';

// Every Argo CD and Flux object chartgen generates, validated against the CRDs the API server of the
// cluster enforces: the upstream openAPIV3Schema of ../shared/reference/crds (structural-schema semantics:
// an unknown field is refused unless x-kubernetes-preserve-unknown-fields). Flux's Kustomization has no CRD
// there: its upstream file (kustomize-controller v1.9.4) is kept verbatim in packages/kube-schemas/upstream-crds.

const CRD_DIR = join(repoRoot, '..', 'shared', 'reference', 'crds');
const UPSTREAM_CRD_DIR = join(repoRoot, 'packages', 'kube-schemas', 'upstream-crds');
const haveCrds = existsSync(CRD_DIR);
if (!haveCrds) console.warn(`consumer-crds: ${CRD_DIR} is absent; the CRD validation tests are skipped`);

type Schema = Record<string, unknown>;

/** Structural schema → JSON Schema: objects with properties refuse others; int-or-string becomes a union. */
function structural(s: Schema): Schema {
  const out: Schema = {};
  for (const [k, v] of Object.entries(s)) {
    if (k.startsWith('x-kubernetes-')) continue;
    if (k === 'properties' && v && typeof v === 'object') {
      out.properties = Object.fromEntries(
        Object.entries(v as Record<string, Schema>).map(([p, ps]) => [p, structural(ps)]),
      );
    } else if ((k === 'items' || k === 'additionalProperties') && v && typeof v === 'object')
      out[k] = structural(v as Schema);
    else if ((k === 'anyOf' || k === 'allOf' || k === 'oneOf') && Array.isArray(v))
      out[k] = v.map((x) => structural(x as Schema));
    else if (k !== 'format') out[k] = v;
  }
  if (s['x-kubernetes-int-or-string']) {
    delete out.type;
    if (!out.anyOf) out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  if (s.properties && !s['x-kubernetes-preserve-unknown-fields'] && out.additionalProperties === undefined)
    out.additionalProperties = false;
  return out;
}

let compiled: Map<string, ValidateFunction> | undefined;
function validators(): Map<string, ValidateFunction> {
  if (compiled) return compiled;
  const ajv = new Ajv({ strict: false, allErrors: true });
  const out = new Map<string, ValidateFunction>();
  const files = [CRD_DIR, UPSTREAM_CRD_DIR].flatMap((dir) =>
    readdirSync(dir)
      .filter((n) => n.endsWith('.yaml'))
      .map((n) => join(dir, n)),
  );
  for (const f of files) {
    const crd = parse(readFileSync(f, 'utf8')) as K8sObject;
    for (const v of crd.spec.versions as K8sObject[]) {
      if (!v.served) continue;
      out.set(
        `${crd.spec.group}/${v.name} ${crd.spec.names.kind}`,
        ajv.compile(structural(v.schema.openAPIV3Schema as Schema)),
      );
    }
  }
  return (compiled = out);
}

const CONSUMER_GROUPS =
  /^(argoproj\.io|source\.toolkit\.fluxcd\.io|helm\.toolkit\.fluxcd\.io|kustomize\.toolkit\.fluxcd\.io)\//;

describe.each(consumerCatalogs)(
  'Argo CD and Flux objects of the %s catalog against the upstream CRDs',
  { timeout: 120_000 },
  (_what, root) => {
    it.skipIf(!haveCrds)(
      'every generated Application, AppProject, GitRepository, HelmRelease and Kustomization is valid',
      async () => {
        const byType = validators();
        const planned = await planFrom(root);
        const problems: string[] = [];
        const seen = new Set<string>();
        for (const [path, text] of planned) {
          if (!/^environments\/[^/]+\/(argocd|flux)\/.*\.yaml$/.test(path) || path.endsWith('/kustomization.yaml'))
            continue;
          for (const d of parseAllDocuments(text)) {
            const o = d.toJS() as K8sObject;
            if (!CONSUMER_GROUPS.test(String(o.apiVersion))) continue;
            const key = `${o.apiVersion} ${o.kind}`;
            seen.add(key);
            const validate = byType.get(key);
            if (!validate) {
              problems.push(`${path}: no CRD for ${key}`);
              continue;
            }
            if (!validate(o))
              problems.push(
                ...(validate.errors ?? []).map(
                  (e) => `${path}: ${key} ${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`,
                ),
              );
          }
        }
        expect(problems).toEqual([]);
        expect([...seen].sort()).toEqual([
          'argoproj.io/v1alpha1 AppProject',
          'argoproj.io/v1alpha1 Application',
          'helm.toolkit.fluxcd.io/v2 HelmRelease',
          'kustomize.toolkit.fluxcd.io/v1 Kustomization',
          'source.toolkit.fluxcd.io/v1 GitRepository',
        ]);
      },
    );

    it.skipIf(!haveCrds)('the conversion refuses what the API server refuses (the test can fail)', () => {
      const byType = validators();
      const app = {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Application',
        metadata: { name: 'a' },
        spec: {
          destination: {},
          project: 'p',
          source: { repoURL: 'r' },
          syncPolicy: { automated: { prune: true, selfHeel: true } },
        },
      };
      expect(byType.get('argoproj.io/v1alpha1 Application')!(app)).toBe(false);
      const hr = {
        apiVersion: 'helm.toolkit.fluxcd.io/v2',
        kind: 'HelmRelease',
        metadata: { name: 'a' },
        spec: {
          interval: '5m',
          chart: { spec: { chart: 'c', sourceRef: { kind: 'GitRepository', name: 'g' } } },
          install: { remediation: { retries: 'three' } },
        },
      };
      expect(byType.get('helm.toolkit.fluxcd.io/v2 HelmRelease')!(hr)).toBe(false);
      const ks = {
        apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
        kind: 'Kustomization',
        metadata: { name: 'a' },
        spec: { interval: '10m', sourceRef: { kind: 'GitRepository', name: 'g' }, path: './x' },
      };
      expect(byType.get('kustomize.toolkit.fluxcd.io/v1 Kustomization')!(ks)).toBe(false); // prune is required
    });
  },
);
