import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runValidatorCli } from '@cmsweb/toolchain';
import { afterAll, describe, expect, it } from 'vitest';
import { generate } from '../src/index.js';
import { webshopRepo } from './helpers.js';

// The second, non-CMSWEB catalog (webshop: dev, qa, staging, prod) through the whole pipeline: chartgen
// generates the repository, the validator (its CLI, as gitops-sync runs it) passes it with no error, and then
// reports defects injected into what the consumers read (adapter rules, frontend rules, Argo CD and Flux
// objects) with file and line.

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const validate = (root: string, env: string) => runValidatorCli(root, [env]);

function edit(root: string, file: string, from: string, to: string): void {
  const path = join(root, file);
  const text = readFileSync(path, 'utf8');
  expect(text, `${file} contains ${from}`).toContain(from);
  writeFileSync(path, text.replace(from, to));
}

describe('webshop: generated, validated, and every injected consumer defect reported with file and line', {
  timeout: 300_000,
}, () => {
  it('prod passes, then fails on each defect', async () => {
    const root = mkdtempSync(join(tmpdir(), 'chartgen-webshop-'));
    dirs.push(root);
    cpSync(join(webshopRepo, 'catalog'), join(root, 'catalog'), { recursive: true });
    expect((await generate({ root, check: false })).status).toBe('ok');

    // The Argo CD and Flux objects and every label are named after the cluster (webshop), not after CMSWEB.
    const envFiles = readdirSync(join(root, 'environments'), { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile())
      .map((d) => join(d.parentPath, d.name));
    expect(envFiles.length).toBeGreaterThan(20);
    expect(envFiles.filter((f) => /cmsweb/i.test(readFileSync(f, 'utf8')))).toEqual([]);
    expect(readFileSync(join(root, 'environments/prod/argocd/project.yaml'), 'utf8')).toMatch(/name: webshop-prod/);

    const clean = await validate(root, 'prod');
    expect(clean.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(clean.code).toBe(0);

    // Adapter: the rule no longer maps the `service` label, so the checkout HPA's Object metric is never served.
    edit(
      root,
      'environments/prod/cluster/prometheus-adapter.yaml',
      '            service:\n              resource: service\n',
      '',
    );
    // Adapter: the external rule no longer maps the namespace label, so the namespaced query cannot be built.
    edit(
      root,
      'environments/prod/cluster/prometheus-adapter.yaml',
      '        resources:\n          overrides:\n            namespace:\n              resource: namespace\n        name:\n          matches: ^payment_provider_latency_seconds$',
      '        resources: {}\n        name:\n          matches: ^payment_provider_latency_seconds$',
    );
    // Frontend: the ERP goes to the staging hosts in prod; the catch-all is gone.
    edit(
      root,
      'environments/prod/cluster/frontend-rules.yaml',
      'erp-1.shop.example.com|erp-2.shop.example.com|erp-3.shop.example.com',
      'erp-stage-1.shop.example.com',
    );
    edit(
      root,
      'environments/prod/cluster/frontend-rules.yaml',
      '    ^ static-1.shop.example.com|static-2.shop.example.com\n',
      '',
    );
    // Argo CD: a typo in the sync policy (the CRD refuses the field, so Argo CD would never sync it).
    edit(root, 'environments/prod/argocd/apps/storefront.yaml', 'selfHeal: true', 'selfHeel: true');
    // Flux: remediation retries of the wrong type.
    edit(root, 'environments/prod/flux/helmreleases/checkout.yaml', 'retries: 3', 'retries: three');

    const broken = await validate(root, 'prod');
    expect(broken.code).toBe(1);
    const errors = broken.findings.filter((f) => f.severity === 'error');
    const at = (check: string, file: RegExp) => errors.filter((f) => f.check === check && file.test(f.file));
    // The metric is reported where the person changes it: the catalog line naming it (the template is related).
    const adapter = at('hpa-custom-metric-adapter', /^catalog\/services\/checkout\.yaml$/);
    expect(adapter.length).toBe(2);
    expect(adapter[0]!.line).toBe(15);
    expect(adapter[0]!.message).toMatch(/checkout_queue_depth.*prometheus-adapter\.yaml.*services/);
    expect(adapter[1]!.line).toBe(21);
    expect(adapter[1]!.message).toMatch(/payment_provider_latency_seconds.*namespaced/);
    const frontend = at('frontend-routes', /^environments\/prod\/cluster\/frontend-rules\.yaml$/);
    expect(frontend.map((f) => f.message).join('\n')).toMatch(/erp.*erp-1\.shop\.example\.com/);
    expect(frontend.map((f) => f.message).join('\n')).toMatch(/catch-all/);
    expect(at('schema-unknown-field', /^environments\/prod\/argocd\/apps\/storefront\.yaml$/).length).toBe(1);
    expect(at('schema-type', /^environments\/prod\/flux\/helmreleases\/checkout\.yaml$/).length).toBeGreaterThan(0);
    for (const f of errors) expect(f.line, `${f.file} ${f.check}`).toBeGreaterThan(1);
  });
});
